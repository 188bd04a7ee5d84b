/**
 * How far a goal's figure could move on another draw of the same plan: a percentile
 * bootstrap over the plan's arrays. An array's device-days are resampled together
 * because they are not independent: a fault persists for days (its alarm is carried
 * from one to the next), and a healthy array's sensor calibration stays with it, so
 * resampling device-days one by one would give intervals too narrow. The interval is
 * the plan's sampling spread (which arrays, faults and skies were drawn), not the
 * simulator's distance from a real plant.
 */
import type { Outcome } from './outcome';

/** Resamples per interval: the 2.5th and 97.5th percentiles then lie 25 draws from each end. */
export const RESAMPLES = 1000;
/** The interval's coverage. */
export const COVERAGE = 0.95;
/** A fixed seed: the same outcomes give the same interval on every run and machine (integer arithmetic only). */
const SEED = 0x5eed_2026;

/**
 * The array a device-day belongs to: its plant (the plant-day's name without its date, sky
 * and day number: '2026-02-15 broken (plant 1, day 5)' → '(plant 1') and its device.
 * Twins of a held-out design share the plant's number, so whatever stands between the sky and
 * the number (a condition, a design) stays in the key.
 */
export function arrayOf(o: Pick<Outcome, 'plantDay' | 'deviceId'>): string {
  const plant = o.plantDay.replace(/^\S+ \S+ /, '').replace(/, (warm-up )?day \d+\)$/, '');
  return `${plant}|${o.deviceId}`;
}

/** Deterministic integers in [0, n): a 32-bit LCG (Numerical Recipes' constants), integer arithmetic only. */
function picker(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

/**
 * The percentile interval of `statistic` over `resamples` resamples by array (arrayOf) of
 * one or more sets of outcomes on the same plan: each resample draws as many arrays as the
 * sets hold together, with replacement, and hands the statistic each set's device-days of
 * the drawn arrays, so that two runs on the same plan are compared over the same arrays.
 * null when the statistic is null on more than half the resamples (too few outcomes to say)
 * or there are no outcomes.
 */
function resampledInterval(sets: readonly (readonly Outcome[])[], statistic: (samples: readonly Outcome[][]) => number | null, resamples: number): [number, number] | null {
  const byArray = new Map<string, Outcome[][]>();
  sets.forEach((os, k) => {
    for (const o of os) {
      const key = arrayOf(o);
      let g = byArray.get(key);
      if (!g) byArray.set(key, (g = sets.map(() => [])));
      g[k]!.push(o);
    }
  });
  const arrays = [...byArray.values()];
  if (arrays.length === 0) return null;
  const pick = picker(SEED);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const samples: Outcome[][] = sets.map(() => []);
    for (let i = 0; i < arrays.length; i++) {
      const drawn = arrays[pick(arrays.length)]!;
      drawn.forEach((os, k) => {
        for (const o of os) samples[k]!.push(o);
      });
    }
    const v = statistic(samples);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (values.length * 2 < resamples) return null;
  values.sort((a, b) => a - b);
  const tail = (1 - COVERAGE) / 2;
  // nearest rank, as summary.ts quantile reads percentiles
  const at = (p: number) => values[Math.min(values.length - 1, Math.max(0, Math.ceil(p * values.length) - 1))]!;
  return [at(tail), at(1 - tail)];
}

/** The 95 % interval of `statistic` over the plan's arrays (resampledInterval on one run's outcomes). */
export function arrayInterval(outcomes: readonly Outcome[], statistic: (os: readonly Outcome[]) => number | null, resamples = RESAMPLES): [number, number] | null {
  return resampledInterval([outcomes], ([os]) => statistic(os!), resamples);
}

/**
 * The 95 % interval of `statistic` on `after` less on `before`, two runs on the same plan,
 * each resample drawing the same arrays for both: the arrays, faults and skies are the
 * same for both runs, so where they read most arrays alike the difference varies far less
 * than either figure does.
 */
export function pairedInterval(before: readonly Outcome[], after: readonly Outcome[], statistic: (os: readonly Outcome[]) => number | null, resamples = RESAMPLES): [number, number] | null {
  return resampledInterval([before, after], ([b, a]) => {
    const vb = statistic(b!);
    const va = statistic(a!);
    return vb === null || va === null ? null : va - vb;
  }, resamples);
}

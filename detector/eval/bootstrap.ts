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
 * The percentile interval of `statistic` over RESAMPLES resamples of `outcomes` by array
 * (arrayOf): each resample draws as many arrays as there are, with replacement, and takes
 * all their device-days. null when the statistic is null on more than half the resamples
 * (too few outcomes to say) or there are no outcomes.
 */
export function arrayInterval(outcomes: readonly Outcome[], statistic: (os: readonly Outcome[]) => number | null, resamples = RESAMPLES): [number, number] | null {
  const byArray = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    const k = arrayOf(o);
    const g = byArray.get(k);
    if (g) g.push(o);
    else byArray.set(k, [o]);
  }
  const arrays = [...byArray.values()];
  if (arrays.length === 0) return null;
  const pick = picker(SEED);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const sample: Outcome[] = [];
    for (let i = 0; i < arrays.length; i++) for (const o of arrays[pick(arrays.length)]!) sample.push(o);
    const v = statistic(sample);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (values.length * 2 < resamples) return null;
  values.sort((a, b) => a - b);
  const tail = (1 - COVERAGE) / 2;
  // nearest rank, as summary.ts quantile reads percentiles
  const at = (p: number) => values[Math.min(values.length - 1, Math.max(0, Math.ceil(p * values.length) - 1))]!;
  return [at(tail), at(1 - tail)];
}

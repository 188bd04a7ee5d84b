/**
 * Statistics of a day of 1-minute irradiance, the same for simulated and measured
 * days: the day's clear-sky index, its ramps, the variability index of Stein et al.
 * (2012), and a sky type by one rule. detector/realism/sky_stats.py computes the
 * same in Python for the measured side; test/fixtures/realism holds both to one set
 * of vectors, so the two columns of `npm run sim:realism` measure the same thing.
 */

export const SKY_CLASSES = ['clear', 'broken', 'mostly_cloudy', 'overcast'] as const;
export type SkyClass = (typeof SKY_CLASSES)[number];

/**
 * The rule, on the day's clear-sky index kc and variability index VI:
 *   overcast       kc < 0.35                     (little beam all day)
 *   clear          kc ≥ 0.8 and VI < 2           (Stein et al.: VI < 2 is a low-variability day)
 *   mostly_cloudy  0.35 ≤ kc < 0.6 (not clear)   (more cloud than sun, with breaks)
 *   broken         kc ≥ 0.6 (not clear)          (sun and cloud passages)
 * Thresholds are stated once here and in sky_stats.py; the shared fixture checks both.
 */
export const RULE = { overcastBelow: 0.35, clearFrom: 0.8, clearViBelow: 2, brokenFrom: 0.6 } as const;

/** A ramp is "large" above this many W/m² per minute (the measure). */
export const LARGE_RAMP = 100;

/** Minutes of a day: 1-min mean irradiance (NaN where missing), the clear-sky value and whether the minute counts as daytime. */
export interface MinuteSeries {
  g: ArrayLike<number>;
  clearSky: ArrayLike<number>;
  /** sun elevation ≥ 10° (low sun makes the clear-sky index meaningless) */
  daytime: ArrayLike<boolean | number>;
}

export interface DayStats {
  /** daytime minutes with a value */
  minutes: number;
  /** Σ G / Σ G_clear over those minutes */
  kc: number;
  /** Stein's variability index: Σ √(ΔG² + Δt²) / Σ √(ΔG_clear² + Δt²), Δt = 1 min */
  vi: number;
  /** |ΔG| between consecutive daytime minutes, W/m² per minute */
  ramps: number[];
  /** G / G_clear per daytime minute */
  minuteKc: number[];
  sky: SkyClass;
}

export function classify(kc: number, vi: number): SkyClass {
  if (kc < RULE.overcastBelow) return 'overcast';
  if (kc >= RULE.clearFrom && vi < RULE.clearViBelow) return 'clear';
  return kc < RULE.brokenFrom ? 'mostly_cloudy' : 'broken';
}

/** The day's statistics, or null when it has fewer than `minMinutes` daytime minutes with values (a gap-ridden day). */
export function dayStats(s: MinuteSeries, minMinutes = 120): DayStats | null {
  const n = s.g.length;
  if (s.clearSky.length !== n || s.daytime.length !== n) throw new Error(`dayStats: series of unequal length (${n}, ${s.clearSky.length}, ${s.daytime.length})`);
  let sumG = 0;
  let sumClear = 0;
  let minutes = 0;
  let pathG = 0;
  let pathClear = 0;
  const ramps: number[] = [];
  const minuteKc: number[] = [];
  const ok = (i: number) => Boolean(s.daytime[i]) && Number.isFinite(s.g[i]!) && s.clearSky[i]! > 0;
  for (let i = 0; i < n; i++) {
    if (!ok(i)) continue;
    minutes++;
    sumG += s.g[i]!;
    sumClear += s.clearSky[i]!;
    minuteKc.push(s.g[i]! / s.clearSky[i]!);
    // a ramp needs the minute before: a gap breaks the chain rather than making a 2-minute ramp
    if (i > 0 && ok(i - 1)) {
      const dg = s.g[i]! - s.g[i - 1]!;
      const dc = s.clearSky[i]! - s.clearSky[i - 1]!;
      ramps.push(Math.abs(dg));
      pathG += Math.sqrt(dg * dg + 1);
      pathClear += Math.sqrt(dc * dc + 1);
    }
  }
  if (minutes < minMinutes || ramps.length === 0) return null;
  const kc = sumG / sumClear;
  const vi = pathG / pathClear;
  return { minutes, kc, vi, ramps, minuteKc, sky: classify(kc, vi) };
}

/** Percentile with linear interpolation between order statistics (numpy's default), p in [0, 100]. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** What a table row compares: the pooled minutes and the days of one sky class. */
export interface ClassStats {
  days: number;
  /** share of all days in this class */
  dayShare: number;
  /** median over the days */
  kc: number;
  vi: number;
  /** pooled over the days' minutes */
  rampP50: number;
  rampP90: number;
  rampP99: number;
  /** share of ramps above LARGE_RAMP */
  largeRampShare: number;
  minuteKcP10: number;
  minuteKcP50: number;
  minuteKcP90: number;
}

export function classStats(days: readonly DayStats[]): Record<SkyClass, ClassStats | null> {
  const out = {} as Record<SkyClass, ClassStats | null>;
  for (const sky of SKY_CLASSES) {
    const of = days.filter((d) => d.sky === sky);
    if (of.length === 0) {
      out[sky] = null;
      continue;
    }
    const ramps = of.flatMap((d) => d.ramps);
    const kcs = of.flatMap((d) => d.minuteKc);
    out[sky] = {
      days: of.length,
      dayShare: of.length / days.length,
      kc: percentile(of.map((d) => d.kc), 50),
      vi: percentile(of.map((d) => d.vi), 50),
      rampP50: percentile(ramps, 50),
      rampP90: percentile(ramps, 90),
      rampP99: percentile(ramps, 99),
      largeRampShare: ramps.filter((r) => r > LARGE_RAMP).length / ramps.length,
      minuteKcP10: percentile(kcs, 10),
      minuteKcP50: percentile(kcs, 50),
      minuteKcP90: percentile(kcs, 90),
    };
  }
  return out;
}

/** Night-time noise of a sensor: the standard deviation of its 1-min values while the sun is well below the horizon, per night. */
export function nightNoise(values: ArrayLike<number>, night: ArrayLike<boolean | number>, minMinutes = 60): { sd: number; mean: number } | null {
  const picked: number[] = [];
  for (let i = 0; i < values.length; i++) if (night[i] && Number.isFinite(values[i]!)) picked.push(values[i]!);
  if (picked.length < minMinutes) return null;
  const mean = picked.reduce((a, v) => a + v, 0) / picked.length;
  // two passes (no cancellation); sample sd (n − 1), as numpy's std(ddof=1)
  const ss = picked.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (picked.length - 1)) };
}

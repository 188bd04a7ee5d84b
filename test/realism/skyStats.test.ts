/** The 1-min sky statistics of `npm run sim:realism` on hand-made series whose answers are known. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify, classStats, dayStats, nightNoise, percentile, type DayStats } from '../../detector/realism/skyStats';
import { currentResiduals, groupMeans, readingMinutes } from '../../detector/realism/simulated';
import type { DeviceReadings } from '../../detector/simulator/device';
import { expectClose } from '../helpers/tolerance';
import { build } from '../fixtures/realism/generate';

const N = 300;
const constant = (v: number) => new Array<number>(N).fill(v);
const allDay = constant(1);

describe('dayStats', () => {
  it('a steady day at 80 % of a flat clear sky: kc 0.8, no ramps, VI 1, clear', () => {
    const d = dayStats({ g: constant(400), clearSky: constant(500), daytime: allDay })!;
    expect(d.minutes).toBe(N);
    expectClose(d.kc, 0.8, { rtol: 1e-12 });
    expect(d.ramps).toHaveLength(N - 1);
    expect(Math.max(...d.ramps)).toBe(0);
    expectClose(d.vi, 1, { rtol: 1e-12 });
    expect(d.sky).toBe('clear');
  });

  it('a square wave 500/300 under a flat 500: every ramp 200, VI √(200² + 1), kc 0.8, broken', () => {
    const g = Array.from({ length: N }, (_, i) => (i % 2 === 0 ? 500 : 300));
    const d = dayStats({ g, clearSky: constant(500), daytime: allDay })!;
    expect(new Set(d.ramps)).toEqual(new Set([200]));
    expectClose(d.vi, Math.sqrt(200 ** 2 + 1), { rtol: 1e-12 });
    expectClose(d.kc, 0.8, { rtol: 1e-12 });
    expect(d.sky).toBe('broken');
    expect(classStats([d]).broken!.largeRampShare).toBe(1);
  });

  it('the clear sky’s own slope counts in the denominator of VI: a day at 90 % of a ramping clear sky has VI √(2.7² + 1) / √(3² + 1)', () => {
    const clearSky = Array.from({ length: N }, (_, i) => 100 + 3 * i);
    const d = dayStats({ g: clearSky.map((c) => 0.9 * c), clearSky, daytime: allDay })!;
    // ΔG = 2.7 per minute against 3: VI = √(2.7² + 1) / √(3² + 1)
    expectClose(d.vi, Math.sqrt(2.7 ** 2 + 1) / Math.sqrt(10), { rtol: 1e-12 });
    expectClose(d.kc, 0.9, { rtol: 1e-12 });
  });

  it('night minutes and gaps count for nothing, and a gap breaks the chain of ramps', () => {
    const g = Array.from({ length: N }, (_, i) => (i === 150 ? Number.NaN : i < 200 ? 500 : 800));
    const daytime = Array.from({ length: N }, (_, i) => (i >= 10 ? 1 : 0));
    const d = dayStats({ g, clearSky: constant(1000), daytime })!;
    expect(d.minutes).toBe(N - 10 - 1);
    // pairs: minutes 11..299 less the two that touch minute 150
    expect(d.ramps).toHaveLength(N - 11 - 2);
    expect(d.ramps.filter((r) => r > 0)).toEqual([300]);
    expectClose(d.kc, (189 * 500 + 100 * 800) / (289 * 1000), { rtol: 1e-12 });
  });

  it('a day with too few usable minutes has no statistics; unequal series are refused', () => {
    expect(dayStats({ g: constant(500), clearSky: constant(500), daytime: allDay.map((_, i) => (i < 100 ? 1 : 0)) })).toBeNull();
    expect(() => dayStats({ g: [1, 2], clearSky: [1], daytime: [1, 1] })).toThrow(/unequal/);
  });
});

describe('the rule and the aggregates', () => {
  it('classifies by kc and VI at the stated thresholds', () => {
    expect(classify(0.34, 1)).toBe('overcast');
    expect(classify(0.35, 1)).toBe('mostly_cloudy');
    expect(classify(0.59, 5)).toBe('mostly_cloudy');
    expect(classify(0.6, 5)).toBe('broken');
    expect(classify(0.85, 2)).toBe('broken');
    expect(classify(0.8, 1.99)).toBe('clear');
    expect(classify(0.79, 1)).toBe('broken');
  });

  it('percentiles interpolate between order statistics as numpy does', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expectClose(percentile([4, 1, 3, 2], 90), 3.7, { rtol: 1e-12 });
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('pools the ramps of a class and takes the median of its days', () => {
    const day = (kc: number, ramps: number[]): DayStats => ({ minutes: 200, kc, vi: 3, ramps, minuteKc: [kc], sky: 'broken' });
    const c = classStats([day(0.7, [0, 50]), day(0.9, [150, 250]), { ...day(0.2, [1]), sky: 'overcast' }]);
    expect(c.broken!.days).toBe(2);
    expectClose(c.broken!.dayShare, 2 / 3, { rtol: 1e-12 });
    expectClose(c.broken!.kc, 0.8, { rtol: 1e-12 });
    expect(c.broken!.rampP50).toBe(100);
    expect(c.broken!.largeRampShare).toBe(0.5);
    expect(c.clear).toBeNull();
  });

  it('night noise: sample sd and mean of the night minutes', () => {
    const v = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? -2 : 0));
    const n = nightNoise(v, v.map(() => 1))!;
    expectClose(n.mean, -1, { rtol: 1e-12 });
    expectClose(n.sd, Math.sqrt(100 / 99), { rtol: 1e-12 });
    expect(nightNoise(v.slice(0, 10), v.map(() => 1))).toBeNull();
  });
});

describe('from the simulator’s 20-s grid to minutes', () => {
  it('groupMeans averages each minute’s three samples', () => {
    expect(Array.from(groupMeans([1, 2, 3, 10, 20, 30, 5], 3))).toEqual([2, 20]);
  });

  it('readingMinutes counts a duplicate once, skips invalid values and leaves empty minutes NaN', () => {
    const start = 1_000_000;
    const rows: [number, number][] = [
      [start + 100, 10],
      [start + 20_100, 20],
      [start + 20_100, 20], // duplicate
      [start + 40_300, Number.NaN], // corrupted
      [start + 60_000 + 5, 65535], // error code
      [start + 120_000, 7],
    ];
    const readings = { count: rows.length, timestamp: Float64Array.from(rows.map((r) => r[0])), irradiance: Float64Array.from(rows.map((r) => r[1])) } as unknown as DeviceReadings;
    const m = readingMinutes(readings, start, 3);
    expect(m[0]).toBe(15);
    expect(m[1]).toBeNaN();
    expect(m[2]).toBe(7);
  });

  it('currentResiduals: I/G about the day’s median, split at cloud edges (|ΔG| > 50), only where G ≥ 200 in daytime', () => {
    // G: 500 for 10 min, 300 for 10 min; I = G/100, except 10 % high in the minute after the drop
    const g = Array.from({ length: 20 }, (_, m) => (m < 10 ? 500 : 300));
    const current = g.map((v, m) => (m === 10 ? 1.1 : 1) * (v / 100));
    const daytime = g.map((_, m) => (m === 19 ? 0 : 1));
    const r = currentResiduals(g, current, daytime);
    expect(r.edge).toHaveLength(1);
    expectClose(r.edge[0]!, 0.1, { rtol: 1e-12 });
    // minutes 1..18 less the edge: all at the median ratio
    expect(r.steady).toHaveLength(17);
    expect(r.steady.every((x) => Math.abs(x) < 1e-12)).toBe(true);
    expect(currentResiduals(g.map(() => 150), current, daytime)).toEqual({ edge: [], steady: [] });
  });
});

it('test/fixtures/realism/sky-stats-cases.json is current (the Python side is held to it)', () => {
  const committed = JSON.parse(readFileSync(join(__dirname, '../fixtures/realism/sky-stats-cases.json'), 'utf8')) as ReturnType<typeof build>;
  const now = JSON.parse(JSON.stringify(build())) as ReturnType<typeof build>;
  expect(now.days).toEqual(committed.days);
  // the statistics are sums of many terms: equal to 1e-9, not bit for bit
  const close = (a: unknown, b: unknown, path: string): void => {
    if (typeof b === 'number') expectClose(a as number, b, { rtol: 1e-9, atol: 1e-12 }, path);
    else if (b && typeof b === 'object') for (const k of Object.keys(b)) close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    else expect(a).toEqual(b);
  };
  close(now.expected, committed.expected, 'expected');
  // the fixture covers every class of the rule
  expect(new Set(committed.expected.days.map((d) => d?.sky))).toEqual(new Set(['clear', 'broken', 'mostly_cloudy', 'overcast']));
});

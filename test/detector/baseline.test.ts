/**
 * Each array against its own history (detector/baseline.ts): the shared fixture is
 * what the TypeScript makes now (the Python replays it), and the rules' edges.
 */
import { readFileSync } from 'node:fs';
import { QUALITY, type DeviceBaselineRow, type SilverDeviceDayRow } from '../../contracts';
import { BASELINE, dayRatio, gainOf, median, NO_HISTORY, nextBaseline, referenceOf } from '../../detector/baseline';
import { DEFAULT_PER_UNIT } from '../../detector/perUnit';
import { filledChannels, WINDOW, windowsOf } from '../../detector/windows';
import { build, FIXTURE, REWRITE } from '../fixtures/contracts/baseline-days';

it('test/fixtures/contracts/baseline-days.json is what detector/baseline.ts makes now', () => {
  const committed = JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown;
  const now = JSON.parse(JSON.stringify(build())) as unknown;
  // plain JavaScript arithmetic (no libm): the same on every machine, compared exactly
  expect(JSON.stringify(committed) === JSON.stringify(now) ? 'current' : `stale: rewrite it with ${REWRITE}`).toBe('current');
});

it('the fixture covers the cases the Python side must meet', () => {
  const f = build();
  expect(f.dayRatios.filter((d) => d.ratio === null).length).toBeGreaterThanOrEqual(2);
  expect(f.dayRatios.filter((d) => d.ratio !== null).length).toBeGreaterThanOrEqual(3);
  expect(f.gains.map((g) => g.gain)).toEqual(expect.arrayContaining([null, BASELINE.minGain, BASELINE.maxGain]));
  const rows = f.days.flatMap((d) => d.rows);
  expect(rows.some((r) => r.ratios.length === BASELINE.maxDays)).toBe(true);
  expect(rows.some((r) => r.dayVerdict === null && r.ratios.length > 0)).toBe(true); // carried over a day without data
  expect(rows.some((r) => r.dayVerdict === 'normal' && r.dayRatio !== null && r.dayRatio < BASELINE.minGain)).toBe(true);
  expect(rows.some((r) => r.dayVerdict === 'normal' && r.dayRatio !== null && r.dayRatio > BASELINE.maxGain)).toBe(true);
  expect(f.days.some((d) => d.rows.every((r) => r.fleetRatio === null))).toBe(true);
  expect(f.days.length).toBeGreaterThanOrEqual(BASELINE.maxDays + 2);
});

/** A day of `ks.length` windows at 600 W/m², window i's current exactly ks[i] × irradiance. */
function proportionalDay(ks: readonly number[]): SilverDeviceDayRow {
  const samples = ks.length * WINDOW;
  const f = (g: (s: number) => number) => Float32Array.from({ length: samples }, (_, s) => g(s));
  const irradiance = f((s) => 500 + (s % 7) * 32);
  return {
    deviceId: 'PV-1', startMs: 0, stepMs: 20_000, samples,
    voltage: f(() => 600), temperature: f(() => 25), irradiance,
    current: f((s) => Math.fround(irradiance[s]! * ks[Math.floor(s / WINDOW)]!)),
    quality: new Int32Array(samples).fill(QUALITY.observed), received: samples, quarantined: 0, duplicates: 0, observed: samples, filled: 0, missing: 0,
  };
}

describe('dayRatio', () => {
  it('is the median of the windows\' current per irradiance, and reads the measured channels (the gain is applied after)', () => {
    const ks = [0.0081, 0.0079, 0.008, 0.0083, 0.0078, 0.0082, 0.0084];
    const row = proportionalDay(ks);
    const amps = { ...DEFAULT_PER_UNIT, impStcA: 1 };
    expect(dayRatio(filledChannels(row), windowsOf(row), amps)).toBeCloseTo(0.0081, 6);
    // with the irradiance channel scaled by a gain the same day reads 1/gain of it: predictDevice takes r before the gain
    expect(dayRatio(filledChannels(row, 0.9), windowsOf(row), amps)).toBeCloseTo(0.0081 / 0.9, 6);
    // of current per unit of the design's: arrays of several designs share one fleet median
    expect(dayRatio(filledChannels(row), windowsOf(row), DEFAULT_PER_UNIT)).toBeCloseTo(0.0081 / DEFAULT_PER_UNIT.impStcA, 9);
    expect(dayRatio(filledChannels(row), windowsOf(row), { ...DEFAULT_PER_UNIT, impStcA: 8.92 })).toBeCloseTo(0.0081 / 8.92, 9);
  });
});

describe('median and gainOf', () => {
  it('sorts numerically, not as text', () => {
    expect(median([10, 9, 100])).toBe(10);
    expect(median([-2, 10, 9, 100])).toBe(9.5);
  });

  it('clamps the gain to [minGain, maxGain]', () => {
    expect(gainOf([0.5])).toBe(BASELINE.minGain);
    expect(gainOf([2])).toBe(BASELINE.maxGain);
    expect(gainOf([])).toBeNull();
  });
});

describe('nextBaseline', () => {
  const none = new Map<string, DeviceBaselineRow>();
  it('takes a q on the edges of [minGain, maxGain] (inclusive) and not beyond', () => {
    const day = new Map([
      ['PV-1', { ratio: 1, verdict: 'normal' }],
      ['PV-2', { ratio: 1, verdict: 'normal' }],
      ['PV-3', { ratio: 1, verdict: 'normal' }],
      ['PV-4', { ratio: Math.fround(BASELINE.minGain), verdict: 'normal' }],
      ['PV-5', { ratio: Math.fround(BASELINE.maxGain), verdict: 'normal' }],
      ['PV-6', { ratio: BASELINE.minGain - 1e-3, verdict: 'normal' }],
      ['PV-7', { ratio: BASELINE.maxGain + 1e-3, verdict: 'normal' }],
    ]);
    const rows = nextBaseline(none, day, '2026-07-01');
    expect(rows.map((r) => r.ratios.length)).toEqual([1, 1, 1, 1, 1, 0, 0]);
    expect(rows.every((r) => r.fleetRatio === 1)).toBe(true);
  });

  it('does not depend on the order the devices came in, and writes them in device order', () => {
    const a = new Map([['PV-2', { ratio: 0.009, verdict: 'normal' }], ['PV-1', { ratio: 0.0091, verdict: 'normal' }], ['PV-10', { ratio: 0.0088, verdict: 'arc_fault' }]]);
    const b = new Map([...a].reverse());
    expect(nextBaseline(none, a, '2026-07-01')).toEqual(nextBaseline(none, b, '2026-07-01'));
    expect(nextBaseline(none, a, '2026-07-01').map((r) => r.deviceId)).toEqual(['PV-1', 'PV-10', 'PV-2']);
  });

  it('a fleet whose ratios are all zero gives no q (no division by zero)', () => {
    const rows = nextBaseline(none, new Map([['PV-1', { ratio: 0, verdict: 'normal' }]]), '2026-07-01');
    expect(rows[0]).toMatchObject({ dayRatio: null, fleetRatio: 0, gain: null });
    expect(rows[0]!.ratios).toHaveLength(0);
  });

  it('referenceOf: history is a gain and its days; a row without ratios is no history', () => {
    const [row] = nextBaseline(none, new Map([['PV-1', { ratio: 0.009, verdict: 'normal' }]]), '2026-07-01');
    expect(referenceOf(row)).toEqual({ gain: 1, days: 1, perUnit: DEFAULT_PER_UNIT, carried: null, carriedSinceMs: null, recurring: null });
    // with its design's per-unit reference, history or none
    const cdte = { vmpStcV: 691.2, impStcA: 8.92, vmpDropPerKelvin: 0.0032, voltageShape: null, currentShape: null, modulesPerString: 4, vocStcV: 857.2 };
    expect(referenceOf(row, cdte)).toEqual({ gain: 1, days: 1, perUnit: cdte, carried: null, carriedSinceMs: null, recurring: null });
    // a carried alarm comes with since when it is open, as the row recorded it: none here, nor in a row of version 8
    expect(referenceOf(row, cdte, 'arc_fault')).toEqual({ gain: 1, days: 1, perUnit: cdte, carried: 'arc_fault', carriedSinceMs: null, recurring: null });
    expect(referenceOf({ ...row!, dayAlarmSinceMs: 1_782_553_200_000 }, cdte, 'arc_fault').carriedSinceMs).toBe(1_782_553_200_000);
    const { dayAlarmSinceMs: _, ...v8 } = { ...row!, dayAlarmSinceMs: 1 };
    expect(referenceOf(v8 as typeof row, cdte, 'arc_fault').carriedSinceMs).toBeNull();
    // not carried: since is nobody's business
    expect(referenceOf({ ...row!, dayAlarmSinceMs: 1_782_553_200_000 }, cdte).carriedSinceMs).toBeNull();
    expect(referenceOf(undefined, DEFAULT_PER_UNIT, 'arc_fault')).toEqual({ ...NO_HISTORY, carried: 'arc_fault' });
    expect(referenceOf(undefined, cdte)).toEqual({ ...NO_HISTORY, perUnit: cdte });
    expect(referenceOf({ ...row!, ratios: new Float32Array(0), gain: null })).toBe(NO_HISTORY);
    expect(referenceOf(undefined)).toBe(NO_HISTORY);
    // a shadow re-armed where it was the day before (alarms.recur) is history of a kind, even without a gain
    const shade = { label: 'partial_shading' as const, fromMs: 1, toMs: 2 };
    expect(referenceOf(undefined, DEFAULT_PER_UNIT, null, shade)).toEqual({ ...NO_HISTORY, recurring: shade });
    expect(referenceOf(row, DEFAULT_PER_UNIT, null, shade).recurring).toBe(shade);
  });

  it('keeps the day\'s alarm onset and raise for the next day to re-arm a shadow by (alarms.recur)', () => {
    const [shaded, quiet] = nextBaseline(none, new Map([['PV-1', { ratio: 0.009, verdict: 'partial_shading', standing: 0, sinceMs: 10, onsetMs: 10, raisedMs: 20 }], ['PV-2', { ratio: 0.009, verdict: 'normal' }]]), '2026-07-01');
    expect(shaded).toMatchObject({ dayVerdict: 'partial_shading', dayAlarmOnsetMs: 10, dayAlarmRaisedMs: 20, ratios: new Float32Array(0) });
    expect(quiet).toMatchObject({ dayAlarmOnsetMs: null, dayAlarmRaisedMs: null });
  });
});

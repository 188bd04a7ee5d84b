/** Thresholds chosen on validation device-days for a false-alarm budget (detector/alarmCalibration.ts). */
import { FAULT_CLASSES } from '../../contracts';
import { calibrateRaise, calibrateThresholds, type CalibrationDay } from '../../detector/alarmCalibration';
import { ALARM_LABELS, decideAlarm, evidenceTrace, type AlarmLabel, type AlarmThresholds } from '../../detector/alarms';
import { Rng } from '../../detector/simulator/random';

const K = FAULT_CLASSES.length;

/** A day of n windows: `hot` windows (indices) lean to class c with probability p, the rest are confidently normal. */
function day(n: number, c: string, p: number, hot: number[], healthy: boolean, right: AlarmLabel[] = []) {
  const probs = new Float32Array(n * K);
  for (let w = 0; w < n; w++) {
    const k = hot.includes(w) ? FAULT_CLASSES.indexOf(c as never) : 0;
    const top = hot.includes(w) ? p : 0.95;
    for (let j = 0; j < K; j++) probs[w * K + j] = j === k ? top : (1 - top) / (K - 1);
  }
  const windows = { startMs: Array.from({ length: n }, (_, w) => w * 1000), endMs: Array.from({ length: n }, (_, w) => (w + 1) * 1000), probs };
  const cal: CalibrationDay = { trace: evidenceTrace(windows), healthy, right: new Set(right) };
  return { windows, cal };
}

describe('calibrateThresholds', () => {
  it('with no budget, no healthy validation day raises an alarm, and the faults above them are named', () => {
    const days = [
      day(20, 'arc_fault', 0.6, [3], true), // one odd window on a healthy day
      day(20, 'arc_fault', 0.9, [5, 6, 7, 8], false, ['arc_fault']),
      day(20, 'line_ground', 0.8, [10, 11, 12], false, ['line_ground']),
    ];
    const c = calibrateThresholds(days.map((d) => d.cal), 0, 1);
    expect(c).toMatchObject({ healthyDays: 1, falseAlarms: 0, faultyDays: 2, named: 2 });
    for (const d of days) expect(decideAlarm(d.windows, c.thresholds)?.label ?? null).toBe(d.cal.healthy ? null : [...d.cal.right][0]);
  });

  it('spends the budget on the label that names the most faults per false alarm', () => {
    const healthy = [day(20, 'line_ground', 0.7, [2, 3, 4], true), ...Array.from({ length: 99 }, () => day(20, 'normal', 0.95, [], true))];
    // three weak leaks whose evidence is like the odd healthy day's: naming them costs that one false alarm
    const leaks = [4, 5, 6].map((w) => day(20, 'line_ground', 0.7, [w, w + 1, w + 2], false, ['line_ground']));
    const none = calibrateThresholds([...healthy, ...leaks].map((d) => d.cal), 0, 1);
    expect([none.falseAlarms, none.named]).toEqual([0, 0]);
    const one = calibrateThresholds([...healthy, ...leaks].map((d) => d.cal), 0.01, 1);
    expect([one.falseAlarms, one.named]).toEqual([1, 3]);
  });

  it('never goes below the floor', () => {
    const days = [day(10, 'arc_fault', 0.5, [1], false, ['arc_fault']), day(10, 'normal', 0.95, [], true)];
    const c = calibrateThresholds(days.map((d) => d.cal), 0, 4.5);
    for (const l of ALARM_LABELS) expect(c.thresholds[l]).toBeGreaterThanOrEqual(4.5);
    expect(c.named).toBe(0); // one window of 0.5 against 0.1 scores ln 5 ≈ 1.6 < 4.5
  });

  it('counts false alarms and named faults exactly as decideAlarm raises them', () => {
    const rng = new Rng(11, 'calibration');
    const labels = ['line_line', 'line_ground', 'open_circuit', 'partial_shading', 'arc_fault'];
    const days = Array.from({ length: 300 }, (_, i) => {
      const healthy = i % 3 !== 0;
      const c = labels[rng.int(0, labels.length - 1)]!;
      const hot = Array.from({ length: rng.int(0, 6) }, () => rng.int(0, 29));
      return day(30, c, rng.uniform(0.3, 0.99), hot, healthy, healthy ? [] : [c as AlarmLabel, ...(c === 'line_line' || c === 'open_circuit' ? (['string_blocked'] as AlarmLabel[]) : [])]);
    });
    const c = calibrateThresholds(days.map((d) => d.cal), 0.02, 2);
    let falseAlarms = 0;
    let named = 0;
    for (const d of days) {
      const a = decideAlarm(d.windows, c.thresholds);
      if (!a) continue;
      if (d.cal.healthy) falseAlarms++;
      else if (d.cal.right.has(a.label)) named++;
    }
    expect([falseAlarms, named]).toEqual([c.falseAlarms, c.named]);
    expect(c.falseAlarms).toBeLessThanOrEqual(Math.floor(0.02 * c.healthyDays));
    expect(c.named).toBeGreaterThan(0);
  });

  it('refuses a budget outside [0, 1) and a floor that is not positive', () => {
    expect(() => calibrateThresholds([], 1, 1)).toThrow('budget: 1 is not a share');
    expect(() => calibrateThresholds([], 0, 0)).toThrow('floor: 0 must be positive');
  });
});

describe('calibrateRaise', () => {
  const thresholds = Object.fromEntries(ALARM_LABELS.map((l) => [l, l === 'string_blocked' ? 50 : 12])) as unknown as AlarmThresholds;
  /** a healthy day whose windows lean to line_ground (p of `hot` windows): the string_blocked group sums it */
  const leaning = (hot: number) => day(20, 'line_ground', 0.7, Array.from({ length: hot }, (_, w) => w + 2), true);
  /** the day's highest string_blocked evidence */
  const peak = (d: ReturnType<typeof day>) => Math.max(...d.cal.trace.filter((_, i) => i % ALARM_LABELS.length === ALARM_LABELS.indexOf('string_blocked')));

  it('takes the lowest level that keeps the healthy days alarmed within the budget, never above the threshold', () => {
    const healthy = [leaning(1), leaning(2), leaning(3), ...Array.from({ length: 97 }, () => day(20, 'normal', 0.95, [], true))];
    const [p1, p2, p3] = healthy.slice(0, 3).map(peak) as [number, number, number];
    expect(p1 < p2 && p2 < p3 && p3 < 50).toBe(true);
    // no budget: just above the highest healthy peak
    const none = calibrateRaise(healthy.map((d) => d.cal), thresholds, 0, 0.5);
    expect(none.raise.string_blocked).toBeCloseTo((p3 * 1.1 + 0.1), 9);
    expect(none.falseAlarms).toBe(0);
    // two of 100 allowed: halfway between the highest healthy peak left quiet and the next one under it
    const two = calibrateRaise(healthy.map((d) => d.cal), thresholds, 0.02, 0.5);
    expect(two.raise.string_blocked).toBeCloseTo((p1 + p2) / 2, 9);
    expect(two.falseAlarms).toBe(2);
    expect(two.healthyDays).toBe(100);
  });

  it('counts a healthy day the thresholds already alarm as free, and never goes below the floor nor above the threshold', () => {
    const healthy = [leaning(3), ...Array.from({ length: 99 }, () => day(20, 'normal', 0.95, [], true))];
    const low = { ...thresholds, line_ground: 1 } as AlarmThresholds;
    // line_ground's own threshold alarms the leaning day: the raise may go down to the floor
    expect(calibrateRaise(healthy.map((d) => d.cal), low, 0, 0.5).raise.string_blocked).toBe(0.5);
    expect(calibrateRaise(healthy.map((d) => d.cal), low, 0, 7).raise.string_blocked).toBe(7);
    // a threshold under every level: the raise is the threshold itself
    const tight = { ...thresholds, string_blocked: 0.2 } as AlarmThresholds;
    expect(calibrateRaise(healthy.map((d) => d.cal), tight, 0, 0.1).raise.string_blocked).toBeLessThanOrEqual(0.2);
  });

  it('counts a healthy day the second stage\'s run raises (alarms.raise run) as spent: the level may alarm it too, and no other', () => {
    const healthy = [leaning(1), leaning(2), leaning(3), ...Array.from({ length: 97 }, () => day(20, 'normal', 0.95, [], true))];
    const [, p2, p3] = healthy.slice(0, 3).map(peak) as [number, number, number];
    // the run raises the day that leans most: over a budget of none, and the level may then alarm that day too
    const cal = healthy.map((d, i) => ({ ...d.cal, runs: { string_blocked: i === 2 ? 5 : -1 } }));
    const spent = calibrateRaise(cal, thresholds, 0, 0.5);
    expect(spent.byRun).toBe(1);
    expect(spent.falseAlarms).toBe(1);
    expect(spent.raise.string_blocked).toBeCloseTo((p2 + p3) / 2, 9);
    // without the run: just above the highest healthy peak
    const quiet = calibrateRaise(healthy.map((d) => d.cal), thresholds, 0, 0.5);
    expect(quiet.byRun).toBe(0);
    expect(quiet.raise.string_blocked).toBeCloseTo(p3 * 1.1 + 0.1, 9);
    // a run on a day the thresholds alarm anyway is not the run's
    const low = { ...thresholds, line_ground: 1 } as AlarmThresholds;
    expect(calibrateRaise(cal, low, 0, 0.5).byRun).toBe(0);
  });

  it('refuses a budget outside [0, 1) and a floor that is not positive', () => {
    expect(() => calibrateRaise([], thresholds, -0.1, 1)).toThrow('budget: -0.1 is not a share');
    expect(() => calibrateRaise([], thresholds, 0, 0)).toThrow('floor: 0 must be positive');
  });
});

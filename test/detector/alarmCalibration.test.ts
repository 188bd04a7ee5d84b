/** Thresholds chosen on validation device-days for a false-alarm budget (detector/alarmCalibration.ts). */
import { FAULT_CLASSES } from '../../contracts';
import { calibrateThresholds, type CalibrationDay } from '../../detector/alarmCalibration';
import { ALARM_LABELS, decideAlarm, evidenceTrace, type AlarmLabel } from '../../detector/alarms';
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

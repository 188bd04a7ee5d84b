/** npm run calibrate: its flags, and which alarm labels name a validation device-day's fault. */
import { UsageError } from '../../detector/commandLine';
import { parseCalibrateArgs, rightLabels } from '../../detector/eval/calibrate';
import type { DeviceDayRecord } from '../../detector/eval/records';

describe('npm run calibrate flags', () => {
  it('defaults to 12 plants of 2025 with seeds between training and the evaluation, a 0.3 % budget', () => {
    const a = parseCalibrateArgs([]);
    expect(a.plan.firstDates).toHaveLength(12);
    expect(a.plan.firstDates.every((d) => d.startsWith('2025-'))).toBe(true);
    expect([a.plan.seedBase, a.budget, a.floor, a.plan.devices]).toEqual([4000, 0.003, 4.5, 300]);
  });

  it('adds a plant per condition, with as many days as the others (its healthy arrays count against the budget); none by default', () => {
    expect(parseCalibrateArgs([]).plan.conditions).toEqual([]);
    const a = parseCalibrateArgs(['--days', '3', '--conditions', 'soiling']);
    expect([a.plan.conditions, a.plan.conditionDays]).toEqual([['soiling'], 3]);
    expect(parseCalibrateArgs(['--conditions', 'soiling,standby']).plan.conditions).toEqual(['soiling', 'standby']);
    // the condition plants' seeds follow the dated plants': 12 + 1 plants from 4987 end at 4999
    expect(parseCalibrateArgs(['--seed', '4987', '--conditions', 'soiling']).plan.seedBase).toBe(4987);
    expect(() => parseCalibrateArgs(['--seed', '4988', '--conditions', 'soiling'])).toThrow('calibration seeds 4988..5000 must lie in 4000..4999');
    expect(parseCalibrateArgs(['--seed', '4988']).plan.seedBase).toBe(4988);
  });

  it.each([
    [['--budget', '1'], '--budget: "1" must be a share in [0, 1)'],
    [['--budget=-0.1'], '--budget: "-0.1" must be a share'],
    [['--seed', '3999'], 'calibration seeds 3999..4010 must lie in 4000..4999'],
    [['--seed', '4990'], 'calibration seeds 4990..5001 must lie in 4000..4999'],
    [['--conditions', 'mud'], '--conditions: unknown condition "mud"'],
    [['--conditions', 'soiling,soiling'], 'names a condition twice'],
    [['--floor', '0'], '--floor: "0" must be a positive evidence'],
    [['--skies', 'sunny'], '--skies: expected clear, broken, mostly_cloudy, overcast, got "sunny"'],
  ])('refuses %j naming the flag', (argv, message) => {
    expect(() => parseCalibrateArgs(argv)).toThrow(UsageError);
    expect(() => parseCalibrateArgs(argv)).toThrow(message);
  });
});

describe('rightLabels', () => {
  const record = (fault: string, severity: Record<string, number>, activeSlots: number[]): DeviceDayRecord => ({
    plantDay: 'p',
    evidence: { deviceId: 'PV-000001', date: '2026-06-15', windows: activeSlots.map((_, i) => ({ startMs: i, endMs: i + 1, skipReason: null })), probs: new Float32Array(0), baselineDays: 0, baselineGain: null, ratio: null },
    truth: { fault: fault as never, onsetMs: 0, severity, severityGroup: '', intermittent: false, sky: 'clear', activeSlots },
  });
  it('a visible fault is named by its class, and by a group only where the group covers its severity', () => {
    expect([...rightLabels(record('open_circuit', {}, [64, 64]))].sort()).toEqual(['open_circuit', 'string_blocked']);
    expect([...rightLabels(record('line_line', { count: 2 }, [64, 64]))].sort()).toEqual(['line_line', 'string_blocked']);
    expect([...rightLabels(record('line_line', { count: 1 }, [64, 64]))]).toEqual(['line_line']);
  });
  it('a healthy day or a fault acting in fewer than two daylight windows has no right label', () => {
    expect(rightLabels(record('normal', {}, [0, 0])).size).toBe(0);
    expect(rightLabels(record('arc_fault', {}, [64, 0])).size).toBe(0);
  });
});

/** A device-day's windows → gold rows, and the day's alarm and verdict (contracts/detector.json alarms, tables.json summary). */
import { FAULT_CLASSES } from '../../contracts';
import { gatedDaily, goldRows, predictedWindowsOfRows } from '../../detector/gold';
import { TEST_THRESHOLDS } from '../helpers/goldFixture';
import type { AlarmRule } from '../../detector/alarms';
import type { WindowInfo } from '../../detector/windows';

const K = FAULT_CLASSES.length;
const ONE_STAGE: AlarmRule = { thresholds: TEST_THRESHOLDS, raise: null };

function day(labels: (string | null)[], rule = ONE_STAGE) {
  const windows: WindowInfo[] = labels.map((l, i) => ({ index: i, startMs: i * 1_280_000, endMs: (i + 1) * 1_280_000, skipReason: l === null ? 'low_irradiance' : null, missingFraction: 0, meanIrradiance: 0 }));
  const predicted = labels.filter((l): l is string => l !== null);
  const probs = new Float32Array(predicted.length * K);
  predicted.forEach((l, k) => {
    for (let c = 0; c < K; c++) probs[k * K + c] = FAULT_CLASSES[c] === l ? 0.7 : 0.06;
  });
  return goldRows('PV-000001', windows, probs, 'm1', rule);
}

describe('gold rows', () => {
  it('writes one row per window, with probabilities for predicted ones and the reason for skipped ones', () => {
    const g = day([null, 'normal', 'arc_fault']);
    expect(g.windows.map((w) => [w.status, w.skipReason, w.label])).toEqual([
      ['skipped', 'low_irradiance', null],
      ['predicted', null, 'normal'],
      ['predicted', null, 'arc_fault'],
    ]);
    expect(g.windows[2]).toMatchObject({ labelIndex: 5, modelVersion: 'm1' });
    expect(g.windows[2]!.confidence).toBeCloseTo(0.7);
    expect(g.windows[2]!.p_arc_fault).toBeCloseTo(0.7);
    expect(g.windows[0]!.p_normal).toBeNull();
  });

  // a window at 0.7 against 0.06 scores ln(0.7/0.06) ≈ 2.46: three in a row reach the fixtures' threshold of 5
  it.each([
    ['nothing predicted', [null, null], null, null, null],
    ['all normal', ['normal', 'normal', 'normal'], 'normal', null, null],
    ['a single fault window is not enough', ['arc_fault'], 'normal', null, null],
    ['three fault windows raise the alarm at the end of the third', ['normal', 'arc_fault', 'arc_fault', 'arc_fault', 'normal'], 'arc_fault', 1, 3],
    ['normal windows between fault windows reset the evidence', ['arc_fault', 'normal', 'arc_fault', 'normal', 'arc_fault'], 'normal', null, null],
    ['skipped windows add nothing', ['arc_fault', null, 'arc_fault', null, 'arc_fault'], 'arc_fault', 0, 4],
    ['the onset is the start of the evidence run that raised it', ['arc_fault', 'normal', 'arc_fault', 'arc_fault', 'arc_fault'], 'arc_fault', 2, 4],
    // a group's probability is its members' sum (0.76 here): its evidence grows a little faster than a member's
    ['a blocked string raises its group', ['open_circuit', 'line_line', 'open_circuit', 'line_line'], 'string_blocked', 0, 1],
    ['one alarm a day: the first raised', ['arc_fault', 'arc_fault', 'arc_fault', 'line_ground', 'line_ground', 'line_ground'], 'arc_fault', 0, 2],
  ])('%s', (_name, labels, verdict, onsetIndex, raisedIndex) => {
    const g = day(labels as (string | null)[]);
    expect(g.daily.verdict).toBe(verdict);
    expect(g.daily.alarmOnsetMs).toBe(onsetIndex === null ? null : (onsetIndex as number) * 1_280_000);
    expect(g.daily.alarmRaisedMs).toBe(raisedIndex === null ? null : ((raisedIndex as number) + 1) * 1_280_000);
    expect(g.daily.windows).toBe(labels.length);
    expect(g.daily.predicted + g.daily.skipped).toBe(labels.length);
    if (raisedIndex === null) expect([g.daily.alarmConfidence, g.daily.alarmEvidence]).toEqual([null, null]);
    else expect(g.daily.alarmEvidence).toBeGreaterThanOrEqual(5);
  });

  it("the plant gate's windows: counted in plantEventWindows, and the alarm decided again without them", () => {
    const g = day(['arc_fault', 'arc_fault', 'arc_fault', 'normal']);
    expect(g.daily).toMatchObject({ verdict: 'arc_fault', plantEventWindows: 0 });
    const windows = predictedWindowsOfRows(g.windows);
    expect(Array.from(windows.startMs)).toEqual([0, 1, 2, 3].map((i) => i * 1_280_000));
    expect(windows.probs[2 * K + 5]).toBeCloseTo(0.7);
    // no window of the device set aside: the summary stands
    expect(gatedDaily(g.daily, windows, ONE_STAGE, new Set([9 * 1_280_000]))).toEqual({ ...g.daily, plantEventWindows: 0 });
    // the middle fault window set aside: two are not enough any more, so no alarm
    const gated = gatedDaily(g.daily, windows, ONE_STAGE, new Set([1_280_000]));
    const none = { alarmOnsetMs: null, alarmRaisedMs: null, alarmConfidence: null, alarmEvidence: null, alarmSinceMs: null, alarmRaisedAs: null, alarmLabelledMs: null };
    expect(gated).toMatchObject({ verdict: 'normal', ...none, plantEventWindows: 1 });
    expect({ ...gated, verdict: g.daily.verdict, ...none, plantEventWindows: 0 }).toEqual({ ...g.daily, ...none });
  });

  it("the alarm's confidence is the label's mean probability from onset to alarm", () => {
    const g = day(['normal', 'open_circuit', 'line_line', 'open_circuit']);
    expect(g.daily.verdict).toBe('string_blocked');
    // the group's probability is its members' sum: open string, short and leak, 0.7 + 0.06 + 0.06
    expect(g.daily.alarmConfidence).toBeCloseTo(0.82, 6);
    expect(g.daily.alarmEvidence).toBeCloseTo(2 * Math.log((0.82 + 1e-4) / (0.06 + 1e-4)), 5);
  });

  // as the product's: the group's threshold far above its raise (a member at 0.7 scores ≈ 2.5 for its class, the group at 0.82 ≈ 2.6: raised at the second, named at the third)
  const blocked = { ...TEST_THRESHOLDS, string_blocked: 50 };
  const TWO: AlarmRule = { thresholds: blocked, raise: { string_blocked: 4 } };
  it.each([
    ['one stage: raised with its label, labelled then', { thresholds: blocked, raise: null }, ['normal', 'open_circuit', 'open_circuit', 'open_circuit'], 'open_circuit', 3, null, 3],
    ['two stages: raised as the group, labelled when the class crosses', TWO, ['normal', 'open_circuit', 'open_circuit', 'open_circuit'], 'open_circuit', 2, 'string_blocked', 3],
    ['two stages, the class never crosses: the group, never labelled', TWO, ['normal', 'open_circuit', 'line_line', 'open_circuit'], 'string_blocked', 2, null, null],
    ['two stages, a class outside the group: raised with its label', TWO, ['normal', 'arc_fault', 'arc_fault', 'arc_fault'], 'arc_fault', 3, null, 3],
  ] as const)('%s', (_name, rule, labels, verdict, raisedIndex, raisedAs, labelledIndex) => {
    const g = day([...labels], rule);
    expect(g.daily).toMatchObject({ verdict, alarmOnsetMs: 1_280_000, alarmRaisedMs: (raisedIndex + 1) * 1_280_000, alarmRaisedAs: raisedAs, alarmLabelledMs: labelledIndex === null ? null : (labelledIndex + 1) * 1_280_000 });
    // the plant gate decides the day again with the same rule: its normal window set aside, the alarm is the same
    expect(gatedDaily(g.daily, predictedWindowsOfRows(g.windows), rule, new Set([0]))).toEqual({ ...g.daily, plantEventWindows: 1 });
  });

  it('refuses probabilities that do not match the predicted windows', () => {
    const windows: WindowInfo[] = [{ index: 0, startMs: 0, endMs: 1, skipReason: null, missingFraction: 0, meanIrradiance: 500 }];
    expect(() => goldRows('PV-1', windows, new Float32Array(2 * K), 'm', ONE_STAGE)).toThrow('2 probability rows for 1 predicted windows');
  });
});

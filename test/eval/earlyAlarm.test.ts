/** The product's two-stage alarm as the eval measures it beside the one-stage decision (detector/eval/alarmDecision.ts): raised as a group early, named by the day's decision. */
import { FAULT_CLASSES } from '../../contracts';
import { ALARM_LABELS, checkRaise, type AlarmThresholds, type AlarmThresholdSets, type RaiseThresholdSets } from '../../detector/alarms';
import { alarmDecision } from '../../detector/eval/alarmDecision';
import type { DeviceDayEvidence } from '../../detector/eval/decision';

const K = FAULT_CLASSES.length;
const W = 1_280_000;
type Probs = Partial<Record<(typeof FAULT_CLASSES)[number], number>>;
const NORMAL: Probs = { normal: 0.97 };
/** a blocked string: its three members alike, normal and the others all but absent */
const BLOCKED: Probs = { line_line: 0.333, line_ground: 0.333, open_circuit: 0.333 };
const SHORT: Probs = { line_line: 0.9 };

function evidence(rows: Probs[]): DeviceDayEvidence {
  const probs = new Float32Array(rows.length * K);
  rows.forEach((row, w) => {
    const given = Object.values(row).reduce((a, b) => a + b, 0);
    const rest = (1 - given) / (K - Object.keys(row).length);
    FAULT_CLASSES.forEach((c, k) => (probs[w * K + k] = row[c] ?? rest));
  });
  return { deviceId: 'PV-000001', date: '2026-06-15', windows: rows.map((_, w) => ({ startMs: w * W, endMs: (w + 1) * W, skipReason: null })), probs, baselineDays: 3, baselineGain: 1, ratio: null };
}

const sets = (t: Partial<AlarmThresholds>): AlarmThresholdSets => {
  const all = Object.fromEntries(ALARM_LABELS.map((l) => [l, t[l] ?? 1000])) as unknown as AlarmThresholds;
  return { own: all, fleet: all };
};
const raiseAt = (r: number): RaiseThresholdSets => ({ own: { string_blocked: r }, fleet: { string_blocked: r } });
/** the decision in one stage (thresholds alone) and in two (with the raise at r) */
const oneStage = (thresholds: AlarmThresholdSets) => alarmDecision('one', 1, () => ({ thresholds, raise: raiseAt(1) }));
const twoStages = (thresholds: AlarmThresholdSets, r: number) => alarmDecision('two', 2, () => ({ thresholds, raise: raiseAt(r) }));

describe('the two-stage alarm', () => {
  it('raises a blocked string at its raise threshold, windows before the day decision names it as the group', () => {
    const day = evidence([NORMAL, NORMAL, ...Array.from({ length: 10 }, () => BLOCKED)]);
    const thresholds = sets({ string_blocked: 30 });
    const product = oneStage(thresholds).decide(day, []).alarm!;
    const early = twoStages(thresholds, 8).decide(day, []).alarm!;
    // each blocked window scores the clip (6): the product's 30 at the fifth, the raise's 8 at the second
    expect(product.label).toBe('string_blocked');
    expect(product.raisedMs).toBe(7 * W);
    expect(early).toMatchObject({ label: 'string_blocked', raisedMs: 4 * W, onsetMs: 2 * W });
    expect(early.raisedAs).toBeUndefined();
    // how it stands at the day's end is the product's (the carry reads it against the naming threshold)
    expect(early.standing).toBeCloseTo(product.standing!, 12);
  });

  it('a class that crosses later names the alarm, which was raised as the group and says when it got its label', () => {
    const day = evidence([NORMAL, BLOCKED, BLOCKED, SHORT, SHORT, SHORT, SHORT, NORMAL]);
    const thresholds = sets({ line_line: 10 });
    const product = oneStage(thresholds).decide(day, []).alarm!;
    const early = twoStages(thresholds, 8).decide(day, []).alarm!;
    expect(product.label).toBe('line_line');
    expect(early).toMatchObject({ label: 'line_line', candidates: ['line_line'], raisedMs: 3 * W, onsetMs: 1 * W, raisedAs: { label: 'string_blocked', labelledMs: product.raisedMs } });
    expect(product.raisedMs).toBeGreaterThan(3 * W);
  });

  it('is the product decision when the product raises first, or no group reaches its raise threshold', () => {
    const thresholds = sets({ line_line: 5 });
    const decide = (rows: Probs[]) => [oneStage(thresholds), twoStages(thresholds, 8)].map((d) => d.decide(evidence(rows), []).alarm);
    const [p1, e1] = decide([NORMAL, SHORT, SHORT, BLOCKED, BLOCKED]);
    expect(e1).toEqual(p1);
    expect(p1!.label).toBe('line_line');
    const [p2, e2] = decide([NORMAL, BLOCKED, NORMAL, NORMAL]);
    expect([p2, e2]).toEqual([null, null]);
  });

  it('raise thresholds are checked against the thresholds, naming what is wrong', () => {
    const thresholds = sets({ string_blocked: 30 });
    expect(checkRaise(raiseAt(8), thresholds, 'alarms.json')).toEqual(raiseAt(8));
    expect(() => checkRaise(undefined, thresholds, 'alarms.json')).toThrow('alarms.json has no raise thresholds (calibrated before 2026-12-04); run npm run calibrate');
    expect(() => checkRaise(raiseAt(31), thresholds, 'alarms.json')).toThrow('alarms.json: raise.own.string_blocked must be a positive number no higher than thresholds.own.string_blocked (30), got 31');
    expect(() => checkRaise({ own: { string_blocked: 8 } }, thresholds, 'alarms.json')).toThrow('raise.fleet.string_blocked must be a positive number');
  });
});

describe("the day's evidence peaks (alarmDecision decide: peaks)", () => {
  const SHADE: Probs = { partial_shading: 0.6, normal: 0.2 };
  it("gives each label's highest evidence over the day as a share of its threshold, the day on its own", () => {
    const thresholds = sets({ partial_shading: 8, line_line: 4 });
    const day = evidence([NORMAL, SHADE, SHADE, NORMAL, SHADE]);
    const score = Math.log((0.6 + 1e-4) / (0.2 + 1e-4));
    const { alarm, peaks } = oneStage(thresholds).decide(day, []);
    expect(alarm).toBeNull();
    // two shaded windows in a row, then a normal one drains the CUSUM: the peak is the run's
    expect(peaks!.partial_shading).toBeCloseTo((2 * score) / 8, 6);
    expect(peaks!.line_line).toBe(0);
    expect(Object.keys(peaks!)).toEqual([...ALARM_LABELS]);
    // what the day before carried in does not count: the day's own readings only
    const carried = oneStage(thresholds).decide(day, [], undefined, { label: 'partial_shading', standing: 1, onsetMs: 0, raisedMs: 2 * W });
    expect(carried.peaks!.partial_shading).toBeCloseTo((2 * score) / 8, 6);
    // a window the plant gate set aside adds nothing
    const gated = oneStage(thresholds).decide(day, [], { events: new Set([W]), conditions: [] });
    expect(gated.peaks!.partial_shading).toBeCloseTo(score / 8, 6);
  });
});

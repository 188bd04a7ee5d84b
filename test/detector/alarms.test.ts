/** The alarm decision of contracts/detector.json (alarms) on hand-built days, and its thresholds file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DETECTOR_CONTRACT, FAULT_CLASSES } from '../../contracts';
import { ARTIFACTS_DIR, readCalibratedAlarms } from '../../detector/model/artifacts';
import { readModelVersion } from '../../detector/model/manifest';
import { ALARM_LABELS, alarmCandidates, alarmSince, alarmStanding, carriedAlarm, checkRivalWeights, checkThresholds, checkThresholdSets, decideAlarm, evidenceTrace, PlantSlots, raisedByRule, recurrenceAfter, recurringAlarm, ruleFor, runCompleted, stepCompleted, thresholdsFor, windowScore, type AlarmThresholds } from '../../detector/alarms';

const K = FAULT_CLASSES.length;
const at = (label: string) => FAULT_CLASSES.indexOf(label as never);

/** Windows 0..n-1 of 1 min each; each window's probabilities: `p` on its label, the rest shared equally. */
function windows(labels: string[], p = 0.7) {
  const probs = new Float32Array(labels.length * K);
  labels.forEach((l, w) => {
    for (let c = 0; c < K; c++) probs[w * K + c] = c === at(l) ? p : (1 - p) / (K - 1);
  });
  return { startMs: labels.map((_, w) => w * 60_000), endMs: labels.map((_, w) => (w + 1) * 60_000), probs };
}

const uniform = (h: number, over: Partial<Record<string, number>> = {}) => ({ ...Object.fromEntries(ALARM_LABELS.map((l) => [l, h])), ...over }) as AlarmThresholds;

describe('decideAlarm', () => {
  it('a class wins over its group when both cross in the same window', () => {
    // open_circuit scores ln(0.7/0.06) ≈ 2.456 a window, the group ln(0.76/0.06) ≈ 2.539
    const a = decideAlarm(windows(['open_circuit', 'open_circuit', 'open_circuit']), uniform(7.3, { string_blocked: 7.5 }));
    expect(a).toMatchObject({ label: 'open_circuit', onsetMs: 0, raisedMs: 180_000, windows: 3 });
  });

  it('between two classes crossing together, the larger evidence over threshold wins', () => {
    const day = windows(['arc_fault', 'arc_fault']);
    const a = decideAlarm(day, uniform(100, { arc_fault: 4.9, line_ground: 0.1 }));
    // line_ground never gains evidence (it scores ln(0.06/0.06) = 0), so it cannot cross at all
    expect(a?.label).toBe('arc_fault');
  });

  it('scores are clipped: one overwhelming window cannot raise what needs two', () => {
    const day = windows(['arc_fault'], 0.999999);
    expect(windowScore(day.probs, 0, ALARM_LABELS.indexOf('arc_fault'))).toBe(6);
    expect(decideAlarm(day, uniform(6.5))).toBeNull();
    expect(decideAlarm(day, uniform(6))?.label).toBe('arc_fault');
  });

  it('evidenceTrace is the CUSUM the decision crosses', () => {
    const day = windows(['normal', 'arc_fault', 'arc_fault', 'normal']);
    const trace = evidenceTrace(day);
    const l = ALARM_LABELS.indexOf('arc_fault');
    const s = Math.log((0.7 + 1e-4) / (0.06 + 1e-4));
    expect(Array.from({ length: 4 }, (_, w) => trace[w * ALARM_LABELS.length + l])).toEqual([0, expect.closeTo(s, 5), expect.closeTo(2 * s, 5), expect.closeTo(s, 5)]);
  });

  it('refuses probabilities that do not match the windows', () => {
    expect(() => decideAlarm({ startMs: [0], endMs: [1], probs: new Float32Array(K * 2) }, uniform(5))).toThrow('1 window starts, 1 ends and 2 probability rows');
  });
});

describe("a rival counted at its weight (alarms.rivalWeights)", () => {
  const shade = ALARM_LABELS.indexOf('partial_shading');
  /** one window: a heavy shadow the model shares with an open string */
  const split = new Float32Array(FAULT_CLASSES.map((c) => ({ normal: 0.05, open_circuit: 0.55, partial_shading: 0.3 })[c as string] ?? 0.025));

  it('the contract weighs the classes of a blocked string against a shadow, and nothing else', () => {
    const weights = checkRivalWeights(DETECTOR_CONTRACT.alarms.rivalWeights);
    expect([...weights.keys()]).toEqual(['partial_shading']);
    expect([...weights.get('partial_shading')!.keys()].sort()).toEqual(['line_ground', 'line_line', 'open_circuit']);
    for (const w of weights.get('partial_shading')!.values()) expect(w).toBeGreaterThan(0);
  });

  it("a shadow's score counts open_circuit at its weight, normal in full; the open string's own score is as without weights", () => {
    const w = DETECTOR_CONTRACT.alarms.rivalWeights.partial_shading.open_circuit;
    expect(windowScore(split, 0, shade)).toBeCloseTo(Math.log((0.3 + 1e-4) / (Math.max(0.05, w * 0.55) + 1e-4)), 5);
    // without the weight the window would speak against the shadow
    expect(Math.log((0.3 + 1e-4) / (0.55 + 1e-4))).toBeLessThan(0);
    expect(windowScore(split, 0, ALARM_LABELS.indexOf('open_circuit'))).toBeCloseTo(Math.log((0.55 + 1e-4) / (0.3 + 1e-4)), 5);
  });

  it('a weight that is not a rival, not in (0, 1], or not of an alarm label is named', () => {
    expect(() => checkRivalWeights({ partial_shading: { partial_shading: 0.5 } })).toThrow('alarms.rivalWeights.partial_shading.partial_shading is not a rival of partial_shading');
    expect(() => checkRivalWeights({ string_blocked: { open_circuit: 0.5 } })).toThrow('string_blocked.open_circuit is not a rival of string_blocked');
    expect(() => checkRivalWeights({ partial_shading: { open_circut: 0.5 } })).toThrow('open_circut is not a rival');
    expect(() => checkRivalWeights({ partial_shading: { open_circuit: 0 } })).toThrow('must be a weight in (0, 1], got 0');
    expect(() => checkRivalWeights({ partial_shading: { open_circuit: 1.5 } })).toThrow('must be a weight in (0, 1], got 1.5');
    expect(() => checkRivalWeights({ shade: { open_circuit: 0.5 } })).toThrow('alarms.rivalWeights.shade is not an alarm label');
    expect(checkRivalWeights({ doc: 'only a doc' }).size).toBe(0);
  });
});

describe('an alarm carried from the day before (alarms.carry)', () => {
  const share = DETECTOR_CONTRACT.alarms.carry.share;

  it('starts its label at share × threshold: a first window not against it raises it, its run from the day\'s first window', () => {
    // a dim dawn window: arc_fault 0.3 against normal 0.3 (score 0), far from a threshold of 8 on its own
    const dim = windows(['arc_fault', 'normal', 'normal'], 0.3);
    for (let c = 0; c < K; c++) dim.probs[c] = c === at('arc_fault') || c === at('normal') ? 0.3 : 0.1;
    expect(decideAlarm(dim, uniform(8))).toBeNull();
    const a = decideAlarm(dim, uniform(8), undefined, 'arc_fault');
    expect(share).toBe(1);
    expect(a).toMatchObject({ label: 'arc_fault', onsetMs: 0, raisedMs: 60_000, windows: 1, continues: true });
    expect(a!.evidence).toBeCloseTo(8 * share, 9);
    // it continues the alarm carried in: open since that one was (or not known); a new alarm since its onset
    expect(alarmSince(a, 1_000)).toBe(1_000);
    expect(alarmSince(a, null)).toBeNull();
    const fresh = decideAlarm(windows(['normal', 'arc_fault', 'arc_fault']), uniform(3));
    expect(fresh).toMatchObject({ onsetMs: 60_000, continues: false });
    expect(alarmSince(fresh, 1_000)).toBe(60_000);
    expect(alarmSince(null, 1_000)).toBeNull();
  });

  it('windows that read otherwise drain it; it is then earned anew, with its own onset', () => {
    // a normal window scores ln(0.06 / 0.7) ≈ −2.46 for line_ground: four take 8 to 0
    expect(decideAlarm(windows(['normal', 'normal', 'normal', 'normal']), uniform(8), undefined, 'line_ground')).toBeNull();
    const a = decideAlarm(windows(['normal', 'normal', 'normal', 'normal', 'line_ground', 'line_ground', 'line_ground', 'line_ground']), uniform(8), undefined, 'line_ground');
    expect(a).toMatchObject({ label: 'line_ground', onsetMs: 240_000, continues: false });
    expect(alarmSince(a, 1_000)).toBe(240_000);
    // three leave it above 0: the run (and the onset) is the day's first window, the alarm carried in goes on
    expect(decideAlarm(windows(['normal', 'normal', 'normal', 'line_ground', 'line_ground', 'line_ground', 'line_ground']), uniform(8), undefined, 'line_ground')).toMatchObject({ onsetMs: 0, continues: true });
  });

  it('another label that earns its threshold first still wins, and a label that is not an alarm label is refused', () => {
    const a = decideAlarm(windows(['arc_fault', 'arc_fault', 'arc_fault', 'arc_fault', 'arc_fault']), uniform(7), undefined, 'partial_shading');
    expect(a).toMatchObject({ label: 'arc_fault', continues: false });
    expect(() => decideAlarm(windows(['normal']), uniform(7), undefined, 'normal' as never)).toThrow(/carried label "normal" is not an alarm label/);
  });

  it('is read only from the baseline of the day before, and only an alarm label that still stood at that day\'s end', () => {
    const row = (dayVerdict: string | null, dayAlarmStanding: number | null = 1.5) => ({ dayVerdict, dayAlarmStanding });
    expect(DETECTOR_CONTRACT.alarms.carry.minStanding).toBe(1);
    expect(carriedAlarm(row('arc_fault'), '2026-06-14', '2026-06-15')).toBe('arc_fault');
    expect(carriedAlarm(row('string_blocked', 1), '2026-02-28', '2026-03-01')).toBe('string_blocked');
    // a false alarm of a few windows, or a fault repaired during the day: its evidence fell back before the day's end
    expect(carriedAlarm(row('arc_fault', 0.99), '2026-06-14', '2026-06-15')).toBeNull();
    // a partition written before contract version 8 has no standing: nothing is carried
    expect(carriedAlarm(row('arc_fault', null), '2026-06-14', '2026-06-15')).toBeNull();
    expect(carriedAlarm(row('arc_fault'), '2026-06-13', '2026-06-15')).toBeNull();
    expect(carriedAlarm(row('normal'), '2026-06-14', '2026-06-15')).toBeNull();
    expect(carriedAlarm(row(null), '2026-06-14', '2026-06-15')).toBeNull();
    expect(carriedAlarm(undefined, '2026-06-14', '2026-06-15')).toBeNull();
    expect(carriedAlarm(row('arc_fault'), null, '2026-06-15')).toBeNull();
  });

  it("an alarm's standing is its label's evidence at the day's end, counted on its own, over its threshold", () => {
    // arc scores ln(0.7/0.06) ≈ 2.456 a window (with epsilon), normal the opposite: two arcs, one normal, one arc
    const s = Math.log((0.7 + 1e-4) / (0.06 + 1e-4));
    const w = windows(['arc_fault', 'arc_fault', 'normal', 'arc_fault']);
    expect(alarmStanding(w, uniform(4), 'arc_fault')).toBeCloseTo((2 * s) / 4, 5);
    // the plant gate's windows set aside: the normal window no longer drains it
    expect(alarmStanding(w, uniform(4), 'arc_fault', new Set([120_000]))).toBeCloseTo((3 * s) / 4, 5);
    expect(alarmStanding(windows(['normal', 'normal']), uniform(4), 'arc_fault')).toBe(0);
  });

  /** A dawn of a leak's string read as blocked: line_line 0.5, line_ground 0.4, the rest 0.025 each (the group 0.975 against 0.025). */
  function blockedDawn(n: number) {
    const day = windows(Array.from({ length: n }, () => 'line_ground'));
    for (let w = 0; w < n; w++) for (let c = 0; c < K; c++) day.probs[w * K + c] = c === at('line_line') ? 0.5 : c === at('line_ground') ? 0.4 : 0.025;
    return day;
  }

  it('a carried class is kept by windows that read its group (keptByGroup): a leak read as a blocked string at dawn is raised again in the first window', () => {
    expect(DETECTOR_CONTRACT.alarms.carry.keptByGroup).toBe(true);
    const dawn = blockedDawn(3);
    // line_ground scores ln(0.4/0.5) < 0 there, string_blocked ln(0.975/0.025) > 0
    expect(windowScore(dawn.probs, 0, ALARM_LABELS.indexOf('line_ground'))).toBeLessThan(0);
    const a = decideAlarm(dawn, uniform(8, { string_blocked: 100, line_line: 100 }), undefined, 'line_ground');
    expect(a).toMatchObject({ label: 'line_ground', onsetMs: 0, raisedMs: 60_000, continues: true });
    // not carried, the same windows raise nothing: the rule keeps an alarm, it never starts one
    expect(decideAlarm(dawn, uniform(8, { string_blocked: 100, line_line: 100 }))).toBeNull();
    // a class that is no group's member (arc_fault) is drained as before by windows against it
    const dim = windows(['normal', 'normal', 'normal', 'normal']);
    expect(decideAlarm(dim, uniform(8), undefined, 'arc_fault')).toBeNull();
    // nor does the group keep a member whose windows read normal: a repaired leak is let go
    expect(decideAlarm(windows(['normal', 'normal', 'normal', 'normal']), uniform(8), undefined, 'line_ground')).toBeNull();
  });

  it("a carried alarm's standing counts what it carried in, kept by its group, until windows against it drain it to 0", () => {
    const t = uniform(8, { string_blocked: 100 });
    // carried line_ground through a day its string reads blocked: it ends where it began, at its threshold
    expect(alarmStanding(blockedDawn(4), t, 'line_ground', undefined, 'line_ground')).toBeCloseTo(DETECTOR_CONTRACT.alarms.carry.share, 9);
    // counted on its own (not the label carried in) it would be 0: the next day would not carry it
    expect(alarmStanding(blockedDawn(4), t, 'line_ground')).toBe(0);
    expect(alarmStanding(blockedDawn(4), t, 'line_ground', undefined, 'arc_fault')).toBe(0);
    // one normal window drains ln(0.06/0.7) ≈ −2.46 from 8; two line_ground windows then add 2 × 2.46
    const s = Math.log((0.7 + 1e-4) / (0.06 + 1e-4));
    expect(alarmStanding(windows(['normal', 'line_ground', 'line_ground']), uniform(8), 'line_ground', undefined, 'line_ground')).toBeCloseTo((8 - s + 2 * s) / 8, 5);
    // drained to 0, its run is broken: from there on windows that read the group no longer keep it
    const drained = windows(['normal', 'normal', 'normal', 'normal', 'line_ground']);
    const after = blockedDawn(1);
    drained.probs.set(after.probs, 4 * K);
    expect(alarmStanding(drained, uniform(8), 'line_ground', undefined, 'line_ground')).toBe(0);
  });
});

describe('a shadow that recurs by the clock (alarms.recur)', () => {
  const RECUR = DETECTOR_CONTRACT.alarms.recur;
  const DAY = 86_400_000;
  const WINDOW = 64 * 20_000;
  // a faint shadow: partial_shading 0.3 against normal 0.2 and the rest 0.125 (score ln 1.5 ≈ 0.405)
  const faint = (labels: string[]) => {
    const day = windows(labels);
    labels.forEach((l, w) => {
      if (l === 'partial_shading') for (let c = 0; c < K; c++) day.probs[w * K + c] = c === at('partial_shading') ? 0.3 : c === at('normal') ? 0.2 : 0.125;
    });
    return day;
  };

  it('re-arms the label at share × threshold in its span: one window that reads enough like it raises it, from that window', () => {
    expect(RECUR).toMatchObject({ labels: ['partial_shading'], anyTime: ['arc_fault'], share: 0.8, windowsBefore: 1, windowsAfter: 1 });
    // threshold 2: re-armed at 1.6, a faint shadow's 0.405 crosses it; on its own it takes five such windows
    const day = faint(['normal', 'normal', 'partial_shading', 'normal']);
    expect(decideAlarm(day, uniform(2))).toBeNull();
    const span = { label: 'partial_shading' as const, fromMs: 60_000, toMs: 120_000 };
    expect(decideAlarm(day, uniform(2), undefined, null, null, span)).toMatchObject({ label: 'partial_shading', onsetMs: 120_000, raisedMs: 180_000, windows: 1, continues: false });
    // the same shadow a window after the span is on its own again
    expect(decideAlarm(faint(['normal', 'normal', 'normal', 'partial_shading']), uniform(2), undefined, null, null, span)).toBeNull();
    // a healthy day in the span: every window drains what was armed (the obstacle was cut back)
    expect(decideAlarm(windows(['normal', 'normal', 'normal', 'normal']), uniform(2), undefined, null, null, span)).toBeNull();
    // threshold 3: re-armed at 2.4, one faint window is not enough, two are; what the span left goes on after it
    expect(decideAlarm(day, uniform(3), undefined, null, null, span)).toBeNull();
    expect(decideAlarm(faint(['normal', 'partial_shading', 'partial_shading', 'normal']), uniform(3), undefined, null, null, span)).toMatchObject({ label: 'partial_shading', onsetMs: 60_000, raisedMs: 180_000 });
    const after = faint(['normal', 'normal', 'partial_shading', 'partial_shading']);
    expect(decideAlarm(after, uniform(3), undefined, null, null, span)).toMatchObject({ label: 'partial_shading', onsetMs: 120_000, raisedMs: 240_000 });
  });

  it('a window the plant gate set aside adds nothing, and another fault that reads is named as it reads', () => {
    const span = { label: 'partial_shading' as const, fromMs: 0, toMs: 180_000 };
    expect(decideAlarm(faint(['normal', 'partial_shading', 'normal']), uniform(2), new Set([60_000]), null, null, span)).toBeNull();
    expect(decideAlarm(windows(['line_line', 'line_line', 'line_line']), uniform(4), undefined, null, null, span)).toMatchObject({ label: 'line_line' });
    expect(() => decideAlarm(windows(['normal']), uniform(2), undefined, null, null, { ...span, label: 'normal' as never })).toThrow(/recurring label "normal" is not an alarm label/);
  });

  it('spans a window before the alarm\'s onset to a window after its raise, 24 h later; only the recurring labels, only from the day before', () => {
    expect(recurrenceAfter('partial_shading', 1_000_000, 2_000_000)).toEqual({ label: 'partial_shading', fromMs: 1_000_000 + DAY - WINDOW, toMs: 2_000_000 + DAY + WINDOW });
    expect(recurrenceAfter('line_ground', 1_000_000, 2_000_000)).toBeNull();
    expect(recurrenceAfter('string_blocked', 1_000_000, 2_000_000)).toBeNull();
    expect(recurrenceAfter('normal', 1_000_000, 2_000_000)).toBeNull();
    expect(recurrenceAfter('partial_shading', null, 2_000_000)).toBeNull();
    expect(recurrenceAfter('partial_shading', NaN, 2_000_000)).toBeNull();
    const row = { dayVerdict: 'partial_shading', dayAlarmOnsetMs: 1_000_000, dayAlarmRaisedMs: 2_000_000 };
    expect(recurringAlarm(row, '2026-06-14', '2026-06-15')).toEqual(recurrenceAfter('partial_shading', 1_000_000, 2_000_000));
    expect(recurringAlarm(row, '2026-06-13', '2026-06-15')).toBeNull();
    expect(recurringAlarm(row, null, '2026-06-15')).toBeNull();
    expect(recurringAlarm(undefined, '2026-06-14', '2026-06-15')).toBeNull();
    // a partition written before tables contract version 11 has no alarm times: nothing recurs from it
    expect(recurringAlarm({ dayVerdict: 'partial_shading' }, '2026-06-14', '2026-06-15')).toBeNull();
  });
});

describe('the second stage\'s run of clear windows (alarms.raise run)', () => {
  const RUN = DETECTOR_CONTRACT.alarms.raise.run;
  const blocked = ALARM_LABELS.indexOf('string_blocked');
  const NO_SET_ASIDE: ReadonlySet<number> = new Set();

  it('completes at the third consecutive window scoring at least minScore; a window set aside neither extends nor breaks it, another window breaks it', () => {
    expect(RUN).toEqual({ windows: 3, minScore: 5 });
    // a blocked string at 0.7 for line_line, each other class 0.06: the group (0.82) against normal (0.06) scores ln(13.7) ≈ 2.6, under minScore
    expect(runCompleted(windows(['line_line', 'line_line', 'line_line']), NO_SET_ASIDE, blocked)).toBe(-1);
    const clear = windows(['normal', 'open_circuit', 'open_circuit', 'open_circuit', 'open_circuit'], 0.999);
    expect(runCompleted(clear, NO_SET_ASIDE, blocked)).toBe(3);
    expect(runCompleted(clear, new Set([120_000]), blocked)).toBe(4);
    expect(runCompleted(windows(['open_circuit', 'open_circuit', 'normal', 'open_circuit', 'open_circuit'], 0.999), NO_SET_ASIDE, blocked)).toBe(-1);
  });

  it('raises the group at the run\'s end when its evidence is still under the raise threshold, and the decision\'s label stays', () => {
    const clear = windows(['normal', 'open_circuit', 'open_circuit', 'open_circuit', 'normal', 'normal'], 0.999);
    const t = uniform(60);
    expect(decideAlarm(clear, t, undefined, null, { string_blocked: 50 })).toMatchObject({ label: 'string_blocked', onsetMs: 60_000, raisedMs: 240_000, windows: 3, labelledMs: null });
    expect(decideAlarm(clear, t, undefined, null, null)).toBeNull();
  });
});

describe('the second stage\'s step (alarms.raise step)', () => {
  const STEP = DETECTOR_CONTRACT.alarms.raise.step;
  const blocked = ALARM_LABELS.indexOf('string_blocked');
  const NO_SET_ASIDE: ReadonlySet<number> = new Set();
  /** the windows of `labels` with their means: [current per irradiance, irradiance] per window */
  const measured = (labels: string[], levels: [number, number][]) => ({ ...windows(labels, 0.999), means: Float64Array.from(levels.flatMap(([perIrradiance, g]) => [230, perIrradiance * g, 35, g])) });

  it('raises at the first bright window whose current per irradiance falls to maxRatio of the median before it and that reads the group clearly', () => {
    expect({ ...STEP, doc: undefined }).toEqual({ doc: undefined, maxRatio: 0.8, minScore: 5, minIrradianceWm2: 200, previousWindows: 3 });
    const labels = ['normal', 'normal', 'normal', 'open_circuit', 'open_circuit', 'normal'];
    const fall = measured(labels, [[0.0135, 600], [0.0135, 650], [0.0135, 700], [0.009, 680], [0.009, 640], [0.0135, 600]]);
    expect(stepCompleted(fall, NO_SET_ASIDE, blocked)).toBe(3);
    // no run of three, evidence 2 × 6 under the raise threshold: raised by the step alone, at the first fallen window
    expect(decideAlarm(fall, uniform(60), undefined, null, { string_blocked: 50 })).toMatchObject({ label: 'string_blocked', onsetMs: 180_000, raisedMs: 240_000, labelledMs: null });
    expect(decideAlarm(fall, uniform(60), undefined, null, null)).toBeNull();
    // just above maxRatio of the level: no step
    expect(stepCompleted(measured(labels, [[0.0135, 600], [0.0135, 650], [0.0135, 700], [0.0135 * 0.81, 680], [0.0135 * 0.81, 640], [0.0135, 600]]), NO_SET_ASIDE, blocked)).toBe(-1);
  });

  it('needs the window read as the group, a bright window before, the window bright itself and not set aside, and its means', () => {
    const level: [number, number] = [0.0135, 600];
    const fallen: [number, number] = [0.009, 600];
    // read healthy (a cloud's edge over the array, not its sensor)
    expect(stepCompleted(measured(['normal', 'normal', 'normal'], [level, level, fallen]), NO_SET_ASIDE, blocked)).toBe(-1);
    // nothing bright before it
    expect(stepCompleted(measured(['normal', 'open_circuit', 'open_circuit'], [[0.0135, 150], fallen, fallen]), NO_SET_ASIDE, blocked)).toBe(-1);
    // dim itself
    expect(stepCompleted(measured(['normal', 'open_circuit'], [level, [0.009, 199]]), NO_SET_ASIDE, blocked)).toBe(-1);
    // set aside by the plant gate: neither steps nor counts, so the next fallen window steps against the level
    expect(stepCompleted(measured(['normal', 'open_circuit', 'open_circuit'], [level, fallen, fallen]), new Set([60_000]), blocked)).toBe(2);
    // without means
    expect(stepCompleted(windows(['normal', 'open_circuit'], 0.999), NO_SET_ASIDE, blocked)).toBe(-1);
    // the median of the previous three: one fallen window among them does not move it
    expect(stepCompleted(measured(['normal', 'normal', 'normal', 'normal', 'open_circuit'], [level, level, [0.009, 600], level, fallen]), NO_SET_ASIDE, blocked)).toBe(4);
  });

  it('raisedByRule is the earlier of the run and the step', () => {
    const labels = ['normal', 'open_circuit', 'open_circuit', 'open_circuit', 'open_circuit'];
    const level: [number, number] = [0.0135, 600];
    expect(raisedByRule(measured(labels, [level, level, level, level, [0.009, 600]]), NO_SET_ASIDE, blocked)).toBe(3);
    expect(raisedByRule(measured(labels, [level, [0.009, 600], level, level, level]), NO_SET_ASIDE, blocked)).toBe(1);
    expect(raisedByRule(measured(['normal', 'normal'], [level, level]), NO_SET_ASIDE, blocked)).toBe(-1);
  });
});

describe('an arc that comes and goes (alarms.recur anyTime)', () => {
  const DAY = 86_400_000;
  const onD = (h: number) => Date.parse('2026-06-15T00:00:00Z') + h * 3_600_000;

  it('spans every window of the next day: from the alarm\'s raise to 48 h after it', () => {
    const raised = onD(-24 + 16.5);
    const span = recurrenceAfter('arc_fault', onD(-24 + 9), raised)!;
    expect(span).toEqual({ label: 'arc_fault', fromMs: raised, toMs: raised + 2 * DAY });
    expect(span.fromMs).toBeLessThan(onD(0));
    expect(span.toMs).toBeGreaterThan(onD(24));
    expect(recurrenceAfter('arc_fault', null, raised)).toBeNull();
    expect(recurringAlarm({ dayVerdict: 'arc_fault', dayAlarmOnsetMs: onD(-15), dayAlarmRaisedMs: raised }, '2026-06-14', '2026-06-15')).toEqual(span);
    expect(recurringAlarm({ dayVerdict: 'arc_fault', dayAlarmOnsetMs: onD(-15), dayAlarmRaisedMs: raised }, '2026-06-13', '2026-06-15')).toBeNull();
  });

  it('an arc silent at dawn is raised again by one window that reads clearly as an arc, at any hour; a repaired array drains it', () => {
    // threshold 6: re-armed at 4.8; a window at arc 0.7 against 0.06 for each other class scores ln(0.7 / 0.06) ≈ 2.46
    const day = windows(['normal', 'normal', 'normal', 'normal', 'arc_fault', 'normal']);
    const span = recurrenceAfter('arc_fault', -DAY, -DAY / 2)!;
    expect(decideAlarm(day, uniform(6))).toBeNull();
    // what the carry brings is drained at dawn: one arc window later is not enough on its own
    expect(decideAlarm(day, uniform(6), undefined, 'arc_fault')).toBeNull();
    expect(decideAlarm(day, uniform(6), undefined, null, null, span)).toMatchObject({ label: 'arc_fault', onsetMs: 4 * 60_000, raisedMs: 5 * 60_000, windows: 1, continues: false });
    expect(decideAlarm(day, uniform(6), undefined, 'arc_fault', null, span)).toMatchObject({ label: 'arc_fault', onsetMs: 4 * 60_000, continues: false });
    expect(decideAlarm(windows(['normal', 'normal', 'normal', 'normal', 'normal', 'normal']), uniform(6), undefined, null, null, span)).toBeNull();
  });
});

describe('the plant gate', () => {
  const gate = DETECTOR_CONTRACT.alarms.plantGate;
  /** a plant-day of n devices whose window w is off normal (arc_fault at 0.7) on the first `off[w]` devices, normal elsewhere */
  function plant(n: number, off: number[]) {
    return Array.from({ length: n }, (_, d) => windows(off.map((k) => (d < k ? 'arc_fault' : 'normal'))));
  }

  it('sets aside the slots where at least minShare of at least minDevices devices departed from normal at once, no others', () => {
    const n = gate.minDevices;
    const half = Math.ceil(gate.minShare * n);
    const edge = Math.ceil(gate.extendShare * n);
    const slots = new PlantSlots();
    for (const d of plant(n, [half - 1, edge - 1, half, n])) slots.add(d);
    expect([...slots.plantEvents()].sort((a, b) => a - b)).toEqual([2 * 60_000, 3 * 60_000]);
    expect(slots.slots.get(2 * 60_000)).toMatchObject({ devices: n, offNormal: half });
    // an event spreads to its neighbours, one after the other, while extendShare of the plant is off normal there
    const edges = new PlantSlots();
    for (const d of plant(n, [edge, edge, half, edge - 1, edge, 0])) edges.add(d);
    expect([...edges.plantEvents()].sort((a, b) => a - b)).toEqual([0, 60_000, 2 * 60_000]);
    // too few devices: no slot is a plant event, whatever their share
    const few = new PlantSlots();
    for (const d of plant(n - 1, [n - 1, n - 1])) few.add(d);
    expect(few.plantEvents().size).toBe(0);
  });

  it('counts a window off normal when its normal probability is below normalBelow, whatever class leads', () => {
    const slots = new PlantSlots();
    const probs = new Float32Array(K);
    probs[at('normal')] = gate.normalBelow; // exactly at the bound: not off normal
    probs[at('line_ground')] = 1 - gate.normalBelow;
    slots.add({ startMs: [0], endMs: [60_000], probs });
    probs[at('normal')] = gate.normalBelow - 0.01;
    slots.add({ startMs: [0], endMs: [60_000], probs });
    expect(slots.slots.get(0)).toMatchObject({ devices: 2, offNormal: 1 });
  });

  it('a set-aside window adds nothing: the evidence neither grows nor decays there, and the run goes on across it', () => {
    const day = windows(['arc_fault', 'normal', 'arc_fault', 'arc_fault']);
    const s = Math.log((0.7 + 1e-4) / (0.06 + 1e-4));
    // without the gate the normal window breaks the run: the alarm needs the last two windows
    expect(decideAlarm(day, uniform(2.5 * s))).toBeNull();
    expect(decideAlarm(day, uniform(1.9 * s))).toMatchObject({ label: 'arc_fault', onsetMs: 2 * 60_000, windows: 2 });
    // with the normal window set aside, the three arc windows make one run from the first
    const a = decideAlarm(day, uniform(2.5 * s), new Set([60_000]));
    expect(a).toMatchObject({ label: 'arc_fault', onsetMs: 0, raisedMs: 4 * 60_000, windows: 3 });
    expect(a!.confidence).toBeCloseTo(0.7, 6);
    const l = ALARM_LABELS.indexOf('arc_fault');
    const trace = evidenceTrace(day, new Set([60_000]));
    expect(trace[1 * ALARM_LABELS.length + l]).toBe(trace[0 * ALARM_LABELS.length + l]);
    // a fault seen only in set-aside windows raises nothing
    expect(decideAlarm(windows(['arc_fault', 'arc_fault']), uniform(s), new Set([0, 60_000]))).toBeNull();
  });
});

describe('alarm labels', () => {
  it('are the fault classes, then the groups; a group stands for its members', () => {
    expect(ALARM_LABELS).toEqual(['line_line', 'line_ground', 'open_circuit', 'partial_shading', 'arc_fault', 'string_blocked']);
    expect(alarmCandidates('string_blocked')).toEqual(['line_line', 'line_ground', 'open_circuit']);
    expect(alarmCandidates('arc_fault')).toEqual(['arc_fault']);
  });

  it.each([
    ['a missing label', { ...uniform(5), arc_fault: undefined }, 'thresholds.arc_fault must be a positive number, got undefined'],
    ['a zero threshold', uniform(5, { line_line: 0 }), 'thresholds.line_line must be a positive number, got 0'],
    ['an unknown label', { ...uniform(5), normal: 3 }, 'thresholds.normal is not an alarm label'],
    ['not an object', null, 'thresholds must be an object'],
  ])('a thresholds file with %s is refused naming it', (_name, t, message) => {
    expect(() => checkThresholds(t, 'alarms.json')).toThrow(message);
  });
});

describe('alarms.json', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'alarms-'));
  it('is read for the model it was calibrated for, and refused with what to run otherwise', () => {
    const d = dir();
    expect(() => readCalibratedAlarms(d, 'm1')).toThrow(/no alarm thresholds for the model in .*run npm run calibrate/);
    const sets = { own: uniform(5), fleet: uniform(9) };
    const raise = { own: { string_blocked: 3 }, fleet: { string_blocked: 4 } };
    writeFileSync(join(d, 'alarms.json'), JSON.stringify({ modelVersion: 'm0', thresholds: sets, raise, calibration: {} }));
    expect(() => readCalibratedAlarms(d, 'm1')).toThrow('was calibrated for model "m0", not m1; run npm run calibrate');
    // a file calibrated before the second stage: its model would raise one stage where the product raises two
    writeFileSync(join(d, 'alarms.json'), JSON.stringify({ modelVersion: 'm1', thresholds: sets, calibration: {} }));
    expect(() => readCalibratedAlarms(d, 'm1')).toThrow('alarms.json has no raise thresholds (calibrated before 2026-12-04); run npm run calibrate');
    writeFileSync(join(d, 'alarms.json'), JSON.stringify({ modelVersion: 'm1', thresholds: sets, raise, calibration: {} }));
    expect(readCalibratedAlarms(d, 'm1')).toEqual({ thresholds: sets, raise });
  });

  it.each([
    ['one set for all (the file before baselines)', uniform(5), 'thresholds.line_line is not a threshold set (own, fleet)'],
    ['no set for devices without history', { own: uniform(5) }, 'alarms.json thresholds.fleet: thresholds must be an object'],
    ['a set missing a label', { own: uniform(5), fleet: { ...uniform(5), arc_fault: undefined } }, 'alarms.json thresholds.fleet: thresholds.arc_fault must be a positive number'],
  ])('a thresholds file with %s is refused naming it', (_name, t, message) => {
    expect(() => checkThresholdSets(t, 'alarms.json')).toThrow(message);
  });

  it('a device with its own baseline is decided with the own set, one without history with the fleet set', () => {
    const sets = { own: uniform(5), fleet: uniform(9) };
    expect(thresholdsFor(sets, 0)).toBe(sets.fleet);
    expect(thresholdsFor(sets, 1)).toBe(sets.own);
    expect(thresholdsFor(sets, 7)).toBe(sets.own);
    // the raise thresholds come from the same set
    const raise = { own: { string_blocked: 3 }, fleet: { string_blocked: 4 } };
    expect(ruleFor(sets, raise, 0)).toEqual({ thresholds: sets.fleet, raise: raise.fleet });
    expect(ruleFor(sets, raise, 2)).toEqual({ thresholds: sets.own, raise: raise.own });
    expect(ruleFor(sets, null, 2)).toEqual({ thresholds: sets.own, raise: null });
  });

  it('the committed model has thresholds calibrated for it', () => {
    expect(() => readCalibratedAlarms(ARTIFACTS_DIR, readModelVersion())).not.toThrow();
  });
});

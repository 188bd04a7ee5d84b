/** Device-day metrics of npm run eval on hand-built device-days: visibility, naming, daylight delay, false alarms, the summary's identities. */
import { FAULT_CLASSES, type FaultClass } from '../../contracts';
import type { Alarm, EvidenceWindow } from '../../detector/eval/decision';
import { actingWindows, daylightMinutes, delayStartMs, namesFault, outcomeOf, type Outcome } from '../../detector/eval/outcome';
import type { DeviceDayRecord } from '../../detector/eval/records';
import { ACTING_BANDS, actingBand, quantile, summarize } from '../../detector/eval/summary';

const W = 1_280_000; // a window: 64 slots of 20 s
const MIN = 60_000;

/** Windows from a pattern: '.' skipped (night), 'o' daylight. */
function windows(pattern: string): EvidenceWindow[] {
  return [...pattern].map((c, i) => ({ startMs: i * W, endMs: (i + 1) * W, skipReason: c === '.' ? 'low_irradiance' : null }));
}

function record(pattern: string, fault: FaultClass, active: number[], opts: { onsetMs?: number | null; severity?: Record<string, number | boolean>; group?: string; sky?: 'clear' | 'broken' | 'overcast'; plantDay?: string } = {}): DeviceDayRecord {
  const ws = windows(pattern);
  const predicted = ws.filter((w) => !w.skipReason).length;
  return {
    plantDay: opts.plantDay ?? '2026-06-15 clear (plant 1, day 1)',
    evidence: { deviceId: 'PV-000001', date: '2026-06-15', windows: ws, probs: new Float32Array(predicted * FAULT_CLASSES.length), baselineDays: 0, baselineGain: null, ratio: null },
    truth: { fault, onsetMs: opts.onsetMs === undefined ? (fault === 'normal' ? null : 0) : opts.onsetMs, severity: opts.severity ?? {}, severityGroup: opts.group ?? 'persistent', intermittent: false, sky: opts.sky ?? 'clear', activeSlots: ws.map((_, i) => active[i] ?? 0) },
  };
}

const alarm = (label: string, raisedMs: number, candidates: FaultClass[] = [label as FaultClass]): Alarm => ({ label, candidates, onsetMs: 0, raisedMs, confidence: 1 });

describe('visible faults', () => {
  it('a fault acting in two daylight windows is visible; one slot of a window is enough to act in it', () => {
    const r = record('..oooo..', 'open_circuit', [0, 0, 0, 0, 1, 64, 0, 0]);
    expect(actingWindows(r.evidence.windows, r.truth.activeSlots)).toBe(2);
    expect(outcomeOf(r, null).visible).toBe(true);
  });

  it('acting at night or in a single daylight window is not visible', () => {
    const r = record('..oooo..', 'arc_fault', [64, 64, 0, 0, 0, 64, 64, 64]);
    expect(actingWindows(r.evidence.windows, r.truth.activeSlots)).toBe(1);
    expect(outcomeOf(r, null).visible).toBe(false);
  });

  it('a healthy device-day is never a visible fault', () => {
    expect(outcomeOf(record('oooo', 'normal', []), null).visible).toBe(false);
  });
});

describe('naming a fault', () => {
  const group = (severityCount: number, fault: FaultClass = 'line_line') => ({ fault, severity: { count: severityCount } });

  it('its own class names it; another class does not', () => {
    expect(namesFault(alarm('arc_fault', 0), { fault: 'arc_fault', severity: {} })).toBe(true);
    expect(namesFault(alarm('line_ground', 0), { fault: 'arc_fault', severity: {} })).toBe(false);
    expect(namesFault(null, { fault: 'arc_fault', severity: {} })).toBe(false);
  });

  it('the blocked-string group names an open string, a short of two or more modules and a leak that blocked its string most of the day; not a one-module short nor a leak the string conducted through', () => {
    const blocked = alarm('string_blocked', 0, ['line_line', 'line_ground', 'open_circuit']);
    expect(namesFault(blocked, { fault: 'open_circuit', severity: {} })).toBe(true);
    expect(namesFault(blocked, group(2))).toBe(true);
    expect(namesFault(blocked, group(1))).toBe(false);
    const leak = { fault: 'line_ground' as const, severity: { first: 0, count: 4, resistance: 20 } };
    expect(namesFault(blocked, leak)).toBe(false); // not judged
    expect(namesFault(blocked, leak, undefined, 0.4)).toBe(false);
    expect(namesFault(blocked, leak, undefined, 0.5)).toBe(true);
    expect(namesFault(blocked, leak, undefined, 1)).toBe(true);
    // its own class names a leak, blocked or not
    expect(namesFault(alarm('line_ground', 0), leak, undefined, 1)).toBe(true);
  });

  it("a leak's outcome judges its blocking at each acting window's measured irradiance and temperature", () => {
    const r = record('oooo', 'line_ground', [64, 64, 64, 64], { severity: { first: 0, count: 4, resistance: 20 }, group: 'leak ≥ 2 A' });
    const means = new Float64Array(4 * 4);
    for (let w = 0; w < 4; w++) [means[w * 4 + 2], means[w * 4 + 3]] = [35, 600];
    const o = outcomeOf({ ...r, evidence: { ...r.evidence, means } }, alarm('string_blocked', 2 * W, ['line_line', 'line_ground', 'open_circuit']));
    expect([o.blockedShare, o.named, o.ownClass]).toEqual([1, true, false]);
    // without the windows' means nothing is judged: the group does not name it
    expect(outcomeOf(r, alarm('string_blocked', 2 * W, ['line_line', 'line_ground', 'open_circuit']))).toMatchObject({ blockedShare: null, named: false });
  });

  it('own class counts only the class itself', () => {
    const r = record('oooo', 'open_circuit', [64, 64, 64, 64]);
    const o = outcomeOf(r, alarm('string_blocked', 2 * W, ['line_line', 'line_ground', 'open_circuit']));
    expect([o.named, o.ownClass]).toEqual([true, false]);
  });
});

describe('delay in daylight minutes', () => {
  it('counts only daylight windows between the start and the raise', () => {
    // windows 2, 3 and 5 are daylight, 4 is skipped (missing data)
    const ws = windows('..oo.o');
    expect(daylightMinutes(ws, 2 * W, 6 * W)).toBeCloseTo((3 * W) / MIN);
    expect(daylightMinutes(ws, 2.5 * W, 3 * W)).toBeCloseTo((0.5 * W) / MIN);
    expect(daylightMinutes(ws, 0, 2 * W)).toBe(0);
  });

  it('a fault present from midnight counts from the first daylight window it acts in, a later onset from the onset', () => {
    const ws = windows('..oooo..');
    const always = [64, 64, 64, 64, 64, 64, 64, 64];
    expect(delayStartMs(ws, 0, always)).toBe(2 * W);
    expect(delayStartMs(ws, 3.5 * W, [0, 0, 0, 32, 64, 64, 64, 64])).toBe(3.5 * W);
    expect(delayStartMs(ws, null, always)).toBeNull();
    expect(delayStartMs(windows('....'), 0, always)).toBeNull();
  });

  it('a shadow there since an earlier day counts from the window it reaches the array in, not from the morning', () => {
    const ws = windows('..oooo..');
    // the obstacle's onset was yesterday; today its shadow acts in windows 4 and 5 only (and in window 7, after dusk)
    expect(delayStartMs(ws, -86_400_000, [0, 0, 0, 0, 10, 64, 0, 64])).toBe(4 * W);
    // an intermittent fault acting only in the dark is never in daylight: no start
    expect(delayStartMs(ws, 0, [64, 0, 0, 0, 0, 0, 0, 64])).toBeNull();
    const r = record('..oooo..', 'partial_shading', [0, 0, 0, 0, 10, 64, 0, 0], { onsetMs: -86_400_000 });
    expect(outcomeOf(r, alarm('partial_shading', 6 * W)).delayMin).toBeCloseTo((2 * W) / MIN);
    // it began, as the delay counts it, in daylight
    expect(outcomeOf(r, null).began).toBe('in-daylight');
  });

  it('an alarm at the end of the first daylight window of a fault from midnight is one window late', () => {
    const r = record('..oooo..', 'arc_fault', [64, 64, 64, 64, 64, 64, 64, 64]);
    expect(outcomeOf(r, alarm('arc_fault', 3 * W)).delayMin).toBeCloseTo(W / MIN);
    // there when the day's first daylight window opened: its delay counts from dawn; begun this day (at midnight), or on an earlier day
    expect(outcomeOf(r, null).began).toBe('overnight');
    expect(outcomeOf(record('..oooo..', 'arc_fault', [64, 64, 64, 64, 64, 64, 64, 64], { onsetMs: -86_400_000 }), null).began).toBe('earlier-day');
    expect(outcomeOf(record('..oooo..', 'normal', [0, 0, 0, 0, 0, 0, 0, 0]), null).began).toBeNull();
  });

  it('an alarm raised before the onset has no delay; an alarm that does not name the fault has none at all', () => {
    const r = record('oooo', 'arc_fault', [0, 0, 64, 64], { onsetMs: 2 * W });
    expect(outcomeOf(r, alarm('arc_fault', W)).delayMin).toBe(0);
    expect(outcomeOf(r, alarm('line_ground', 4 * W)).delayMin).toBeNull();
  });

  it('an alarm raised as a group and named later counts to when it first named the fault: the raise when the group names it, else the later label', () => {
    const raised = { ...alarm('line_line', 2 * W), raisedAs: { label: 'string_blocked', labelledMs: 5 * W } };
    // a two-module short: the blocked-string group it was raised as names it already
    const blocked = record('oooooo', 'line_line', [64, 64, 64, 64, 64, 64], { severity: { count: 2 }, group: '2 of 5 modules shorted' });
    expect(outcomeOf(blocked, raised)).toMatchObject({ named: true, delayMin: (2 * W) / MIN });
    // a one-module short conducts: the group did not name it, line_line did when it came
    const one = record('oooooo', 'line_line', [64, 64, 64, 64, 64, 64], { severity: { count: 1 }, group: '1 of 5 modules shorted' });
    expect(outcomeOf(one, raised)).toMatchObject({ named: true, delayMin: (5 * W) / MIN });
    // the label the day ends with decides whether it is named at all
    expect(outcomeOf(record('oooooo', 'open_circuit', [64, 64, 64, 64, 64, 64]), raised)).toMatchObject({ named: false, delayMin: null });
  });
});

describe('the summary', () => {
  const healthy = (alarmLabel: string | null, sky: 'clear' | 'overcast', plantDay: string) => outcomeOf(record('oooo', 'normal', [], { sky, plantDay }), alarmLabel ? alarm(alarmLabel, W) : null);
  const outcomes: Outcome[] = [
    healthy(null, 'clear', 'A'),
    healthy('line_ground', 'clear', 'A'),
    healthy(null, 'overcast', 'B'),
    healthy(null, 'overcast', 'B'),
    outcomeOf(record('oooo', 'arc_fault', [64, 64, 64, 64], { group: 'intermittent' }), alarm('arc_fault', W)),
    outcomeOf(record('oooo', 'line_line', [64, 64, 64, 64], { severity: { count: 2 }, group: '2 of 5 modules shorted' }), alarm('string_blocked', 3 * W, ['line_line', 'line_ground', 'open_circuit'])),
    outcomeOf(record('oooo', 'line_ground', [64, 64, 64, 64], { group: 'leak ≥ 2 A', sky: 'overcast' }), alarm('open_circuit', W)),
    outcomeOf(record('oooo', 'open_circuit', [0, 0, 0, 64]), alarm('open_circuit', 4 * W)),
  ];
  const s = summarize(outcomes);

  it('counts false alarms on healthy device-days only, overall, by sky and by plant-day', () => {
    expect(s.falseAlarms.overall).toEqual({ healthy: 4, alarmed: 1, rate: 0.25, byLabel: { line_ground: 1 } });
    expect(s.falseAlarms.bySky.clear).toMatchObject({ healthy: 2, alarmed: 1 });
    expect(s.falseAlarms.bySky.overcast).toMatchObject({ healthy: 2, alarmed: 0 });
    expect(Object.keys(s.falseAlarms.byPlantDay)).toEqual(['A', 'B']);
  });

  it('counts recall over visible faults, named beside own class, and leaves the invisible one out', () => {
    expect(s.counts).toEqual({ deviceDays: 8, withCondition: 0, otherDesign: 0, healthy: 4, faulty: 4, visible: 3, notVisible: 1, noDaylight: 0 });
    expect(s.notVisible).toEqual({ faulty: 1, alarmed: 1, named: 1 });
    expect(s.faults.overall).toMatchObject({ visible: 3, named: 2, ownClass: 1 });
    expect(s.faults.byClass.line_line).toMatchObject({ visible: 1, named: 1, ownClass: 0 });
    expect(s.calledAs.line_ground).toEqual({ open_circuit: 1 });
    // delays of the named ones: the arc one window, the short three windows
    expect(s.faults.overall.delayMedianMin).toBeCloseTo(W / MIN);
    expect(s.faults.overall.delayP90Min).toBeCloseTo((3 * W) / MIN);
    const bySeverity = Object.values(s.faults.bySeverity).reduce((n, r) => n + r.visible, 0);
    expect(bySeverity).toBe(s.faults.overall.visible);
    // each visible fault here acted in four daylight windows
    expect(Object.keys(s.faults.byActing!)).toEqual(['4–6']);
    expect(s.faults.byActing!['4–6']).toMatchObject({ visible: 3, named: 2 });
  });

  it('judges the goals: false alarms, the leak goal on leaks ≥ 0.5 A, n/a where nothing was measured', () => {
    const goal = (name: string) => s.goals.find((g) => g.goal.startsWith(name))!;
    expect(goal('false alarms')).toMatchObject({ measured: 0.25, pass: false });
    expect(goal('line_ground with a leak')).toMatchObject({ measured: 0, pass: false });
    expect(goal('arc_fault named')).toMatchObject({ measured: 1, pass: true });
    expect(goal('partial_shading named')).toMatchObject({ measured: null, pass: null });
  });

  it('takes quantiles by nearest rank', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe('visible faults by their acting daylight windows (summary.ts actingBand)', () => {
  it('bands the windows a visible fault acted in: 2–3, 4–6, 7–12, 13 or more', () => {
    expect([2, 3, 4, 6, 7, 12, 13, 40].map(actingBand)).toEqual(['2–3', '2–3', '4–6', '4–6', '7–12', '7–12', '13 or more', '13 or more']);
    expect(ACTING_BANDS).toEqual(['2–3', '4–6', '7–12', '13 or more']);
  });
});

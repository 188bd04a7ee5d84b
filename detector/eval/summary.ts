/**
 * Device-day outcomes → the evaluation's tables: recall of visible faults (named,
 * own class, delays) by class, severity and sky; false alarms on healthy device-days
 * by sky and plant-day; what visible faults were called; the issue's goals.
 */
import { FAULT_CLASSES } from '../../contracts';
import { LEAK_GROUPS, severityKey } from '../dataset';
import { CONDITION_KINDS } from '../simulator/conditions';
import { arrayInterval, RESAMPLES } from './bootstrap';
import type { Outcome } from './outcome';

export interface RecallRow {
  visible: number;
  named: number;
  ownClass: number;
  namedRate: number | null;
  ownClassRate: number | null;
  /** daylight minutes from onset to the alarm, over the named ones */
  delayMedianMin: number | null;
  delayP90Min: number | null;
}

export interface FalseAlarmRow {
  healthy: number;
  alarmed: number;
  rate: number | null;
  /** alarms by label */
  byLabel: Record<string, number>;
}

/** Device-days on which a condition that is not a fault acted: false alarms among the healthy ones, recall among the visible faults. */
export interface ConditionRow {
  falseAlarms: FalseAlarmRow;
  faults: RecallRow;
}

/** A design's plant (or the default design's ordinary device-days): its false alarms and named faults, and the latter by class. */
export interface DesignRow extends ConditionRow {
  byClass: Record<string, RecallRow>;
  /** visible faults by their severity group on the design (dataset.ts severityGroup: a short by the modules of its own string, a leak by the current its node's voltage drives); absent in reports before 2026-12-05 */
  bySeverity?: Record<string, RecallRow>;
}

export interface Goal {
  goal: string;
  target: string;
  measured: number | null;
  /** null: nothing to measure it on */
  pass: boolean | null;
  /** where `measured` could lie on another draw of the plan: its 95 % interval over the plan's arrays (bootstrap.ts arrayInterval); null: too few to say; absent in reports before 2026-12-07 */
  interval?: [number, number] | null;
}

export interface Summary {
  /**
   * deviceDays: all of them; withCondition: those of the default design on which a
   * condition that is not a fault acted (byCondition's); otherDesign: those of the design
   * plants (byDesign's); healthy, faulty, visible, notVisible and every table but
   * byCondition, byDesign and falseAlarms.byPlantDay: the others
   */
  counts: { deviceDays: number; withCondition: number; otherDesign?: number; healthy: number; faulty: number; visible: number; notVisible: number; noDaylight: number };
  falseAlarms: { overall: FalseAlarmRow; bySky: Record<string, FalseAlarmRow>; byReference: Record<string, FalseAlarmRow>; byPlantDay: Record<string, FalseAlarmRow> };
  faults: { overall: RecallRow; byClass: Record<string, RecallRow>; bySeverity: Record<string, RecallRow>; bySky: Record<string, RecallRow>; byReference: Record<string, RecallRow>; byBegan?: Record<string, RecallRow>; byActing?: Record<string, RecallRow> };
  /** per condition kind that acted on some device-day (simulator/conditions.ts), and 'any' */
  byCondition: Record<string, ConditionRow>;
  /** per held-out design of a design plant (npm run eval --designs), and 'default' (the ordinary device-days, for comparison); empty without design plants */
  byDesign: Record<string, DesignRow>;
  /** faulty device-days whose fault acts in fewer than two daylight windows: not counted in recall */
  notVisible: { faulty: number; alarmed: number; named: number };
  /** visible faults by class → the alarm's label ('none': no alarm) */
  calledAs: Record<string, Record<string, number>>;
  /**
   * Visible leaks to ground by how much of their day the leak blocked its string
   * (blocking.ts: the array then reads as with the string open), per design ('default':
   * the device-days without a condition, as the goals): how many were named and what
   * they were called. Absent in reports before 2026-12-03.
   */
  leaksByBlocking?: Record<string, Record<string, LeakRow>>;
  /** visible leaks per design (byDesign's names), by draw band (leakDrawRows); absent in reports before 2026-12-06 */
  leaksByDraw?: Record<string, Record<string, LeakRow>>;
  /**
   * Visible shadows by the share of the array's power they took as its sensors saw it
   * (shadowLoss.ts), per design ('default': the device-days without a condition, as the
   * goals): how many were named, what they were called, under which skies. Absent in
   * reports before 2026-12-04.
   */
  shadowsByLoss?: Record<string, Record<string, ShadowRow>>;
  /**
   * Visible shadows by what the same array's shadow did the day before (Outcome.shadowDayBefore),
   * per design: how many a memory of the shadow's time of day could reach. Absent in reports
   * before 2026-12-04.
   */
  shadowsByDayBefore?: Record<string, Record<string, ShadowRow>>;
  /**
   * Visible shadows by how far partial_shading's evidence came on the day on its own
   * (Outcome.shadowEvidence), per design: how many the day's readings bring near a decision at
   * all. Absent in reports before 2026-12-07.
   */
  shadowsByEvidence?: Record<string, Record<string, ShadowRow>>;
  goals: Goal[];
}

/** Nearest-rank quantile of ascending values. */
export function quantile(sorted: readonly number[], p: number): number | null {
  return sorted.length ? sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]! : null;
}

const rate = (n: number, of: number) => (of > 0 ? n / of : null);

/** Bands of a visible fault's acting daylight windows that day (at least two: outcome.ts visible), for faults by evidence. */
export const ACTING_BANDS = ['2–3', '4–6', '7–12', '13 or more'] as const;

/** A visible fault's band of acting daylight windows: how much evidence the day gave the decision. */
export function actingBand(actingWindows: number): (typeof ACTING_BANDS)[number] {
  return actingWindows <= 3 ? '2–3' : actingWindows <= 6 ? '4–6' : actingWindows <= 12 ? '7–12' : '13 or more';
}

export function recallRow(visible: readonly Outcome[]): RecallRow {
  const named = visible.filter((o) => o.named);
  const delays = named.map((o) => o.delayMin!).sort((a, b) => a - b);
  const own = visible.filter((o) => o.ownClass).length;
  return { visible: visible.length, named: named.length, ownClass: own, namedRate: rate(named.length, visible.length), ownClassRate: rate(own, visible.length), delayMedianMin: quantile(delays, 0.5), delayP90Min: quantile(delays, 0.9) };
}

export function falseAlarmRow(healthy: readonly Outcome[]): FalseAlarmRow {
  const byLabel: Record<string, number> = {};
  for (const o of healthy) if (o.alarm !== null) byLabel[o.alarm] = (byLabel[o.alarm] ?? 0) + 1;
  const alarmed = healthy.filter((o) => o.alarm !== null).length;
  return { healthy: healthy.length, alarmed, rate: rate(alarmed, healthy.length), byLabel };
}

/** Groups in first-seen order, or in `order` where given. */
function groupBy<T>(items: readonly T[], key: (t: T) => string, order?: readonly string[]): Map<string, T[]> {
  const groups = new Map<string, T[]>((order ?? []).map((k) => [k, []]));
  for (const t of items) {
    const k = key(t);
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  for (const [k, g] of groups) if (g.length === 0) groups.delete(k);
  return groups;
}

const mapValues = <T, R>(m: Map<string, T[]>, f: (ts: T[]) => R): Record<string, R> => Object.fromEntries([...m].map(([k, v]) => [k, f(v)]));

/** The device-days the goals are over: the default design's without a condition (`ordinary`), and with one (`withCondition`, the conditions goal's). */
export function goalPopulations(outcomes: readonly Outcome[]): { ordinary: Outcome[]; withCondition: Outcome[] } {
  const own = outcomes.filter((o) => !o.design);
  return { ordinary: own.filter((o) => (o.conditions?.length ?? 0) === 0), withCondition: own.filter((o) => (o.conditions?.length ?? 0) > 0) };
}

/** One of the issue's goals: its figure is `statistic` over its device-days (`over`). */
export interface GoalSpec {
  goal: string;
  target: string;
  /** 'min': a delay in minutes; '%': a share */
  unit: 'min' | '%';
  over: 'ordinary' | 'withCondition';
  statistic(os: readonly Outcome[]): number | null;
  pass(measured: number): boolean;
}

const healthyOf = (os: readonly Outcome[]) => os.filter((o) => o.fault === 'normal');
const visibleOf = (os: readonly Outcome[]) => os.filter((o) => o.visible);
const namedOfClass = (c: string) => (os: readonly Outcome[]) => recallRow(visibleOf(os).filter((o) => o.fault === c)).namedRate;
const isBigLeak = (o: Outcome) => LEAK_GROUPS.slice(1).some((g) => o.severity === severityKey('line_ground', g));
const falseAlarmRate = (os: readonly Outcome[]) => falseAlarmRow(healthyOf(os)).rate;
const atLeast = (goal: string, target: number, statistic: GoalSpec['statistic']): GoalSpec => ({ goal, target: `≥ ${(100 * target).toFixed(0)} %`, unit: '%', over: 'ordinary', statistic, pass: (m) => m >= target });
const atMost = (goal: string, target: number, unit: GoalSpec['unit'], over: GoalSpec['over'], statistic: GoalSpec['statistic']): GoalSpec => ({
  goal,
  target: `≤ ${unit === '%' ? `${(100 * target).toFixed(1)} %` : `${target} ${unit}`}`,
  unit,
  over,
  statistic,
  pass: (m) => m <= target,
});

/** The issue's goals (issue 18); the predict stage's speed is bench:pipeline's, not measured here. */
export const GOALS: readonly GoalSpec[] = [
  atMost('false alarms on healthy device-days', 0.005, '%', 'ordinary', falseAlarmRate),
  atMost('false alarms on healthy device-days with a condition that is not a fault (frost, dew, snow, soiling, standby, curtailment, clipping)', 0.005, '%', 'withCondition', falseAlarmRate),
  atLeast('visible faults named (class or group)', 0.95, (os) => recallRow(visibleOf(os)).namedRate),
  atLeast('partial_shading named', 0.9, namedOfClass('partial_shading')),
  atLeast('line_ground with a leak ≥ 0.5 A named', 0.9, (os) => recallRow(visibleOf(os).filter(isBigLeak)).namedRate),
  atLeast('arc_fault named', 0.98, namedOfClass('arc_fault')),
  atMost('detection delay, median', 21, 'min', 'ordinary', (os) => recallRow(visibleOf(os)).delayMedianMin),
  atMost('detection delay, 90th percentile', 45, 'min', 'ordinary', (os) => recallRow(visibleOf(os)).delayP90Min),
];

/** The issue's goals over their device-days (goalPopulations), each with its 95 % interval over the plan's arrays (bootstrap.ts) from `resamples` resamples; 0: without intervals (a summary that does not report them). */
export function goalsOf(populations: ReturnType<typeof goalPopulations>, resamples = RESAMPLES): Goal[] {
  return GOALS.map((g) => {
    const over = populations[g.over];
    const measured = over.length ? g.statistic(over) : null;
    const goal: Goal = { goal: g.goal, target: g.target, measured, pass: measured === null ? null : g.pass(measured) };
    return resamples > 0 ? { ...goal, interval: measured === null ? null : arrayInterval(over, g.statistic, resamples) } : goal;
  });
}

/** Severity groups by class, leaks by current (their names do not sort so), the others by name. */
function bySeverityOrder(a: Outcome, b: Outcome): number {
  const leak = (o: Outcome) => LEAK_GROUPS.findIndex((g) => o.severity === severityKey('line_ground', g));
  return FAULT_CLASSES.indexOf(a.fault) - FAULT_CLASSES.indexOf(b.fault) || leak(a) - leak(b) || a.severity.localeCompare(b.severity);
}

/** How many outcomes have each value of `key`, most first. */
const counts = (os: readonly Outcome[], key: (o: Outcome) => string): Record<string, number> =>
  Object.fromEntries([...groupBy(os, key)].map(([k, v]) => [k, v.length] as const).sort((a, b) => b[1] - a[1]));

/** Leaks of one blocking group: recall, and what they were called ('none': no alarm). */
export interface LeakRow extends RecallRow {
  calledAs: Record<string, number>;
}

/** The blocking groups, in order: by the share of a leak's acting daylight windows in which it blocked its string. */
export const BLOCKING_GROUPS = ['never blocked', 'blocked in under half its windows', 'blocked in half or more', 'blocked all day'] as const;

function blockingGroup(share: number): (typeof BLOCKING_GROUPS)[number] {
  return share === 0 ? BLOCKING_GROUPS[0] : share < 0.5 ? BLOCKING_GROUPS[1] : share < 1 ? BLOCKING_GROUPS[2] : BLOCKING_GROUPS[3];
}

/** Visible leaks whose blocking was judged, by blocking group: recall and what they were called. */
export function leakRows(outcomes: readonly Outcome[]): Record<string, LeakRow> {
  const leaks = outcomes.filter((o) => o.fault === 'line_ground' && o.visible && typeof o.blockedShare === 'number');
  return mapValues(groupBy(leaks, (o) => blockingGroup(o.blockedShare!), BLOCKING_GROUPS), (os) => ({
    ...recallRow(os),
    calledAs: counts(os, (o) => o.alarm ?? 'none'),
  }));
}

/** The draw bands, in order: by how hard a leak pulls on the modules under its node (blocking.ts leakDraw), upper bounds exclusive. */
export const LEAK_DRAW_GROUPS = [
  { name: 'under 0.5', below: 0.5 },
  { name: '0.5–1', below: 1 },
  { name: '1–2', below: 2 },
  { name: '2 or more', below: Infinity },
] as const;

/**
 * Visible leaks by draw band: recall and what they were called. Where a leak draws more
 * than the modules under its node make, their voltage sags: the string conducts with less
 * of it in bright light, as across a short, and is blocked in dim light (leakRows sets the
 * same leaks out by how much of their day they blocked it).
 */
export function leakDrawRows(outcomes: readonly Outcome[]): Record<string, LeakRow> {
  const leaks = outcomes.filter((o) => o.fault === 'line_ground' && o.visible && typeof o.leakDraw === 'number' && Number.isFinite(o.leakDraw));
  const band = (x: number) => LEAK_DRAW_GROUPS.find((g) => x < g.below)!.name;
  return mapValues(groupBy(leaks, (o) => band(o.leakDraw!), LEAK_DRAW_GROUPS.map((g) => g.name)), (os) => ({
    ...recallRow(os),
    calledAs: counts(os, (o) => o.alarm ?? 'none'),
  }));
}

/** Shadows of one loss group: recall, what they were called ('none': no alarm) and their skies. */
export interface ShadowRow extends LeakRow {
  skies: Record<string, number>;
}

/** The loss groups, in order: by the share of the array's power the shadow took (shadowLoss.ts), upper bounds exclusive. */
export const SHADOW_LOSS_GROUPS = [
  { name: 'under 2 %', below: 0.02 },
  { name: '2–5 %', below: 0.05 },
  { name: '5–10 %', below: 0.1 },
  { name: '10–20 %', below: 0.2 },
  { name: '20 % or more', below: Infinity },
] as const;

/** Visible shadows with a group (null: not judged), by group in `order`: recall, what they were called and under which skies. */
function shadowRowsBy(outcomes: readonly Outcome[], group: (o: Outcome) => string | null, order: readonly string[]): Record<string, ShadowRow> {
  const shadows = outcomes.filter((o) => o.fault === 'partial_shading' && o.visible && group(o) !== null);
  return mapValues(groupBy(shadows, (o) => group(o)!, order), (os) => ({ ...recallRow(os), calledAs: counts(os, (o) => o.alarm ?? 'none'), skies: counts(os, (o) => o.sky) }));
}

/** Visible shadows whose loss was judged, by loss group: recall, what they were called and under which skies. */
export function shadowRows(outcomes: readonly Outcome[]): Record<string, ShadowRow> {
  const group = (o: Outcome) => (typeof o.shadowLoss === 'number' ? SHADOW_LOSS_GROUPS.find((g) => o.shadowLoss! < g.below)!.name : null);
  return shadowRowsBy(outcomes, group, SHADOW_LOSS_GROUPS.map((g) => g.name));
}

/** The day-before groups, in order (Outcome.shadowDayBefore). */
export const SHADOW_DAY_BEFORE_GROUPS = ['named', 'missed', 'none'] as const;

/** Visible shadows by what the array's shadow did the day before: recall, what they were called and under which skies. */
export function shadowDayBeforeRows(outcomes: readonly Outcome[]): Record<string, ShadowRow> {
  return shadowRowsBy(outcomes, (o) => o.shadowDayBefore ?? null, SHADOW_DAY_BEFORE_GROUPS);
}

/** The evidence groups, in order: the share of its threshold partial_shading's evidence reached on the day (Outcome.shadowEvidence), lower bounds inclusive. */
export const SHADOW_EVIDENCE_GROUPS = [
  { name: 'reached', from: 1 },
  { name: '½ to 1', from: 0.5 },
  { name: '¼ to ½', from: 0.25 },
  { name: 'under ¼', from: -Infinity },
] as const;

/** Visible shadows whose day gave an evidence peak, by how far it came: recall, what they were called and under which skies. */
export function shadowEvidenceRows(outcomes: readonly Outcome[]): Record<string, ShadowRow> {
  const group = (o: Outcome) => (typeof o.shadowEvidence === 'number' ? SHADOW_EVIDENCE_GROUPS.find((g) => o.shadowEvidence! >= g.from)!.name : null);
  return shadowRowsBy(outcomes, group, SHADOW_EVIDENCE_GROUPS.map((g) => g.name));
}

/** own-baseline: judged against the device's own healthy days; fleet: no history yet (a plant's first day, or a fault from before any healthy day). */
const REFERENCES = ['own-baseline', 'fleet'];

/** The condition table: each kind in CONDITION_KINDS order (only those seen), then 'any'. */
export function conditionRows(outcomes: readonly Outcome[]): Record<string, ConditionRow> {
  const rows: Record<string, ConditionRow> = {};
  for (const kind of CONDITION_KINDS) {
    const with_ = outcomes.filter((o) => o.conditions?.includes(kind));
    if (with_.length) rows[kind] = groupRow(with_);
  }
  const any = outcomes.filter((o) => (o.conditions?.length ?? 0) > 0);
  if (any.length) rows.any = groupRow(any);
  return rows;
}

/** False alarms among the healthy device-days of a group, faults named among its visible faulty ones. */
function groupRow(os: readonly Outcome[]): ConditionRow {
  return { falseAlarms: falseAlarmRow(os.filter((o) => o.fault === 'normal')), faults: recallRow(os.filter((o) => o.fault !== 'normal' && o.visible)) };
}

/** Per held-out design: false alarms and named faults on its plant's device-days without a condition; 'default' beside them. */
export function designRows(outcomes: readonly Outcome[], ordinary: readonly Outcome[]): Record<string, DesignRow> {
  const designs = byDesign(outcomes, ordinary);
  if (designs.length === 1) return {};
  const row = (os: readonly Outcome[]): DesignRow => {
    const visible = os.filter((o) => o.fault !== 'normal' && o.visible);
    return { ...groupRow(os), byClass: mapValues(groupBy(visible, (o) => o.fault, FAULT_CLASSES), recallRow), bySeverity: mapValues(groupBy([...visible].sort(bySeverityOrder), (o) => o.severity), recallRow) };
  };
  return Object.fromEntries(designs.map(([name, os]) => [name, row(os)]));
}

/** The device-days each design's figures are over: 'default' (the ordinary ones) first, then each held-out design's plant without a condition. */
function byDesign(outcomes: readonly Outcome[], ordinary: readonly Outcome[]): [string, readonly Outcome[]][] {
  const names = [...new Set(outcomes.flatMap((o) => (o.design ? [o.design] : [])))];
  return [['default', ordinary], ...names.map((d): [string, readonly Outcome[]] => [d, outcomes.filter((o) => o.design === d && (o.conditions?.length ?? 0) === 0)])];
}

/**
 * The evaluation's summary. The goals and the tables by class, severity, sky and
 * reference are over the device-days on which no condition that is not a fault acted:
 * the eval's condition plants force theirs on every counted day, far above any field's
 * rate, so mixing them in would let the plan's share of such plants set the headline;
 * those device-days have their own section (byCondition) and the per-plant-day table.
 */
export function summarize(outcomes: readonly Outcome[], resamples = RESAMPLES): Summary {
  const populations = goalPopulations(outcomes);
  const { ordinary } = populations;
  const healthy = ordinary.filter((o) => o.fault === 'normal');
  const faulty = ordinary.filter((o) => o.fault !== 'normal');
  const visible = faulty.filter((o) => o.visible);
  const hidden = faulty.filter((o) => !o.visible);
  const skies = ['clear', 'broken', 'mostly_cloudy', 'overcast'];
  const calledAs = mapValues(
    groupBy(visible, (o) => o.fault, FAULT_CLASSES),
    (os) => Object.fromEntries([...groupBy(os, (o) => o.alarm ?? 'none')].map(([k, v]) => [k, v.length]).sort((a, b) => (b[1] as number) - (a[1] as number))),
  );
  const base = {
    counts: { deviceDays: outcomes.length, withCondition: outcomes.filter((o) => !o.design && (o.conditions?.length ?? 0) > 0).length, otherDesign: outcomes.filter((o) => o.design).length, healthy: healthy.length, faulty: faulty.length, visible: visible.length, notVisible: hidden.length, noDaylight: outcomes.filter((o) => o.daylightWindows === 0).length },
    falseAlarms: { overall: falseAlarmRow(healthy), bySky: mapValues(groupBy(healthy, (o) => o.sky, skies), falseAlarmRow), byReference: mapValues(groupBy(healthy, (o) => o.judgedAgainst, REFERENCES), falseAlarmRow), byPlantDay: mapValues(groupBy(outcomes.filter((o) => o.fault === 'normal'), (o) => o.plantDay), falseAlarmRow) },
    faults: {
      overall: recallRow(visible),
      byClass: mapValues(groupBy(visible, (o) => o.fault, FAULT_CLASSES), recallRow),
      bySeverity: mapValues(groupBy([...visible].sort(bySeverityOrder), (o) => o.severity), recallRow),
      bySky: mapValues(groupBy(visible, (o) => o.sky, skies), recallRow),
      byReference: mapValues(groupBy(visible, (o) => o.judgedAgainst, REFERENCES), recallRow),
      byBegan: mapValues(groupBy(visible.filter((o) => o.began), (o) => o.began!, ['earlier-day', 'overnight', 'in-daylight']), recallRow),
      byActing: mapValues(groupBy(visible, (o) => actingBand(o.actingWindows), ACTING_BANDS), recallRow),
    },
    byCondition: conditionRows(outcomes.filter((o) => !o.design)),
    byDesign: designRows(outcomes, ordinary),
    notVisible: { faulty: hidden.length, alarmed: hidden.filter((o) => o.alarm !== null).length, named: hidden.filter((o) => o.named).length },
    calledAs,
    leaksByBlocking: Object.fromEntries(
      byDesign(outcomes, ordinary)
        .map(([name, os]) => [name, leakRows(os)] as const)
        .filter(([, rows]) => Object.keys(rows).length > 0),
    ),
    leaksByDraw: Object.fromEntries(
      byDesign(outcomes, ordinary)
        .map(([name, os]) => [name, leakDrawRows(os)] as const)
        .filter(([, rows]) => Object.keys(rows).length > 0),
    ),
    shadowsByLoss: Object.fromEntries(
      byDesign(outcomes, ordinary)
        .map(([name, os]) => [name, shadowRows(os)] as const)
        .filter(([, rows]) => Object.keys(rows).length > 0),
    ),
    shadowsByDayBefore: Object.fromEntries(
      byDesign(outcomes, ordinary)
        .map(([name, os]) => [name, shadowDayBeforeRows(os)] as const)
        .filter(([, rows]) => Object.keys(rows).length > 0),
    ),
    shadowsByEvidence: Object.fromEntries(
      byDesign(outcomes, ordinary)
        .map(([name, os]) => [name, shadowEvidenceRows(os)] as const)
        .filter(([, rows]) => Object.keys(rows).length > 0),
    ),
  };
  return { ...base, goals: goalsOf(populations, resamples) };
}

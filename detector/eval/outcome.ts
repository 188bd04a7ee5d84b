/**
 * One device-day judged against the simulator's truth, with one definition of each
 * term wherever the project reports device-level figures:
 * - daylight windows: the windows the model classified (not skipped for low sun or
 *   missing data); daylight time is their union;
 * - a fault acts in a window when it acts on at least one of its 20-s slots, and is
 *   visible when it acts in at least two daylight windows;
 * - an alarm names a fault when its label is the fault's class, or a group
 *   (decision.ts ALARM_GROUPS) that lists the class and covers the fault's severity;
 *   own class: the label is the class itself;
 * - delay: daylight minutes from the onset, or for a fault that did not act in daylight
 *   at its onset (there before the first daylight window, or a shadow that reaches the
 *   array in the afternoon, an intermittent fault between its episodes) from the start
 *   of the first daylight window it acts in, to the time the alarm first named it (its
 *   raise time; 0 when raised before): no alarm can come before the readings show the
 *   fault. An alarm raised as a group that does not name the fault and named later
 *   (a two-stage alarm: namedAtMs) counts to when it named it.
 */
import { type FaultClass } from '../../contracts';
import { severityKey } from '../dataset';
import type { ConditionKind } from '../simulator/conditions';
import type { SkyType } from '../simulator/weather';
import type { Design } from '../../contracts/design';
import { DEFAULT_DESIGN } from '../simulator/plant';
import { dayBlockedShare, dayLeakDraw } from './blocking';
import { dayShadowLoss } from './shadowLoss';
import { ALARM_GROUPS, type Alarm, type EvidenceWindow } from './decision';
import type { DeviceDayRecord, DeviceDayTruth } from './records';

export interface Outcome {
  plantDay: string;
  deviceId: string;
  date: string;
  sky: SkyType;
  /** what the device-day was judged against: its own baseline, or (no history yet) the fleet */
  judgedAgainst: 'own-baseline' | 'fleet';
  fault: FaultClass;
  /** severityKey of the fault, 'normal' for a healthy device-day */
  severity: string;
  daylightWindows: number;
  actingWindows: number;
  visible: boolean;
  /** the alarm's label, null: no alarm */
  alarm: string | null;
  named: boolean;
  ownClass: boolean;
  /** daylight minutes to a naming alarm; null when not named */
  delayMin: number | null;
  /**
   * when the fault began, as the delay counts it: earlier-day when it began before the day
   * (its delay counts from the day's first daylight window; the alarm of the day before,
   * if any, is carried in: contracts/detector.json alarms.carry), overnight when it began
   * this day before the first daylight window (the delay counts from that window too),
   * in-daylight when it began (or first acted) later; null for a healthy day or a fault
   * with no daylight window it acts in. (Until 2026-12-03 earlier-day and overnight were one: at-first-light.)
   */
  began?: 'earlier-day' | 'overnight' | 'in-daylight' | null;
  /** conditions that are not faults acting in the day's daylight windows */
  conditions: ConditionKind[];
  /** a design plant's design name (npm run eval --designs), or a twin plant's group (plantDays.ts twinName: the default design on that plant's days); absent: the plan's default-design plants */
  design?: string;
  /** a leak to ground: the share of its acting daylight windows in which it blocked its string (blocking.ts), null when none could be judged; absent for other faults */
  blockedShare?: number | null;
  /** a leak to ground: the current it would draw at the maximum-power voltage of the modules under its node, in units of their maximum-power current (blocking.ts leakDraw; null: its severity has no count and resistance); absent for other faults and before 2026-12-06 */
  leakDraw?: number | null;
  /** a shadow: the share of the array's power it took, as the array's sensors saw it (shadowLoss.ts; null: not judged) */
  shadowLoss?: number | null;
  /**
   * a shadow: what the same array's shadow did the day before in the same plant's run, warm-up
   * days included (the simulator's obstacle stays, so the shadow comes back at about the same time
   * of day): named (the decision named it that day), missed (visible, not named), none (no visible
   * shadow that day, or no day before in the run); absent for other faults and before 2026-12-04
   */
  shadowDayBefore?: ShadowDayBefore;
  /**
   * a shadow: the highest partial_shading's evidence came that day, as a share of its threshold,
   * the day on its own (decision.ts DayPeaks: without the recurrence of the day before); null: the
   * decision gives none; absent for other faults and before 2026-12-07
   */
  shadowEvidence?: number | null;
}

export type ShadowDayBefore = 'named' | 'missed' | 'none';

/** What a shadow's previous day (an outcome of the same array, or none) says of it: Outcome.shadowDayBefore. */
export function shadowDayBefore(previous: Pick<Outcome, 'fault' | 'visible' | 'named'> | undefined): ShadowDayBefore {
  if (!previous || previous.fault !== 'partial_shading' || !previous.visible) return 'none';
  return previous.named ? 'named' : 'missed';
}

/** Daylight windows in which the fault acts. */
export function actingWindows(windows: readonly EvidenceWindow[], activeSlots: readonly number[]): number {
  return windows.reduce((n, w, i) => n + (!w.skipReason && activeSlots[i]! > 0 ? 1 : 0), 0);
}

/** Minutes of [fromMs, toMs) that fall in daylight windows. */
export function daylightMinutes(windows: readonly EvidenceWindow[], fromMs: number, toMs: number): number {
  let ms = 0;
  for (const w of windows) if (!w.skipReason) ms += Math.max(0, Math.min(w.endMs, toMs) - Math.max(w.startMs, fromMs));
  return ms / 60_000;
}

/**
 * Where the delay is counted from: the onset, or the start of the first daylight window
 * the fault acts in if that is later; null without a fault or a daylight window it acts in.
 * (Until 2026-12-03 the start of the first daylight window, acting or not: a shadow that
 * a post casts at 15:00 every day counted from the morning on its second day.)
 */
export function delayStartMs(windows: readonly EvidenceWindow[], onsetMs: number | null, activeSlots: readonly number[]): number | null {
  const first = windows.findIndex((w, i) => !w.skipReason && activeSlots[i]! > 0);
  return onsetMs === null || first < 0 ? null : Math.max(onsetMs, windows[first]!.startMs);
}

/**
 * When a fault began, as its delay is counted (`from`: delayStartMs): in-daylight when it began,
 * or first acted, after the day's first daylight window started; else earlier-day when its onset
 * is before the day's start (`dayStartMs`), overnight otherwise; null without a delay start.
 */
export function beganOf(windows: readonly EvidenceWindow[], onsetMs: number | null, from: number | null, dayStartMs: number): Outcome['began'] {
  if (from === null || onsetMs === null) return null;
  if (from > (windows.find((w) => !w.skipReason)?.startMs ?? -Infinity)) return 'in-daylight';
  return onsetMs < dayStartMs ? 'earlier-day' : 'overnight';
}

/** Whether an alarm names the fault (its class, or a group covering it) of an array of `design`. */
export function namesFault(alarm: Pick<Alarm, 'label'> | null, truth: Pick<DeviceDayTruth, 'fault' | 'severity'>, design: Design = DEFAULT_DESIGN, blocked: number | null = null): boolean {
  if (!alarm || truth.fault === 'normal') return false;
  if (alarm.label === truth.fault) return true;
  const group = ALARM_GROUPS.find((g) => g.name === alarm.label);
  return Boolean(group && group.candidates.includes(truth.fault) && group.covers(truth.fault, truth.severity, design, blocked));
}

/**
 * When an alarm first named the fault: its raise time, unless it was raised with a label
 * that does not name it (a two-stage alarm raised as a group: Alarm.raisedAs), then when
 * it got the label that does.
 */
export function namedAtMs(alarm: Pick<Alarm, 'raisedMs' | 'raisedAs'>, truth: Pick<DeviceDayTruth, 'fault' | 'severity'>, design: Design, blocked: number | null): number {
  return alarm.raisedAs && !namesFault(alarm.raisedAs, truth, design, blocked) ? alarm.raisedAs.labelledMs : alarm.raisedMs;
}

/** `alarm`: what the day's alarm named and when it was raised (null: none); `design`: the array's (default: the default design). */
export function outcomeOf(record: DeviceDayRecord, alarm: Pick<Alarm, 'label' | 'raisedMs' | 'raisedAs'> | null, design: Design = DEFAULT_DESIGN): Outcome {
  const { evidence, truth } = record;
  const daylight = evidence.windows.filter((w) => !w.skipReason).length;
  const acting = actingWindows(evidence.windows, truth.activeSlots);
  // a leak's day: how much of it the leak blocked its string (a blocked string is what the group names)
  const blocked = dayBlockedShare(record, design);
  const named = namesFault(alarm, truth, design, blocked);
  const from = delayStartMs(evidence.windows, truth.onsetMs, truth.activeSlots);
  return {
    plantDay: record.plantDay,
    deviceId: evidence.deviceId,
    date: evidence.date,
    sky: truth.sky,
    judgedAgainst: evidence.baselineDays > 0 ? 'own-baseline' : 'fleet',
    fault: truth.fault,
    severity: truth.fault === 'normal' ? 'normal' : severityKey(truth.fault, truth.severityGroup),
    daylightWindows: daylight,
    actingWindows: acting,
    visible: truth.fault !== 'normal' && acting >= 2,
    alarm: alarm?.label ?? null,
    named,
    ownClass: Boolean(alarm && truth.fault !== 'normal' && alarm.label === truth.fault),
    delayMin: named && from !== null ? daylightMinutes(evidence.windows, from, namedAtMs(alarm!, truth, design, blocked)) : null,
    began: beganOf(evidence.windows, truth.onsetMs, from, evidence.windows[0]?.startMs ?? -Infinity),
    conditions: truth.conditions ?? [],
    ...(truth.fault === 'line_ground' ? { blockedShare: blocked, leakDraw: dayLeakDraw(record, design) } : {}),
    ...(truth.fault === 'partial_shading' ? { shadowLoss: dayShadowLoss(record, design) } : {}),
  };
}

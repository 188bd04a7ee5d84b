/**
 * A device-day's alarm from its windows' class probabilities: the sequential
 * decision of contracts/detector.json (alarms). Evidence for each fault class, and
 * for each group of classes the four channels cannot tell apart, accumulates window
 * by window as a CUSUM of clipped log-ratios against its strongest rival (normal or
 * another class: against normal alone, every fault label gathers evidence whenever
 * normal is unlikely, and the lowest threshold, not the likeliest class, won); the first
 * label whose evidence reaches its threshold raises the day's alarm. A shadow of two
 * hours or a fault that starts in the afternoon is raised as soon as its evidence
 * suffices, which a share of the day's windows never could be.
 */
import { addDays, DETECTOR_CONTRACT, FAULT_CLASSES, type FaultClass } from '../contracts';
import { WINDOW_MS } from './windows';

const SPEC = DETECTOR_CONTRACT.alarms;
export type AlarmGroup = keyof typeof SPEC.groups;
/** What an alarm names: one fault class, or a group of classes it cannot tell apart. */
export type AlarmLabel = Exclude<FaultClass, 'normal'> | AlarmGroup;

export const ALARM_GROUPS = Object.keys(SPEC.groups) as AlarmGroup[];
/** The labels in the contract's order: the fault classes, then the groups. */
export const ALARM_LABELS: readonly AlarmLabel[] = [...(FAULT_CLASSES.filter((c) => c !== 'normal') as Exclude<FaultClass, 'normal'>[]), ...ALARM_GROUPS];

/** The classes an alarm label stands for: itself, or the group's members. */
export function alarmCandidates(label: AlarmLabel): FaultClass[] {
  return label in SPEC.groups ? [...SPEC.groups[label as AlarmGroup].members] : [label as FaultClass];
}

/** Evidence thresholds per label (alarms.json, calibrated with the model). */
export type AlarmThresholds = Readonly<Record<AlarmLabel, number>>;

export interface Alarm {
  label: AlarmLabel;
  /** start of the first window of the evidence run that raised it (epoch ms) */
  onsetMs: number;
  /** end of the window whose evidence crossed the threshold (epoch ms) */
  raisedMs: number;
  /** mean probability of the label over the windows from onset to the alarm */
  confidence: number;
  /** the label's evidence when it crossed */
  evidence: number;
  /** predicted windows from onset to the alarm */
  windows: number;
  /**
   * whether it continues the alarm carried in from the day before (alarms.carry): the
   * carried label, raised again with its evidence run unbroken since the day began.
   * Such an alarm is open since that one was (alarmSince).
   */
  continues: boolean;
  /**
   * a two-stage alarm (decideAlarm with raise thresholds) raised as a group before the
   * day's decision gave it another label: the group it was raised as; absent when it was
   * raised with its label
   */
  raisedAs?: AlarmGroup;
  /**
   * when the day's decision named the alarm's label (the end of the window whose evidence
   * crossed that label's threshold): raisedMs for an alarm raised with its label, later for
   * one raised early as its group, null for a group raised early that the day's decision
   * never named (its label is the group's, from the raise alone). A stream publishes a
   * batch-equal alarm once this is known, or the day is over.
   */
  labelledMs: number | null;
}

/**
 * Per group, the evidence at which a two-stage alarm raises it (alarms.json raise, at most
 * the group's threshold; alarmCalibration.ts calibrateRaise). A group without one is raised
 * at its threshold only.
 */
export type RaiseThresholds = Readonly<Partial<Record<AlarmGroup, number>>>;

/** alarms.json raise: per threshold set (THRESHOLD_SETS), each group's raise threshold. */
export type RaiseThresholdSets = Readonly<Record<(typeof THRESHOLD_SETS)[number], Readonly<Record<AlarmGroup, number>>>>;

/** The windows a device-day predicted, in time order, and their probabilities (FAULT_CLASSES order, row-major). */
export interface PredictedWindows {
  startMs: ArrayLike<number>;
  endMs: ArrayLike<number>;
  probs: Float32Array;
  /** each window's measured means (gold_window meanVoltage, meanCurrent, meanTemperature, meanIrradiance: WINDOW_MEANS per window), when known: what the plant's conditions are told by */
  means?: Float64Array;
}

/** The window means a predicted window carries, in this order (gold_window columns). */
export const WINDOW_MEAN_COLUMNS = ['meanVoltage', 'meanCurrent', 'meanTemperature', 'meanIrradiance'] as const;
export const WINDOW_MEANS = WINDOW_MEAN_COLUMNS.length;

/** Checks a thresholds object: every label, each a positive finite number; names what is wrong. */
export function checkThresholds(t: unknown, where: string): AlarmThresholds {
  if (typeof t !== 'object' || t === null) throw new Error(`${where}: thresholds must be an object of ${ALARM_LABELS.join(', ')}`);
  const r = t as Record<string, unknown>;
  for (const label of ALARM_LABELS) {
    const v = r[label];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${where}: thresholds.${label} must be a positive number, got ${JSON.stringify(v)}`);
  }
  for (const k of Object.keys(r)) if (!(ALARM_LABELS as readonly string[]).includes(k)) throw new Error(`${where}: thresholds.${k} is not an alarm label (${ALARM_LABELS.join(', ')})`);
  return r as AlarmThresholds;
}

/**
 * alarms.json's thresholds: `own` for a device judged against its own baseline,
 * `fleet` for one without history yet, judged as the model was trained (against the
 * fleet): its calibration bias is not removed, so it needs more evidence.
 */
export interface AlarmThresholdSets {
  own: AlarmThresholds;
  fleet: AlarmThresholds;
}

export const THRESHOLD_SETS = ['own', 'fleet'] as const;

/** Checks alarms.json's thresholds: both sets, each complete (checkThresholds); names what is wrong. */
export function checkThresholdSets(t: unknown, where: string): AlarmThresholdSets {
  if (typeof t !== 'object' || t === null) throw new Error(`${where}: thresholds must be an object with ${THRESHOLD_SETS.join(' and ')}`);
  const r = t as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!(THRESHOLD_SETS as readonly string[]).includes(k)) throw new Error(`${where}: thresholds.${k} is not a threshold set (${THRESHOLD_SETS.join(', ')})`);
  return { own: checkThresholds(r.own, `${where} thresholds.own`), fleet: checkThresholds(r.fleet, `${where} thresholds.fleet`) };
}

/** The set a device-day is decided with (of thresholds, or of raise thresholds): its own baseline's when it has history, else the fleet's. */
export function thresholdsFor<T>(sets: { readonly own: T; readonly fleet: T }, baselineDays: number): T {
  return baselineDays > 0 ? sets.own : sets.fleet;
}

/** What a device-day's alarm is decided with (decideAlarm): its reference's thresholds, and the same set's raise thresholds for the second stage (null: one stage). */
export interface AlarmRule {
  readonly thresholds: AlarmThresholds;
  readonly raise: RaiseThresholds | null;
}

/** The rule of a device-day judged with `baselineDays` of history: both parts from the same set (thresholdsFor). */
export function ruleFor(sets: AlarmThresholdSets, raise: RaiseThresholdSets | null, baselineDays: number): AlarmRule {
  return { thresholds: thresholdsFor(sets, baselineDays), raise: raise && thresholdsFor(raise, baselineDays) };
}

/** Checks raise thresholds against the thresholds: every group of every set, a positive number no higher than the group's threshold; names what is wrong. */
export function checkRaise(raise: unknown, thresholds: AlarmThresholdSets, where: string): RaiseThresholdSets {
  if (typeof raise !== 'object' || raise === null) throw new Error(`${where} has no raise thresholds (calibrated before 2026-12-04); run npm run calibrate`);
  const r = raise as Record<string, Record<string, unknown> | undefined>;
  for (const set of THRESHOLD_SETS) {
    for (const g of ALARM_GROUPS) {
      const v = r[set]?.[g];
      if (typeof v !== 'number' || !(v > 0) || v > thresholds[set][g]) throw new Error(`${where}: raise.${set}.${g} must be a positive number no higher than thresholds.${set}.${g} (${thresholds[set][g]}), got ${JSON.stringify(v)}`);
    }
  }
  return raise as RaiseThresholdSets;
}

const K = FAULT_CLASSES.length;
/** per label, the class indices whose probabilities it sums */
const MEMBERS: readonly number[][] = ALARM_LABELS.map((l) => alarmCandidates(l).map((c) => FAULT_CLASSES.indexOf(c)));

/**
 * alarms.rivalWeights checked: per label listed, the weight each listed rival's probability
 * counts at. A key that is not an alarm label, a class that is not the label's rival, or a
 * weight outside (0, 1] is named: a typo would otherwise leave the rule silently as without it.
 */
export function checkRivalWeights(spec: unknown, where = 'contracts/detector.json alarms.rivalWeights'): ReadonlyMap<AlarmLabel, ReadonlyMap<FaultClass, number>> {
  if (typeof spec !== 'object' || spec === null) throw new Error(`${where} must be an object of alarm labels`);
  const weights = new Map<AlarmLabel, ReadonlyMap<FaultClass, number>>();
  for (const [label, rivals] of Object.entries(spec as Record<string, unknown>)) {
    if (label === 'doc') continue;
    if (!(ALARM_LABELS as readonly string[]).includes(label)) throw new Error(`${where}.${label} is not an alarm label (${ALARM_LABELS.join(', ')})`);
    if (typeof rivals !== 'object' || rivals === null) throw new Error(`${where}.${label} must be an object of classes and weights`);
    const own = alarmCandidates(label as AlarmLabel);
    const byClass = new Map<FaultClass, number>();
    for (const [c, w] of Object.entries(rivals as Record<string, unknown>)) {
      if (!(FAULT_CLASSES as readonly string[]).includes(c) || own.includes(c as FaultClass)) throw new Error(`${where}.${label}.${c} is not a rival of ${label} (normal or a class it does not stand for)`);
      if (typeof w !== 'number' || !(w > 0 && w <= 1)) throw new Error(`${where}.${label}.${c} must be a weight in (0, 1], got ${JSON.stringify(w)}`);
      byClass.set(c as FaultClass, w);
    }
    weights.set(label as AlarmLabel, byClass);
  }
  return weights;
}

/** contracts/detector.json alarms.rivalWeights, checked once */
export const RIVAL_WEIGHTS = checkRivalWeights(SPEC.rivalWeights);
/** per label, the classes it must beat (normal and every class it does not stand for), each with the weight its probability counts at (alarms.rivalWeights, else 1) */
const RIVALS: readonly (readonly [number, number])[][] = MEMBERS.map((m, l) =>
  FAULT_CLASSES.flatMap((c, i) => (m.includes(i) ? [] : [[i, RIVAL_WEIGHTS.get(ALARM_LABELS[l]!)?.get(c) ?? 1] as const])),
);
const IS_CLASS: readonly boolean[] = ALARM_LABELS.map((l) => !(l in SPEC.groups));
/** per label, the label indices of the classes it stands for (a group's members; a class itself) */
const MEMBER_LABELS: readonly number[][] = ALARM_LABELS.map((l) => alarmCandidates(l).map((c) => ALARM_LABELS.indexOf(c as AlarmLabel)));

/** The probability a label gets in window w. */
function labelProbability(probs: Float32Array, w: number, l: number): number {
  let p = 0;
  for (const c of MEMBERS[l]!) p += probs[w * K + c]!;
  return p;
}

/** The window's clipped score for a label: ln((p_L + ε) / (p_rival + ε)), its strongest rival being normal or a class it does not stand for, each at its weight (alarms.rivalWeights). */
export function windowScore(probs: Float32Array, w: number, l: number): number {
  let rival = 0;
  for (const [c, weight] of RIVALS[l]!) rival = Math.max(rival, weight * probs[w * K + c]!);
  const s = Math.log((labelProbability(probs, w, l) + SPEC.epsilon) / (rival + SPEC.epsilon));
  return Math.max(-SPEC.scoreClip, Math.min(SPEC.scoreClip, s));
}

/** per label, the group whose reading keeps it when carried (alarms.carry keptByGroup: the group that lists a class among its members); -1: none */
const KEPT_BY: readonly number[] = ALARM_LABELS.map((_, l) => (SPEC.carry.keptByGroup && IS_CLASS[l] ? MEMBER_LABELS.findIndex((m, g) => !IS_CLASS[g] && m.includes(l)) : -1));

/**
 * A carried label's score in window w while its run carried in is unbroken (alarms.carry
 * keptByGroup): a window that reads the label's group (its group's score not negative)
 * does not drain it, the way a leak's string reads blocked at dawn before the leak is
 * read; elsewhere its windowScore.
 */
function carriedScore(probs: Float32Array, w: number, l: number): number {
  const score = windowScore(probs, w, l);
  const g = KEPT_BY[l]!;
  return score < 0 && g >= 0 && windowScore(probs, w, g) >= 0 ? 0 : score;
}

/**
 * At one window where labels a and b (indices in ALARM_LABELS) both reached their
 * thresholds, with evidence ÷ threshold ra and rb: whether a raises the alarm rather
 * than b. A class wins over a group, then the larger ratio; an equal one keeps b (met
 * first in label order, the lower index). The decision and its calibration both rank so.
 */
export function outranks(a: number, ra: number, b: number, rb: number): boolean {
  return (IS_CLASS[a]! && !IS_CLASS[b]) || (IS_CLASS[a] === IS_CLASS[b] && ra > rb);
}

const NORMAL = FAULT_CLASSES.indexOf('normal');

/**
 * How many devices predicted a window slot, how many of them departed from normal
 * there, and the sums of their window means (WINDOW_MEAN_COLUMNS order) over the
 * `measured` devices whose windows carried them.
 */
export interface PlantSlot {
  devices: number;
  offNormal: number;
  measured: number;
  sums: [number, number, number, number];
}

/**
 * Counts a plant-day's devices per window slot (the window's start, shared by every
 * device of the plant-day): those that predicted it, and those whose normal probability
 * there is below the plant gate's normalBelow. Add devices one at a time (a predict job
 * streams them), then ask plantEvents.
 */
export class PlantSlots {
  readonly slots = new Map<number, PlantSlot>();

  add(windows: PredictedWindows): this {
    const n = windows.startMs.length;
    for (let w = 0; w < n; w++) {
      const start = windows.startMs[w]!;
      let slot = this.slots.get(start);
      if (!slot) this.slots.set(start, (slot = { devices: 0, offNormal: 0, measured: 0, sums: [0, 0, 0, 0] }));
      slot.devices++;
      if (windows.probs[w * K + NORMAL]! < SPEC.plantGate.normalBelow) slot.offNormal++;
      const means = windows.means;
      if (means && WINDOW_MEAN_COLUMNS.every((_, c) => Number.isFinite(means[w * WINDOW_MEANS + c]))) {
        slot.measured++;
        for (let c = 0; c < WINDOW_MEANS; c++) slot.sums[c]! += means[w * WINDOW_MEANS + c]!;
      }
    }
    return this;
  }

  /**
   * The plant events: slots that enough devices predicted (minDevices) and where at
   * least minShare of them departed from normal at once — snow, frost, curtailment,
   * clipping — which no array's own fault does to the whole plant, spread to their
   * neighbouring slots (in start order) while extendShare of the plant is off normal
   * there (contracts/detector.json alarms.plantGate). Their windows add nothing to any
   * device's evidence.
   */
  plantEvents(): Set<number> {
    const g = SPEC.plantGate;
    const starts = [...this.slots.keys()].sort((a, b) => a - b);
    const share = (i: number, least: number) => {
      const s = this.slots.get(starts[i]!)!;
      return s.devices >= g.minDevices && s.offNormal >= least * s.devices;
    };
    const event = starts.map((_, i) => share(i, g.minShare));
    // an event spreads to its neighbours while at least extendShare of the plant is off normal there: a condition's edges
    const queue = event.flatMap((e, i) => (e ? [i] : []));
    while (queue.length) {
      const i = queue.pop()!;
      for (const j of [i - 1, i + 1]) {
        if (j < 0 || j >= starts.length || event[j] || !share(j, g.extendShare)) continue;
        event[j] = true;
        queue.push(j);
      }
    }
    return new Set(starts.filter((_, i) => event[i]));
  }
}

const NO_EVENTS: ReadonlySet<number> = new Set();

/** Whether a day's verdict (gold_daily verdict, device_baseline dayVerdict) is an alarm label. */
export function isAlarmLabel(verdict: string | null | undefined): verdict is AlarmLabel {
  return typeof verdict === 'string' && (ALARM_LABELS as readonly string[]).includes(verdict);
}

/**
 * The alarm a device carries into `date` (contracts/detector.json alarms.carry): its
 * verdict of the day before when that is an alarm label that still stood at that day's
 * end (`dayAlarmStanding` ≥ carry.minStanding), read from the baseline row of
 * `baselineDate` — only when that table is of the day before; else null.
 */
export function carriedAlarm(row: { dayVerdict: string | null; dayAlarmStanding: number | null } | undefined, baselineDate: string | null, date: string): AlarmLabel | null {
  return row && baselineDate !== null && baselineDate === addDays(date, -1) ? passedOn(row.dayVerdict, row.dayAlarmStanding) : null;
}

/** The alarm a day passes on to the next (alarms.carry): its verdict when that is an alarm label standing at least minStanding at the day's end; else null. */
export function passedOn(verdict: string | null | undefined, standing: number | null | undefined): AlarmLabel | null {
  return isAlarmLabel(verdict) && typeof standing === 'number' && standing >= SPEC.carry.minStanding ? verdict : null;
}

/**
 * A label the day re-arms, and the span of window starts in which (contracts/detector.json
 * alarms.recur): its evidence is raised to recur.share × its threshold before each such
 * window's score is added.
 */
export interface Recurrence {
  label: AlarmLabel;
  fromMs: number;
  toMs: number;
}

const DAY_MS = 86_400_000;
const RECUR_LABELS: readonly string[] = SPEC.recur.labels;
const ANY_TIME_LABELS: readonly string[] = SPEC.recur.anyTime;

/**
 * The recurrence a day's alarm leaves the next day (alarms.recur): for an alarm whose label
 * recurs by the clock (a shadow), the span from a window before its onset to a window
 * after its raise, 24 h later; for one that recurs at any time (an arc), from its raise to
 * 48 h after it, which holds every window of the next day; else null (no alarm, another
 * label, or times not known).
 */
export function recurrenceAfter(label: string | null | undefined, onsetMs: number | null | undefined, raisedMs: number | null | undefined): Recurrence | null {
  if (!isAlarmLabel(label) || !Number.isFinite(onsetMs) || !Number.isFinite(raisedMs)) return null;
  if (ANY_TIME_LABELS.includes(label)) return { label, fromMs: raisedMs!, toMs: raisedMs! + 2 * DAY_MS };
  if (!RECUR_LABELS.includes(label)) return null;
  return { label, fromMs: onsetMs! + DAY_MS - SPEC.recur.windowsBefore * WINDOW_MS, toMs: raisedMs! + DAY_MS + SPEC.recur.windowsAfter * WINDOW_MS };
}

/**
 * The recurrence a device has on `date` (alarms.recur) from its baseline row of
 * `baselineDate` (dayVerdict, dayAlarmOnsetMs, dayAlarmRaisedMs: its alarm of that day),
 * only when that table is of the day before; else null. A row of a partition written
 * before the tables contract's version 11 has no alarm times: nothing recurs from it.
 */
export function recurringAlarm(row: { dayVerdict: string | null; dayAlarmOnsetMs?: number | null; dayAlarmRaisedMs?: number | null } | undefined, baselineDate: string | null, date: string): Recurrence | null {
  return row && baselineDate !== null && baselineDate === addDays(date, -1) ? recurrenceAfter(row.dayVerdict, row.dayAlarmOnsetMs, row.dayAlarmRaisedMs) : null;
}

/**
 * Since when the array has been alarmed for the fault of a day's alarm (gold_daily
 * alarmSinceMs): the alarm's own onset, or, when it continues the alarm carried in,
 * since when that one was open (`carriedSinceMs`, the day before's dayAlarmSinceMs; null
 * when that day did not record it). Null without an alarm.
 */
export function alarmSince(alarm: Pick<Alarm, 'onsetMs' | 'continues'> | null, carriedSinceMs: number | null): number | null {
  if (!alarm) return null;
  return alarm.continues ? carriedSinceMs : alarm.onsetMs;
}

/**
 * How an alarm of `label` stood at the end of its day (device_baseline dayAlarmStanding):
 * the label's evidence at the last predicted window as the decision carries it (the plant
 * gate's windows set aside), ÷ its threshold. From 0, or, when `label` is the label the
 * day carried in (`carried`, carriedAlarm), from alarms.carry.share × its threshold with
 * its carried run's windows scored as the decision scores them (carriedScore): a fault
 * carried in keeps what it carried until windows that read otherwise drain it, so a
 * subtle fault named one day by the carry is not dropped the next because the day alone
 * did not reach its threshold again (alarms.carry).
 */
export function alarmStanding(windows: PredictedWindows, thresholds: AlarmThresholds, label: AlarmLabel, plantEvents: ReadonlySet<number> = NO_EVENTS, carried: AlarmLabel | null = null): number {
  const l = ALARM_LABELS.indexOf(label);
  if (l < 0) throw new Error(`alarmStanding: ${JSON.stringify(label)} is not an alarm label (${ALARM_LABELS.join(', ')})`);
  // the label's own CUSUM, as the decision runs it: from what it carried in while its carried run is unbroken
  let kept = carried === label && SPEC.carry.share > 0;
  let s = kept ? SPEC.carry.share * thresholds[label] : 0;
  for (let w = 0; w < windows.startMs.length; w++) {
    if (plantEvents.has(windows.startMs[w]!)) continue;
    s = Math.max(0, s + (kept ? carriedScore(windows.probs, w, l) : windowScore(windows.probs, w, l)));
    if (s === 0) kept = false;
  }
  return s / thresholds[label];
}

/**
 * The day's evidence per label after each window (for calibration and plots):
 * evidence[w * labels + l]; a window the plant gate set aside leaves it as it was.
 */
export function evidenceTrace(windows: PredictedWindows, plantEvents: ReadonlySet<number> = NO_EVENTS): Float64Array {
  const n = windows.startMs.length;
  const L = ALARM_LABELS.length;
  const out = new Float64Array(n * L);
  const s = new Float64Array(L);
  for (let w = 0; w < n; w++) {
    const gated = plantEvents.has(windows.startMs[w]!);
    for (let l = 0; l < L; l++) {
      if (!gated) s[l] = Math.max(0, s[l]! + windowScore(windows.probs, w, l));
      out[w * L + l] = s[l]!;
    }
  }
  return out;
}

/**
 * The device-day's alarm, or null when no label's evidence reaches its threshold.
 * `plantEvents`: the window starts the plant gate set aside (PlantSlots.plantEvents):
 * they add nothing, as if the model had not seen them, and do not break an evidence run.
 * `carried`: the label of the device's alarm the day before, when it is carried
 * (carriedAlarm): its evidence starts the day at alarms.carry.share × its threshold, its
 * run at the day's first window, and while that run is unbroken a window that reads its
 * group keeps it (carriedScore, alarms.carry keptByGroup). `raise`: the raise thresholds of the second stage
 * (raisedEarly; the product's decision, with alarms.json raise); null: the decision alone,
 * one stage (what calibration chooses the thresholds with). `recurring`: the label the day
 * re-arms in the span of its alarm the day before (recurringAlarm, alarms.recur); null: none.
 * `shortBlocks`: the device's design blocks a string with one module shorted (oneShortBlocks
 * of its registry row): a line_line alarm is then its group's (alarms.designGroups).
 */
export function decideAlarm(windows: PredictedWindows, thresholds: AlarmThresholds, plantEvents: ReadonlySet<number> = NO_EVENTS, carried: AlarmLabel | null = null, raise: RaiseThresholds | null = null, recurring: Recurrence | null = null, shortBlocks = false): Alarm | null {
  const named = decideNamed(windows, thresholds, plantEvents, carried, recurring);
  const alarm = raise ? raisedEarly(windows, plantEvents, named, raise) : named;
  return alarm && shortBlocks ? asDesignReadsIt(alarm) : alarm;
}

/**
 * Whether a short of a single module leaves a string less open-circuit voltage than the
 * array's maximum-power voltage at STC, from the device's registry row (modulesPerString,
 * vocStcV, vmpStcV): then every line-line short blocks its string (contracts/detector.json
 * alarms.designGroups). False when not known (a registry row written before tables contract
 * 13, or none: the default design, whose one-module short conducts).
 */
export function oneShortBlocks(ref: DesignVoltages): boolean {
  return shortOfBlocks(1, ref);
}

/** What the alarm reads of a design from its registry row: modules in series, and the array's open-circuit and maximum-power voltages at STC. */
export type DesignVoltages = { modulesPerString: number | null; vocStcV: number | null; vmpStcV: number };

/**
 * Whether a short across `count` of a string's modules blocks it: the n − count modules left
 * make less open-circuit voltage than the array's n modules at their maximum power point at
 * STC, (n − count) / n × vocStcV < vmpStcV. False when not known.
 */
export function shortOfBlocks(count: number, ref: DesignVoltages): boolean {
  const n = ref.modulesPerString;
  return n !== null && ref.vocStcV !== null && n > count && ((n - count) / n) * ref.vocStcV < ref.vmpStcV;
}

const DESIGN_GROUP_OF = new Map(SPEC.designGroups.classes.map((c) => [c as AlarmLabel, ALARM_GROUPS.find((g) => alarmCandidates(g).includes(c as FaultClass))!]));

/**
 * The alarm as a design on which a short of one module blocks its string reads it
 * (contracts/detector.json alarms.designGroups): a class listed there has no form of its
 * own on it, so its alarm is its group's, raised when it was. A group raised first and
 * named by the class later is the group's from its raise (no raisedAs), settled when the
 * class crossed (labelledMs kept: the moment the day's decision settled the label, which a
 * stream waits for).
 */
function asDesignReadsIt(alarm: Alarm): Alarm {
  const group = DESIGN_GROUP_OF.get(alarm.label);
  if (!group) return alarm;
  const { raisedAs: _group, ...rest } = alarm;
  return { ...rest, label: group };
}

/** The non-gated predicted windows that lie within [fromMs, toMs]. */
function windowsWithin(windows: PredictedWindows, plantEvents: ReadonlySet<number>, fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let v = 0; v < windows.startMs.length; v++) if (!plantEvents.has(windows.startMs[v]!) && windows.startMs[v]! >= fromMs && windows.endMs[v]! <= toMs) out.push(v);
  return out;
}

const RUN = SPEC.raise.run;

/**
 * The window at whose end label l's score has been at least alarms.raise run.minScore in
 * run.windows consecutive predicted windows for the first time, or -1: the second stage's run
 * (a window the plant gate set aside neither extends nor breaks it).
 */
export function runCompleted(windows: PredictedWindows, plantEvents: ReadonlySet<number>, l: number): number {
  let run = 0;
  for (let w = 0; w < windows.startMs.length; w++) {
    if (plantEvents.has(windows.startMs[w]!)) continue;
    run = windowScore(windows.probs, w, l) >= RUN.minScore ? run + 1 : 0;
    if (run >= RUN.windows) return w;
  }
  return -1;
}

const STEP = SPEC.raise.step;

/**
 * The window at whose end label l is raised by a step (alarms.raise step), or -1: the first
 * predicted window (the plant gate's set aside) whose mean current per mean irradiance is at most
 * step.maxRatio times the median of the same over the day's up to step.previousWindows previous
 * predicted windows of at least step.minIrradianceWm2 (the upper middle value of an even count),
 * the window itself that bright, and in which l scores at least step.minScore. Why a step: a
 * string that stops conducting takes a third of the array's current at once, where a healthy
 * array's current per irradiance holds within a few per cent of its level of the hour before; the
 * window model alone needs three windows of it to be sure (the run), the step tells it in one.
 * Windows without their means (a device-day decided from probabilities alone) never step.
 */
export function stepCompleted(windows: PredictedWindows, plantEvents: ReadonlySet<number>, l: number): number {
  const m = windows.means;
  if (!m) return -1;
  const previous: number[] = [];
  for (let w = 0; w < windows.startMs.length; w++) {
    if (plantEvents.has(windows.startMs[w]!)) continue;
    const current = m[w * WINDOW_MEANS + 1]!;
    const irradiance = m[w * WINDOW_MEANS + 3]!;
    // a mean not known (NaN) neither raises nor counts
    if (Number.isNaN(current) || !(irradiance >= STEP.minIrradianceWm2)) continue;
    const ratio = current / irradiance;
    if (previous.length > 0) {
      const sorted = [...previous].sort((a, b) => a - b);
      if (ratio <= STEP.maxRatio * sorted[sorted.length >> 1]! && windowScore(windows.probs, w, l) >= STEP.minScore) return w;
    }
    previous.push(ratio);
    if (previous.length > STEP.previousWindows) previous.shift();
  }
  return -1;
}

/** The window at whose end the second stage raises label l by a rule of the contract rather than at its raise threshold: the earlier of its run (runCompleted) and its step (stepCompleted); -1: neither. */
export function raisedByRule(windows: PredictedWindows, plantEvents: ReadonlySet<number>, l: number): number {
  const run = runCompleted(windows, plantEvents, l);
  const step = stepCompleted(windows, plantEvents, l);
  return run < 0 ? step : step < 0 ? run : Math.min(run, step);
}

/**
 * The second stage of a two-stage alarm: the first window at which a group's evidence (the
 * day counted on its own, evidenceTrace) reaches its raise threshold, or that completes a run
 * of windows reading clearly as the group (runCompleted), or in which the array's current per
 * irradiance falls at once while the window reads clearly as the group (stepCompleted), raises the day's alarm when the
 * decision (`named`) has not raised one by then. The alarm keeps the decision's
 * label, onset (or the group's run's, if earlier), confidence and evidence (the label's at
 * its own crossing), with the earlier raise; when the decision raised nothing all day, it
 * is the group's, from its run. Why: a new blocked string reads as all of string_blocked's
 * members at once, so the group's evidence grows at full score from its first window, but
 * the threshold that keeps its false alarms within budget (healthy arrays whose low current
 * reads a little like a leak feed it) takes nine such windows; raised early and labelled by
 * the day's decision, the group no longer takes a fault from the class that names it.
 */
function raisedEarly(windows: PredictedWindows, plantEvents: ReadonlySet<number>, named: Alarm | null, raise: RaiseThresholds): Alarm | null {
  const L = ALARM_LABELS.length;
  const trace = evidenceTrace(windows, plantEvents);
  const n = windows.startMs.length;
  const raised = ALARM_GROUPS.flatMap((group) => {
    const l = ALARM_LABELS.indexOf(group);
    return raise[group] === undefined ? [] : [{ group, l, r: raise[group]!, ruleAt: raisedByRule(windows, plantEvents, l) }];
  });
  for (let w = 0; w < n; w++) {
    if (named && named.raisedMs <= windows.endMs[w]!) return named;
    for (const { group, l, r, ruleAt } of raised) {
      // at its raise threshold, or at the end of a run of windows that read clearly as the group (alarms.raise run), or at a step (alarms.raise step)
      if (trace[w * L + l]! < r && w !== ruleAt) continue;
      // the group's run: back to the window after the last one it stood at 0
      let from = w;
      while (from > 0 && trace[(from - 1) * L + l]! > 0) from--;
      const raisedMs = windows.endMs[w]!;
      if (named) {
        const onsetMs = Math.min(named.onsetMs, windows.startMs[from]!);
        const relabelled = named.label === group ? {} : { raisedAs: group };
        return { ...named, onsetMs, raisedMs, windows: windowsWithin(windows, plantEvents, onsetMs, raisedMs).length, ...relabelled, labelledMs: named.labelledMs ?? named.raisedMs };
      }
      const run = windowsWithin(windows, plantEvents, windows.startMs[from]!, raisedMs);
      const confidence = run.reduce((sum, v) => sum + labelProbability(windows.probs, v, l), 0) / run.length;
      return { label: group, onsetMs: windows.startMs[from]!, raisedMs, confidence, evidence: trace[w * L + l]!, windows: run.length, continues: false, labelledMs: null };
    }
  }
  return named;
}

/** The decision's alarm (one stage): the first label whose evidence reaches its threshold; a group's may be named later that day by a member class read clearly (alarms.groupLabel). */
function decideNamed(windows: PredictedWindows, thresholds: AlarmThresholds, plantEvents: ReadonlySet<number>, carried: AlarmLabel | null, recurring: Recurrence | null): Alarm | null {
  const n = windows.startMs.length;
  if (windows.endMs.length !== n || windows.probs.length !== n * K) throw new Error(`decideAlarm: ${n} window starts, ${windows.endMs.length} ends and ${windows.probs.length / K} probability rows`);
  const L = ALARM_LABELS.length;
  const s = new Float64Array(L);
  /** the window at which each label's current evidence run began */
  const runStart = new Int32Array(L).fill(-1);
  const limits = ALARM_LABELS.map((l) => thresholds[l]);
  /** the label carried in (its index), -1: none */
  const c = carried !== null && SPEC.carry.share > 0 ? ALARM_LABELS.indexOf(carried) : -1;
  if (carried !== null && SPEC.carry.share > 0) {
    if (c < 0) throw new Error(`decideAlarm: carried label ${JSON.stringify(carried)} is not an alarm label (${ALARM_LABELS.join(', ')})`);
    s[c] = SPEC.carry.share * limits[c]!;
    runStart[c] = 0;
  }
  const r = recurring ? ALARM_LABELS.indexOf(recurring.label) : -1;
  if (recurring && r < 0) throw new Error(`decideAlarm: recurring label ${JSON.stringify(recurring.label)} is not an alarm label (${ALARM_LABELS.join(', ')})`);
  /** the alarm of a group that crossed first, held while its member classes may still name it (alarms.groupLabel) */
  let held: { alarm: Alarm; members: readonly number[] } | null = null;
  /** label l's alarm raised at the end of window w, from its current run */
  const alarmAt = (l: number, w: number): Alarm => {
    const from = runStart[l]!;
    let sum = 0;
    let counted = 0;
    for (let v = from; v <= w; v++) {
      if (plantEvents.has(windows.startMs[v]!)) continue;
      sum += labelProbability(windows.probs, v, l);
      counted++;
    }
    // a run from the day's first window is the carried one: a run broken by a drain restarts later
    const continues = carried !== null && ALARM_LABELS[l] === carried && from === 0;
    const raisedMs = windows.endMs[w]!;
    return { label: ALARM_LABELS[l]!, onsetMs: windows.startMs[from]!, raisedMs, confidence: sum / counted, evidence: s[l]!, windows: counted, continues, labelledMs: raisedMs };
  };
  for (let w = 0; w < n; w++) {
    if (plantEvents.has(windows.startMs[w]!)) continue;
    if (recurring && windows.startMs[w]! >= recurring.fromMs && windows.startMs[w]! <= recurring.toMs) {
      // re-armed before the window's score: one window that reads enough like the label raises it
      const armed = SPEC.recur.share * limits[r]!;
      if (s[r]! < armed) {
        // its run starts here unless one began before the span (what an armed window left does not count)
        if (runStart[r] === -1 || windows.startMs[runStart[r]!]! >= recurring.fromMs) runStart[r] = w;
        s[r] = armed;
      }
    }
    let best = -1;
    for (let l = 0; l < L; l++) {
      // the label carried in, while its run from the day's first window is unbroken, is kept by a window that reads its group (alarms.carry keptByGroup)
      const score = l === c && runStart[l] === 0 ? carriedScore(windows.probs, w, l) : windowScore(windows.probs, w, l);
      const next = Math.max(0, s[l]! + score);
      if (next === 0) runStart[l] = -1;
      else if (runStart[l] === -1) runStart[l] = w;
      s[l] = next;
      if (next < limits[l]!) continue;
      if (best < 0 || outranks(l, next / limits[l]!, best, s[best]! / limits[best]!)) best = l;
    }
    if (held) {
      // a member class at its threshold, read clearly over its run, names the group's alarm
      let m = -1;
      for (const l of held.members) if (s[l]! >= limits[l]! && (m < 0 || outranks(l, s[l]! / limits[l]!, m, s[m]! / limits[m]!))) m = l;
      const named = m >= 0 ? alarmAt(m, w) : null;
      if (named && named.confidence >= SPEC.groupLabel.minConfidence) {
        const onsetMs = Math.min(named.onsetMs, held.alarm.onsetMs);
        const raisedMs = held.alarm.raisedMs;
        return { ...named, onsetMs, raisedMs, windows: windowsWithin(windows, plantEvents, onsetMs, raisedMs).length, raisedAs: held.alarm.label as AlarmGroup, labelledMs: named.raisedMs };
      }
      continue;
    }
    if (best < 0) continue;
    const alarm = alarmAt(best, w);
    if (IS_CLASS[best]) return alarm;
    // a group crossed first: its alarm stands, and the day goes on for its members (alarms.groupLabel)
    held = { alarm, members: MEMBER_LABELS[best]! };
  }
  return held?.alarm ?? null;
}

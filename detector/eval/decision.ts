/**
 * What users see of a device-day is an alarm, not a window's label. A decision turns
 * a device-day's windows and their class probabilities into at most one alarm; the
 * evaluation measures decisions, so each is a plug-in with this interface (the
 * product's current one: verdictDecision.ts; the registry: decisions.ts).
 */
import type { PlantCondition } from '../plantConditions';
import { FAULT_CLASSES, isFaultClass, type FaultClass, type SkipReason } from '../../contracts';
import { alarmCandidates, shortOfBlocks } from '../alarms';
import type { Design } from '../../contracts/design';
import { perUnitOfDesign } from '../simulator/registry';
import { BLOCKED_DAY_SHARE } from './blocking';

export interface EvidenceWindow {
  startMs: number;
  endMs: number;
  /** null: the model classified the window (a daylight window) */
  skipReason: SkipReason | null;
}

/** What a decision may see of a device-day: the pipeline's windows and the model's output, never the simulator's truth. */
export interface DeviceDayEvidence {
  deviceId: string;
  date: string;
  windows: readonly EvidenceWindow[];
  /** predicted windows × classes (contract order), in window order */
  probs: Float32Array;
  /** predicted windows × their measured means (detector/alarms.ts WINDOW_MEAN_COLUMNS), when the gold rows carried them: what the plant's conditions are told by */
  means?: Float64Array;
  /** healthy days of the device's own baseline the windows were predicted with; 0: none yet, judged against the fleet */
  baselineDays: number;
  /** the baseline's gain the irradiance channel was multiplied by; null without history */
  baselineGain: number | null;
  /** the day's ratio of current to irradiance (detector/baseline.ts dayRatio), for the next day's baseline */
  ratio: number | null;
}

export interface Alarm {
  /** a fault class, or the name of a group (ALARM_GROUPS) when the readings cannot tell its candidates apart */
  label: string;
  candidates: readonly FaultClass[];
  /** when the fault is estimated to have started (epoch ms) */
  onsetMs: number;
  /** when the alarm would have been raised: the end of the window that settled it (epoch ms) */
  raisedMs: number;
  confidence: number;
  /** how it stood at the day's end (detector/alarms.ts alarmStanding), for a decision that carries alarms from day to day; null or absent: not known */
  standing?: number | null;
  /**
   * a two-stage alarm (detector/alarms.ts decideAlarm with raise thresholds) raised with another label than the one it
   * ends the day with: the label it was raised with at raisedMs (a group), and when it
   * got `label`; absent: raised with its label
   */
  raisedAs?: { label: string; labelledMs: number };
}

/** What a decision may know of the device's plant that day: the window slots the plant gate set aside (detector/alarms.ts PlantSlots). */
export interface PlantContext {
  events: ReadonlySet<number>;
  /** what those events were, by the plant's readings (detector/plantConditions.ts) */
  conditions: readonly PlantCondition[];
}

export const NO_PLANT_CONTEXT: PlantContext = { events: new Set(), conditions: [] };

export interface Decision {
  name: string;
  /** one sentence for the report: what the alarm is and when it is raised */
  description: string;
  /**
   * `history`: the same device's earlier days in this plant's run, oldest first; `plant`: the plant-day's gate;
   * `previous`: this decision's alarm on the device's previous day of the run (null: none, or the run's first day; its
   * onset and raise null when not known, as in a baseline row written before tables contract 11);
   * `design`: the array's design (absent: not known, as in a baseline's verdict)
   */
  decide(day: DeviceDayEvidence, history: readonly DeviceDayEvidence[], plant?: PlantContext, previous?: (Pick<Alarm, 'label' | 'standing'> & { onsetMs: number | null; raisedMs: number | null }) | null, design?: Design): { alarm: Alarm | null; peaks?: DayPeaks };
}

/**
 * Per alarm label, the highest its evidence came over the device-day, as a share of its
 * threshold (1: it reached it), the day counted on its own: from 0, without what the
 * carry or a recurrence brings in, the plant gate's windows set aside. How far the day's
 * own readings went towards a label, whatever the decision then did; absent where a
 * decision has no thresholds.
 */
export type DayPeaks = Readonly<Record<string, number>>;

export interface AlarmGroup {
  name: string;
  candidates: readonly FaultClass[];
  /** why the four channels cannot tell the candidates apart, for the report */
  why: string;
  /**
   * the faults (class and severity, as the simulator's truth gives them, on an array of
   * `design`) the group is a right answer for; `blockedShare`: for a leak, the share of its
   * acting daylight windows in which it blocked its string (blocking.ts; null: not judged)
   */
  covers(fault: FaultClass, severity: Readonly<Record<string, number | boolean>>, design: Design, blockedShare?: number | null): boolean;
}

/**
 * Whether a short across `count` of a string's modules blocks it: the n − count modules
 * left make less open-circuit voltage than the array's n modules at their maximum power
 * point, so the string's diode keeps it from conducting wherever the tracker operates
 * (at STC, from the module's single-diode model). On the default 5 × 3 array a short of
 * 2 or more (4 × 59.4 V > 5 × 46.9 V > 3 × 59.4 V); on the 4 × 4 CdTe array any short.
 * Where the margin is thin (a one-module CdTe short: 3 × 214 V against 4 × 173 V) the
 * array's global maximum lies lower down the voltage, where the short string adds 5–11 %,
 * but the tracker stays on the healthy strings' hill, where it adds nothing: the rule
 * agrees with blocking.ts's test where the tracker settles (trackedPower; test/eval/blocking.test.ts).
 */
export function shortBlocksString(count: number, design: Design): boolean {
  // the rule the predict jobs apply to the design's registry row (alarms.designGroups), on the same values
  return shortOfBlocks(count, perUnitOfDesign(design));
}

/**
 * Faults the four channels cannot tell apart. A string blocked by its diode: an open
 * string, a short across enough of its modules (shortBlocksString: two or more of the
 * default design's five), whose string voltage then stays below the array's operating
 * voltage so it carries no current either (docs/model-card.md, Limits), or a leak to
 * ground that collapsed the modules under its node in most of the day's acting windows
 * (blocking.ts). A short or a leak that leaves the string conducting is not blocked:
 * naming it as the group does not count as naming it.
 */
export const ALARM_GROUPS: readonly AlarmGroup[] = [
  {
    name: 'string_blocked',
    candidates: alarmCandidates('string_blocked'),
    why: 'an open string, a short of ≥ 2 of its 5 modules and a leak that collapses the modules under its node all leave the string without current',
    covers: (fault, severity, design, blockedShare) =>
      fault === 'open_circuit' || (fault === 'line_line' && shortBlocksString(severity.count as number, design)) || (fault === 'line_ground' && (blockedShare ?? 0) >= BLOCKED_DAY_SHARE),
  },
];

/** An alarm as a decision must give it: a known label, its candidates, finite times and confidence; throws naming what is wrong. */
export function checkAlarm(alarm: Alarm, decision: string, deviceId: string): void {
  const where = `decision ${decision}, ${deviceId}`;
  const group = ALARM_GROUPS.find((g) => g.name === alarm.label);
  if (!isFaultClass(alarm.label) && !group) throw new Error(`${where}: alarm label ${JSON.stringify(alarm.label)} is neither a fault class (${FAULT_CLASSES.join(', ')}) nor a group (${ALARM_GROUPS.map((g) => g.name).join(', ')})`);
  if (alarm.label === 'normal') throw new Error(`${where}: an alarm cannot name normal (no alarm is null)`);
  const expected: readonly string[] = group ? group.candidates : [alarm.label];
  if (alarm.candidates.length !== expected.length || !expected.every((c) => (alarm.candidates as readonly string[]).includes(c))) throw new Error(`${where}: alarm ${alarm.label} must list candidates ${expected.join(', ')}, got ${JSON.stringify(alarm.candidates)}`);
  for (const key of ['onsetMs', 'raisedMs', 'confidence'] as const) if (!Number.isFinite(alarm[key])) throw new Error(`${where}: alarm ${key} ${String(alarm[key])} is not a finite number`);
}

/**
 * The product's decision: the day's alarm of the gold summary (detector/alarms.ts,
 * contracts/detector.json alarms) with the thresholds and raise thresholds calibrated
 * for the model (alarms.json, npm run calibrate; the set for the device-day's reference:
 * its own baseline, or the fleet without history), as the predict jobs raise it; and
 * the same decision in one stage (without the raise), measured beside it.
 */
import { DETECTOR_CONTRACT, FAULT_CLASSES } from '../../contracts';
import { ALARM_LABELS, alarmCandidates, alarmStanding, decideAlarm, evidenceTrace, oneShortBlocks, passedOn, PlantSlots, recurrenceAfter, RIVAL_WEIGHTS, ruleFor, type AlarmThresholds, type AlarmThresholdSets, type PredictedWindows, type RaiseThresholdSets } from '../alarms';
import type { Design } from '../../contracts/design';
import { ARTIFACTS_DIR, readCalibratedAlarms } from '../model/artifacts';
import { readModelVersion } from '../model/manifest';
import { plantConditions } from '../plantConditions';
import { NO_PLANT_CONTEXT, type Alarm, type DayPeaks, type Decision, type DeviceDayEvidence, type PlantContext } from './decision';
import { perUnitOfDesign } from '../simulator/registry';

const K = FAULT_CLASSES.length;

/** What the alarm decision is calibrated with: the thresholds and its second stage's raise thresholds (alarms.json). */
export interface CalibratedAlarms {
  thresholds: AlarmThresholdSets;
  raise: RaiseThresholdSets;
}

/** e.g. "; line_line, line_ground, open_circuit counted at 0.3 against partial_shading (alarms.rivalWeights)" */
const WEIGHTED = [...RIVAL_WEIGHTS].map(([label, rivals]) => `${[...rivals].map(([c, w]) => `${c} at ${w}`).join(', ')} against ${label}`);
const WEIGHTED_RIVALS = WEIGHTED.length ? `; counted at their weight: ${WEIGHTED.join('; ')} (alarms.rivalWeights)` : '';

const DECISION = `per label, a CUSUM of the windows' clipped log-ratios against its strongest rival (normal or a class it does not stand for${WEIGHTED_RIVALS}), raised at the end of the first window whose evidence reaches the model's calibrated threshold, windows where the whole plant departs from normal at once set aside, the label of the device's alarm the day before starting at its threshold (contracts/detector.json alarms: plantGate, carry), a group that crossed first named later that day by a member class that reaches its threshold with a mean probability of at least ${DETECTOR_CONTRACT.alarms.groupLabel.minConfidence} over its run (alarms.groupLabel)`;
const RECUR = DETECTOR_CONTRACT.alarms.recur;
const RECURRENCE = `, a shadow alarmed the day before re-armed at ${RECUR.share} of its threshold from ${RECUR.windowsBefore} window before to ${RECUR.windowsAfter} window after where that alarm was, and an arc alarmed the day before re-armed at the same share in every window of the day (alarms.recur anyTime)`;

/**
 * `stages` 2: the product's decision; 1: the same without the raise (the first stage alone).
 * `recur`: whether a shadow alarmed the day before is re-armed where it was, and an arc all day (alarms.recur; the product's).
 * `calibrated` is called per device-day, when the first is decided (a module that merely imports
 * the decisions reads no artifacts): it caches, as readCommitted does.
 */
export function alarmDecision(name: string, stages: 1 | 2, calibrated: () => CalibratedAlarms, recur = true, designGroups = true): Decision {
  const decision = (recur ? DECISION + RECURRENCE : DECISION) + (designGroups ? DESIGN_GROUPS : '');
  return {
    name,
    description:
      stages === 2
        ? `the day's alarm in two stages: a group (string_blocked) is raised at the end of the first window whose evidence reaches its raise threshold (alarms.json raise, calibrated for the same false-alarm budget) or that completes a run of ${DETECTOR_CONTRACT.alarms.raise.run.windows} windows each scoring at least ${DETECTOR_CONTRACT.alarms.raise.run.minScore} for it (alarms.raise run), or in which the array's current per irradiance falls to ${DETECTOR_CONTRACT.alarms.raise.step.maxRatio} of its median over the ${DETECTOR_CONTRACT.alarms.raise.step.previousWindows} bright windows before while the window scores at least ${DETECTOR_CONTRACT.alarms.raise.step.minScore} for it (alarms.raise step), and the decision over the day (${decision}) gives the alarm its label; the delay counts to when the alarm first named the fault (contracts/detector.json alarms.raise)`
        : `the day's alarm in one stage, without the raise: ${decision}`,
    decide(day: DeviceDayEvidence, _history, plant: PlantContext = NO_PLANT_CONTEXT, previous = null, design?: Design) {
      const loaded = calibrated();
      // the run's days are consecutive: the day before's alarm is carried in as the predict job reads it from the baseline of the day before
      const carried = previous ? passedOn(previous.label, previous.standing) : null;
      const windows = predictedWindowsOf(day);
      const rule = ruleFor(loaded.thresholds, stages === 2 ? loaded.raise : null, day.baselineDays);
      // and the day before's shadow re-armed where it was (an arc: all day), as the predict job reads it from the same row (dayAlarmOnsetMs, dayAlarmRaisedMs)
      const recurring = recur && previous ? recurrenceAfter(previous.label, previous.onsetMs, previous.raisedMs) : null;
      // the design as the predict job reads it from the array's registry row (alarms.designGroups)
      const shortBlocks = designGroups && design !== undefined && oneShortBlocks(perUnitOfDesign(design));
      const a = decideAlarm(windows, rule.thresholds, plant.events, carried, rule.raise, recurring, shortBlocks);
      const peaks = dayPeaks(windows, rule.thresholds, plant.events);
      if (!a) return { alarm: null, peaks };
      // how it stands at the day's end is read against the label's threshold, as the carry reads it
      const alarm: Alarm = { label: a.label, candidates: alarmCandidates(a.label), onsetMs: a.onsetMs, raisedMs: a.raisedMs, confidence: a.confidence, standing: alarmStanding(windows, rule.thresholds, a.label, plant.events, carried) };
      return { alarm: a.raisedAs ? { ...alarm, raisedAs: { label: a.raisedAs, labelledMs: a.labelledMs! } } : alarm, peaks };
    },
  };
}

/** Each label's highest evidence over the day ÷ its threshold, the day on its own (decision.ts DayPeaks). */
export function dayPeaks(windows: PredictedWindows, thresholds: AlarmThresholds, plantEvents: ReadonlySet<number>): DayPeaks {
  const trace = evidenceTrace(windows, plantEvents);
  const L = ALARM_LABELS.length;
  return Object.fromEntries(
    ALARM_LABELS.map((label, l) => {
      let peak = 0;
      for (let k = l; k < trace.length; k += L) peak = Math.max(peak, trace[k]!);
      return [label, peak / thresholds[label]];
    }),
  );
}

const DESIGN_GROUPS = `, and on a design where a short of a single module already blocks its string (the registry's modulesPerString, vocStcV and vmpStcV) a ${DETECTOR_CONTRACT.alarms.designGroups.classes.join(' or ')} alarm reported as its group (alarms.designGroups)`;

/** A device-day's predicted windows and their probabilities, as detector/alarms.ts reads them. */
export function predictedWindowsOf(day: DeviceDayEvidence): PredictedWindows {
  const predicted = day.windows.filter((w) => !w.skipReason);
  if (predicted.length * K !== day.probs.length) throw new Error(`alarm decision, ${day.deviceId} ${day.date}: ${day.probs.length / K} probability rows for ${predicted.length} predicted windows`);
  return { startMs: predicted.map((w) => w.startMs), endMs: predicted.map((w) => w.endMs), probs: day.probs, ...(day.means ? { means: day.means } : {}) };
}

/** The plant gate of a plant-day's device-days (detector/alarms.ts PlantSlots), as the predict job computes it. */
export function plantContextOf(days: Iterable<DeviceDayEvidence>): PlantContext {
  const slots = new PlantSlots();
  for (const d of days) slots.add(predictedWindowsOf(d));
  const events = slots.plantEvents();
  return { events, conditions: plantConditions(slots.slots, events) };
}

/** The committed model's calibration, read once for both decisions. */
let committed: CalibratedAlarms | null = null;
const readCommitted = () => (committed ??= readCalibratedAlarms(ARTIFACTS_DIR, readModelVersion()));

/** The product's decision with the committed model's calibration: two stages. */
export const productAlarmDecision = alarmDecision('alarms', 2, readCommitted);
/** The same without its second stage: what the pipelines raised until 2026-12-04 (issue 18), measured beside it. */
export const oneStageAlarmDecision = alarmDecision('alarms-one-stage', 1, readCommitted);
/** The product's decision without re-arming a shadow where it was the day before: what the pipelines raised until 2026-12-05 (issue 18), measured beside it. */
export const noRecurrenceAlarmDecision = alarmDecision('alarms-no-recurrence', 2, readCommitted, false);
/** The product's decision without reading a line_line alarm as its group where the design blocks a string with one module shorted: what the pipelines raised until 2026-12-06 (issue 20), measured beside it. */
export const noDesignGroupsAlarmDecision = alarmDecision('alarms-no-design-groups', 2, readCommitted, true, false);

/**
 * The product's decision: the day's alarm of the gold summary (detector/alarms.ts,
 * contracts/detector.json alarms) with the thresholds calibrated for the model
 * (alarms.json, npm run calibrate; the set for the device-day's reference: its own
 * baseline, or the fleet without history), as the predict jobs raise it.
 */
import { FAULT_CLASSES } from '../../contracts';
import { alarmCandidates, alarmStanding, decideAlarm, passedOn, PlantSlots, thresholdsFor, type AlarmThresholdSets, type PredictedWindows, type RaiseThresholdSets } from '../alarms';
import { ARTIFACTS_DIR, readAlarmThresholds } from '../model/artifacts';
import { readModelVersion } from '../model/manifest';
import { plantConditions } from '../plantConditions';
import { NO_PLANT_CONTEXT, type Alarm, type Decision, type DeviceDayEvidence, type PlantContext } from './decision';

const K = FAULT_CLASSES.length;

export function alarmDecision(thresholds: () => AlarmThresholdSets, raise?: () => RaiseThresholdSets): Decision {
  let loaded: AlarmThresholdSets | null = null;
  let raised: RaiseThresholdSets | null = null;
  return {
    name: raise ? 'alarms-early' : 'alarms',
    description: raise
      ? "two stages: a group (string_blocked) is raised at the end of the first window whose evidence reaches its raise threshold (alarms.json raise, calibrated for the same false-alarm budget), and the product's decision (alarms) over the whole day gives the alarm its label; the delay counts to when the alarm first named the fault"
      : "the day's alarm: per label, a CUSUM of the windows' clipped log-ratios against its strongest rival (normal or a class it does not stand for), raised at the end of the first window whose evidence reaches the model's calibrated threshold, windows where the whole plant departs from normal at once set aside, the label of the device's alarm the day before starting at its threshold (contracts/detector.json alarms: plantGate, carry)",
    decide(day: DeviceDayEvidence, _history, plant: PlantContext = NO_PLANT_CONTEXT, previous = null) {
      loaded ??= thresholds();
      if (raise) raised ??= raise();
      // the run's days are consecutive: the day before's alarm is carried in as the predict job reads it from the baseline of the day before
      const carried = previous ? passedOn(previous.label, previous.standing) : null;
      const windows = predictedWindowsOf(day);
      const thresholdSet = thresholdsFor(loaded, day.baselineDays);
      const a = decideAlarm(windows, thresholdSet, plant.events, carried, raised && (day.baselineDays > 0 ? raised.own : raised.fleet));
      if (!a) return { alarm: null };
      // how it stands at the day's end is read against the label's threshold, as the carry reads it
      const alarm: Alarm = { label: a.label, candidates: alarmCandidates(a.label), onsetMs: a.onsetMs, raisedMs: a.raisedMs, confidence: a.confidence, standing: alarmStanding(windows, thresholdSet, a.label, plant.events) };
      return { alarm: a.raisedAs ? { ...alarm, raisedAs: { label: a.raisedAs, labelledMs: a.labelledMs! } } : alarm };
    },
  };
}

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

/** The decision with the committed model's thresholds. */
export const productAlarmDecision = alarmDecision(() => readAlarmThresholds(ARTIFACTS_DIR, readModelVersion()));

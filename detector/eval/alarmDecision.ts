/**
 * The product's decision: the day's alarm of the gold summary (detector/alarms.ts,
 * contracts/detector.json alarms) with the thresholds calibrated for the model
 * (alarms.json, npm run calibrate; the set for the device-day's reference: its own
 * baseline, or the fleet without history), as the predict jobs raise it.
 */
import { FAULT_CLASSES } from '../../contracts';
import { alarmCandidates, decideAlarm, thresholdsFor, type AlarmThresholdSets } from '../alarms';
import { ARTIFACTS_DIR, readAlarmThresholds } from '../model/artifacts';
import { readModelVersion } from '../model/manifest';
import type { Decision, DeviceDayEvidence } from './decision';

const K = FAULT_CLASSES.length;

export function alarmDecision(thresholds: () => AlarmThresholdSets): Decision {
  let loaded: AlarmThresholdSets | null = null;
  return {
    name: 'alarms',
    description: "the day's alarm: per label, a CUSUM of the windows' clipped log-ratios against its strongest rival (normal or a class it does not stand for), raised at the end of the first window whose evidence reaches the model's calibrated threshold (contracts/detector.json alarms)",
    decide(day: DeviceDayEvidence) {
      loaded ??= thresholds();
      const predicted = day.windows.filter((w) => !w.skipReason);
      if (predicted.length * K !== day.probs.length) throw new Error(`alarm decision, ${day.deviceId} ${day.date}: ${day.probs.length / K} probability rows for ${predicted.length} predicted windows`);
      const a = decideAlarm({ startMs: predicted.map((w) => w.startMs), endMs: predicted.map((w) => w.endMs), probs: day.probs }, thresholdsFor(loaded, day.baselineDays));
      return { alarm: a && { label: a.label, candidates: alarmCandidates(a.label), onsetMs: a.onsetMs, raisedMs: a.raisedMs, confidence: a.confidence } };
    },
  };
}

/** The decision with the committed model's thresholds. */
export const productAlarmDecision = alarmDecision(() => readAlarmThresholds(ARTIFACTS_DIR, readModelVersion()));

/**
 * A two-stage alarm, measured beside the product's (npm run eval -- --decision alarms-early):
 * a group the channels cannot split (string_blocked) is raised as soon as its evidence
 * reaches a raise threshold well under the one that names it, and the day's decision
 * (the product's, alarmDecision.ts) then gives the alarm its label: a class when one of
 * them crosses later that day, else the group.
 *
 * Why: a new blocked string reads as all three of its members at once, so the group's
 * evidence grows at full score from its first window; but a healthy array whose current
 * reads low gives line_ground probability too, which the group sums, so the threshold
 * that keeps false alarms within budget is nine windows at full score. Raising the
 * group earlier and letting a class name it later keeps the classes' naming (a group that
 * crossed first no longer takes a one-module short or a leak that leaves its string
 * conducting, which it does not name) and moves the raise forward. The pipelines raise
 * the product's decision; this one is what the eval measures before the contract changes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAULT_CLASSES } from '../../contracts';
import { ALARM_GROUPS, ALARM_LABELS, alarmCandidates, alarmStanding, decideAlarm, evidenceTrace, passedOn, THRESHOLD_SETS, thresholdsFor, type AlarmGroup, type AlarmThresholdSets } from '../alarms';
import { ARTIFACTS_DIR, readAlarmThresholds, type AlarmsFile } from '../model/artifacts';
import { readModelVersion } from '../model/manifest';
import { predictedWindowsOf } from './alarmDecision';
import { NO_PLANT_CONTEXT, type Alarm, type Decision } from './decision';

const K = FAULT_CLASSES.length;
const L = ALARM_LABELS.length;

/** Per threshold set, each group's raise threshold (alarms.json raise, written by npm run calibrate: alarmCalibration.ts calibrateRaise). */
export type RaiseThresholdSets = Readonly<Record<(typeof THRESHOLD_SETS)[number], Readonly<Record<AlarmGroup, number>>>>;

/** alarms.json as npm run calibrate writes it since 2026-12-04: with the raise thresholds. */
export type AlarmsFileWithRaise = AlarmsFile & { raise?: RaiseThresholdSets };

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

/** The committed model's thresholds and raise thresholds. */
export function readRaiseThresholds(dir: string, modelVersion: string): { thresholds: AlarmThresholdSets; raise: RaiseThresholdSets } {
  const thresholds = readAlarmThresholds(dir, modelVersion);
  const path = join(dir, 'alarms.json');
  return { thresholds, raise: checkRaise((JSON.parse(readFileSync(path, 'utf8')) as AlarmsFileWithRaise).raise, thresholds, path) };
}

export function earlyAlarmDecision(load: () => { thresholds: AlarmThresholdSets; raise: RaiseThresholdSets }): Decision {
  let loaded: ReturnType<typeof load> | null = null;
  return {
    name: 'alarms-early',
    description:
      "two stages: a group (string_blocked) is raised at the end of the first window whose evidence reaches its raise threshold (alarms.json raise, calibrated for the same false-alarm budget), and the product's decision (alarms) over the whole day gives the alarm its label; the delay counts to when the alarm first named the fault",
    decide(day, _history, plant = NO_PLANT_CONTEXT, previous = null) {
      loaded ??= load();
      const carried = previous ? passedOn(previous.label, previous.standing) : null;
      const windows = predictedWindowsOf(day);
      const thresholdSet = thresholdsFor(loaded.thresholds, day.baselineDays);
      const raise = day.baselineDays > 0 ? loaded.raise.own : loaded.raise.fleet;
      const named = decideAlarm(windows, thresholdSet, plant.events, carried);
      const product: Alarm | null = named && { label: named.label, candidates: alarmCandidates(named.label), onsetMs: named.onsetMs, raisedMs: named.raisedMs, confidence: named.confidence, standing: alarmStanding(windows, thresholdSet, named.label, plant.events) };
      // the first window at which a group's evidence (the day counted on its own) reaches its raise threshold
      const trace = evidenceTrace(windows, plant.events);
      const n = windows.startMs.length;
      let early: { group: AlarmGroup; w: number; l: number } | null = null;
      for (let w = 0; w < n && !early; w++) {
        for (const group of ALARM_GROUPS) {
          const l = ALARM_LABELS.indexOf(group);
          if (trace[w * L + l]! >= raise[group]) {
            early = { group, w, l };
            break;
          }
        }
      }
      if (!early || (product && product.raisedMs <= windows.endMs[early.w]!)) return { alarm: product };
      // the group's evidence run up to its raise: back to the last window it stood at 0
      let from = early.w;
      while (from > 0 && trace[(from - 1) * L + early.l]! > 0) from--;
      const raisedMs = windows.endMs[early.w]!;
      const onsetMs = windows.startMs[from]!;
      if (product) {
        return { alarm: { ...product, onsetMs: Math.min(onsetMs, product.onsetMs), raisedMs, ...(product.label === early.group ? {} : { raisedAs: { label: early.group, labelledMs: product.raisedMs } }) } };
      }
      const members = alarmCandidates(early.group).map((c) => FAULT_CLASSES.indexOf(c));
      let sum = 0;
      let counted = 0;
      for (let v = from; v <= early.w; v++) {
        if (plant.events.has(windows.startMs[v]!)) continue;
        for (const c of members) sum += windows.probs[v * K + c]!;
        counted++;
      }
      return { alarm: { label: early.group, candidates: alarmCandidates(early.group), onsetMs, raisedMs, confidence: sum / Math.max(1, counted), standing: alarmStanding(windows, thresholdSet, early.group, plant.events) } };
    },
  };
}

/** The two-stage decision with the committed model's thresholds. */
export const earlyAlarmDecisionOfModel = earlyAlarmDecision(() => readRaiseThresholds(ARTIFACTS_DIR, readModelVersion()));

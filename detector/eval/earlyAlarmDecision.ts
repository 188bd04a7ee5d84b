/**
 * A two-stage alarm, measured beside the product's (npm run eval -- --decision alarms-early):
 * detector/alarms.ts decideAlarm with the raise thresholds of alarms.json (raisedEarly says
 * why): a group the channels cannot split (string_blocked) is raised as soon as its evidence
 * reaches a raise threshold well under the one that names it, and the day's decision then
 * gives the alarm its label. The pipelines still raise the one-stage decision: gold, the API
 * and the stream do not yet keep an alarm's raise apart from its label (issue 18).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALARM_GROUPS, alarmCandidates, alarmStanding, decideAlarm, passedOn, THRESHOLD_SETS, thresholdsFor, type AlarmGroup, type AlarmThresholdSets } from '../alarms';
import { ARTIFACTS_DIR, readAlarmThresholds, type AlarmsFile } from '../model/artifacts';
import { readModelVersion } from '../model/manifest';
import { predictedWindowsOf } from './alarmDecision';
import { NO_PLANT_CONTEXT, type Alarm, type Decision } from './decision';

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
      const a = decideAlarm(windows, thresholdSet, plant.events, carried, day.baselineDays > 0 ? loaded.raise.own : loaded.raise.fleet);
      if (!a) return { alarm: null };
      // how it stands at the day's end is read against the label's threshold, as the carry reads it
      const alarm: Alarm = { label: a.label, candidates: alarmCandidates(a.label), onsetMs: a.onsetMs, raisedMs: a.raisedMs, confidence: a.confidence, standing: alarmStanding(windows, thresholdSet, a.label, plant.events) };
      return { alarm: a.raisedAs ? { ...alarm, raisedAs: { label: a.raisedAs, labelledMs: a.labelledMs! } } : alarm };
    },
  };
}

/** The two-stage decision with the committed model's thresholds. */
export const earlyAlarmDecisionOfModel = earlyAlarmDecision(() => readRaiseThresholds(ARTIFACTS_DIR, readModelVersion()));

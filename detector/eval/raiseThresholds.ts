/**
 * alarms.json's raise thresholds: per threshold set, the evidence at which a two-stage alarm
 * raises each group (detector/alarms.ts decideAlarm with raise, raisedEarly), written by npm
 * run calibrate (alarmCalibration.ts calibrateRaise) and read by the decision the eval
 * measures beside the product's (decisions.ts alarms-early). The pipelines still raise the
 * one-stage decision: gold, the API and the stream do not yet keep an alarm's raise apart
 * from its label (issue 18).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALARM_GROUPS, THRESHOLD_SETS, type AlarmThresholdSets, type RaiseThresholdSets } from '../alarms';
import { readAlarmThresholds, type AlarmsFile } from '../model/artifacts';

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
  // readAlarmThresholds checks the model version and the thresholds, naming what to run
  const thresholds = readAlarmThresholds(dir, modelVersion);
  const path = join(dir, 'alarms.json');
  return { thresholds, raise: checkRaise((JSON.parse(readFileSync(path, 'utf8')) as AlarmsFileWithRaise).raise, thresholds, path) };
}

/**
 * A device-day as the evaluation keeps it: the evidence a decision sees (the gold
 * windows and their probabilities, as the predict job wrote them) beside the
 * simulator's truth the metrics judge it by.
 */
import { FAULT_CLASSES, GRID_STEP_MS, type FaultClass, type GoldWindowRow, type SkipReason } from '../../contracts';
import type { Design } from '../../contracts/design';
import { predictedWindowsOfRows, PROBABILITY_KEYS } from '../gold';
import { MIN_ACTIVE_FRACTION, severityGroup } from '../dataset';
import { DEFAULT_DESIGN } from '../simulator/plant';
import type { ConditionKind } from '../simulator/conditions';
import type { DeviceDay } from '../simulator/device';
import type { SkyType } from '../simulator/weather';
import { WINDOW } from '../windows';
import type { DeviceDayEvidence } from './decision';

export interface DeviceDayTruth {
  fault: FaultClass;
  onsetMs: number | null;
  severity: Record<string, number | boolean>;
  /** dataset.ts severityGroup */
  severityGroup: string;
  intermittent: boolean;
  sky: SkyType;
  /** per window of the day: how many of its 20-s slots the fault acts on */
  activeSlots: number[];
  /** the conditions that are not faults which acted on the array during the day's windows, daylight or skipped (simulator/conditions.ts), each kind once; absent: none */
  conditions?: ConditionKind[];
}

export interface DeviceDayRecord {
  /** the plant-day's key (cache.ts plantDayKey) */
  plantDay: string;
  evidence: DeviceDayEvidence;
  truth: DeviceDayTruth;
}

/** Slots of [startMs, endMs) inside the fault's active intervals. */
export function activeSlotsIn(active: readonly [number, number][], startMs: number, endMs: number): number {
  let ms = 0;
  for (const [a, b] of active) ms += Math.max(0, Math.min(b, endMs) - Math.max(a, startMs));
  return Math.round(ms / GRID_STEP_MS);
}

/**
 * The kinds of the conditions acting in some window of the day, each once, in their
 * order. Skipped windows count: standby acts in the low light the model skips, and a
 * day it acted on is still a day with standby (on which no alarm may follow).
 */
export function conditionsIn(conditions: readonly { kind: ConditionKind; startMs: number; endMs: number }[], windows: readonly { startMs: number; endMs: number }[]): ConditionKind[] {
  const kinds: ConditionKind[] = [];
  for (const c of conditions) {
    if (kinds.includes(c.kind)) continue;
    if (windows.some((w) => Math.min(w.endMs, c.endMs) > Math.max(w.startMs, c.startMs))) kinds.push(c.kind);
  }
  return kinds;
}

/** A simulated device-day (its truth), its gold window rows and its baseline (the reference it was judged against, its day ratio) → the record; `design`: the array's, which names its severity group. */
export function recordOf(plantDay: string, date: string, day: Pick<DeviceDay, 'deviceId' | 'truth'>, goldWindows: readonly GoldWindowRow[], baseline: Pick<DeviceDayEvidence, 'baselineDays' | 'baselineGain' | 'ratio'> = { baselineDays: 0, baselineGain: null, ratio: null }, design: Design = DEFAULT_DESIGN): DeviceDayRecord {
  const predicted = goldWindows.filter((w) => w.status === 'predicted');
  const probs = new Float32Array(predicted.length * FAULT_CLASSES.length);
  predicted.forEach((w, i) => PROBABILITY_KEYS.forEach((key, c) => (probs[i * FAULT_CLASSES.length + c] = w[key as keyof GoldWindowRow] as number)));
  const means = predictedWindowsOfRows(predicted).means;
  const windows = goldWindows.map((w) => ({ startMs: w.startMs, endMs: w.endMs, skipReason: w.skipReason as SkipReason | null }));
  const t = day.truth;
  return {
    plantDay,
    evidence: { deviceId: day.deviceId, date, windows, probs, ...(means ? { means } : {}), baselineDays: baseline.baselineDays, baselineGain: baseline.baselineGain, ratio: baseline.ratio },
    truth: {
      fault: t.fault,
      onsetMs: t.onsetMs,
      severity: t.severity,
      severityGroup: severityGroup(t, design),
      intermittent: t.intermittent,
      sky: t.sky,
      activeSlots: windows.map((w) => activeSlotsIn(t.active, w.startMs, w.endMs)),
      conditions: conditionsIn(t.conditions ?? [], windows),
    },
  };
}

/**
 * The record with the model's probabilities replaced by a perfect window classifier's
 * (certain of the training label: the fault where it acts on at least
 * MIN_ACTIVE_FRACTION of the window, else normal): what a decision can reach at best.
 */
export function withTruthWindows(record: DeviceDayRecord): DeviceDayRecord {
  const k = FAULT_CLASSES.length;
  const fault = FAULT_CLASSES.indexOf(record.truth.fault);
  const predicted = record.evidence.windows.flatMap((w, i) => (w.skipReason ? [] : [i]));
  const probs = new Float32Array(predicted.length * k);
  predicted.forEach((i, p) => (probs[p * k + (record.truth.activeSlots[i]! >= MIN_ACTIVE_FRACTION * WINDOW ? fault : 0)] = 1));
  return { ...record, evidence: { ...record.evidence, probs } };
}

/**
 * A device-day's windows and their class probabilities → the gold rows: one per
 * window (prediction or skip reason) and the day's summary, whose verdict is the
 * day's alarm (detector/alarms.ts; contracts/tables.json summary), else normal,
 * decided with the thresholds of the reference the device was judged against
 * (alarms.ts thresholdsFor: its own baseline, or the fleet without history), which
 * the summary records (detector/baseline.ts).
 */
import { FAULT_CLASSES, type GoldDailyRow, type GoldWindowRow } from '../contracts';
import { alarmSince, decideAlarm, oneShortBlocks, WINDOW_MEAN_COLUMNS, WINDOW_MEANS, type Alarm, type AlarmRule, type PredictedWindows } from './alarms';
import { NO_HISTORY, type DeviceReference } from './baseline';
import type { WindowInfo } from './windows';

/** The window row's probability columns, in class order. */
export const PROBABILITY_KEYS = FAULT_CLASSES.map((c) => `p_${c}` as const);

/** The most probable class of the window whose probabilities start at `offset` (ties to the lower index). */
export function windowClass(probs: Float32Array, offset: number): number {
  let best = 0;
  for (let c = 1; c < FAULT_CLASSES.length; c++) if (probs[offset + c]! > probs[offset + best]!) best = c;
  return best;
}

/** `means`: windows.ts windowMeans of the same windows (measured, before the gain), written on the predicted ones' rows; without them the means are null. */
export function goldRows(deviceId: string, windows: readonly WindowInfo[], probs: Float32Array, modelVersion: string, rule: AlarmRule, reference: DeviceReference = NO_HISTORY, means: Float64Array | null = null): { windows: GoldWindowRow[]; daily: GoldDailyRow } {
  const k = FAULT_CLASSES.length;
  let p = 0;
  const counts = new Array<number>(k).fill(0);
  const starts: number[] = [];
  const ends: number[] = [];
  let confidenceSum = 0;
  // the predicted windows' means, in their order: what the decision's step reads (alarms.raise step)
  const predictedMeans = means ? new Float64Array(windows.length * WINDOW_MEANS) : null;
  const rows: GoldWindowRow[] = windows.map((w, i) => {
    // one literal shape, probabilities set by key: rows spread from Object.fromEntries were
    // dictionary-mode objects of ~6 KB each (~0.4 MB of heap per device-day)
    const row: Record<string, unknown> = { deviceId, windowIndex: w.index, startMs: w.startMs, endMs: w.endMs, status: 'skipped', skipReason: w.skipReason, label: null, labelIndex: null, confidence: null, meanVoltage: null, meanCurrent: null, meanTemperature: null, meanIrradiance: null };
    if (w.skipReason) {
      for (const key of PROBABILITY_KEYS) row[key] = null;
    } else {
      if (means) WINDOW_MEAN_COLUMNS.forEach((key, c) => (row[key] = predictedMeans![p * WINDOW_MEANS + c] = means[i * WINDOW_MEANS + c]!));
      const offset = p++ * k;
      const best = windowClass(probs, offset);
      counts[best]!++;
      starts.push(w.startMs);
      ends.push(w.endMs);
      const confidence = probs[offset + best]!;
      confidenceSum += confidence;
      row.status = 'predicted';
      row.label = FAULT_CLASSES[best]!;
      row.labelIndex = best;
      row.confidence = confidence;
      for (let c = 0; c < k; c++) row[PROBABILITY_KEYS[c]!] = probs[offset + c]!;
    }
    row.modelVersion = modelVersion;
    return row as unknown as GoldWindowRow;
  });
  if (p * k !== probs.length) throw new Error(`goldRows: ${probs.length / k} probability rows for ${p} predicted windows`);
  const alarm = p > 0 ? decideAlarm({ startMs: starts, endMs: ends, probs, ...(predictedMeans ? { means: predictedMeans.subarray(0, p * WINDOW_MEANS) } : {}) }, rule.thresholds, undefined, reference.carried, rule.raise, reference.recurring, oneShortBlocks(reference.perUnit)) : null;
  const daily = {
    deviceId,
    windows: windows.length,
    predicted: p,
    skipped: windows.length - p,
    ...Object.fromEntries(FAULT_CLASSES.map((c, i) => [`n_${c}`, counts[i]!])),
    ...alarmColumns(p, alarm, reference.carriedSinceMs),
    baselineDays: reference.days,
    baselineGain: reference.gain,
    plantEventWindows: 0,
    meanConfidence: p > 0 ? confidenceSum / p : null,
    // the detector does not know the array's design: the predict job names it from the day's registry (contracts/registry.ts designOf)
    design: null,
    designSource: null,
    modelVersion,
  } as GoldDailyRow;
  return { windows: rows, daily };
}

/** A device-day's predicted windows (start, end, probabilities, means when the rows carry them) from its gold window rows: what the plant gate and a second decision read. */
export function predictedWindowsOfRows(rows: readonly GoldWindowRow[]): PredictedWindows {
  const predicted = rows.filter((r) => r.status === 'predicted');
  const k = FAULT_CLASSES.length;
  const probs = new Float32Array(predicted.length * k);
  predicted.forEach((r, w) => {
    for (let c = 0; c < k; c++) probs[w * k + c] = (r as unknown as Record<string, number>)[PROBABILITY_KEYS[c]!]!;
  });
  const windows: PredictedWindows = { startMs: Float64Array.from(predicted, (r) => r.startMs), endMs: Float64Array.from(predicted, (r) => r.endMs), probs };
  if (predicted.some((r) => typeof r.meanVoltage === 'number')) {
    // a missing mean reads NaN: PlantSlots leaves that window out of the slot's sums
    windows.means = new Float64Array(predicted.length * WINDOW_MEANS);
    predicted.forEach((r, w) => WINDOW_MEAN_COLUMNS.forEach((key, c) => (windows.means![w * WINDOW_MEANS + c] = r[key] ?? NaN)));
  }
  return windows;
}

/**
 * The day's summary once the plant's gate is known (the predict job learns it after
 * every device: detector/alarms.ts PlantSlots): the alarm decided again without the
 * windows the gate set aside, and their count. A day with none keeps its summary.
 */
export function gatedDaily(daily: GoldDailyRow, windows: PredictedWindows, rule: AlarmRule, plantEvents: ReadonlySet<number>, carry: Pick<DeviceReference, 'carried' | 'carriedSinceMs' | 'recurring'> & Partial<Pick<DeviceReference, 'perUnit'>> = NO_HISTORY): GoldDailyRow {
  let set = 0;
  for (let w = 0; w < windows.startMs.length; w++) if (plantEvents.has(windows.startMs[w]!)) set++;
  if (set === 0) return { ...daily, plantEventWindows: 0 };
  const alarm = decideAlarm(windows, rule.thresholds, plantEvents, carry.carried, rule.raise, carry.recurring, carry.perUnit ? oneShortBlocks(carry.perUnit) : false);
  return { ...daily, ...alarmColumns(daily.predicted, alarm, carry.carriedSinceMs), plantEventWindows: set };
}

/** The summary's verdict and alarm columns of a day with `predicted` windows and its alarm (null: none). */
function alarmColumns(predicted: number, alarm: Alarm | null, carriedSinceMs: number | null): Pick<GoldDailyRow, 'verdict' | 'alarmOnsetMs' | 'alarmRaisedMs' | 'alarmConfidence' | 'alarmEvidence' | 'alarmSinceMs' | 'alarmRaisedAs' | 'alarmLabelledMs'> {
  return {
    verdict: predicted === 0 ? null : (alarm?.label ?? 'normal'),
    alarmOnsetMs: alarm?.onsetMs ?? null,
    alarmRaisedMs: alarm?.raisedMs ?? null,
    alarmConfidence: alarm?.confidence ?? null,
    alarmEvidence: alarm?.evidence ?? null,
    alarmSinceMs: alarmSince(alarm, carriedSinceMs),
    alarmRaisedAs: alarm?.raisedAs ?? null,
    alarmLabelledMs: alarm?.labelledMs ?? null,
  };
}

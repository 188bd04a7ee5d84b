/**
 * A device-day's windows and their class probabilities → the gold rows: one per
 * window (prediction or skip reason) and the day's summary with the verdict rule
 * of contracts/tables.json (summary): the most frequent fault with at least
 * minFaultWindows windows and minFaultShare of the predicted ones, ties to the
 * lower class index, else normal.
 */
import { FAULT_CLASSES, SUMMARY_MIN_FAULT_SHARE, SUMMARY_MIN_FAULT_WINDOWS, type GoldDailyRow, type GoldWindowRow } from '../contracts';
import type { WindowInfo } from './windows';

/** The window row's probability columns, in class order. */
export const PROBABILITY_KEYS = FAULT_CLASSES.map((c) => `p_${c}` as const);

/** The most probable class of the window whose probabilities start at `offset` (ties to the lower index). */
export function windowClass(probs: Float32Array, offset: number): number {
  let best = 0;
  for (let c = 1; c < FAULT_CLASSES.length; c++) if (probs[offset + c]! > probs[offset + best]!) best = c;
  return best;
}

/**
 * The day verdict rule on per-class window counts out of `predicted` windows: the class
 * index of the verdict, 0 (normal) when no fault qualifies, null when nothing was predicted.
 * Its own function so the evaluation (detector/eval) can replay it window by window.
 */
export function verdictOf(counts: readonly number[], predicted: number): number | null {
  if (predicted === 0) return null;
  let bestFault = 0;
  for (let c = 1; c < counts.length; c++) {
    const enough = counts[c]! >= SUMMARY_MIN_FAULT_WINDOWS && counts[c]! >= SUMMARY_MIN_FAULT_SHARE * predicted;
    if (enough && (bestFault === 0 || counts[c]! > counts[bestFault]!)) bestFault = c;
  }
  return bestFault;
}

export function goldRows(deviceId: string, windows: readonly WindowInfo[], probs: Float32Array, modelVersion: string): { windows: GoldWindowRow[]; daily: GoldDailyRow } {
  const k = FAULT_CLASSES.length;
  let p = 0;
  const counts = new Array<number>(k).fill(0);
  const firstStart = new Array<number | null>(k).fill(null);
  let confidenceSum = 0;
  const rows: GoldWindowRow[] = windows.map((w) => {
    // one literal shape, probabilities set by key: rows spread from Object.fromEntries were
    // dictionary-mode objects of ~6 KB each (~0.4 MB of heap per device-day)
    const row: Record<string, unknown> = { deviceId, windowIndex: w.index, startMs: w.startMs, endMs: w.endMs, status: 'skipped', skipReason: w.skipReason, label: null, labelIndex: null, confidence: null };
    if (w.skipReason) {
      for (const key of PROBABILITY_KEYS) row[key] = null;
    } else {
      const offset = p++ * k;
      const best = windowClass(probs, offset);
      counts[best]!++;
      if (firstStart[best] === null) firstStart[best] = w.startMs;
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
  const dominant = verdictOf(counts, p);
  const daily = {
    deviceId,
    windows: windows.length,
    predicted: p,
    skipped: windows.length - p,
    ...Object.fromEntries(FAULT_CLASSES.map((c, i) => [`n_${c}`, counts[i]!])),
    dominantLabel: dominant === null ? null : FAULT_CLASSES[dominant]!,
    dominantShare: dominant === null ? null : counts[dominant]! / p,
    firstSeenMs: dominant !== null && dominant > 0 ? firstStart[dominant]! : null,
    meanConfidence: p > 0 ? confidenceSum / p : null,
    modelVersion,
  } as GoldDailyRow;
  return { windows: rows, daily };
}

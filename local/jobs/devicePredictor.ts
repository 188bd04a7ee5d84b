/**
 * One silver device-day → its gold rows: windows, model inputs (CWT and levels), model, alarm and verdict,
 * judged against the device's own baseline when it has one (detector/baseline.ts), and the day's ratio
 * of current to irradiance for the next baseline.
 * Runs in the predict job's thread or in its worker threads (predictWorker.ts).
 */
import type { GoldDailyRow, GoldWindowRow, SilverDeviceDayRow } from '../../contracts';
import { dayRatio, NO_HISTORY, type DeviceReference } from '../../detector/baseline';
import { ruleFor, type AlarmRule } from '../../detector/alarms';
import { goldRows } from '../../detector/gold';
import { toPerUnit } from '../../detector/perUnit';
import type { WindowClassifier } from '../../detector/model/infer';
import { asOfEndInputs, EDGE_MODES, filledChannels, modelInputs, windowMeans, windowsOf, withGain, type EdgeMode, type InputBuffers } from '../../detector/windows';

/**
 * How the windows are scored: as the daily batch does (each window with the samples
 * after it), or as a stream would the moment each window ends (asOfEndInputs, with
 * the edge mode named): npm run eval --scoring.
 */
export type WindowScoring = 'batch' | `end-${EdgeMode}`;
export const WINDOW_SCORINGS: readonly WindowScoring[] = ['batch', ...EDGE_MODES.map((m) => `end-${m}` as const)];

export interface DeviceGold {
  windows: GoldWindowRow[];
  daily: GoldDailyRow;
  predicted: number;
  /** the day's ratio r of per-unit current to irradiance (measured, before the gain), null with too few bright windows */
  ratio: number | null;
  /** the rule the day was decided with (its reference's set): the plant gate decides it again with it */
  rule: AlarmRule;
}

/** With `buffers`, calls sharing them must not overlap (the model inputs live in them until the classifier is done). */
export async function predictDevice(row: SilverDeviceDayRow, classifier: WindowClassifier, buffers?: InputBuffers, reference: DeviceReference = NO_HISTORY, scoring: WindowScoring = 'batch'): Promise<DeviceGold> {
  const windows = windowsOf(row);
  const usable = windows.filter((w) => !w.skipReason).map((w) => w.index);
  const measured = filledChannels(row);
  // before withGain, which multiplies the irradiance in place: gold's window means and the day's ratio read them
  const means = windowMeans(measured, windows);
  const ratio = dayRatio(measured, windows, reference.perUnit, means);
  const filled = toPerUnit(withGain(measured, reference.gain), reference.perUnit);
  const inputs = scoring === 'batch' ? () => modelInputs(row, usable, classifier.normalization, buffers, filled) : () => asOfEndInputs(usable, classifier.normalization, filled, scoring.slice(4) as EdgeMode);
  const probs = usable.length ? await classifier.predict(inputs(), usable.length) : new Float32Array(0);
  const rule = ruleFor(classifier.alarmThresholds, classifier.raiseThresholds, reference.days);
  const g = goldRows(row.deviceId, windows, probs, classifier.modelVersion, rule, reference, means);
  return { ...g, predicted: usable.length, ratio, rule };
}

/**
 * One silver device-day → its gold rows: windows, CWT, normalisation, model, verdict.
 * Runs in the predict job's thread or in its worker threads (predictWorker.ts).
 */
import type { GoldDailyRow, GoldWindowRow, SilverDeviceDayRow } from '../../contracts';
import { goldRows } from '../../detector/gold';
import type { WindowClassifier } from '../../detector/model/infer';
import { dayScalograms, WINDOW_VALUES, windowsOf, windowTensor } from '../../detector/windows';

export interface DeviceGold {
  windows: GoldWindowRow[];
  daily: GoldDailyRow;
  predicted: number;
}

export async function predictDevice(row: SilverDeviceDayRow, classifier: WindowClassifier): Promise<DeviceGold> {
  const windows = windowsOf(row);
  const usable = windows.filter((w) => !w.skipReason);
  const x = new Float32Array(usable.length * WINDOW_VALUES);
  if (usable.length) {
    const scalograms = dayScalograms(row);
    usable.forEach((w, k) => windowTensor(scalograms, row.samples, w.index, classifier.normalization, x, k * WINDOW_VALUES));
  }
  const probs = usable.length ? await classifier.predict(x, usable.length) : new Float32Array(0);
  const g = goldRows(row.deviceId, windows, probs, classifier.modelVersion);
  return { ...g, predicted: usable.length };
}

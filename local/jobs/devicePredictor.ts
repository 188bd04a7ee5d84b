/**
 * One silver device-day → its gold rows: windows, model inputs (CWT and levels), model, alarm and verdict.
 * Runs in the predict job's thread or in its worker threads (predictWorker.ts).
 */
import type { GoldDailyRow, GoldWindowRow, SilverDeviceDayRow } from '../../contracts';
import { goldRows } from '../../detector/gold';
import type { WindowClassifier } from '../../detector/model/infer';
import { modelInputs, windowsOf, type InputBuffers } from '../../detector/windows';

export interface DeviceGold {
  windows: GoldWindowRow[];
  daily: GoldDailyRow;
  predicted: number;
}

/** With `buffers`, calls sharing them must not overlap (the model inputs live in them until the classifier is done). */
export async function predictDevice(row: SilverDeviceDayRow, classifier: WindowClassifier, buffers?: InputBuffers): Promise<DeviceGold> {
  const windows = windowsOf(row);
  const usable = windows.filter((w) => !w.skipReason).map((w) => w.index);
  const probs = usable.length ? await classifier.predict(modelInputs(row, usable, classifier.normalization, buffers), usable.length) : new Float32Array(0);
  const g = goldRows(row.deviceId, windows, probs, classifier.modelVersion, classifier.alarmThresholds);
  return { ...g, predicted: usable.length };
}

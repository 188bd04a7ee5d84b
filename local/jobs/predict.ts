/**
 * The local predict job: the contract of spark/jobs/predict_fault.py on this machine.
 * Reads the day's silver partition (through its commit marker), turns every device
 * into windows (gap fill, CWT, skip reasons, normalisation), classifies them, and
 * writes gold (windows and day summaries) by the commit protocol.
 */
import { parquetReadObjects } from 'hyparquet';
import { commitKey, FAULT_CLASSES, parseCommitMarker, type GoldDailyRow, type GoldWindowRow, type SilverDeviceDayRow } from '../../contracts';
import { publishPartition, type ObjectWriter } from '../../contracts/partition';
import { normaliseRow } from '../../contracts/parquetRows';
import { goldRows } from '../../detector/gold';
import type { WindowClassifier } from '../../detector/model/infer';
import { Progress } from '../../detector/progress';
import { dayScalograms, WINDOW_VALUES, windowsOf, windowTensor } from '../../detector/windows';
import type { ObjectStore } from '../../functions/api/gold';
import { bucketOf, parseJobArgs, PREDICT_FLAGS } from './args';

export interface PredictResult {
  devices: number;
  windows: number;
  predicted: number;
  verdicts: Record<string, string | null>;
  firstSeen: Record<string, number | null>;
  modelVersion: string;
  silverRunId: string;
}

export async function runPredict(args: readonly string[], storeFor: (bucket: string) => ObjectStore, writerFor: (bucket: string) => ObjectWriter, classifier: WindowClassifier, progress = true): Promise<PredictResult> {
  const a = parseJobArgs(args, PREDICT_FLAGS);
  const date = a['--date'];
  const silver = storeFor(bucketOf(a['--silver-uri']));
  const markerText = await silver.getText(commitKey('silver_device_day', date));
  if (markerText === null) throw new Error(`no silver for ${date}: run the ingest first`);
  const marker = parseCommitMarker(markerText, { table: 'silver_device_day', date });
  const windowRows: GoldWindowRow[] = [];
  const dailyRows: GoldDailyRow[] = [];
  const result: PredictResult = { devices: 0, windows: 0, predicted: 0, verdicts: {}, firstSeen: {}, modelVersion: classifier.modelVersion, silverRunId: marker.runId };
  const bar = progress ? new Progress('predict', marker.rows, 'devices') : null;
  for (const f of marker.files) {
    const bytes = await silver.getRange(f.key, 0, f.bytes);
    for (const raw of await parquetReadObjects({ file: bytes })) {
      const row = normaliseRow('silver_device_day', raw) as unknown as SilverDeviceDayRow;
      const windows = windowsOf(row);
      const usable = windows.filter((w) => !w.skipReason);
      const x = new Float32Array(usable.length * WINDOW_VALUES);
      if (usable.length) {
        const scalograms = dayScalograms(row);
        usable.forEach((w, k) => windowTensor(scalograms, row.samples, w.index, classifier.normalization, x, k * WINDOW_VALUES));
      }
      const probs = usable.length ? await classifier.predict(x, usable.length) : new Float32Array(0);
      const g = goldRows(row.deviceId, windows, probs, classifier.modelVersion);
      windowRows.push(...g.windows);
      dailyRows.push(g.daily);
      result.devices++;
      result.windows += windows.length;
      result.predicted += usable.length;
      result.verdicts[row.deviceId] = g.daily.dominantLabel;
      result.firstSeen[row.deviceId] = g.daily.firstSeenMs;
      bar?.tick();
    }
  }
  const gold = writerFor(bucketOf(a['--gold-uri']));
  // row groups of ~20 devices: a one-device lookup reads a few KB
  await publishPartition(gold, 'gold_window', date, a['--run-id'], windowRows, { rowGroupSize: 20 * 67, inputRunId: marker.runId });
  await publishPartition(gold, 'gold_daily', date, a['--run-id'], dailyRows, { rowGroupSize: 250, inputRunId: marker.runId });
  bar?.finish(`${result.predicted.toLocaleString('en-US')} of ${result.windows.toLocaleString('en-US')} windows predicted (${FAULT_CLASSES.length} classes, model ${classifier.modelVersion})`);
  return result;
}

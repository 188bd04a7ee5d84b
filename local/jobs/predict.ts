/**
 * The local predict job: the contract of spark/jobs/predict_fault.py on this machine.
 * Reads the day's silver partition (through its commit marker), turns every device
 * into windows (gap fill, CWT, skip reasons, normalisation), classifies them, and
 * writes gold (windows and day summaries) by the commit protocol.
 */
import { FAULT_CLASSES, TABLES, type GoldDailyRow, type GoldWindowRow, type SilverDeviceDayRow } from '../../contracts';
import { publishPartition, type ObjectWriter } from '../../contracts/partition';
import { Progress } from '../../detector/progress';
import { TableReader, type ObjectStore } from '../../functions/api/tableReader';
import { bucketOf, parseJobArgs, PREDICT_FLAGS } from './args';
import type { DeviceGold } from './devicePredictor';

/** Turns a silver device-day into gold rows: in-thread with a classifier, or through a PredictPool. */
export interface DevicePredictor {
  readonly modelVersion: string;
  predict(row: SilverDeviceDayRow): Promise<DeviceGold>;
}

/** At most this many device-days in flight: enough to keep every worker busy, memory bounded. */
const IN_FLIGHT = 16;
const SILVER_COLUMNS = TABLES.silver_device_day.columns.map((c) => c.name);

export interface PredictResult {
  devices: number;
  windows: number;
  predicted: number;
  verdicts: Record<string, string | null>;
  firstSeen: Record<string, number | null>;
  modelVersion: string;
  silverRunId: string;
}

export async function runPredict(args: readonly string[], storeFor: (bucket: string) => ObjectStore, writerFor: (bucket: string) => ObjectWriter, predictor: DevicePredictor, progress = true): Promise<PredictResult> {
  const a = parseJobArgs(args, PREDICT_FLAGS);
  const date = a['--date'];
  const silver = await new TableReader(storeFor(bucketOf(a['--silver-uri']))).tableRows('silver_device_day', date, SILVER_COLUMNS);
  if (!silver) throw new Error(`no silver for ${date}: run the ingest first`);
  const { marker } = silver;
  const windowRows: GoldWindowRow[] = [];
  const dailyRows: GoldDailyRow[] = [];
  const result: PredictResult = { devices: 0, windows: 0, predicted: 0, verdicts: {}, firstSeen: {}, modelVersion: predictor.modelVersion, silverRunId: marker.runId };
  const bar = progress ? new Progress('predict', marker.rows, 'devices') : null;
  const inFlight = new Set<Promise<void>>();
  for (const row of silver.rows as unknown as SilverDeviceDayRow[]) {
    const task = predictor.predict(row).then((g) => {
      windowRows.push(...g.windows);
      dailyRows.push(g.daily);
      result.devices++;
      result.windows += g.windows.length;
      result.predicted += g.predicted;
      result.verdicts[row.deviceId] = g.daily.dominantLabel;
      result.firstSeen[row.deviceId] = g.daily.firstSeenMs;
      bar?.tick();
    });
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const gold = writerFor(bucketOf(a['--gold-uri']));
  // row groups of ~20 devices: a one-device lookup reads a few KB
  await publishPartition(gold, 'gold_window', date, a['--run-id'], windowRows, { rowGroupSize: 20 * 67, inputRunId: marker.runId });
  await publishPartition(gold, 'gold_daily', date, a['--run-id'], dailyRows, { rowGroupSize: 250, inputRunId: marker.runId });
  bar?.finish(`${result.predicted.toLocaleString('en-US')} of ${result.windows.toLocaleString('en-US')} windows predicted (${FAULT_CLASSES.length} classes, model ${predictor.modelVersion})`);
  return result;
}

/**
 * A plant-day through the pipeline's own path, without S3: simulated readings →
 * contract validation and silver row (dataset.ts silverOf) → the predict job's
 * device predictor in its worker pool (windows, CWT, model, gold rows), each device
 * judged against the baseline its plant's earlier days give it → records.
 * The main thread simulates the next devices while the workers predict.
 */
import type { SilverDeviceDayRow } from '../../contracts';
import { referenceOf, type DeviceReference } from '../baseline';
import type { DeviceGold, WindowScoring } from '../../local/jobs/devicePredictor';
import { silverOf } from '../dataset';
import { plantDayKey } from './cache';
import { designOfSpec, perUnitOfSpec, simulateEvalDay, type PlantDaySpec } from './plantDays';
import { recordOf, type DeviceDayRecord } from './records';

/** What predicts a silver device-day: the local predict job's worker pool (local/jobs/predictPool.ts). */
export interface DevicePredictorPool {
  readonly modelVersion: string;
  predict(row: SilverDeviceDayRow, reference?: DeviceReference, scoring?: WindowScoring): Promise<DeviceGold>;
}

/** Device-days handed to the workers and not yet back: enough to keep both busy, few enough to bound memory. */
const IN_FLIGHT = 8;

/** `references`: how each device is judged (its own baseline from the plant's earlier days); absent: against the fleet. */
export async function collectPlantDay(spec: PlantDaySpec, pool: DevicePredictorPool, references: ReadonlyMap<string, DeviceReference>, onDevice?: () => void, scoring: WindowScoring = 'batch'): Promise<DeviceDayRecord[]> {
  const plant = simulateEvalDay(spec);
  const key = plantDayKey(spec);
  // a device without a baseline yet: judged against the fleet, with its design's per-unit reference
  const fleet = referenceOf(undefined, perUnitOfSpec(spec));
  const design = designOfSpec(spec);
  // filled in device order as the workers answer, in whatever order that is
  const records: DeviceDayRecord[] = [];
  const inFlight: Promise<void>[] = [];
  let devices = 0;
  for (const day of plant.devices()) {
    const at = devices++;
    const { deviceId, truth } = day;
    const done = pool.predict(silverOf(day, plant.window), references.get(deviceId) ?? fleet, scoring).then((gold) => {
      records[at] = recordOf(key, spec.date, { deviceId, truth }, gold.windows, { baselineDays: gold.daily.baselineDays, baselineGain: gold.daily.baselineGain, ratio: gold.ratio }, design);
      onDevice?.();
    });
    // awaited below; marked handled so that an early failure is not reported twice
    done.catch(() => undefined);
    inFlight.push(done);
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
  }
  await Promise.all(inFlight);
  return records;
}

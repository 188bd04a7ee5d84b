/** A pool of predict workers (one model each) so that both cores turn silver into gold. */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { SilverDeviceDayRow } from '../../contracts';
import { NO_HISTORY, type DeviceReference } from '../../detector/baseline';
import { WorkerPool } from '../../detector/workers';
import type { DeviceGold, WindowScoring } from './devicePredictor';

/** A predict request: the silver device-day and the reference it is judged against. */
export interface PredictRequest {
  row: SilverDeviceDayRow;
  reference: DeviceReference;
  /** batch when absent */
  scoring?: WindowScoring;
}

export class PredictPool {
  private constructor(
    private readonly pool: WorkerPool<PredictRequest, DeviceGold>,
    readonly modelVersion: string,
  ) {}

  /** uncalibrated: the model without alarm thresholds (npm run calibrate, which finds them): no alarm is raised */
  static async start(size = availableParallelism(), options: { uncalibrated?: boolean } = {}): Promise<PredictPool> {
    const pool = await WorkerPool.start<PredictRequest, DeviceGold>(join(__dirname, 'predictWorker'), size, options);
    return new PredictPool(pool, (pool.info as { modelVersion: string }).modelVersion);
  }

  predict(row: SilverDeviceDayRow, reference: DeviceReference = NO_HISTORY, scoring?: WindowScoring): Promise<DeviceGold> {
    return this.pool.request(scoring ? { row, reference, scoring } : { row, reference });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

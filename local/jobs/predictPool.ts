/** A pool of predict workers (one model each) so that both cores turn silver into gold. */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { SilverDeviceDayRow } from '../../contracts';
import { WorkerPool } from '../../detector/workers';
import type { DeviceGold } from './devicePredictor';

export class PredictPool {
  private constructor(
    private readonly pool: WorkerPool<SilverDeviceDayRow, DeviceGold>,
    readonly modelVersion: string,
  ) {}

  /** uncalibrated: the model without alarm thresholds (npm run calibrate, which finds them): no alarm is raised */
  static async start(size = availableParallelism(), options: { uncalibrated?: boolean } = {}): Promise<PredictPool> {
    const pool = await WorkerPool.start<SilverDeviceDayRow, DeviceGold>(join(__dirname, 'predictWorker'), size, options);
    return new PredictPool(pool, (pool.info as { modelVersion: string }).modelVersion);
  }

  predict(row: SilverDeviceDayRow): Promise<DeviceGold> {
    return this.pool.request(row);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

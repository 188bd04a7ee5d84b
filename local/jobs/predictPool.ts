/** A pool of predict workers (one model each) so that both cores turn silver into gold. */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SilverDeviceDayRow } from '../../contracts';
import type { DeviceGold } from './devicePredictor';

type Reply = { id: number; gold?: DeviceGold; error?: string } | { ready: true; modelVersion: string } | { failed: string };

export class PredictPool {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (g: DeviceGold) => void; reject: (e: Error) => void }>();
  private readonly load: number[];

  private constructor(
    private readonly workers: Worker[],
    readonly modelVersion: string,
  ) {
    this.load = workers.map(() => 0);
    workers.forEach((w, i) =>
      w.on('message', (m: Reply) => {
        if (!('id' in m)) return;
        this.load[i]!--;
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.gold!);
      }),
    );
  }

  static async start(size = availableParallelism()): Promise<PredictPool> {
    const script = join(__dirname, 'predictWorker');
    const workers = Array.from({ length: Math.max(1, size) }, () =>
      __filename.endsWith('.ts') ? new Worker(`require('@swc-node/register'); require(${JSON.stringify(script)});`, { eval: true }) : new Worker(`${script}.js`),
    );
    const versions = await Promise.all(
      workers.map(
        (w) =>
          new Promise<string>((resolve, reject) => {
            w.on('message', (m: Reply) => {
              if ('ready' in m) resolve(m.modelVersion);
              else if ('failed' in m) reject(new Error(m.failed));
            });
            w.once('error', reject);
          }),
      ),
    ).catch(async (err: unknown) => {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    });
    return new PredictPool(workers, versions[0]!);
  }

  /** Sends a device-day to the least busy worker. */
  predict(row: SilverDeviceDayRow): Promise<DeviceGold> {
    const i = this.load.indexOf(Math.min(...this.load));
    this.load[i]!++;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[i]!.postMessage({ id, row });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * The plant day on several cores: devices go to worker threads in small batches;
 * device-days come back as they are done (transferring their buffers, no copy).
 * At most two batches per worker are in flight, so memory stays bounded however
 * many devices there are. Results do not depend on the split (see plant.ts).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers';
import { READING_COLUMNS, type DeviceDay } from './device';
import type { PlantConfig } from './plant';

export interface ParallelOptions {
  workers?: number;
  batch?: number;
}

type Reply = { kind: 'device'; day: DeviceDay } | { kind: 'batchDone' } | { kind: 'error'; message: string };

function buffersOf(day: DeviceDay): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = READING_COLUMNS.map((c) => day.readings[c]);
  if (day.series) arrays.push(day.series.voltage, day.series.current, day.series.temperature, day.series.irradiance, day.series.faultActive);
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
export { buffersOf as transferablesOf };

export async function* simulatePlantDayParallel(config: PlantConfig, options: ParallelOptions = {}): AsyncGenerator<DeviceDay> {
  const workerCount = Math.max(1, Math.min(options.workers ?? availableParallelism(), config.devices));
  const batch = Math.max(1, options.batch ?? 20);
  const queue: DeviceDay[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  let next = 0;
  let outstanding = 0;
  const workers: Worker[] = [];
  const inFlight = new Map<Worker, number>();

  const dispatch = (w: Worker): void => {
    while ((inFlight.get(w) ?? 0) < 2 && next < config.devices) {
      const from = next;
      next = Math.min(config.devices, next + batch);
      inFlight.set(w, (inFlight.get(w) ?? 0) + 1);
      outstanding++;
      w.postMessage({ from, to: next });
    }
  };

  try {
    for (let i = 0; i < workerCount; i++) {
      const w = startWorker(join(__dirname, 'worker'), config);
      workers.push(w);
      w.on('message', (m: Reply) => {
        if (m.kind === 'device') queue.push(m.day);
        else if (m.kind === 'batchDone') {
          inFlight.set(w, (inFlight.get(w) ?? 1) - 1);
          outstanding--;
        } else failure = new Error(`simulation worker failed: ${m.message}`);
        notify();
      });
      w.on('error', (err) => {
        failure = err;
        notify();
      });
    }
    for (const w of workers) dispatch(w);
    while (true) {
      while (queue.length > 0) {
        yield queue.shift()!;
        // refill only as the consumer takes results: backpressure for slow consumers
        if (queue.length < batch) for (const w of workers) dispatch(w);
      }
      if (failure) throw failure;
      if (outstanding === 0 && next >= config.devices && queue.length === 0) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

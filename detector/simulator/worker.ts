/** Worker thread of parallel.ts: simulates the device ranges it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { transferablesOf } from './parallel';
import { simulatePlantDay, type PlantConfig } from './plant';

const port = parentPort;
if (!port) throw new Error('worker.ts runs only as a worker thread');
const plant = simulatePlantDay(workerData as PlantConfig);

port.on('message', ({ from, to }: { from: number; to: number }) => {
  try {
    for (const day of plant.devices(from, to)) port.postMessage({ kind: 'device', day }, transferablesOf(day));
    port.postMessage({ kind: 'batchDone' });
  } catch (err) {
    port.postMessage({ kind: 'error', message: (err as Error).stack ?? String(err) });
  }
});

/** Worker thread of the local predict job: silver device-days in, gold rows out. */
import { parentPort, workerData } from 'node:worker_threads';
import { Classifier } from '../../detector/model/infer';
import { InputBuffers } from '../../detector/windows';
import { serveWorker } from '../../detector/workers';
import { predictDevice, type DeviceGold } from './devicePredictor';
import type { PredictRequest } from './predictPool';

if (!parentPort) throw new Error('predictWorker.ts runs only as a worker thread');
serveWorker<PredictRequest, DeviceGold>(parentPort, async () => {
  const classifier = await Classifier.load(undefined, undefined, (workerData ?? {}) as { uncalibrated?: boolean });
  const buffers = new InputBuffers();
  // one device-day at a time: they share the buffers (the thread is busy with one anyway)
  let previous: Promise<unknown> = Promise.resolve();
  return {
    info: { modelVersion: classifier.modelVersion },
    handle: ({ row, reference, scoring }) => {
      const done = previous.then(() => predictDevice(row, classifier, buffers, reference, scoring));
      previous = done.catch(() => undefined);
      return done.then((result) => ({ result }));
    },
  };
});

/** Worker thread of the local predict job: silver device-days in, gold rows out. */
import { parentPort } from 'node:worker_threads';
import type { SilverDeviceDayRow } from '../../contracts';
import { Classifier } from '../../detector/model/infer';
import { predictDevice } from './devicePredictor';

const port = parentPort;
if (!port) throw new Error('predictWorker.ts runs only as a worker thread');

Classifier.load()
  .then((classifier) => {
    port.postMessage({ ready: true, modelVersion: classifier.modelVersion });
    port.on('message', ({ id, row }: { id: number; row: SilverDeviceDayRow }) => {
      predictDevice(row, classifier)
        .then((gold) => port.postMessage({ id, gold }))
        .catch((err: unknown) => port.postMessage({ id, error: (err as Error).message }));
    });
  })
  .catch((err: unknown) => port.postMessage({ failed: (err as Error).message }));

/** Worker thread of ParallelClassifier: one model, batches in, probabilities out. */
import { parentPort, workerData } from 'node:worker_threads';
import { Classifier } from './infer';

const port = parentPort;
if (!port) throw new Error('inferenceWorker.ts runs only as a worker thread');

Classifier.load((workerData as { dir: string }).dir)
  .then((classifier) => {
    port.postMessage({ ready: true, modelVersion: classifier.modelVersion, normalization: classifier.normalization });
    port.on('message', ({ id, windows, count }: { id: number; windows: Float32Array; count: number }) => {
      classifier
        .predict(windows, count)
        .then((probs) => port.postMessage({ id, probs }, [probs.buffer as ArrayBuffer]))
        .catch((err: unknown) => port.postMessage({ id, error: (err as Error).message }));
    });
  })
  .catch((err: unknown) => port.postMessage({ failed: (err as Error).message }));

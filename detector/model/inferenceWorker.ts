/** Worker thread of ParallelClassifier: one model, batches in, probabilities out. */
import { parentPort, workerData } from 'node:worker_threads';
import { serveWorker } from '../workers';
import { Classifier } from './infer';

if (!parentPort) throw new Error('inferenceWorker.ts runs only as a worker thread');
serveWorker<{ windows: Float32Array; count: number }, Float32Array>(parentPort, async () => {
  const classifier = await Classifier.load((workerData as { dir: string }).dir);
  return {
    info: { modelVersion: classifier.modelVersion, normalization: classifier.normalization },
    handle: async ({ windows, count }) => {
      const probs = await classifier.predict(windows, count);
      return { result: probs, transfer: [probs.buffer as ArrayBuffer] };
    },
  };
});

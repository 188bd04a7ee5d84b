/** Worker thread of ParallelClassifier: one model, batches in, probabilities out. */
import { parentPort, workerData } from 'node:worker_threads';
import { serveWorker } from '../workers';
import type { ModelInputs } from '../windows';
import { Classifier } from './infer';

if (!parentPort) throw new Error('inferenceWorker.ts runs only as a worker thread');
serveWorker<{ inputs: ModelInputs; count: number }, Float32Array>(parentPort, async () => {
  const classifier = await Classifier.load((workerData as { dir: string }).dir);
  return {
    info: { modelVersion: classifier.modelVersion, normalization: classifier.normalization, alarmThresholds: classifier.alarmThresholds, raiseThresholds: classifier.raiseThresholds },
    handle: async ({ inputs, count }) => {
      const probs = await classifier.predict(inputs, count);
      return { result: probs, transfer: [probs.buffer as ArrayBuffer] };
    },
  };
});

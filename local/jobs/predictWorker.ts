/** Worker thread of the local predict job: silver device-days in, gold rows out. */
import { parentPort } from 'node:worker_threads';
import type { SilverDeviceDayRow } from '../../contracts';
import { Classifier } from '../../detector/model/infer';
import { serveWorker } from '../../detector/workers';
import { predictDevice, type DeviceGold } from './devicePredictor';

if (!parentPort) throw new Error('predictWorker.ts runs only as a worker thread');
serveWorker<SilverDeviceDayRow, DeviceGold>(parentPort, async () => {
  const classifier = await Classifier.load();
  return { info: { modelVersion: classifier.modelVersion }, handle: async (row) => ({ result: await predictDevice(row, classifier) }) };
});

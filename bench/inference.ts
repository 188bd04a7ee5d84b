/**
 * npm run bench:inference -- [--windows 4096] [--workers 2]
 *
 * Windows classified per second by the committed model: one thread, then all
 * cores (ParallelClassifier). Goal (issue 6): ≥ 2,000 windows/s on 2 cores.
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Classifier, ParallelClassifier, type WindowClassifier } from '../detector/model/infer';
import { N_LEVELS, WINDOW_VALUES, type ModelInputs } from '../detector/windows';

async function rate(classifier: WindowClassifier, windows: ModelInputs, count: number): Promise<number> {
  await classifier.predict({ images: windows.images.slice(0, 64 * WINDOW_VALUES), levels: windows.levels.slice(0, 64 * N_LEVELS) }, 64); // warm-up
  const started = process.hrtime.bigint();
  await classifier.predict({ images: windows.images.slice(), levels: windows.levels.slice() }, count);
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { windows: { type: 'string', default: '4096' }, workers: { type: 'string' } } });
  const count = Number(values.windows);
  const workers = Number(values.workers ?? availableParallelism());
  // windows shaped like real ones: asinh-normalised values, mostly within ±3; standardised levels
  const windows = {
    images: Float32Array.from({ length: count * WINDOW_VALUES }, (_, i) => Math.asinh(Math.sin(i * 0.37) * 2)),
    levels: Float32Array.from({ length: count * N_LEVELS }, (_, i) => Math.sin(i * 0.71)),
  };
  const single = await Classifier.load();
  console.log(`inference benchmark · model ${single.modelVersion} · backend ${single.backend} · ${cpus().length} cores · ${count} windows · ${new Date().toISOString().slice(0, 10)}`);
  const one = await rate(single, windows, count);
  await single.close();
  console.log(`1 thread:   ${Math.round(one).toLocaleString('en-US')} windows/s`);
  const parallel = await ParallelClassifier.load(undefined, workers);
  const many = await rate(parallel, windows, count);
  await parallel.close();
  console.log(`${workers} workers:  ${Math.round(many).toLocaleString('en-US')} windows/s (goal ≥ 2,000)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

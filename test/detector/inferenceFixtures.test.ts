/** The shared inference fixtures are current: the committed model still gives their probabilities. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Classifier } from '../../detector/model/infer';
import { fixtureWindows } from '../fixtures/model/generate';

it('test/fixtures/model/inference-cases.json matches the committed model (rerun its generate.ts after training)', async () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/model/inference-cases.json'), 'utf8')) as { modelVersion: string; count: number; windows: string; levels: string; probabilities: number[] };
  const classifier = await Classifier.load();
  expect(fixture.modelVersion).toBe(classifier.modelVersion);
  const { windows, count } = await fixtureWindows(classifier);
  expect(count).toBe(fixture.count);
  const decode = (b64: string) => new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer);
  const stored = { images: decode(fixture.windows), levels: decode(fixture.levels) };
  // the windows still come out of the pipeline's CWT and levels (float rounding may differ in the last bit)
  expect(stored.images).toHaveLength(windows.images.length);
  windows.images.forEach((v, i) => expect(Math.abs(v - stored.images[i]!)).toBeLessThan(1e-6));
  expect(stored.levels).toHaveLength(windows.levels.length);
  windows.levels.forEach((v, i) => expect(Math.abs(v - stored.levels[i]!)).toBeLessThan(1e-6));
  // and the committed model still gives the stored probabilities for the stored windows
  const probs = await classifier.predict(stored, count);
  probs.forEach((p, i) => expect(Math.abs(p - fixture.probabilities[i]!)).toBeLessThan(1e-6));
  await classifier.close();
}, 60_000);

/** The shared inference fixtures are current: the committed model still gives their probabilities. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Classifier } from '../../detector/model/infer';
import { fixtureWindows } from '../fixtures/model/generate';

it('test/fixtures/model/inference-cases.json matches the committed model (rerun its generate.ts after training)', async () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/model/inference-cases.json'), 'utf8')) as { modelVersion: string; count: number; windows: string; probabilities: number[] };
  const classifier = await Classifier.load();
  expect(fixture.modelVersion).toBe(classifier.modelVersion);
  const { windows, count } = await fixtureWindows(classifier);
  expect(count).toBe(fixture.count);
  const stored = new Float32Array(new Uint8Array(Buffer.from(fixture.windows, 'base64')).buffer);
  // the windows still come out of the pipeline's CWT (float rounding may differ in the last bit)
  expect(stored).toHaveLength(windows.length);
  windows.forEach((v, i) => expect(Math.abs(v - stored[i]!)).toBeLessThan(1e-6));
  // and the committed model still gives the stored probabilities for the stored windows
  const probs = await classifier.predict(stored, count);
  probs.forEach((p, i) => expect(Math.abs(p - fixture.probabilities[i]!)).toBeLessThan(1e-6));
  await classifier.close();
}, 60_000);

/** Model plumbing: metrics, saving/loading the tfjs artifacts, the classifiers, labelled windows. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FAULT_CLASSES } from '../../contracts';
import { buildWindowSet, spreadDates, windowLabel } from '../../detector/dataset';
import { loadModel, normalizationFile, saveModel } from '../../detector/model/artifacts';
import { initBackend } from '../../detector/model/backend';
import { Classifier, ParallelClassifier } from '../../detector/model/infer';
import { buildLenet, INPUT_SHAPE } from '../../detector/model/lenet';
import { metricsOf } from '../../detector/model/metrics';
import { simulatePlantDay, plantConfig } from '../../detector/simulator/plant';
import { N_LEVELS, WINDOW_VALUES, type Normalization } from '../../detector/windows';
import { TEST_RULE, TEST_THRESHOLDS } from '../helpers/goldFixture';

const RAISE = { own: TEST_RULE.raise, fleet: TEST_RULE.raise };

const norm: Normalization = {
  scale: { voltage: 1.5, current: 0.2, temperature: 0.05, irradiance: 3 },
  levels: { center: [5.5, 1, 2.5, -1, 3.5, -2, 6, 2], spread: [0.3, 1, 0.8, 1, 0.6, 1.2, 0.7, 1.4] },
};

describe('metrics', () => {
  it('computes per-class precision, recall, F1 and the confusion matrix', () => {
    const truth = [0, 0, 1, 1, 1, 2];
    const pred = [0, 1, 1, 1, 0, 2];
    const m = metricsOf(truth, pred);
    expect(m.accuracy).toBeCloseTo(4 / 6);
    expect(m.perClass[1]).toMatchObject({ support: 3, precision: 2 / 3, recall: 2 / 3 });
    expect(m.perClass[2]!.f1).toBe(1);
    expect(m.confusion[1]).toEqual([1, 2, 0, 0, 0, 0]);
    expect(m.macroF1).toBeCloseTo((0.5 + 2 / 3 + 1) / 3);
  });
});

describe('model artifacts and classifiers', () => {
  let dir: string;
  let reference: Float32Array;
  const count = 70;
  const windows = {
    images: Float32Array.from({ length: count * WINDOW_VALUES }, (_, i) => Math.sin(i * 0.013) * 2),
    levels: Float32Array.from({ length: count * N_LEVELS }, (_, i) => Math.cos(i * 0.7) * 1.5),
  };
  const asTensors = () => [tf.tensor4d(windows.images, [count, ...INPUT_SHAPE]), tf.tensor2d(windows.levels, [count, N_LEVELS])];

  beforeAll(async () => {
    await initBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'model-'));
    const model = buildLenet(3);
    reference = tf.tidy(() => (model.predict(asTensors()) as tf.Tensor).dataSync() as Float32Array);
    await saveModel(model, dir, normalizationFile(norm, 'test-v1'));
    writeFileSync(join(dir, 'alarms.json'), JSON.stringify({ modelVersion: 'test-v1', thresholds: { own: TEST_THRESHOLDS, fleet: TEST_THRESHOLDS }, raise: RAISE, calibration: {} }));
  });

  it('saves the tfjs layers format and loads it back with identical outputs', async () => {
    const loaded = await loadModel(dir);
    expect(loaded.modelVersion).toBe('test-v1');
    expect(loaded.alarmThresholds).toEqual({ own: TEST_THRESHOLDS, fleet: TEST_THRESHOLDS });
    expect(loaded.raiseThresholds).toEqual(RAISE);
    expect(loaded.normalization).toEqual(norm);
    const again = tf.tidy(() => (loaded.model.predict(asTensors()) as tf.Tensor).dataSync());
    for (let i = 0; i < reference.length; i++) expect(again[i]).toBeCloseTo(reference[i]!, 6);
  });

  it('Classifier returns the six probabilities per window in contract order', async () => {
    const c = await Classifier.load(dir, 32);
    const probs = await c.predict(windows, count);
    expect(probs).toHaveLength(count * FAULT_CLASSES.length);
    for (let i = 0; i < probs.length; i++) expect(probs[i]).toBeCloseTo(reference[i]!, 5);
    await expect(c.predict(windows, count + 1)).rejects.toThrow(`predict: ${count + 1} windows need`);
    await expect(c.predict({ images: windows.images, levels: windows.levels.subarray(0, N_LEVELS) }, count)).rejects.toThrow('level values');
    await c.close();
  });

  it('ParallelClassifier spreads a batch over workers and keeps the order', async () => {
    const c = await ParallelClassifier.load(dir, 2);
    const probs = await c.predict(windows, count);
    for (let i = 0; i < probs.length; i++) expect(probs[i]).toBeCloseTo(reference[i]!, 5);
    expect(c.modelVersion).toBe('test-v1');
    await c.close();
  }, 60_000);

  it('the level features change the prediction (the level branch is wired in)', async () => {
    const c = await Classifier.load(dir, 32);
    const shifted = await c.predict({ images: windows.images, levels: windows.levels.map((v) => v + 2) }, count);
    expect(shifted.some((p, i) => Math.abs(p - reference[i]!) > 1e-4)).toBe(true);
    await c.close();
  });

  it('refuses a model whose level features are not the contract\'s', async () => {
    const other = mkdtempSync(join(tmpdir(), 'model-'));
    const model = buildLenet(3);
    await saveModel(model, other, { ...normalizationFile(norm, 'test-v2'), levels: { ...normalizationFile(norm, 'test-v2').levels, features: ['voltage.mean'] } });
    await expect(loadModel(other)).rejects.toThrow('level features [voltage.mean]');
  });

  it('says how to get a model when there is none', async () => {
    await expect(loadModel(join(dir, 'nowhere'))).rejects.toThrow('run npm run train');
  });
});

describe('labelled windows', () => {
  it('labels by the share of the window the fault acts on, and builds normalised tensors', () => {
    const config = plantConfig({ date: '2025-07-01', devices: 3, seed: 77, faultMix: { open_circuit: 1 }, keepSeries: true });
    const plant = simulatePlantDay(config);
    const day = [...plant.devices(0, 1)][0]!;
    const active = day.series!.faultActive;
    const labels = Array.from({ length: 67 }, (_, i) => windowLabel(day, i));
    labels.forEach((label, i) => {
      const on = active.subarray(i * 64, (i + 1) * 64).reduce((a, b) => a + b, 0);
      expect(label).toBe(on === 0 ? 'normal' : on >= 32 ? 'open_circuit' : null);
    });
    const set = buildWindowSet({ name: 't', plantDays: [{ seed: 77, date: '2025-07-01' }], devicesPerPlantDay: 3, normalKeep: 1 }, norm);
    expect(set.x).toHaveLength(set.count * WINDOW_VALUES);
    expect(set.levels).toHaveLength(set.count * N_LEVELS);
    expect(set.levels.every((v) => Number.isFinite(v))).toBe(true);
    // the training mix is uniform over the classes; every label is the device's fault or normal
    for (const m of set.meta) expect([m.deviceFault, 'normal']).toContain(m.label);
    expect(set.meta.some((m) => m.label !== 'normal')).toBe(true);
    expect(set.x.every((v) => Number.isFinite(v))).toBe(true);
  }, 30_000);

  it("draws a split's devices from its fault mix when it has one", () => {
    const set = buildWindowSet({ name: 't', plantDays: [{ seed: 77, date: '2025-07-01' }], devicesPerPlantDay: 3, normalKeep: 1, faultMix: { arc_fault: 1 } }, norm);
    expect(new Set(set.meta.map((m) => m.deviceFault))).toEqual(new Set(['arc_fault']));
  }, 30_000);

  it('spreads dates over a year, deterministically', () => {
    const d = spreadDates(2025, 12, 1);
    expect(d).toHaveLength(12);
    expect(new Set(d.map((x) => x.slice(5, 7))).size).toBe(12);
    expect(spreadDates(2025, 12, 1)).toEqual(d);
  });
});

/**
 * The model's artifacts on disk: tfjs layers format (model.json + weights.bin),
 * written and read without tfjs-node (tf.io handlers over plain files), and the
 * normalisation constants the windows need (normalization.json).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ALARM_LABELS, checkRaise, checkThresholdSets, type AlarmThresholds, type AlarmThresholdSets, type RaiseThresholdSets } from '../alarms';
import { CHANNELS, LEVEL_FEATURES, type Normalization } from '../windows';
import { ARTIFACTS_DIR } from './manifest';

export { ARTIFACTS_DIR };

export interface NormalizationFile {
  formula: string;
  channels: readonly string[];
  scale: Normalization['scale'];
  levels: { formula: string; features: readonly string[]; center: readonly number[]; spread: readonly number[] };
  modelVersion: string;
}

/** normalization.json's content for a model's normalisation. */
export function normalizationFile(norm: Normalization, modelVersion: string): NormalizationFile {
  return {
    formula: 'asinh(coef / scale)',
    channels: CHANNELS,
    scale: norm.scale,
    levels: { formula: '(asinh(stat) - center) / spread', features: LEVEL_FEATURES, ...norm.levels },
    modelVersion,
  };
}

export async function saveModel(model: tf.LayersModel, dir: string, meta: NormalizationFile): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = Buffer.from(artifacts.weightData as ArrayBuffer);
      writeFileSync(join(dir, 'weights.bin'), weights);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        userDefinedMetadata: { modelVersion: meta.modelVersion },
      };
      writeFileSync(join(dir, 'model.json'), `${JSON.stringify(modelJson)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
    }),
  );
  writeFileSync(join(dir, 'normalization.json'), `${JSON.stringify(meta, null, 2)}\n`);
}

export interface LoadedModel {
  model: tf.LayersModel;
  normalization: Normalization;
  modelVersion: string;
  /** the alarm decision's thresholds calibrated for this model (alarms.json): with a device's own baseline, and without history */
  alarmThresholds: AlarmThresholdSets;
  /** the second stage's raise thresholds calibrated with them (alarms.json raise); null before calibration: one stage */
  raiseThresholds: RaiseThresholdSets | null;
}

/** alarms.json: the alarm thresholds and raise thresholds calibrated for a model version, and how (npm run calibrate). */
export interface AlarmsFile {
  modelVersion: string;
  thresholds: AlarmThresholdSets;
  raise: RaiseThresholdSets;
  calibration: Record<string, unknown>;
}

/** The thresholds and raise thresholds calibrated for the model in dir; an error naming what to run when they are missing, incomplete or for another model. */
export function readCalibratedAlarms(dir: string, modelVersion: string): Pick<AlarmsFile, 'thresholds' | 'raise'> {
  const path = join(dir, 'alarms.json');
  let file: AlarmsFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as AlarmsFile;
  } catch (err) {
    throw new Error(`no alarm thresholds for the model in ${dir} (${(err as Error).message}); run npm run calibrate`);
  }
  if (file.modelVersion !== modelVersion) throw new Error(`${path} was calibrated for model ${JSON.stringify(file.modelVersion)}, not ${modelVersion}; run npm run calibrate`);
  const thresholds = checkThresholdSets(file.thresholds, path);
  return { thresholds, raise: checkRaise(file.raise, thresholds, path) };
}

/**
 * Calibrating the alarm thresholds needs the model's window probabilities before any
 * thresholds exist: an uncalibrated load raises no alarm (every threshold infinite).
 */
const NEVER = Object.fromEntries(ALARM_LABELS.map((l) => [l, Number.POSITIVE_INFINITY])) as AlarmThresholds;
export const UNCALIBRATED: AlarmThresholdSets = { own: NEVER, fleet: NEVER };

export async function loadModel(dir = ARTIFACTS_DIR, options: { uncalibrated?: boolean } = {}): Promise<LoadedModel> {
  let json: { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  let meta: NormalizationFile;
  try {
    json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as typeof json;
    meta = JSON.parse(readFileSync(join(dir, 'normalization.json'), 'utf8')) as NormalizationFile;
  } catch (err) {
    throw new Error(`no trained model in ${dir} (${(err as Error).message}); run npm run train`);
  }
  if (meta.channels.join(',') !== CHANNELS.join(',')) throw new Error(`model in ${dir} expects channels ${meta.channels.join(', ')}, the contract has ${CHANNELS.join(', ')}`);
  const features = meta.levels?.features ?? [];
  if (features.join(',') !== LEVEL_FEATURES.join(',')) throw new Error(`model in ${dir} expects level features [${features.join(', ')}], the contract has [${LEVEL_FEATURES.join(', ')}]; retrain with npm run train`);
  const weights = readFileSync(join(dir, 'weights.bin'));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((m) => m.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const alarms = options.uncalibrated ? { thresholds: UNCALIBRATED, raise: null } : readCalibratedAlarms(dir, meta.modelVersion);
  return { model, normalization: { scale: meta.scale, levels: { center: meta.levels.center, spread: meta.levels.spread } }, modelVersion: meta.modelVersion, alarmThresholds: alarms.thresholds, raiseThresholds: alarms.raise };
}

/**
 * The classifier: LeNet-5 (the design card's family) on 64×64×4 normalised
 * scalogram windows, joined by the window's level features → the six fault
 * classes, in the contract's order.
 *
 *   scalogram 64×64×4 → [avg-pool 2] → conv 5×5×6 → max-pool 2 → conv 5×5×16 → max-pool 2 → flatten → dropout ┐
 *   levels 8 → dense 32 ────────────────────────────────────────────────────────────────────────────────────────┴→ concat → dense 120 → dense 84 → softmax 6
 *
 * `classic` (the default) averages the window's 2×2 neighbouring scales and
 * samples first, so the convolutions see LeNet-5's own 32×32 input: a fifth of
 * the arithmetic of `plain` at 64×64, which was the predict job's largest CPU
 * cost (docs/model-card.md compares the two on the same test set).
 *
 * ReLU (trains faster than LeNet's original tanh); dropout on the image features
 * keeps the model from memorising plant-days. The level branch exists because the
 * wavelet has no response to a series' level, and faults that mostly shift a level
 * (an open string, a leak to ground) were confused without it (docs/model-card.md).
 */
import * as tf from '@tensorflow/tfjs';
import { FAULT_CLASSES } from '../../contracts';
import { CHANNELS, N_LEVELS, N_SCALES, WINDOW, WINDOW_VALUES, type ModelInputs } from '../windows';

export const INPUT_SHAPE: [number, number, number] = [N_SCALES, WINDOW, CHANNELS.length];
/** The model's input names, in the order predict() takes them. */
const INPUT_NAMES = ['scalogram', 'levels'] as const;

/** Windows [from, from + n) of a batch as the model's two input tensors (views, no copy). */
export function inputTensors(inputs: ModelInputs, from: number, n: number): [tf.Tensor4D, tf.Tensor2D] {
  return [
    tf.tensor4d(inputs.images.subarray(from * WINDOW_VALUES, (from + n) * WINDOW_VALUES), [n, ...INPUT_SHAPE]),
    tf.tensor2d(inputs.levels.subarray(from * N_LEVELS, (from + n) * N_LEVELS), [n, N_LEVELS]),
  ];
}

export const LENET_VARIANTS = ['classic', 'plain', 'batchnorm'] as const;
export type LenetVariant = (typeof LENET_VARIANTS)[number];

/** The model version's prefix per variant: lenet5c-2026-…, lenet5-…, lenet5bn-… */
export const VERSION_PREFIX: Record<LenetVariant, string> = { classic: 'lenet5c', plain: 'lenet5', batchnorm: 'lenet5bn' };

/**
 * `batchnorm` adds batch normalisation between each convolution and its ReLU: the
 * asinh-compressed scalograms are heavy-tailed, and normalising the feature maps
 * keeps the first layers' activations well scaled while training.
 */
export function buildLenet(seed = 1, variant: LenetVariant = 'classic'): tf.LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 100 + k });
  const conv = (x: tf.SymbolicTensor, name: string, filters: number, k: number): tf.SymbolicTensor => {
    if (variant !== 'batchnorm') return tf.layers.conv2d({ filters, kernelSize: 5, activation: 'relu', kernelInitializer: init(k), name }).apply(x) as tf.SymbolicTensor;
    const c = tf.layers.conv2d({ filters, kernelSize: 5, kernelInitializer: init(k), name }).apply(x);
    const b = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(c);
    return tf.layers.activation({ activation: 'relu', name: `${name}_relu` }).apply(b) as tf.SymbolicTensor;
  };
  const image = tf.input({ shape: INPUT_SHAPE, name: INPUT_NAMES[0] });
  const levels = tf.input({ shape: [N_LEVELS], name: INPUT_NAMES[1] });
  const input = variant === 'classic' ? (tf.layers.averagePooling2d({ poolSize: 2, name: 'p0' }).apply(image) as tf.SymbolicTensor) : image;
  let x = conv(input, 'c1', 6, 1);
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 's2' }).apply(x) as tf.SymbolicTensor;
  x = conv(x, 'c3', 16, 2);
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 's4' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.3, seed: seed * 100 + 3, name: 'drop5' }).apply(x) as tf.SymbolicTensor;
  const l = tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init(7), name: 'l1' }).apply(levels) as tf.SymbolicTensor;
  let y = tf.layers.concatenate({ name: 'merge' }).apply([x, l]) as tf.SymbolicTensor;
  y = tf.layers.dense({ units: 120, activation: 'relu', kernelInitializer: init(4), name: 'f5' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.dense({ units: 84, activation: 'relu', kernelInitializer: init(5), name: 'f6' }).apply(y) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: FAULT_CLASSES.length, activation: 'softmax', kernelInitializer: init(6), name: 'output' }).apply(y) as tf.SymbolicTensor;
  return tf.model({ name: 'lenet5_pv', inputs: [image, levels], outputs: out });
}

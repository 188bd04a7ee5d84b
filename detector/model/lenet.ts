/**
 * The classifier: LeNet-5 (the design card's family) on 64×64×4 normalised
 * scalogram windows → the six fault classes, in the contract's order.
 * conv 5×5×6 → max-pool 2 → conv 5×5×16 → max-pool 2 → dense 120 → dense 84 → softmax 6,
 * with ReLU (trains faster than LeNet's original tanh) and dropout before the
 * dense layers (the simulator can make more data, but regularisation keeps the
 * model from memorising plant-days).
 */
import * as tf from '@tensorflow/tfjs';
import { FAULT_CLASSES } from '../../contracts';
import { CHANNELS, N_SCALES, WINDOW } from '../windows';

export const INPUT_SHAPE: [number, number, number] = [N_SCALES, WINDOW, CHANNELS.length];

export type LenetVariant = 'plain' | 'batchnorm';

/**
 * `batchnorm` adds batch normalisation between each convolution and its ReLU: the
 * asinh-compressed scalograms are heavy-tailed, and normalising the feature maps
 * keeps the first layers' activations well scaled while training.
 */
export function buildLenet(seed = 1, variant: LenetVariant = 'plain'): tf.Sequential {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 100 + k });
  const conv = (name: string, filters: number, k: number, first: boolean): tf.layers.Layer[] =>
    variant === 'batchnorm'
      ? [
          tf.layers.conv2d({ ...(first ? { inputShape: INPUT_SHAPE } : {}), filters, kernelSize: 5, kernelInitializer: init(k), name }),
          tf.layers.batchNormalization({ name: `${name}_bn` }),
          tf.layers.activation({ activation: 'relu', name: `${name}_relu` }),
        ]
      : [tf.layers.conv2d({ ...(first ? { inputShape: INPUT_SHAPE } : {}), filters, kernelSize: 5, activation: 'relu', kernelInitializer: init(k), name })];
  return tf.sequential({
    name: 'lenet5_pv',
    layers: [
      ...conv('c1', 6, 1, true),
      tf.layers.maxPooling2d({ poolSize: 2, name: 's2' }),
      ...conv('c3', 16, 2, false),
      tf.layers.maxPooling2d({ poolSize: 2, name: 's4' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dropout({ rate: 0.3, seed: seed * 100 + 3, name: 'drop5' }),
      tf.layers.dense({ units: 120, activation: 'relu', kernelInitializer: init(4), name: 'f5' }),
      tf.layers.dense({ units: 84, activation: 'relu', kernelInitializer: init(5), name: 'f6' }),
      tf.layers.dense({ units: FAULT_CLASSES.length, activation: 'softmax', kernelInitializer: init(6), name: 'output' }),
    ],
  });
}

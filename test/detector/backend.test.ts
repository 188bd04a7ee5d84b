/** The wasm backend's registered filter gradient equals the reference cpu backend's. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../detector/model/backend';

async function filterGradient(backend: 'cpu' | 'wasm', x: Float32Array, w: Float32Array, dy: Float32Array): Promise<{ dw: Float32Array; dx: Float32Array }> {
  await initBackend(backend);
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, [3, 9, 8, 4]);
    const wt = tf.tensor4d(w, [5, 4, 4, 6]);
    const dyt = tf.tensor4d(dy, [3, 5, 5, 6]);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid').mul(dyt).sum());
    const [dx, dw] = grads([xt, wt]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

describe('TensorFlow.js backend', () => {
  it('wasm trains conv2d with the registered filter gradient, equal to cpu within 1e-5', async () => {
    const rnd = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
    const x = rnd(3 * 9 * 8 * 4, 1);
    const w = rnd(5 * 4 * 4 * 6, 2);
    const dy = rnd(3 * 5 * 5 * 6, 3);
    const cpu = await filterGradient('cpu', x, w, dy);
    const wasm = await filterGradient('wasm', x, w, dy);
    expect(wasm.dw).toHaveLength(cpu.dw.length);
    let worst = 0;
    for (let i = 0; i < cpu.dw.length; i++) worst = Math.max(worst, Math.abs(cpu.dw[i]! - wasm.dw[i]!));
    expect(worst).toBeLessThan(1e-5);
    for (let i = 0; i < cpu.dx.length; i++) expect(Math.abs(cpu.dx[i]! - wasm.dx[i]!)).toBeLessThan(1e-5);
  });

  it('refuses strides it does not implement, with a clear message', async () => {
    await initBackend('wasm');
    const run = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'valid').sum())([tf.ones([1, 8, 8, 1]), tf.ones([3, 3, 1, 1])]));
    expect(run).toThrow('Conv2DBackpropFilter on wasm supports stride 1');
  });
});

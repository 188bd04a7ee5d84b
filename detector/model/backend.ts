/**
 * The TensorFlow.js backend: tfjs-node (native TensorFlow) where it installed, else
 * the WebAssembly backend. The wasm backend ships without the filter gradient of
 * conv2d, so training registers it here: for stride 1, no dilation, 'valid'
 * padding, NHWC, the filter gradient is itself a valid conv2d —
 *   dW[kh, kw, ci, co] = Σ_b,oh,ow x[b, oh + kh, ow + kw, ci] · dy[b, oh, ow, co]
 *                      = conv2d(xᵀ [ci, H, W, b], dyᵀ [oh, ow, b, co]) transposed back.
 */
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

let registered = false;

function registerConv2DBackpropFilter(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const a = attrs as unknown as { strides: number | [number, number]; pad: unknown; dataFormat: string; dilations?: number | [number, number]; filterShape: number[] };
      const strides = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
      const dilations = a.dilations === undefined ? [1, 1] : typeof a.dilations === 'number' ? [a.dilations, a.dilations] : a.dilations;
      if (strides[0] !== 1 || strides[1] !== 1 || dilations[0] !== 1 || dilations[1] !== 1 || (a.pad !== 'valid' && a.pad !== 0) || a.dataFormat !== 'NHWC') {
        throw new Error(`Conv2DBackpropFilter on wasm supports stride 1, no dilation, 'valid' padding, NHWC only (got strides ${String(strides)}, pad ${String(a.pad)}, ${a.dataFormat})`);
      }
      const engine = tf.engine();
      const run = (name: string, ins: Record<string, tf.TensorInfo>, at: Record<string, unknown>): tf.TensorInfo => engine.runKernel(name, ins as never, at as never) as unknown as tf.TensorInfo;
      const xt = run('Transpose', { x }, { perm: [3, 1, 2, 0] });
      const dyt = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
      const conv = run('Conv2D', { x: xt, filter: dyt }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined });
      const dw = run('Transpose', { x: conv }, { perm: [1, 2, 0, 3] });
      for (const t of [xt, dyt, conv]) (backend as { disposeData(id: object): void }).disposeData(t.dataId);
      return dw;
    },
  });
}

/** Picks and initialises the fastest backend available; returns its name. */
export async function initBackend(prefer: BackendName | 'auto' = 'auto'): Promise<BackendName> {
  if (prefer === 'auto' || prefer === 'tensorflow') {
    try {
      // present only where its native library could be downloaded at install time
      const nativeBackend = '@tensorflow/tfjs-node';
      await import(nativeBackend);
      if (await tf.setBackend('tensorflow')) return 'tensorflow';
    } catch {
      if (prefer === 'tensorflow') throw new Error('@tensorflow/tfjs-node is not installed (its native download fails offline); use the wasm backend');
    }
  }
  if (prefer === 'auto' || prefer === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    registerConv2DBackpropFilter();
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      return 'wasm';
    }
  }
  await tf.setBackend('cpu');
  return 'cpu';
}

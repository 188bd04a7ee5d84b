/**
 * The scalogram answer (GET /devices/{id}/scalogram) as the page draws and describes it:
 * pure functions, tested without a browser. The tensor is the classifier's input, HWC
 * (height = scale, width = time, channels interleaved); the page shows one image per
 * channel on one colour scale, so that a colour means the same value in all four.
 */
import type { Channel, Scalogram } from './api';

/** Morlet's centre frequency (PyWavelets' "morl"): a scale s at step Δt reads changes of period ≈ s·Δt / 0.8125. */
export const MORLET_CENTER = 0.8125;

export interface Planes {
  scales: number;
  times: number;
  channels: Channel[];
  /** one scales × times plane per channel, row-major (row = scale, 1 first) */
  planes: Float32Array[];
  /** the largest |value| over all channels: the colour scale runs from −limit to +limit */
  limit: number;
}

/** The base64 float32 little-endian tensor as numbers (atob: the browser's own; Node's Buffer in tests goes through the same). */
export function decodeValues(b64: string): Float32Array {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** The tensor split into one plane per channel. */
export function planesOf(s: Scalogram, values: Float32Array = decodeValues(s.values)): Planes {
  const [scales, times, nc] = s.shape;
  if (values.length !== scales * times * nc) throw new Error(`scalogram: ${values.length} values for shape ${s.shape.join('×')}`);
  const planes = s.channels.map(() => new Float32Array(scales * times));
  let limit = 0;
  for (let h = 0; h < scales; h++)
    for (let w = 0; w < times; w++)
      for (let c = 0; c < nc; c++) {
        const v = values[(h * times + w) * nc + c]!;
        planes[c]![h * times + w] = v;
        limit = Math.max(limit, Math.abs(v));
      }
  return { scales, times, channels: s.channels, planes, limit: limit || 1 };
}

/** The colour scale's stops, −1 … +1: blue below zero, near-white at zero, red above (diverging: a coefficient's sign matters). */
const STOPS: [number, [number, number, number]][] = [
  [-1, [33, 60, 140]],
  [-0.5, [95, 145, 205]],
  [0, [246, 246, 246]],
  [0.5, [228, 122, 92]],
  [1, [140, 18, 36]],
];

/** The colour of value v on the scale −limit … +limit. */
export function colourOf(v: number, limit: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, v / limit));
  for (let i = 1; i < STOPS.length; i++) {
    const [t1, c1] = STOPS[i]!;
    if (t <= t1) {
      const [t0, c0] = STOPS[i - 1]!;
      const f = (t - t0) / (t1 - t0);
      return [0, 1, 2].map((k) => Math.round(c0[k]! + f * (c1[k]! - c0[k]!))) as [number, number, number];
    }
  }
  return STOPS[STOPS.length - 1]![1];
}

/** RGBA pixels of a plane (one pixel per value, scale 1 in the top row) for an ImageData. */
export function planePixels(plane: Float32Array, limit: number): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(new ArrayBuffer(plane.length * 4));
  for (let i = 0; i < plane.length; i++) {
    const [r, g, b] = colourOf(plane[i]!, limit);
    out.set([r, g, b, 255], i * 4);
  }
  return out;
}

/** The period (seconds) a scale reads at a step. */
export function periodSeconds(scale: number, stepSeconds: number): number {
  return (scale * stepSeconds) / MORLET_CENTER;
}

function duration(seconds: number): string {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

/**
 * A channel's image in words, the text alternative of its picture: its range, where
 * its strongest value lies (scale, the period it stands for, and the time), and
 * whether its weight is in fast changes (the small scales, under 5 minutes) or slow ones.
 */
export function describePlane(p: Planes, c: number, s: Pick<Scalogram, 'scales' | 'stepSeconds' | 'window'>, time: (iso: string) => string): string {
  const plane = p.planes[c]!;
  let min = Infinity;
  let max = -Infinity;
  let at = 0;
  let fast = 0;
  let all = 0;
  for (let i = 0; i < plane.length; i++) {
    const v = plane[i]!;
    min = Math.min(min, v);
    max = Math.max(max, v);
    if (Math.abs(v) > Math.abs(plane[at]!)) at = i;
    const scale = s.scales[Math.floor(i / p.times)]!;
    all += Math.abs(v);
    if (periodSeconds(scale, s.stepSeconds) < 300) fast += Math.abs(v);
  }
  const scale = s.scales[Math.floor(at / p.times)]!;
  const when = new Date(Date.parse(s.window.start) + (at % p.times) * s.stepSeconds * 1000).toISOString();
  const share = all > 0 ? Math.round((100 * fast) / all) : 0;
  return `${p.channels[c]}: values ${min.toFixed(2)} to ${max.toFixed(2)}; strongest ${plane[at]!.toFixed(2)} at scale ${scale} (changes over about ${duration(periodSeconds(scale, s.stepSeconds))}) at ${time(when)}; ${share} % of its weight in changes faster than 5 min.`;
}

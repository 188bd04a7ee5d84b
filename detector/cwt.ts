/**
 * The Continuous Wavelet Transform of the contract: exactly what
 * `pywt.cwt(x, np.arange(1, 65), 'morl')` computes (PyWavelets' 'conv' method),
 * done with FFTs.
 *
 * PyWavelets integrates the Morlet wavelet ψ(t) = exp(−t²/2)·cos(5t) on 1024 points
 * of [−8, 8] (cumulative sum × step), resamples it per scale s at indices
 * floor(k / (s·step)), k = 0..16s, convolves the signal with the reversed result,
 * takes −√s · diff and keeps the centre. The diff is folded into the kernel here,
 * the kernels' spectra are computed once per FFT length and reused for every
 * device, channel and signal length that transforms on it, and two scales share
 * one complex inverse FFT (their outputs are real, so one goes in the real part
 * and one in the imaginary part). The FFT
 * length is the cheapest 2ᵃ3ᵇ5ᶜ free of wrap-around in the samples kept (fastLength:
 * 5,120 for a 4,320-slot day, against 8,192 for a power of two).
 */
import { fastLength, MixedRadixFFT } from './fft';

const PRECISION_POINTS = 1024; // pywt's precision = 10 → 2**10 points
const LOWER = -8;
const UPPER = 8;

/** pywt's integrated Morlet wavelet and its grid step (np.linspace + np.cumsum · step). */
function integratedMorlet(): { intPsi: Float64Array; step: number } {
  const delta = (UPPER - LOWER) / (PRECISION_POINTS - 1);
  const x = new Float64Array(PRECISION_POINTS);
  for (let i = 0; i < PRECISION_POINTS; i++) x[i] = i * delta + LOWER;
  x[PRECISION_POINTS - 1] = UPPER;
  const step = x[1]! - x[0]!;
  const intPsi = new Float64Array(PRECISION_POINTS);
  let sum = 0;
  for (let i = 0; i < PRECISION_POINTS; i++) {
    const t = x[i]!;
    sum += Math.exp(-(t * t) / 2) * Math.cos(5 * t);
    intPsi[i] = sum;
  }
  for (let i = 0; i < PRECISION_POINTS; i++) intPsi[i] = intPsi[i]! * step;
  return { intPsi, step };
}

const MORLET = integratedMorlet();

/** pywt's kernel for one scale: int_psi[j][::-1] with j = floor(arange(s·16 + 1) / (s·step)). */
export function scaleKernel(scale: number): Float64Array {
  const { intPsi, step } = MORLET;
  const count = Math.floor(scale * (UPPER - LOWER) + 1);
  const picked: number[] = [];
  for (let k = 0; k < count; k++) {
    const j = Math.floor(k / (scale * step));
    if (j < PRECISION_POINTS) picked.push(intPsi[j]!);
  }
  return Float64Array.from(picked.reverse());
}

interface Plan {
  size: number;
  fft: MixedRadixFFT;
  /** per pair of scales: spectrum of (h_a + i·h_b), interleaved complex, full length */
  pairSpectra: Float64Array[];
  /** per scale: index in the full convolution where its output starts */
  offsets: Int32Array;
  /**
   * The transform's work buffers, reused by every call with this plan (cwt is
   * synchronous): allocating them per call made ~0.8 MB of ArrayBuffers per
   * device-day, and V8 answers that external memory churn with a full GC every few
   * device-days.
   */
  work: { signal: Float64Array; spectrum: Float64Array; product: Float64Array; back: Float64Array };
}

/**
 * What the transform keeps per set of scales: pywt's resampled kernels, and plans by
 * FFT length, which signals of many lengths share (a day's span varies with its
 * daylight); byLength remembers which plan a signal length uses.
 */
interface ScaleSet {
  kernels: Float64Array[];
  bySize: Map<number, Plan>;
  byLength: Map<number, Plan>;
}

const scaleSets = new Map<string, ScaleSet>();
/** The set of each scales array seen, so that a call does not rebuild its key (the contract's scales: every call). */
const scaleSetOf = new WeakMap<readonly number[], ScaleSet>();

function scaleSet(scales: readonly number[]): ScaleSet {
  let set = scaleSetOf.get(scales);
  if (set) return set;
  const key = scales.join(',');
  set = scaleSets.get(key);
  if (!set) scaleSets.set(key, (set = { kernels: scales.map(scaleKernel), bySize: new Map(), byLength: new Map() }));
  scaleSetOf.set(scales, set);
  return set;
}

function plan(n: number, scales: readonly number[]): Plan {
  const set = scaleSet(scales);
  const known = set.byLength.get(n);
  if (known) return known;
  const { kernels } = set;
  // circular convolution of length M equals the linear one on the kept samples
  // [off, off + n) when M ≥ off + n and M ≥ n + L + 1 − off (L + 1 = the diff kernel's length)
  let needed = 1;
  for (const kern of kernels) {
    const off = Math.floor((kern.length - 2) / 2) + 1;
    needed = Math.max(needed, off + n, n + kern.length + 1 - off);
  }
  const size = fastLength(needed);
  let p = set.bySize.get(size);
  if (!p) set.bySize.set(size, (p = newPlan(size, scales, kernels)));
  set.byLength.set(n, p);
  return p;
}

function newPlan(size: number, scales: readonly number[], kernels: readonly Float64Array[]): Plan {
  const fft = new MixedRadixFFT(size);
  const offsets = new Int32Array(scales.length);
  // h = −√s · (kernel − kernel shifted by one): conv(x, h)[m] = −√s·(conv[m] − conv[m−1])
  const diffKernels = kernels.map((kern, i) => {
    const h = new Float64Array(size);
    const gain = -Math.sqrt(scales[i]!);
    for (let m = 0; m <= kern.length; m++) h[m] = gain * ((kern[m] ?? 0) - (kern[m - 1] ?? 0));
    // pywt keeps diff[floor(d) : floor(d) + n] with d = (L − 2)/2; diff[m] is our conv at m + 1
    offsets[i] = Math.floor((kern.length - 2) / 2) + 1;
    return h;
  });
  // stored pre-scaled by 1/size: the inverse transform is done as conj(FFT(conj(·))) without its division pass
  const pairSpectra: Float64Array[] = [];
  const input = new Float64Array(2 * size);
  for (let i = 0; i < scales.length; i += 2) {
    const a = diffKernels[i]!;
    const b = diffKernels[i + 1];
    for (let m = 0; m < size; m++) {
      input[2 * m] = a[m]!;
      input[2 * m + 1] = b ? b[m]! : 0;
    }
    const out = new Float64Array(2 * size);
    fft.transform(out, input);
    for (let m = 0; m < out.length; m++) out[m] = out[m]! / size;
    pairSpectra.push(out);
  }
  const work = { signal: new Float64Array(2 * size), spectrum: new Float64Array(2 * size), product: new Float64Array(2 * size), back: new Float64Array(2 * size) };
  return { size, fft, pairSpectra, offsets, work };
}

export const CONTRACT_SCALES: readonly number[] = Array.from({ length: 64 }, (_, i) => i + 1);

/**
 * How far the transform looks: coefficient t of any scale is a sum over input
 * samples t − before … t + after only (samples outside the signal count as zeros, as
 * in np.convolve). With L = the kernel's length, the diff kernel h has L + 1 taps
 * and out[t] = Σₘ h[m]·x[t + off − m] for m = 0..L: before = L − off, after = off.
 * So the coefficients of samples [a, b) are, in exact arithmetic, the same when the
 * transform is run on samples [a − before, b + after) only (clipped to the signal).
 */
export function cwtReach(scales: readonly number[] = CONTRACT_SCALES): { before: number; after: number } {
  let before = 0;
  let after = 0;
  for (const s of scales) {
    const length = scaleKernel(s).length;
    const off = Math.floor((length - 2) / 2) + 1;
    before = Math.max(before, length - off);
    after = Math.max(after, off);
  }
  return { before, after };
}

/**
 * CWT coefficients, scale-major: out[s·k + t − from] for scale index s and the
 * samples t of [from, to) kept (pywt's coefs[s, from:to]; k = to − from; the whole
 * signal by default). `signal` must be finite. Keeping fewer samples saves only
 * the copying: the transform still reads the whole signal.
 */
export function cwt(signal: ArrayLike<number>, scales: readonly number[] = CONTRACT_SCALES, out?: Float64Array | Float32Array, keep: { from: number; to: number } = { from: 0, to: signal.length }): Float64Array | Float32Array {
  const n = signal.length;
  const { from, to } = keep;
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= n)) throw new Error(`cwt: samples [${from}, ${to}) to keep are not within the signal's ${n}`);
  const kept = to - from;
  const p = plan(n, scales);
  const result = out ?? new Float64Array(scales.length * kept);
  if (result.length !== scales.length * kept) throw new Error(`cwt: output holds ${result.length} values, needs ${scales.length * kept}`);
  const { fft, size } = p;
  const { signal: input, spectrum, product, back } = p.work;
  // the samples in the real parts, zeros after them (a longer signal may have used the plan before)
  for (let t = 0; t < n; t++) {
    const v = signal[t]!;
    if (!Number.isFinite(v)) throw new Error(`cwt: sample ${t} is ${v}; fill gaps before the transform`);
    input[2 * t] = v;
  }
  input.fill(0, 2 * n);
  fft.transform(spectrum, input);
  for (let pair = 0; pair < p.pairSpectra.length; pair++) {
    const h = p.pairSpectra[pair]!;
    // conj(X·H), so that a forward transform gives conj of the inverse
    for (let m = 0; m < 2 * size; m += 2) {
      const xr = spectrum[m]!;
      const xi = spectrum[m + 1]!;
      const hr = h[m]!;
      const hi = h[m + 1]!;
      product[m] = xr * hr - xi * hi;
      product[m + 1] = -(xr * hi + xi * hr);
    }
    fft.transform(back, product);
    const a = 2 * pair;
    // row a holds sample t at a·kept + t − from, read at back[2·(t + offset)]
    const shiftA = a * kept - from;
    const offA = 2 * p.offsets[a]!;
    for (let t = from; t < to; t++) result[shiftA + t] = back[2 * t + offA]!;
    if (a + 1 < scales.length) {
      const shiftB = (a + 1) * kept - from;
      const offB = 2 * p.offsets[a + 1]! + 1;
      // the conjugate flips the sign of the imaginary part
      for (let t = from; t < to; t++) result[shiftB + t] = -back[2 * t + offB]!;
    }
  }
  return result;
}

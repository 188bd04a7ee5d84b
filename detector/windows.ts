/**
 * A silver device-day → model inputs (contracts/detector.json): gap fill, CWT of
 * each channel over the whole day (or only the span its usable windows read,
 * spanScalograms), 64-slot windows with skip reasons, the asinh normalisation
 * stacked as 64×64×4 NHWC float32, and beside each image the window's levels
 * (per-channel mean and standard deviation, standardised), which the wavelet cannot see.
 */
import { toPerUnit, type PerUnitReference } from './perUnit';
import { DETECTOR_CONTRACT, GRID_STEP_MS, QUALITY, type SilverDeviceDayRow, type SkipReason } from '../contracts';
import { asinhScaled } from './asinh';
import { CONTRACT_SCALES, cwt, cwtReach } from './cwt';

export const CHANNELS = DETECTOR_CONTRACT.channels;
export const WINDOW = DETECTOR_CONTRACT.window.length;
/** A window's duration: 64 slots of 20 s = 21 min 20 s. */
export const WINDOW_MS = WINDOW * GRID_STEP_MS;
export const N_SCALES = DETECTOR_CONTRACT.cwt.scaleTo - DETECTOR_CONTRACT.cwt.scaleFrom + 1;
export const WINDOW_VALUES = N_SCALES * WINDOW * CHANNELS.length;
const SKIP = DETECTOR_CONTRACT.skip;

export const LEVEL_STATISTICS = DETECTOR_CONTRACT.levels.statistics;
/** The level features' names, in the model's order: voltage.mean, voltage.std, current.mean, … */
export const LEVEL_FEATURES: readonly string[] = CHANNELS.flatMap((c) => LEVEL_STATISTICS.map((s) => `${c}.${s}`));
export const N_LEVELS = LEVEL_FEATURES.length;

/** Per-channel scales of the scalograms' normalisation. */
export type ChannelScales = Readonly<Record<(typeof CHANNELS)[number], number>>;

/** Standardisation of the level features: (asinh(stat) − center) / spread, in LEVEL_FEATURES order. */
export interface LevelNormalization {
  center: readonly number[];
  spread: readonly number[];
}

/** Everything the model's inputs are normalised with (the model's normalization.json). */
export interface Normalization {
  scale: ChannelScales;
  levels: LevelNormalization;
}

/** Model inputs of `count` windows: images count × 64·64·4 (NHWC) and levels count × N_LEVELS, float32. */
export interface ModelInputs {
  images: Float32Array;
  levels: Float32Array;
}

/** Several batches of model inputs as one, in order. */
export function concatInputs(parts: readonly ModelInputs[]): ModelInputs {
  const count = parts.reduce((n, p) => n + p.levels.length / N_LEVELS, 0);
  const out = { images: new Float32Array(count * WINDOW_VALUES), levels: new Float32Array(count * N_LEVELS) };
  let at = 0;
  for (const p of parts) {
    out.images.set(p.images, at * WINDOW_VALUES);
    out.levels.set(p.levels, at * N_LEVELS);
    at += p.levels.length / N_LEVELS;
  }
  return out;
}

/** Missing values (NaN) filled for the CWT: linear between neighbours, nearest at the edges, zeros if none. */
export function gapFilled(series: ArrayLike<number>): Float64Array {
  const n = series.length;
  const out = Float64Array.from(series);
  let prev = -1;
  for (let k = 0; k <= n; k++) {
    if (k < n && Number.isNaN(out[k]!)) continue;
    // slots prev+1 .. k−1 are missing
    if (k - prev > 1) {
      for (let g = prev + 1; g < k; g++) {
        if (prev < 0 && k >= n) out[g] = 0;
        else if (prev < 0) out[g] = out[k]!;
        else if (k >= n) out[g] = out[prev]!;
        else out[g] = out[prev]! + ((g - prev) / (k - prev)) * (out[k]! - out[prev]!);
      }
    }
    prev = k;
  }
  return out;
}

export interface WindowInfo {
  index: number;
  startMs: number;
  endMs: number;
  skipReason: SkipReason | null;
  missingFraction: number;
  meanIrradiance: number;
}

/** The day's windows with their skip decision (no CWT needed for this). */
export function windowsOf(row: SilverDeviceDayRow): WindowInfo[] {
  const count = Math.floor(row.samples / WINDOW);
  const out: WindowInfo[] = [];
  for (let i = 0; i < count; i++) {
    let missing = 0;
    let sum = 0;
    let valued = 0;
    for (let s = i * WINDOW; s < (i + 1) * WINDOW; s++) {
      if (row.quality[s] === QUALITY.missing) missing++;
      const g = row.irradiance[s]!;
      if (!Number.isNaN(g)) {
        sum += g;
        valued++;
      }
    }
    const missingFraction = missing / WINDOW;
    const meanIrradiance = valued > 0 ? sum / valued : 0;
    let skipReason: SkipReason | null = null;
    if (missingFraction > SKIP.maxMissingFraction) skipReason = 'missing_data';
    else if (meanIrradiance < SKIP.minMeanIrradiance) skipReason = 'low_irradiance';
    const startMs = row.startMs + i * WINDOW * row.stepMs;
    out.push({ index: i, startMs, endMs: startMs + WINDOW * row.stepMs, skipReason, missingFraction, meanIrradiance });
  }
  return out;
}

const IRRADIANCE = CHANNELS.indexOf('irradiance');

/**
 * The four channels of a day, gap-filled: what the CWT and the levels read. With a
 * baseline gain (detector/baseline.ts), the irradiance channel is multiplied by it:
 * the device is judged against its own relation of current to irradiance.
 */
export function filledChannels(row: SilverDeviceDayRow, gain: number | null = null): Float64Array[] {
  return withGain(
    CHANNELS.map((c) => gapFilled(row[c])),
    gain,
  );
}

/** Multiplies the irradiance channel of gap-filled channels by a baseline gain, in place (none: unchanged). */
export function withGain(filled: Float64Array[], gain: number | null): Float64Array[] {
  if (gain === null) return filled;
  const g = filled[IRRADIANCE]!;
  for (let k = 0; k < g.length; k++) g[k] = g[k]! * gain;
  return filled;
}

/**
 * Each window's mean of the day's channels (CHANNELS order, CHANNELS.length per window,
 * in `windows` order), summed slot by slot (spark/pvfault/gold.py window_mean sums the
 * same way). Of the measured channels, before withGain scales the irradiance in place:
 * gold_window's meanVoltage…meanIrradiance and the day's ratio (baseline.ts dayRatio)
 * both read them.
 */
export function windowMeans(filled: readonly Float64Array[], windows: readonly WindowInfo[]): Float64Array {
  const n = filled.length;
  const out = new Float64Array(windows.length * n);
  windows.forEach((w, i) => {
    for (let c = 0; c < n; c++) {
      const x = filled[c]!;
      let sum = 0;
      for (let k = w.index * WINDOW; k < (w.index + 1) * WINDOW; k++) sum += x[k]!;
      out[i * n + c] = sum / WINDOW;
    }
  });
  return out;
}

/** The four channels' scalograms of a day: coefs[c][scale·samples + t], float32. */
export function dayScalograms(row: SilverDeviceDayRow, filled: Float64Array[] = filledChannels(row)): Float32Array[] {
  return filled.map((x) => cwt(x, CONTRACT_SCALES, new Float32Array(N_SCALES * row.samples)) as Float32Array);
}

/**
 * asinh of window `index`'s level statistics (before standardisation), into out at
 * offset: per channel its mean and population standard deviation over the window.
 */
export function rawLevels(filled: Float64Array[], index: number, out: Float64Array | Float32Array, offset = 0): void {
  const from = index * WINDOW;
  filled.forEach((x, c) => {
    let sum = 0;
    for (let k = from; k < from + WINDOW; k++) sum += x[k]!;
    const mean = sum / WINDOW;
    let sq = 0;
    for (let k = from; k < from + WINDOW; k++) sq += (x[k]! - mean) ** 2;
    out[offset + c * 2] = Math.asinh(mean);
    out[offset + c * 2 + 1] = Math.asinh(Math.sqrt(sq / WINDOW));
  });
}

const rawScratch = new Float64Array(N_LEVELS);

/** Window `index`'s standardised level features, into out (N_LEVELS values at offset). */
export function windowLevels(filled: Float64Array[], index: number, norm: LevelNormalization, out: Float32Array, offset = 0): void {
  rawLevels(filled, index, rawScratch);
  for (let f = 0; f < N_LEVELS; f++) out[offset + f] = (rawScratch[f]! - norm.center[f]!) / norm.spread[f]!;
}

/**
 * Reusable buffers for modelInputs in a thread that turns device-day after
 * device-day into model inputs (a predict worker): a device-day's scalograms and
 * images are ~4.5 MB of ArrayBuffers, and allocating them for each one made V8 run a
 * full GC every few device-days (external memory pressure), on both cores. The
 * buffers grow to the largest day seen; what modelInputs returns with them are
 * views, valid until its next call with the same buffers.
 */
export class InputBuffers {
  private coefs: Float32Array[] = CHANNELS.map(() => new Float32Array(0));
  private images = new Float32Array(0);
  private levels = new Float32Array(0);

  /** Channel c's scalogram buffer, `values` long. */
  scalogram(c: number, values: number): Float32Array {
    if (this.coefs[c]!.length < values) this.coefs[c] = new Float32Array(values);
    return this.coefs[c]!.subarray(0, values);
  }

  /** Inputs for `count` windows (old values: modelInputs writes every one). */
  inputs(count: number): ModelInputs {
    if (this.images.length < count * WINDOW_VALUES) this.images = new Float32Array(count * WINDOW_VALUES);
    if (this.levels.length < count * N_LEVELS) this.levels = new Float32Array(count * N_LEVELS);
    return { images: this.images.subarray(0, count * WINDOW_VALUES), levels: this.levels.subarray(0, count * N_LEVELS) };
  }
}

/**
 * A day's model inputs for the given windows (indices), in that order, from its
 * gap-filled channels (filledChannels, with the device's baseline gain). The CWT runs
 * over the span the windows read (spanScalograms), not the nights around it. With
 * `buffers`, the result is a view into them (see InputBuffers).
 */
export function modelInputs(row: SilverDeviceDayRow, indices: readonly number[], norm: Normalization, buffers?: InputBuffers, filled: Float64Array[] = filledChannels(row)): ModelInputs {
  const { images, levels } = buffers ? buffers.inputs(indices.length) : { images: new Float32Array(indices.length * WINDOW_VALUES), levels: new Float32Array(indices.length * N_LEVELS) };
  if (indices.length === 0) return { images, levels };
  const span = spanScalograms(row, indices, filled, buffers);
  indices.forEach((index, k) => {
    windowTensor(span.coefs, span.length, index, norm.scale, images, k * WINDOW_VALUES, span.from);
    windowLevels(filled, index, norm.levels, levels, k * N_LEVELS);
  });
  return { images, levels };
}

/**
 * One window's model input exactly as the predict job built it (local/jobs/devicePredictor.ts,
 * modelInputs), from the channels with the device's baseline gain. The CWT runs over the
 * span of all the day's predicted windows, as the job's did (spanScalograms): a narrower
 * span would round differently in float32's last bit, and the image would no longer be
 * the very one the classifier was given; only this window's image and levels are then
 * built from it. `predicted` must hold `index`.
 */
export function windowModelInput(row: SilverDeviceDayRow, predicted: readonly number[], index: number, norm: Normalization, gain: number | null, perUnit: PerUnitReference): ModelInputs {
  if (!predicted.includes(index)) throw new Error(`window ${index} is not among the predicted windows`);
  const filled = toPerUnit(withGain(filledChannels(row), gain), perUnit);
  const span = spanScalograms(row, predicted, filled);
  const out = { images: new Float32Array(WINDOW_VALUES), levels: new Float32Array(N_LEVELS) };
  windowTensor(span.coefs, span.length, index, norm.scale, out.images, 0, span.from);
  windowLevels(filled, index, norm.levels, out.levels, 0);
  return out;
}

const REACH = cwtReach(CONTRACT_SCALES);

/** Scalograms of the part of a day some windows read: coefs[c][scale·length + (t − from)]. */
export interface SpanScalograms {
  coefs: Float32Array[];
  /** the first sample of the day held */
  from: number;
  /** samples held */
  length: number;
}

/**
 * The scalograms of the samples the given windows read (from the first window's
 * first sample to the last one's last), transformed over those samples widened by
 * the transform's reach (cwtReach) and clipped to the day: the night around a
 * day's usable windows is not transformed. In exact arithmetic the coefficients are
 * the whole day's; in floating point the FFT's rounding differs a little (on
 * simulated days ~3 window values in 10⁵ differ, in their last float32 bit; ~1e-12
 * of the channel's largest coefficient), well inside the contract's 1e-6
 * tolerance. `filled` is the day's gap-filled channels (gaps are filled over the
 * whole day first, so the span's edges see the same neighbours). With `buffers`,
 * the scalograms are views into them (see InputBuffers).
 */
export function spanScalograms(row: SilverDeviceDayRow, windows: readonly number[], filled: Float64Array[] = filledChannels(row), buffers?: InputBuffers): SpanScalograms {
  if (windows.length === 0) return { coefs: CHANNELS.map(() => new Float32Array(0)), from: 0, length: 0 };
  const first = Math.min(...windows) * WINDOW;
  const last = (Math.max(...windows) + 1) * WINDOW;
  const from = Math.max(0, first - REACH.before);
  const to = Math.min(row.samples, last + REACH.after);
  const length = last - first;
  const keep = { from: first - from, to: last - from };
  const coefs = filled.map((x, c) => cwt(x.subarray(from, to), CONTRACT_SCALES, buffers ? buffers.scalogram(c, N_SCALES * length) : new Float32Array(N_SCALES * length), keep) as Float32Array);
  return { coefs, from: first, length };
}

/**
 * Writes window `index` of a day's scalograms, normalised, into out (64·64·4 values
 * at offset). `samples` is the scalograms' row length and `from` the first sample of
 * the day they hold (the whole day: the day's samples and 0; a span: its length and start).
 */
export function windowTensor(scalograms: Float32Array[], samples: number, index: number, scale: ChannelScales, out: Float32Array, offset = 0, from = 0): void {
  const start = index * WINDOW - from;
  const nc = CHANNELS.length;
  for (let c = 0; c < nc; c++) {
    const coefs = scalograms[c]!;
    const inv = 1 / scale[CHANNELS[c] as (typeof CHANNELS)[number]];
    for (let h = 0; h < N_SCALES; h++) {
      asinhScaled(coefs, h * samples + start, WINDOW, inv, out, offset + h * WINDOW * nc + c, nc);
    }
  }
}

/**
 * How the samples after a window's end are stood in for when the window is scored
 * as soon as it ends (the streaming decision: no sample after it has arrived yet).
 * zero: nothing (np.convolve's own edge); hold: the last sample repeated;
 * reflect: the samples before the end mirrored about it.
 */
export const EDGE_MODES = ['zero', 'hold', 'reflect'] as const;
export type EdgeMode = (typeof EDGE_MODES)[number];

/**
 * Model inputs of the given windows, each as it reads at its own end: the CWT of
 * the samples up to the window's last (from the transform's reach before it),
 * with the samples after it stood in for by `edge`. The batch's inputs
 * (modelInputs) read the reach after the window as well, 512 samples (171 min):
 * a window scored this way can raise an alarm as soon as it ends. `filled` is the
 * day's gap-filled channels (a gap is filled from both its sides, so a window
 * whose last samples are missing reads one later sample through the fill).
 */
export function asOfEndInputs(indices: readonly number[], norm: Normalization, filled: Float64Array[], edge: EdgeMode): ModelInputs {
  const images = new Float32Array(indices.length * WINDOW_VALUES);
  const levels = new Float32Array(indices.length * N_LEVELS);
  const samples = filled[0]?.length ?? 0;
  const coefs = CHANNELS.map(() => new Float32Array(N_SCALES * WINDOW));
  indices.forEach((index, k) => {
    const first = index * WINDOW;
    const last = first + WINDOW;
    if (last > samples) throw new Error(`window ${index} ends after the day's ${samples} samples`);
    const from = Math.max(0, first - REACH.before);
    const held = last - from;
    const extended = new Float64Array(held + REACH.after);
    filled.forEach((x, c) => {
      extended.set(x.subarray(from, last));
      const end = x[last - 1]!;
      for (let j = 0; j < REACH.after; j++) extended[held + j] = edge === 'zero' ? 0 : edge === 'hold' ? end : x[Math.max(from, last - 1 - j)]!;
      cwt(extended, CONTRACT_SCALES, coefs[c], { from: first - from, to: held });
    });
    windowTensor(coefs, WINDOW, index, norm.scale, images, k * WINDOW_VALUES, first);
    windowLevels(filled, index, norm.levels, levels, k * N_LEVELS);
  });
  return { images, levels };
}

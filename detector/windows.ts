/**
 * A silver device-day → model input windows (contracts/detector.json): gap fill,
 * CWT of each channel over the whole day (or only the span its usable windows read,
 * spanScalograms), 64-slot windows with skip reasons, and
 * the asinh normalisation, stacked as 64×64×4 NHWC float32.
 */
import { DETECTOR_CONTRACT, GRID_STEP_MS, QUALITY, type SilverDeviceDayRow, type SkipReason } from '../contracts';
import { CONTRACT_SCALES, cwt, cwtReach } from './cwt';

export const CHANNELS = DETECTOR_CONTRACT.channels;
export const WINDOW = DETECTOR_CONTRACT.window.length;
/** A window's duration: 64 slots of 20 s = 21 min 20 s. */
export const WINDOW_MS = WINDOW * GRID_STEP_MS;
export const N_SCALES = DETECTOR_CONTRACT.cwt.scaleTo - DETECTOR_CONTRACT.cwt.scaleFrom + 1;
export const WINDOW_VALUES = N_SCALES * WINDOW * CHANNELS.length;
const SKIP = DETECTOR_CONTRACT.skip;

/** Per-channel scales of the normalisation (the model's normalization.json). */
export type Normalization = Readonly<Record<(typeof CHANNELS)[number], number>>;

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

/** The four channels' scalograms of a day: coefs[c][scale·samples + t], float32. */
export function dayScalograms(row: SilverDeviceDayRow): Float32Array[] {
  return CHANNELS.map((c) => cwt(gapFilled(row[c]), CONTRACT_SCALES, new Float32Array(N_SCALES * row.samples)) as Float32Array);
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
 * The scalograms the given windows read, computed over their samples only,
 * widened by the transform's reach (cwtReach) and clipped to the day: the night
 * around a day's usable windows is not transformed. In exact arithmetic the
 * coefficients are the whole day's; in floating point the FFT's rounding differs a
 * little (on simulated days ~3 window values in 10⁵ differ, in their last float32
 * bit; ~1e-12 of the channel's largest coefficient), well inside the contract's
 * 1e-6 tolerance. `windows` ascending.
 */
export function spanScalograms(row: SilverDeviceDayRow, windows: readonly number[]): SpanScalograms {
  if (windows.length === 0) return { coefs: CHANNELS.map(() => new Float32Array(0)), from: 0, length: 0 };
  const from = Math.max(0, windows[0]! * WINDOW - REACH.before);
  const to = Math.min(row.samples, (windows[windows.length - 1]! + 1) * WINDOW + REACH.after);
  const length = to - from;
  // gaps are filled over the whole day first: the span's edges see the same neighbours
  const coefs = CHANNELS.map((c) => cwt(gapFilled(row[c]).subarray(from, to), CONTRACT_SCALES, new Float32Array(N_SCALES * length)) as Float32Array);
  return { coefs, from, length };
}

/**
 * Writes window `index` of a day's scalograms, normalised, into out (64·64·4 values
 * at offset). `samples` is the scalograms' row length and `from` the first sample of
 * the day they hold (the whole day: the day's samples and 0; a span: its length and start).
 */
export function windowTensor(scalograms: Float32Array[], samples: number, index: number, norm: Normalization, out: Float32Array, offset = 0, from = 0): void {
  const start = index * WINDOW - from;
  const nc = CHANNELS.length;
  for (let c = 0; c < nc; c++) {
    const coefs = scalograms[c]!;
    const inv = 1 / norm[CHANNELS[c] as (typeof CHANNELS)[number]];
    for (let h = 0; h < N_SCALES; h++) {
      const row = h * samples + start;
      const base = offset + h * WINDOW * nc + c;
      for (let w = 0; w < WINDOW; w++) out[base + w * nc] = Math.asinh(coefs[row + w]! * inv);
    }
  }
}

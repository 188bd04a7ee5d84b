/**
 * The PV array: nSeries modules per string (bypass diode across each module),
 * nStrings strings in parallel (blocking diode at each string's top), seen by the
 * converter as one I-V curve I(V).
 *
 * Uniform strings use the single-diode equation in closed form; a string with
 * mismatch (shaded modules, a short across some of its modules) is tabulated as
 * V(I) on a current grid, composed in series, and inverted at the array voltage.
 * That is where the several local maxima of a partially shaded array come from.
 */
import { currentAt, voltageAt, type DiodeParams } from './singleDiode';

export interface ArrayLayout {
  nSeries: number;
  nStrings: number;
  /** forward drop of a conducting bypass diode, V */
  vBypass: number;
  /** forward drop of a string's blocking diode, V */
  vBlock: number;
}

/** What is wrong with one string (faults are injected through this). */
export interface StringCondition {
  /** disconnected: no current */
  open?: boolean;
  /** per-module effective irradiance scale (1 = unshaded); length nSeries */
  irradianceScale?: ArrayLike<number>;
  /** a resistance across `count` modules starting at `first` (0 = bottom): line-line or line-ground fault */
  short?: { first: number; count: number; resistance: number };
  /** series arc voltage, V, while current flows */
  arcVoltage?: number;
}

export interface StringCurve {
  /** string current at the array (bus) voltage v, ≥ 0 */
  current(v: number): number;
  /** bus voltage above which the string no longer conducts */
  readonly vOc: number;
}

/** Newton on the implicit single-diode equation, warm-started; Lambert W as the fallback. */
function moduleCurrent(p: DiodeParams, v: number, guess: number): number {
  const { photocurrent: il, saturationCurrent: i0, resistanceSeries: rs, resistanceShunt: rsh, nNsVth: a } = p;
  const gsh = Number.isFinite(rsh) ? 1 / rsh : 0;
  let i = guess;
  for (let k = 0; k < 6; k++) {
    const vd = v + i * rs;
    const e = Math.exp(vd / a);
    const f = il - i0 * (e - 1) - vd * gsh - i;
    const fp = -i0 * (rs / a) * e - rs * gsh - 1;
    const step = f / fp;
    i -= step;
    if (Math.abs(step) < 1e-9) return i;
  }
  return currentAt(p, v);
}

class UniformString implements StringCurve {
  private guess: number;
  readonly vOc: number;
  constructor(
    private readonly p: DiodeParams,
    private readonly nSeries: number,
    /** blocking diode + arc: extra volts the string must make above the bus */
    private readonly offset: number,
  ) {
    this.guess = p.photocurrent;
    this.vOc = p.photocurrent > 0 ? Math.max(0, nSeries * voltageAt(p, 0) - offset) : 0;
  }

  current(v: number): number {
    const i = moduleCurrent(this.p, (v + this.offset) / this.nSeries, this.guess);
    this.guess = i;
    return i > 0 ? i : 0;
  }
}

/** Current grid dense near each photocurrent (the knee of each module's curve). */
function currentGrid(photocurrents: number[], pointsPerKnee = 24): Float64Array {
  const values: number[] = [0];
  for (const il of photocurrents) {
    if (!(il > 0)) continue;
    for (let k = 1; k <= pointsPerKnee; k++) {
      const u = 1 - (1 - k / pointsPerKnee) ** 2;
      values.push(il * u);
    }
    values.push(il * 1.02, il * 1.1);
  }
  values.sort((x, y) => x - y);
  const out: number[] = [];
  for (const x of values) if (out.length === 0 || x - out[out.length - 1]! > 1e-9) out.push(x);
  return Float64Array.from(out);
}

/** Linear interpolation of y at x on increasing xs. */
function interpolate(xs: ArrayLike<number>, ys: ArrayLike<number>, x: number): number {
  const n = xs.length;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const t = (x - xs[lo]!) / (xs[hi]! - xs[lo]!);
  return ys[lo]! + t * (ys[hi]! - ys[lo]!);
}

class TabulatedString implements StringCurve {
  readonly vOc: number;
  constructor(
    /** increasing currents */
    private readonly amps: Float64Array,
    /** string terminal voltage (after the blocking diode) at each current, decreasing */
    private readonly volts: Float64Array,
  ) {
    this.vOc = Math.max(0, volts[0]!);
  }

  current(v: number): number {
    const { amps, volts } = this;
    const n = amps.length;
    if (v >= volts[0]!) return 0;
    if (v <= volts[n - 1]!) return amps[n - 1]!;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (volts[mid]! >= v) lo = mid;
      else hi = mid;
    }
    const t = (volts[lo]! - v) / (volts[lo]! - volts[hi]!);
    return amps[lo]! + t * (amps[hi]! - amps[lo]!);
  }
}

function tabulatedString(layout: ArrayLayout, base: DiodeParams, cond: StringCondition, scaledParams: (scale: number) => DiodeParams): StringCurve {
  const { nSeries, vBypass, vBlock } = layout;
  const scales = Array.from({ length: nSeries }, (_, m) => cond.irradianceScale?.[m] ?? 1);
  // distinct module conditions, each tabulated once
  const distinct = [...new Set(scales)];
  const params = distinct.map((s) => (s === 1 ? base : scaledParams(s)));
  const amps = currentGrid(params.map((p) => p.photocurrent));
  const moduleVolts = params.map((p) => amps.map((i) => Math.max(voltageAt(p, i), -vBypass)));
  const voltsOf = (m: number): Float64Array => moduleVolts[distinct.indexOf(scales[m]!)]!;

  const volts = new Float64Array(amps.length);
  const short = cond.short;
  for (let m = 0; m < nSeries; m++) {
    if (short && m >= short.first && m < short.first + short.count) continue;
    const vm = voltsOf(m);
    for (let k = 0; k < amps.length; k++) volts[k]! += vm[k]!;
  }
  if (short) {
    // The shorted segment's modules carry I_mod; the resistance takes V_seg/R; the
    // string carries I_mod − V_seg/R. Tabulate that parametric curve, resample on amps.
    const segVolts = new Float64Array(amps.length);
    for (let m = short.first; m < short.first + short.count; m++) {
      const vm = voltsOf(m);
      for (let k = 0; k < amps.length; k++) segVolts[k]! += vm[k]!;
    }
    const outAmps = amps.map((i, k) => i - segVolts[k]! / short.resistance);
    const floor = -short.count * vBypass;
    for (let k = 0; k < amps.length; k++) {
      const i = amps[k]!;
      volts[k]! += i > outAmps[outAmps.length - 1]! ? floor : interpolate(outAmps, segVolts, i);
    }
  }
  const arc = cond.arcVoltage ?? 0;
  for (let k = 0; k < amps.length; k++) volts[k] = volts[k]! - vBlock - (k > 0 ? arc : 0);
  // keep V(I) strictly decreasing for the inversion (flat bypass segments become a hair steep)
  for (let k = 1; k < volts.length; k++) if (volts[k]! >= volts[k - 1]!) volts[k] = volts[k - 1]! - 1e-9;
  return new TabulatedString(amps, volts);
}

export interface ArrayCurve {
  /** array current at bus voltage v */
  current(v: number): number;
  /** array open-circuit voltage (bus), 0 in the dark */
  vOc: number;
}

/**
 * The array's I-V curve for one instant. `base` are the diode parameters of an
 * unshaded module; `scaledParams(s)` those of a module receiving s × its share
 * of irradiance (callers compute it with De Soto).
 */
export function arrayCurve(
  layout: ArrayLayout,
  base: DiodeParams,
  strings: readonly (StringCondition | null | undefined)[],
  scaledParams: (scale: number) => DiodeParams,
): ArrayCurve {
  const curves: StringCurve[] = [];
  const multiplicity: number[] = [];
  let uniformHealthy = 0;
  for (let s = 0; s < layout.nStrings; s++) {
    const cond = strings[s];
    if (!cond) {
      uniformHealthy++;
      continue;
    }
    if (cond.open) continue;
    const mismatch = cond.short !== undefined || (cond.irradianceScale !== undefined && Array.from(cond.irradianceScale).some((x) => x !== 1));
    curves.push(mismatch ? tabulatedString(layout, base, cond, scaledParams) : new UniformString(base, layout.nSeries, layout.vBlock + (cond.arcVoltage ?? 0)));
    multiplicity.push(1);
  }
  if (uniformHealthy > 0) {
    curves.push(new UniformString(base, layout.nSeries, layout.vBlock));
    multiplicity.push(uniformHealthy);
  }
  const current = (v: number): number => {
    let total = 0;
    for (let c = 0; c < curves.length; c++) total += multiplicity[c]! * curves[c]!.current(v);
    return total;
  };
  // the array is open-circuit where its last string stops conducting
  const vOc = curves.reduce((m, c) => Math.max(m, c.vOc), 0);
  return { current, vOc };
}

/** The P-V curve sampled at n + 1 voltages from 0 to vOc, and its local maxima. */
export function powerScan(curve: ArrayCurve, n = 400): { volts: Float64Array; watts: Float64Array; maxima: { v: number; p: number }[] } {
  const volts = new Float64Array(n + 1);
  const watts = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) {
    const v = (curve.vOc * k) / n;
    volts[k] = v;
    watts[k] = v * curve.current(v);
  }
  const maxima: { v: number; p: number }[] = [];
  const floor = 0.01 * watts.reduce((m, w) => Math.max(m, w), 0);
  for (let k = 1; k < n; k++) {
    if (watts[k]! > watts[k - 1]! && watts[k]! >= watts[k + 1]! && watts[k]! > floor) {
      maxima.push({ v: volts[k]!, p: watts[k]! });
    }
  }
  return { volts, watts, maxima };
}

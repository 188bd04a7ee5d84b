/**
 * The PV array: nSeries modules per string, each of `bypassDiodes` sub-strings of
 * cells with a bypass diode across each (1: one diode across the whole module),
 * nStrings strings in parallel (blocking diode at each string's top), seen by the
 * converter as one I-V curve I(V).
 *
 * Uniform strings use the single-diode equation in closed form; a string with
 * mismatch (shaded modules or sub-strings, a short across some of its modules) is
 * tabulated as V(I) on a current grid, composed in series, and inverted at the array
 * voltage. That is where the several local maxima of a partially shaded array come from.
 */
import { currentAt, voltageAt, type DiodeParams } from './singleDiode';

export interface ArrayLayout {
  nSeries: number;
  nStrings: number;
  /** forward drop of a conducting bypass diode, V */
  vBypass: number;
  /** forward drop of a string's blocking diode, V */
  vBlock: number;
  /**
   * bypass diodes per module, each across an equal sub-string of its cells (absent: 1,
   * one across the whole module). Only a mismatched string sees them: under uniform
   * light the sub-strings share the module's current and voltage equally.
   */
  bypassDiodes?: number;
}

/** What is wrong with one string (faults are injected through this). */
export interface StringCondition {
  /** disconnected: no current */
  open?: boolean;
  /** per-module effective irradiance scale (1 = unshaded), on all of a module's sub-strings; length nSeries */
  irradianceScale?: ArrayLike<number>;
  /**
   * per sub-string scale on top of irradianceScale (a shadow over part of a module), index
   * module × bypassDiodes + sub-string (0 = the module's first); length nSeries × bypassDiodes.
   * Absent: 1 everywhere. With one diode per module it is a per-module scale like irradianceScale.
   */
  subStringScale?: ArrayLike<number>;
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

/**
 * Where a module's last solve ended, to start the next one from: the tracker's
 * next voltage is a small step away, so the tangent there (i + slope·Δv) starts
 * Newton close enough to finish in ~1.8 steps on average instead of ~2.8.
 */
interface WarmStart {
  v: number;
  i: number;
  /** dI/dV at (v, i) */
  slope: number;
}

/** Forgets the last solve: the next one starts from current i, flat (the curve moved). */
function restart(warm: WarmStart, i: number): WarmStart {
  warm.v = 0;
  warm.i = i;
  warm.slope = 0;
  return warm;
}

/** Newton on the implicit single-diode equation, warm-started (updates `warm`); Lambert W as the fallback. */
function moduleCurrent(p: DiodeParams, v: number, warm: WarmStart): number {
  const { photocurrent: il, saturationCurrent: i0, resistanceSeries: rs, resistanceShunt: rsh, nNsVth: a } = p;
  const gsh = Number.isFinite(rsh) ? 1 / rsh : 0;
  let i = warm.i + warm.slope * (v - warm.v);
  for (let k = 0; k < 6; k++) {
    const vd = v + i * rs;
    const e = Math.exp(vd / a);
    const f = il - i0 * (e - 1) - vd * gsh - i;
    const fp = -i0 * (rs / a) * e - rs * gsh - 1;
    const step = f / fp;
    i -= step;
    // Newton's error after this step is ≈ |f''/(2f')|·step²; stop once that is under 1 nA, far
    // below any sensor's resolution (a reading's float32 holds ~0.5 µA at 5 A)
    if (Math.abs(step) < 1e-3 && (((rs / a) * (rs / a) * i0 * e) / (2 * -fp)) * step * step < 1e-9) {
      warm.v = v;
      warm.i = i;
      warm.slope = (i0 * e / a + gsh) / fp;
      return i;
    }
  }
  const fallback = currentAt(p, v);
  restart(warm, fallback).v = v;
  return fallback;
}

class UniformString implements StringCurve {
  private readonly warm: WarmStart;
  readonly vOc: number;
  constructor(
    private readonly p: DiodeParams,
    private readonly nSeries: number,
    /** blocking diode + arc: extra volts the string must make above the bus */
    private readonly offset: number,
  ) {
    this.warm = restart({ v: 0, i: 0, slope: 0 }, p.photocurrent);
    this.vOc = p.photocurrent > 0 ? Math.max(0, nSeries * voltageAt(p, 0) - offset) : 0;
  }

  current(v: number): number {
    const i = moduleCurrent(this.p, (v + this.offset) / this.nSeries, this.warm);
    return i > 0 ? i : 0;
  }
}

/**
 * A module's I-V curve sampled along the diode voltage Vd = V + I·Rs, where the
 * single-diode equation is explicit — one exp per point, no Lambert W:
 *   I = IL − I0·(exp(Vd/a) − 1) − Vd/Rsh,  V = Vd − I·Rs.
 * Points run from just past open circuit (I ≤ 0) to the bypass diode's clamp
 * (V = −vBypass), denser towards open circuit where the curve bends.
 */
const CURVE_POINTS = 32;
function moduleCurve(p: DiodeParams, vBypass: number): { amps: Float64Array; volts: Float64Array } {
  const { photocurrent: il, saturationCurrent: i0, resistanceSeries: rs, resistanceShunt: rsh, nNsVth: a } = p;
  const gsh = Number.isFinite(rsh) ? 1 / rsh : 0;
  const vdOc = a * Math.log(il / i0 + 1) + 0.02 * a;
  const vdLo = -vBypass + il * rs;
  const amps = new Float64Array(CURVE_POINTS + 1);
  const volts = new Float64Array(CURVE_POINTS + 1);
  for (let k = 0; k <= CURVE_POINTS; k++) {
    const x = k / CURVE_POINTS;
    const vd = vdOc - (vdOc - vdLo) * x * x;
    const i = il - i0 * Math.expm1(vd / a) - vd * gsh;
    amps[k] = i;
    volts[k] = Math.max(vd - i * rs, -vBypass);
  }
  return { amps, volts };
}

/** Merges increasing arrays into one increasing grid without near-duplicates. */
function mergeGrids(grids: readonly Float64Array[]): Float64Array {
  if (grids.length === 1) return grids[0]!;
  const all = Float64Array.from(grids.flatMap((g) => Array.from(g))).sort();
  const out: number[] = [];
  for (const x of all) if (out.length === 0 || x - out[out.length - 1]! > 1e-9) out.push(x);
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
    // the first point lies just past open circuit (I ≤ 0): read V at I = 0
    this.vOc = Math.max(0, amps[0]! >= 0 ? volts[0]! : interpolate(amps, volts, 0));
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
    const i = amps[lo]! + t * (amps[hi]! - amps[lo]!);
    return i > 0 ? i : 0;
  }
}

/**
 * The diode parameters of one of k equal sub-strings of a module (N_s / k cells): the
 * cells are in series, so they share the module's photocurrent and saturation current
 * (I_L, I_0 unchanged), while what adds up cell by cell divides by k: nNsVth (pvlib's
 * a = n·N_s·Vth, proportional to the cells in series), the series resistance R_s and the
 * shunt resistance R_sh (pvlib's lumped module values: the cells' own in series). This is
 * pvlib's convention, e.g. its gallery's partial-shading example (plot_partial_module_shading_simple),
 * which takes a single cell's a_ref = n·Vth and builds a module by adding cell voltages at equal
 * current. k such sub-strings in series make exactly the module's V(I) (k · V_sub(I) = V_mod(I)).
 */
export function subStringParams(p: DiodeParams, k: number): DiodeParams {
  if (k === 1) return p;
  return { photocurrent: p.photocurrent, saturationCurrent: p.saturationCurrent, resistanceSeries: p.resistanceSeries / k, resistanceShunt: p.resistanceShunt / k, nNsVth: p.nNsVth / k };
}

function tabulatedString(layout: ArrayLayout, base: DiodeParams, cond: StringCondition, scaledParams: (scale: number) => DiodeParams): StringCurve {
  const { nSeries, vBypass, vBlock } = layout;
  // the string's units in series: each module's sub-strings, each with its own bypass diode
  // (with one diode per module a unit is a module, and this is the module-by-module tabulation bit for bit)
  const perModule = layout.bypassDiodes ?? 1;
  const units = nSeries * perModule;
  // distinct unit conditions (usually one or two), each tabulated once
  const distinct: number[] = [];
  const which = new Int32Array(units);
  for (let u = 0; u < units; u++) {
    const moduleScale = cond.irradianceScale?.[perModule === 1 ? u : Math.floor(u / perModule)] ?? 1;
    const sub = cond.subStringScale?.[u];
    const scale = sub === undefined ? moduleScale : moduleScale * sub;
    let d = distinct.indexOf(scale);
    if (d < 0) d = distinct.push(scale) - 1;
    which[u] = d;
  }
  const curves = distinct.map((scale) => moduleCurve(subStringParams(scale === 1 ? base : scaledParams(scale), perModule), vBypass));
  // series connection: every unit carries the same current, so add voltages on a common current grid
  const amps = mergeGrids(curves.map((c) => c.amps));
  const nk = amps.length;
  const moduleVolts = curves.map((c) => {
    if (c.amps === amps) return c.volts;
    const v = new Float64Array(nk);
    // beyond its own curve a unit's bypass diode holds it at −vBypass
    for (let k = 0; k < nk; k++) v[k] = interpolate(c.amps, c.volts, amps[k]!);
    return v;
  });

  const volts = new Float64Array(nk);
  const short = cond.short;
  // a short across modules spans all their sub-strings
  const shortFirst = short ? short.first * perModule : -1;
  const shortEnd = short ? (short.first + short.count) * perModule : -1;
  const segVolts = short ? new Float64Array(nk) : null;
  for (let u = 0; u < units; u++) {
    const vm = moduleVolts[which[u]!]!;
    const target = segVolts && u >= shortFirst && u < shortEnd ? segVolts : volts;
    for (let k = 0; k < nk; k++) target[k]! += vm[k]!;
  }
  if (short && segVolts) {
    // The shorted segment's modules carry I_mod; the resistance takes V_seg/R; the
    // string carries I_mod − V_seg/R. Tabulate that parametric curve, resample on amps.
    const outAmps = new Float64Array(nk);
    for (let k = 0; k < nk; k++) outAmps[k] = amps[k]! - segVolts[k]! / short.resistance;
    // every bypass diode of the segment conducting
    const floor = -short.count * perModule * vBypass;
    const maxOut = outAmps[nk - 1]!;
    for (let k = 0; k < nk; k++) {
      const i = amps[k]!;
      volts[k]! += i > maxOut ? floor : interpolate(outAmps, segVolts, i);
    }
  }
  const arc = cond.arcVoltage ?? 0;
  volts[0] = volts[0]! - vBlock;
  for (let k = 1; k < nk; k++) {
    // keep V(I) strictly decreasing for the inversion (flat bypass segments become a hair steep)
    const v = volts[k]! - vBlock - arc;
    volts[k] = v < volts[k - 1]! ? v : volts[k - 1]! - 1e-9;
  }
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
    const mismatch =
      cond.short !== undefined ||
      (cond.irradianceScale !== undefined && Array.from(cond.irradianceScale).some((x) => x !== 1)) ||
      (cond.subStringScale !== undefined && Array.from(cond.subStringScale).some((x) => x !== 1));
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

/**
 * A healthy, uniformly lit array — the common case — without allocation per
 * reading: every string identical, so I_array(V) = nStrings · I_module((V + Vblock)/nSeries).
 */
export class UniformArray implements ArrayCurve {
  private p: DiodeParams | null = null;
  private readonly warm: WarmStart = { v: 0, i: 0, slope: 0 };
  private vOcCache = -1;

  constructor(private readonly layout: ArrayLayout) {}

  update(p: DiodeParams): void {
    this.p = p;
    // the curve moved: start again from the photocurrent (no allocation per reading)
    restart(this.warm, p.photocurrent);
    this.vOcCache = -1;
  }

  get vOc(): number {
    if (this.vOcCache < 0) {
      const p = this.p;
      this.vOcCache = p && p.photocurrent > 0 ? Math.max(0, this.layout.nSeries * voltageAt(p, 0) - this.layout.vBlock) : 0;
    }
    return this.vOcCache;
  }

  current(v: number): number {
    if (!this.p) return 0;
    const i = moduleCurrent(this.p, (v + this.layout.vBlock) / this.layout.nSeries, this.warm);
    return i > 0 ? this.layout.nStrings * i : 0;
  }
}

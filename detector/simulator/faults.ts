/**
 * Faults of the shared contract, each drawn once with a severity from
 * field-realistic ranges (a fault stays the same until it is repaired; history.ts
 * says when it starts and ends), and turned, day by day and sample by sample, into
 * the string conditions the array model understands.
 *
 * Where a fault sits scales with the array's design (modules per string n, strings m):
 * the faulty string is one of m, a short spans k of n modules, a leak is at one of
 * the n − 1 inner nodes; resistances and arc voltages are physical and do not scale.
 *
 * - line_line: a low-resistance short across 1–2 modules of a string of 5 (k ≤ 40 % of n, k ≤ n − 1; 0.01–1 Ω):
 *   the string loses those modules' voltage, the array gets a second power peak.
 * - line_ground: a fault from a node of a string to ground (the grounded end) through
 *   20–200 Ω: a leak that grows with the operating voltage. (Below ~20 Ω the faulted
 *   segment collapses and the signature is that of a line-line short.)
 * - open_circuit: a string disconnected, for good or intermittently (loose connector).
 * - partial_shading: a shadow sweeping 1–5 consecutive modules as the sun moves,
 *   blocking 30–90 % of the beam (diffuse light still arrives). With k bypass diodes
 *   per module the shadow over a module falls on its first ceil(fraction · k) sub-strings
 *   (a deeper shadow is a wider one); with one diode it shades the whole module, as before.
 * - arc_fault: a series arc in one string: 12–35 V drop, erratic current, extinctions;
 *   persistent or in episodes.
 */
import { FAULT_CLASSES, type FaultClass } from '../../contracts/faultClasses';
import type { StringCondition } from './array';
import type { Rng } from './random';
import { GRID_MS } from './weather';

export type FaultMix = Partial<Record<FaultClass, number>>;

/** A fault as it stays from its onset to its repair, whatever the day. */
export interface Fault {
  kind: Exclude<FaultClass, 'normal'>;
  /** the faulty string (partial shading: the first shaded one) */
  string: number;
  /** class-specific severity parameters, recorded in the ground truth */
  severity: Record<string, number | boolean>;
  /** on/off episodes: true = comes and goes */
  intermittent: boolean;
  /** partial shading: the modules the shadow sweeps, each from and to (ms) after the shadow reaches the array */
  sweep?: { string: number; module: number; fromMs: number; toMs: number }[];
}

/** Draws a fault of a class: where it is and how bad, once for all the days it lasts. */
export function drawFault(kind: Fault['kind'], rng: Rng, nStrings: number, nSeries: number): Fault {
  if ((kind === 'line_line' || kind === 'line_ground') && nSeries < 2) {
    throw new Error(`${kind}: a short or a leak at a node needs at least 2 modules per string (the design has ${nSeries}); drop it from the fault mix`);
  }
  const fault: Fault = { kind, string: rng.int(0, nStrings - 1), severity: {}, intermittent: false };
  switch (kind) {
    case 'line_line': {
      // a short across k of the string's n modules, k ≤ 40 % of n (1–2 of today's 5) and k ≤ n − 1:
      // shorting every module would be an open-circuit-like dead string, another class
      const count = rng.int(1, Math.max(1, Math.min(nSeries - 1, Math.round(0.4 * nSeries))));
      fault.severity = { first: rng.int(0, nSeries - count), count, resistance: rng.uniform(0.01, 1) };
      break;
    }
    case 'line_ground':
      fault.severity = { first: 0, count: rng.int(1, nSeries - 1), resistance: Math.exp(rng.uniform(Math.log(20), Math.log(200))) };
      break;
    case 'open_circuit':
      fault.intermittent = rng.chance(0.3);
      break;
    case 'arc_fault':
      fault.intermittent = rng.chance(0.6);
      fault.severity = { arcVoltage: rng.uniform(12, 35), currentJitter: rng.uniform(0.03, 0.12), extinction: rng.uniform(0.05, 0.25) };
      break;
    case 'partial_shading': {
      // a shadow (pole, tree, neighbouring row) sweeping consecutive modules of 1–2 strings
      const strings = rng.chance(0.35) && nStrings > 1 ? 2 : 1;
      const count = rng.int(1, nSeries);
      const start = rng.int(0, nSeries - count);
      const fraction = rng.uniform(0.3, 0.9);
      const sweep: NonNullable<Fault['sweep']> = [];
      for (let s = 0; s < strings; s++) {
        let t = s * rng.uniform(2, 10) * 60_000;
        for (let m = start; m < start + count; m++) {
          const duration = rng.uniform(40, 180) * 60_000;
          sweep.push({ string: (fault.string + s) % nStrings, module: m, fromMs: t, toMs: t + duration });
          t += rng.uniform(3, 15) * 60_000;
        }
      }
      fault.sweep = sweep;
      fault.severity = { modules: count, strings, fraction };
      break;
    }
  }
  return fault;
}

/** A fault seen from one day: when it started and ends, and which of the day's samples it may act on. */
export interface FaultToday {
  fault: Fault;
  /** the onset, possibly on an earlier day */
  onsetMs: number;
  /** whether the fault was already there when the day began */
  presentAtStart: boolean;
  /** when it is repaired, possibly on a later day */
  repairMs: number;
  /** first sample of the day it may act on (0 when it was there at midnight) */
  from: number;
  /** the sample of its repair, or the day's length */
  to: number;
  /** partial shading: the sample the shadow reaches the array today; null when the sun does not pass behind the obstacle today */
  shadowIndex: number | null;
}

/** A device-day's fault as its ground truth records it. */
export interface FaultTruth {
  fault: FaultClass;
  /** when the fault appeared, possibly on an earlier day of the plant (midnight of the plant's first day for a fault already there then); null for normal */
  onsetMs: number | null;
  /** whether the fault was already there when the day began */
  presentAtStart: boolean;
  /** when the fault is repaired, possibly on a later day (it acts until then); null for normal */
  repairMs: number | null;
  /** the faulty string, where one is */
  string: number | null;
  severity: Record<string, number | boolean>;
  intermittent: boolean;
}

/** The fault of one device-day, sample by sample. */
export interface FaultSpec extends FaultTruth {
  /** per grid sample: is the fault switched on (before sun and shading are considered) */
  on: Uint8Array;
  shading?: { string: number; module: number; startMs: number; endMs: number }[];
}

/** On/off episodes in [from, to): the first one on, or (for a fault carried over from yesterday) on with its long-run share. */
function episodes(rng: Rng, on: Uint8Array, from: number, to: number, meanOnSamples: number, meanOffSamples: number, carriedOver: boolean): void {
  let k = from;
  let state = carriedOver ? rng.chance(meanOnSamples / (meanOnSamples + meanOffSamples)) : true;
  while (k < to) {
    const len = Math.max(1, Math.round(rng.exponential(state ? meanOnSamples : meanOffSamples)));
    if (state) on.fill(1, k, Math.min(to, k + len));
    k += len;
    state = !state;
  }
}

/** The fault of a device-day from its schedule (null: healthy all day); intermittent episodes are the day's own draws. */
export function faultSpec(today: FaultToday | null, samples: number, dayStartMs: number, rng: Rng): FaultSpec {
  const on = new Uint8Array(samples);
  if (!today) return { fault: 'normal', onsetMs: null, presentAtStart: false, repairMs: null, string: null, severity: {}, intermittent: false, on };
  const { fault, from, to } = today;
  const spec: FaultSpec = { fault: fault.kind, onsetMs: today.onsetMs, presentAtStart: today.presentAtStart, repairMs: today.repairMs, string: fault.string, severity: fault.severity, intermittent: fault.intermittent, on };
  switch (fault.kind) {
    case 'line_line':
    case 'line_ground':
      on.fill(1, from, to);
      break;
    case 'open_circuit':
      // a loose connector: open ~6 min, closed ~10 min on average
      if (fault.intermittent) episodes(rng, on, from, to, 18, 30, today.presentAtStart);
      else on.fill(1, from, to);
      break;
    case 'arc_fault':
      if (fault.intermittent) episodes(rng, on, from, to, 30, 45, today.presentAtStart);
      else on.fill(1, from, to);
      break;
    case 'partial_shading': {
      // the obstacle stays; its shadow reaches the modules when the sun passes behind it
      if (today.shadowIndex === null) break;
      const arrivalMs = dayStartMs + today.shadowIndex * GRID_MS;
      spec.shading = fault.sweep!.map((m) => ({ string: m.string, module: m.module, startMs: arrivalMs + m.fromMs, endMs: arrivalMs + m.toMs }));
      const lastEnd = Math.max(...spec.shading.map((x) => x.endMs));
      on.fill(1, Math.max(from, today.shadowIndex), Math.min(to, Math.ceil((lastEnd - dayStartMs) / GRID_MS)));
      break;
    }
  }
  return spec;
}

/** Picks a device's fault class from a mix of weights (defaults to all normal). */
export function pickFaultClass(rng: Rng, mix: FaultMix): FaultClass {
  const weights: Record<string, number> = {};
  for (const c of FAULT_CLASSES) weights[c] = mix[c] ?? 0;
  if (Object.values(weights).every((w) => w === 0)) return 'normal';
  return rng.weighted(weights) as FaultClass;
}

/** Shade ramps over 5 minutes at the shadow's edges. */
function shadeAt(t: number, startMs: number, endMs: number): number {
  const ramp = 5 * 60_000;
  if (t <= startMs || t >= endMs) return 0;
  return Math.min(1, (t - startMs) / ramp, (endMs - t) / ramp);
}

/**
 * The string conditions of the fault at one sample, written into `conds` (one slot
 * per string, null = healthy). Returns whether the fault acts on the array now.
 * `beamShare` is the beam part of the effective irradiance (shading blocks only it);
 * `bypassDiodes` per module (the design's layout) say which part of a module a shadow covers.
 */
export function applyFault(spec: FaultSpec, k: number, t: number, beamShare: number, rng: Rng, conds: (StringCondition | null)[], bypassDiodes = 1): boolean {
  conds.fill(null);
  if (spec.fault === 'normal' || spec.on[k] !== 1) return false;
  const s = spec.string!;
  switch (spec.fault) {
    case 'line_line':
    case 'line_ground':
      conds[s] = { short: { first: spec.severity.first as number, count: spec.severity.count as number, resistance: spec.severity.resistance as number } };
      return true;
    case 'open_circuit':
      conds[s] = { open: true };
      return true;
    case 'arc_fault': {
      if (rng.chance(spec.severity.extinction as number)) conds[s] = { open: true };
      else conds[s] = { arcVoltage: (spec.severity.arcVoltage as number) * rng.uniform(0.7, 1.3) };
      return true;
    }
    case 'partial_shading': {
      const fraction = spec.severity.fraction as number;
      if (bypassDiodes > 1) return shadeSubStrings(spec, t, beamShare, conds, fraction, bypassDiodes);
      let any = false;
      for (const sh of spec.shading ?? []) {
        const shade = shadeAt(t, sh.startMs, sh.endMs) * fraction;
        if (shade <= 0) continue;
        const cond = (conds[sh.string] ??= { irradianceScale: [] });
        const scales = cond.irradianceScale as number[];
        while (scales.length <= sh.module) scales.push(1);
        scales[sh.module] = 1 - shade * beamShare;
        if (shade * beamShare > 0.05) any = true;
      }
      return any;
    }
    default:
      return false;
  }
}

/**
 * Partial shading on modules of k sub-strings: the shadow's fraction f (the share of the
 * beam it blocks, 30–90 %) is also the share of a module's width it covers, so it falls on
 * the module's first ceil(f·k) sub-strings (one of three at f ≤ 1/3, all three above 2/3),
 * each of which gets what a shaded module got with one diode (1 − shade·beamShare); the
 * others stay lit. With k = 1 this is the whole module (applyFault keeps that path as it was).
 */
function shadeSubStrings(spec: FaultSpec, t: number, beamShare: number, conds: (StringCondition | null)[], fraction: number, k: number): boolean {
  const covered = Math.min(k, Math.ceil(fraction * k));
  let any = false;
  for (const sh of spec.shading ?? []) {
    const shade = shadeAt(t, sh.startMs, sh.endMs) * fraction;
    if (shade <= 0) continue;
    const cond = (conds[sh.string] ??= { subStringScale: [] });
    const scales = (cond.subStringScale ??= []) as number[];
    while (scales.length < (sh.module + 1) * k) scales.push(1);
    for (let j = 0; j < covered; j++) scales[sh.module * k + j] = 1 - shade * beamShare;
    if (shade * beamShare > 0.05) any = true;
  }
  return any;
}

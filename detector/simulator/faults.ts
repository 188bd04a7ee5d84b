/**
 * Faults of the shared contract, each drawn with an onset and a severity from
 * field-realistic ranges, and turned, sample by sample, into the string conditions
 * the array model understands.
 *
 * - line_line: a low-resistance short across 1–2 modules of a string (0.01–1 Ω):
 *   the string loses those modules' voltage, the array gets a second power peak.
 * - line_ground: a fault from a node of a string to ground (the grounded end) through
 *   20–200 Ω: a leak that grows with the operating voltage. (Below ~20 Ω the faulted
 *   segment collapses and the signature is that of a line-line short.)
 * - open_circuit: a string disconnected, for good or intermittently (loose connector).
 * - partial_shading: a shadow sweeping 1–5 consecutive modules as the sun moves,
 *   blocking 30–90 % of the beam (diffuse light still arrives).
 * - arc_fault: a series arc in one string: 12–35 V drop, erratic current, extinctions;
 *   persistent or in episodes.
 */
import { FAULT_CLASSES, type FaultClass } from '../../contracts/faultClasses';
import type { StringCondition } from './array';
import type { Rng } from './random';
import type { PlantWeather } from './weather';
import { GRID_MS } from './weather';

export type FaultMix = Partial<Record<FaultClass, number>>;

export interface FaultSpec {
  kind: FaultClass;
  /** when the fault appears (ms); null for normal */
  onsetMs: number | null;
  /** the faulty string, where one is */
  string: number | null;
  /** class-specific severity parameters, recorded in the ground truth */
  severity: Record<string, number | boolean>;
  /** on/off episodes after onset: true = comes and goes */
  intermittent: boolean;
  /** per grid sample: is the fault switched on (before sun and shading are considered) */
  on: Uint8Array;
  shading?: { string: number; module: number; startMs: number; endMs: number }[];
}

function episodes(rng: Rng, on: Uint8Array, from: number, meanOnSamples: number, meanOffSamples: number): void {
  let k = from;
  let state = true;
  while (k < on.length) {
    const len = Math.max(1, Math.round(rng.exponential(state ? meanOnSamples : meanOffSamples)));
    if (state) on.fill(1, k, Math.min(on.length, k + len));
    k += len;
    state = !state;
  }
}

/** Draws a fault of a class for one device-day. */
export function sampleFault(kind: FaultClass, rng: Rng, weather: PlantWeather, nStrings: number, nSeries: number): FaultSpec {
  const n = weather.samples;
  const on = new Uint8Array(n);
  if (kind === 'normal') return { kind, onsetMs: null, string: null, severity: {}, intermittent: false, on };

  // Half the faulty devices start the day already faulty; the others fail during daylight,
  // early enough that the fault can be seen before sunset.
  const rise = weather.sunriseIndex >= 0 ? weather.sunriseIndex : Math.round(n * 0.3);
  const set = weather.sunsetIndex >= 0 ? weather.sunsetIndex : Math.round(n * 0.7);
  const preExisting = rng.chance(0.5);
  const onsetIndex = preExisting ? 0 : rng.int(Math.min(set, rise + 180), Math.max(rise + 180, set - 360));
  const onsetMs = weather.window.startMs + onsetIndex * GRID_MS;
  const string = rng.int(0, nStrings - 1);
  const spec: FaultSpec = { kind, onsetMs, string, severity: {}, intermittent: false, on };

  switch (kind) {
    case 'line_line': {
      const count = rng.int(1, 2);
      spec.severity = { first: rng.int(0, nSeries - count), count, resistance: rng.uniform(0.01, 1) };
      on.fill(1, onsetIndex);
      break;
    }
    case 'line_ground': {
      spec.severity = { first: 0, count: rng.int(1, nSeries - 1), resistance: Math.exp(rng.uniform(Math.log(20), Math.log(200))) };
      on.fill(1, onsetIndex);
      break;
    }
    case 'open_circuit': {
      spec.intermittent = rng.chance(0.3);
      if (spec.intermittent) episodes(rng, on, onsetIndex, 18, 30);
      else on.fill(1, onsetIndex);
      break;
    }
    case 'arc_fault': {
      spec.intermittent = rng.chance(0.6);
      spec.severity = { arcVoltage: rng.uniform(12, 35), currentJitter: rng.uniform(0.03, 0.12), extinction: rng.uniform(0.05, 0.25) };
      if (spec.intermittent) episodes(rng, on, onsetIndex, 30, 45);
      else on.fill(1, onsetIndex);
      break;
    }
    case 'partial_shading': {
      // a shadow (pole, tree, neighbouring row) sweeping consecutive modules of 1–2 strings
      const strings = rng.chance(0.35) && nStrings > 1 ? 2 : 1;
      const count = rng.int(1, nSeries);
      const start = rng.int(0, nSeries - count);
      const fraction = rng.uniform(0.3, 0.9);
      // the obstacle is there all day; its shadow reaches the modules at a time of the sun's course
      const shadowIndex = rng.int(rise, Math.max(rise, set - 360));
      const firstMs = weather.window.startMs + shadowIndex * GRID_MS;
      spec.onsetMs = firstMs;
      const shading: NonNullable<FaultSpec['shading']> = [];
      for (let s = 0; s < strings; s++) {
        const str = (string + s) % nStrings;
        let t = firstMs + s * rng.uniform(2, 10) * 60_000;
        for (let m = start; m < start + count; m++) {
          const duration = rng.uniform(40, 180) * 60_000;
          shading.push({ string: str, module: m, startMs: t, endMs: t + duration });
          t += rng.uniform(3, 15) * 60_000;
        }
      }
      spec.shading = shading;
      spec.severity = { modules: count, strings, fraction };
      const lastEnd = Math.max(...shading.map((x) => x.endMs));
      on.fill(1, shadowIndex, Math.min(n, Math.ceil((lastEnd - weather.window.startMs) / GRID_MS)));
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
 * `beamShare` is the beam part of the effective irradiance (shading blocks only it).
 */
export function applyFault(spec: FaultSpec, k: number, t: number, beamShare: number, rng: Rng, conds: (StringCondition | null)[]): boolean {
  conds.fill(null);
  if (spec.kind === 'normal' || spec.on[k] !== 1) return false;
  const s = spec.string!;
  switch (spec.kind) {
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

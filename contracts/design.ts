/**
 * Array designs as configuration (issue 20): parses a design from JSON, resolves a
 * module's library name against the bundled CEC subset (designs.json), checks every
 * key against the limits in designs.json once, and says which key is wrong.
 *
 * The resolved design carries what the simulator needs in its own units (module
 * reference parameters for De Soto, the array layout with the diodes' forward drops),
 * so nothing downstream has to know the CEC column names.
 */
import designsJson from './designs.json';
import { READING_LIMITS } from './reading';

/** A module's reference parameters as the CEC database names them (one row of designs.json's library, or given explicitly). */
export interface CecModuleRow {
  technology?: string;
  /** nameplate power at STC, W */
  STC: number;
  N_s: number;
  alpha_sc: number;
  a_ref: number;
  I_L_ref: number;
  I_o_ref: number;
  R_s: number;
  R_sh_ref: number;
  /** CEC adjustment of alpha_sc, % (absent: 0) */
  Adjust?: number;
  /** datasheet temperature coefficient of Voc, V/K (for checks; the diode model makes its own) */
  beta_oc?: number;
  /** datasheet temperature coefficient of Pmp, %/K */
  gamma_r?: number;
  V_oc_ref?: number;
  I_sc_ref?: number;
  V_mp_ref?: number;
  I_mp_ref?: number;
  /** band gap at reference, eV, and its temperature dependence, 1/K (absent: c-Si's, as pvlib) */
  EgRef?: number;
  dEgdT?: number;
  /** 'cec' (calcparams_cec: alpha_sc × (1 − Adjust/100)) or 'desoto' (Adjust ignored); absent: cec */
  model?: 'cec' | 'desoto';
}

/** A design as written in a file or in the Pulumi config. */
export interface DesignInput {
  modulesPerString: number;
  strings: number;
  /** a name from the module library, or explicit single-diode parameters (with an optional name) */
  module: string | (CecModuleRow & { name?: string });
  bypassDiodes?: { perModule?: number; forwardVoltage?: number };
  blockingDiodes?: { perString?: boolean; forwardVoltage?: number };
}

/** The simulator's view of a module: De Soto reference parameters (structurally the simulator's ModuleParams). */
export interface DesignModule {
  name: string;
  technology: string;
  cellsInSeries: number;
  /** A/K, after the CEC Adjust where the module's model is cec */
  alphaSc: number;
  aRef: number;
  iLRef: number;
  iORef: number;
  rShRef: number;
  rS: number;
  egRef: number;
  dEgdT: number;
  pStc: number;
}

export interface Design {
  /** the design's name (a named design of designs.json, or what the file called it) */
  name: string;
  modulesPerString: number;
  strings: number;
  module: DesignModule;
  /** the simulator's ArrayLayout; bypassDiodes: per module, each across cellsInSeries / bypassDiodes cells (a sub-string) */
  layout: { nSeries: number; nStrings: number; vBypass: number; vBlock: number; bypassDiodes: number };
}

type Limits = Record<string, [number, number]>;
const LIMITS = Object.fromEntries(Object.entries(designsJson.limits).filter(([k]) => !k.startsWith('$'))) as Limits;
const LIBRARY = designsJson.moduleLibrary.modules as Record<string, CecModuleRow>;
const NAMED = designsJson.designs as Record<string, DesignInput & { $comment?: string }>;

/** the library's module names */
export const MODULE_NAMES: readonly string[] = Object.keys(LIBRARY);
/** A library module's technology (the CEC database's Technology column), as parseDesign gives it. */
export const moduleTechnology = (name: string): string => LIBRARY[name]?.technology ?? 'unknown';
/** the named designs of designs.json */
export const DESIGN_NAMES: readonly string[] = Object.keys(NAMED);
export const DEFAULT_DESIGN_NAME: string = designsJson.default;

export class DesignError extends Error {
  override name = 'DesignError';
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A number within designs.json's limits for `limitKey`; the error names the full key path. */
function num(value: unknown, path: string, limitKey: string, integer = false): number {
  const [lo, hi] = LIMITS[limitKey] ?? [-Infinity, Infinity];
  const kind = integer ? 'an integer' : 'a number';
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < lo || value > hi) {
    throw new DesignError(`${path}: must be ${kind} ${lo}..${hi}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(obj)) {
    if (k.startsWith('$')) continue;
    if (!allowed.includes(k)) throw new DesignError(`${path}.${k}: unknown key; expected one of ${allowed.join(', ')}`);
  }
}

const MODULE_KEYS = ['name', 'technology', 'STC', 'PTC', 'A_c', 'N_s', 'alpha_sc', 'a_ref', 'I_L_ref', 'I_o_ref', 'R_s', 'R_sh_ref', 'Adjust', 'beta_oc', 'gamma_r', 'T_NOCT', 'V_oc_ref', 'I_sc_ref', 'V_mp_ref', 'I_mp_ref', 'EgRef', 'dEgdT', 'model', 'Version', 'Date', 'source'] as const;

function resolveModule(value: unknown, path: string): DesignModule {
  let row: Record<string, unknown>;
  let name: string;
  if (typeof value === 'string') {
    const found = LIBRARY[value];
    if (!found) throw new DesignError(`${path}: unknown module ${JSON.stringify(value)}; the library (contracts/designs.json) has ${MODULE_NAMES.map((n) => JSON.stringify(n)).join(', ')}`);
    row = found as unknown as Record<string, unknown>;
    name = value;
  } else if (isObject(value)) {
    onlyKeys(value, MODULE_KEYS, path);
    row = value;
    name = typeof value.name === 'string' && value.name !== '' ? value.name : 'explicit';
  } else {
    throw new DesignError(`${path}: must be a module name from the library or an object of single-diode parameters, got ${JSON.stringify(value)}`);
  }
  const model = row.model ?? 'cec';
  if (model !== 'cec' && model !== 'desoto') throw new DesignError(`${path}.model: must be "cec" or "desoto", got ${JSON.stringify(model)}`);
  const alphaSc = num(row.alpha_sc, `${path}.alpha_sc`, 'module.alpha_sc');
  const adjust = row.Adjust === undefined ? 0 : num(row.Adjust, `${path}.Adjust`, 'module.Adjust');
  const module: DesignModule = {
    name,
    technology: typeof row.technology === 'string' ? row.technology : 'unknown',
    cellsInSeries: num(row.N_s, `${path}.N_s`, 'module.N_s', true),
    // pvlib calcparams_cec scales alpha_sc by (1 − Adjust/100); the desoto model (the legacy module) keeps it as is, bit for bit
    alphaSc: model === 'cec' ? alphaSc * (1 - adjust / 100) : alphaSc,
    aRef: num(row.a_ref, `${path}.a_ref`, 'module.a_ref'),
    iLRef: num(row.I_L_ref, `${path}.I_L_ref`, 'module.I_L_ref'),
    iORef: num(row.I_o_ref, `${path}.I_o_ref`, 'module.I_o_ref'),
    rShRef: num(row.R_sh_ref, `${path}.R_sh_ref`, 'module.R_sh_ref'),
    rS: num(row.R_s, `${path}.R_s`, 'module.R_s'),
    // pvlib's defaults (c-Si); the CEC rows do not carry them
    egRef: row.EgRef === undefined ? 1.121 : num(row.EgRef, `${path}.EgRef`, 'module.EgRef'),
    dEgdT: row.dEgdT === undefined ? -0.0002677 : num(row.dEgdT, `${path}.dEgdT`, 'module.dEgdT'),
    pStc: num(row.STC, `${path}.STC`, 'module.STC'),
  };
  return module;
}

/**
 * Parses and validates a design (an object from JSON, or a named design's name);
 * `path` prefixes the keys in error messages (e.g. 'design', 'pv-fault:design').
 */
export function parseDesign(value: unknown, path = 'design', name?: string): Design {
  if (typeof value === 'string') {
    const named = NAMED[value];
    if (!named) throw new DesignError(`${path}: unknown design ${JSON.stringify(value)}; contracts/designs.json names ${DESIGN_NAMES.join(', ')}`);
    return parseDesign(named, path, value);
  }
  if (!isObject(value)) throw new DesignError(`${path}: must be an object (modulesPerString, strings, module, bypassDiodes, blockingDiodes) or a design name, got ${JSON.stringify(value)}`);
  onlyKeys(value, ['name', 'modulesPerString', 'strings', 'module', 'bypassDiodes', 'blockingDiodes'], path);
  const modulesPerString = num(value.modulesPerString, `${path}.modulesPerString`, 'modulesPerString', true);
  const strings = num(value.strings, `${path}.strings`, 'strings', true);
  if (value.module === undefined) throw new DesignError(`${path}.module: missing; give a library module name or single-diode parameters`);
  const module = resolveModule(value.module, `${path}.module`);
  const bypass = value.bypassDiodes ?? {};
  if (!isObject(bypass)) throw new DesignError(`${path}.bypassDiodes: must be an object {perModule, forwardVoltage}, got ${JSON.stringify(bypass)}`);
  onlyKeys(bypass, ['perModule', 'forwardVoltage'], `${path}.bypassDiodes`);
  const bypassDiodes = num(bypass.perModule ?? 1, `${path}.bypassDiodes.perModule`, 'bypassDiodes.perModule', true);
  // each diode spans a sub-string of equal cells (array.ts scales the diode parameters by cells)
  if (module.cellsInSeries % bypassDiodes !== 0) {
    throw new DesignError(`${path}.bypassDiodes.perModule: ${bypassDiodes} diodes cannot each span an equal sub-string of ${module.name}'s ${module.cellsInSeries} cells in series`);
  }
  const vBypass = num(bypass.forwardVoltage ?? 0.45, `${path}.bypassDiodes.forwardVoltage`, 'bypassDiodes.forwardVoltage');
  const blocking = value.blockingDiodes ?? {};
  if (!isObject(blocking)) throw new DesignError(`${path}.blockingDiodes: must be an object {perString, forwardVoltage}, got ${JSON.stringify(blocking)}`);
  onlyKeys(blocking, ['perString', 'forwardVoltage'], `${path}.blockingDiodes`);
  const perString = blocking.perString ?? true;
  if (typeof perString !== 'boolean') throw new DesignError(`${path}.blockingDiodes.perString: must be true or false, got ${JSON.stringify(perString)}`);
  const vBlockGiven = num(blocking.forwardVoltage ?? 0.5, `${path}.blockingDiodes.forwardVoltage`, 'blockingDiodes.forwardVoltage');
  // the array must stay within the reading contract's ranges (reading.avsc), or its readings would be quarantined as
  // out_of_range: open-circuit voltage of a string and short-circuit current of all strings at STC, estimated from the
  // diode parameters (Voc ≈ a_ref·ln(I_L/I_o), Isc ≈ I_L; within 2 % of the datasheet for the library's modules)
  const vOc = modulesPerString * module.aRef * Math.log(module.iLRef / module.iORef);
  const iSc = strings * module.iLRef;
  const { voltage, current } = READING_LIMITS;
  if (vOc > voltage!.max) throw new DesignError(`${path}.modulesPerString: ${modulesPerString} modules of ${module.name} make ~${vOc.toFixed(0)} V open circuit at STC, above the readings' ${voltage!.max} V (contracts/reading.avsc)`);
  if (iSc > current!.max) throw new DesignError(`${path}.strings: ${strings} strings of ${module.name} make ~${iSc.toFixed(0)} A short circuit at STC, above the readings' ${current!.max} A (contracts/reading.avsc)`);
  const designName = name ?? (typeof value.name === 'string' && value.name !== '' ? value.name : `${modulesPerString}x${strings} ${module.name}`);
  return {
    name: designName,
    modulesPerString,
    strings,
    module,
    // without blocking diodes a string meets the bus directly: no drop
    layout: { nSeries: modulesPerString, nStrings: strings, vBypass, vBlock: perString ? vBlockGiven : 0, bypassDiodes },
  };
}

/** The design of today's simulated array (5 × 3 of the CS5P-220M), from designs.json's default. */
export function defaultDesign(): Design {
  return parseDesign(DEFAULT_DESIGN_NAME, 'design');
}

/** A plant of several designs: which devices (by index range [from, to)) have which design. */
export interface DesignPlan {
  /** in device order, covering every device from 0 */
  parts: { from: number; to: number; design: Design }[];
}

/**
 * A design file: one design (object or name), or {arrays: [{devices: [from, to) | share, design}]}
 * for a plant of mixed designs. Shares (fractions summing to 1) are turned into
 * index ranges for `devices` devices, in order; ranges must tile 0..devices.
 */
export function parseDesignFile(value: unknown, devices: number, path = 'design'): DesignPlan {
  if (!isObject(value) || !('arrays' in value)) {
    const design = parseDesign(value, path);
    return { parts: [{ from: 0, to: devices, design }] };
  }
  onlyKeys(value, ['arrays'], path);
  const arrays = value.arrays;
  if (!Array.isArray(arrays) || arrays.length === 0) throw new DesignError(`${path}.arrays: must be a non-empty list of {devices: [from, to] | share: fraction, design}`);
  const parts: DesignPlan['parts'] = [];
  const shares = arrays.every((a) => isObject(a) && 'share' in a);
  const ranges = arrays.every((a) => isObject(a) && 'devices' in a);
  if (!shares && !ranges) throw new DesignError(`${path}.arrays: give every entry a share (fraction of the devices) or every entry devices [from, to), not a mix`);
  let next = 0;
  let cumulative = 0;
  arrays.forEach((entry: unknown, i) => {
    const at = `${path}.arrays[${i}]`;
    const a = entry as Record<string, unknown>;
    onlyKeys(a, ['share', 'devices', 'design'], at);
    const design = parseDesign(a.design, `${at}.design`);
    let from: number;
    let to: number;
    if (shares) {
      const share = a.share;
      if (typeof share !== 'number' || !(share > 0) || share > 1) throw new DesignError(`${at}.share: must be a fraction in (0, 1], got ${JSON.stringify(share)}`);
      cumulative += share;
      from = next;
      // the last entry takes the rest so rounding never leaves a device without a design
      to = i === arrays.length - 1 ? devices : Math.round(cumulative * devices);
    } else {
      const r = a.devices;
      if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => Number.isInteger(x))) throw new DesignError(`${at}.devices: must be [from, to) device indices (integers), got ${JSON.stringify(r)}`);
      [from, to] = r as [number, number];
      if (from !== next) throw new DesignError(`${at}.devices: must start at ${next} (ranges tile the devices in order), got ${JSON.stringify(r)}`);
      if (to <= from) throw new DesignError(`${at}.devices: must be a non-empty range, got ${JSON.stringify(r)}`);
    }
    if (to > from) parts.push({ from, to, design });
    next = to;
  });
  if (shares && Math.abs(cumulative - 1) > 1e-9) throw new DesignError(`${path}.arrays: shares must sum to 1, got ${cumulative}`);
  if (next !== devices) throw new DesignError(`${path}.arrays: the ranges cover devices 0..${next}, the plant has ${devices}`);
  return { parts };
}

/** The design of device `index` in a plan. */
export function designOf(plan: DesignPlan, index: number): Design {
  for (const p of plan.parts) if (index >= p.from && index < p.to) return p.design;
  throw new Error(`device ${index} has no design in the plan (0..${plan.parts[plan.parts.length - 1]?.to ?? 0})`);
}

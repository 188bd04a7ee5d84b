/**
 * Labelled windows from simulated plant days, through the pipeline's own path:
 * readings → contract validation → silver row → gap fill → CWT → windows → normalisation.
 * Splits are by (seed, date): a split's plant-days — their weather, devices and
 * faults — never appear in another split.
 */
import { DETECTOR_CONTRACT, faultClassIndex, FAULT_CLASSES, validateReading, type FaultClass, type SilverDeviceDayRow } from '../contracts';
import { DesignError, MODULE_NAMES, defaultDesign, moduleTechnology, parseDesign, type Design } from '../contracts/design';
import { median } from './baseline';
import { DEFAULT_PER_UNIT, toPerUnit, type PerUnitReference } from './perUnit';
import { moduleStc, perUnitOfDesign } from './simulator/registry';
import type { DeviceDay } from './simulator/device';
import { FIELD_CONDITIONS, NO_CONDITIONS, type ConditionKind, type ConditionsConfig } from './simulator/conditions';
import { DEFAULT_DESIGN, plantConfig, simulatePlantDay, type PlantConfig } from './simulator/plant';
import type { FaultMix } from './simulator/faults';
import { Rng } from './simulator/random';
import { buildSilverRow } from './silver';
import { CHANNELS, concatInputs, dayScalograms, filledChannels, modelInputs, N_LEVELS, N_SCALES, rawLevels, WINDOW, windowsOf, type ModelInputs, type Normalization } from './windows';

export const MIN_ACTIVE_FRACTION: number = DETECTOR_CONTRACT.labels.minActiveFraction;

/** A simulated device-day turned into its silver row, as the ingest would. */
export function silverOf(day: DeviceDay, window: { startMs: number; endMs: number }): SilverDeviceDayRow {
  const r = day.readings;
  const keep: number[] = [];
  for (let k = 0; k < r.count; k++) {
    const v = validateReading({ deviceId: day.deviceId, timestamp: r.timestamp[k], voltage: r.voltage[k], current: r.current[k], temperature: r.temperature[k], irradiance: r.irradiance[k] });
    if (v.ok) keep.push(k);
  }
  const pick = (a: Float64Array) => Float64Array.from(keep, (k) => a[k]!);
  return buildSilverRow(
    day.deviceId,
    window,
    { count: keep.length, timestamp: pick(r.timestamp), voltage: pick(r.voltage), current: pick(r.current), temperature: pick(r.temperature), irradiance: pick(r.irradiance) },
    { received: r.count, quarantined: r.count - keep.length },
  );
}

/** The label of a window from the ground truth: the fault, normal, or null (ambiguous: left out). */
export function windowLabel(day: DeviceDay, index: number): FaultClass | null {
  const active = day.series?.faultActive;
  if (!active) throw new Error('windowLabel needs the simulator run with keepSeries');
  let on = 0;
  for (let s = index * WINDOW; s < (index + 1) * WINDOW; s++) on += active[s]!;
  if (on === 0) return 'normal';
  return on / WINDOW >= MIN_ACTIVE_FRACTION ? day.truth.fault : null;
}

/**
 * Conditions whose windows are left out of training, like ambiguous ones: frost, dew,
 * snow, standby, curtailment and clipping hide light from the cells or move the
 * operating point, and within one window they look like a leak, a short or a shadow.
 * Labelled normal they taught the classifier to miss those faults (test macro-F1 fell
 * from 0.78 to 0.57, normal recall to 0.79); the classifier has no class for them, so
 * the decision must answer for them from what a window cannot see: they strike the
 * whole plant at once (docs/model-card.md). Soiling stays: it builds up over weeks and
 * each array's baseline follows it (trainingGains).
 */
export const UNTRAINED_CONDITIONS: readonly ConditionKind[] = ['frost', 'dew', 'snow', 'standby', 'curtailment', 'clipping'];

/** Whether a condition left out of training acts on the array within [fromMs, toMs). */
export function untrainedConditionIn(day: DeviceDay, fromMs: number, toMs: number): boolean {
  return (day.truth.conditions ?? []).some((c) => UNTRAINED_CONDITIONS.includes(c.kind) && c.startMs < toMs && c.endMs > fromMs);
}

export interface WindowMeta {
  deviceId: string;
  date: string;
  seed: number;
  index: number;
  startMs: number;
  label: FaultClass;
  deviceFault: FaultClass;
  onsetMs: number | null;
  noiseLevel: number;
  sky: string;
  /** the device's fault severity in words (severityGroup), for the evaluation's breakdown */
  severity: string;
}

/** The severity groups' labels (severityGroup), which the model card reads the figures of. */
export const LEAK_GROUPS = ['leak < 0.5 A', 'leak 0.5–2 A', 'leak ≥ 2 A'] as const;
/** A short's group: how many of the string's modules it spans ('2 of 5 modules shorted' on the default design, '3 of 16' on a 16-module string). */
export const shortedGroup = (modules: number, modulesPerString = 5): string => `${modules} of ${modulesPerString} modules shorted`;
export const persistenceGroup = (intermittent: boolean): string => (intermittent ? 'intermittent' : 'persistent');
/** The evaluation's key of a fault's severity group: 'line_line · 2 of 5 modules shorted'. */
export const severityKey = (fault: FaultClass, group: string): string => `${fault} · ${group}`;

/**
 * Volts per module a leak's current is reckoned with: ~54 V, what a module of the default
 * design holds near its maximum-power point in the field, scaled by the design's module
 * (its STC maximum-power voltage against the default module's): a CdTe module holds over
 * three times as much, so the same resistance draws over three times the current.
 */
function leakVoltsPerModule(design: Design): number {
  // one single-diode solve per module object (moduleStc caches by it): DEFAULT_DESIGN's is parsed once
  const ratio = moduleStc(design.module).vMp / moduleStc(DEFAULT_DESIGN.module).vMp;
  return 54 * ratio;
}

/**
 * A fault's severity as a group the evaluation reports recall by: how many of the
 * string's modules a short spans, how much current a leak to ground draws (≈ its node's
 * voltage over its resistance, leakVoltsPerModule), whether an open string or an arc
 * comes and goes, how much of the array a shadow covers; `design`: the array's (default:
 * the default design, whose groups read as they always did).
 */
export function severityGroup(truth: Pick<DeviceDay['truth'], 'fault' | 'severity' | 'intermittent'>, design: Design = DEFAULT_DESIGN): string {
  const s = truth.severity;
  switch (truth.fault) {
    case 'normal':
      return 'normal';
    case 'line_line':
      return shortedGroup(s.count as number, design.modulesPerString);
    case 'line_ground': {
      const amps = ((s.count as number) * leakVoltsPerModule(design)) / (s.resistance as number);
      return LEAK_GROUPS[amps < 0.5 ? 0 : amps < 2 ? 1 : 2];
    }
    case 'open_circuit':
    case 'arc_fault':
      return persistenceGroup(truth.intermittent);
    case 'partial_shading':
      return `${String(s.strings)} string${s.strings === 1 ? '' : 's'}, ${(s.modules as number) <= 2 ? '1–2' : '3–5'} modules`;
  }
}

export interface WindowSet {
  /** count × 64·64·4 float32, NHWC */
  x: Float32Array;
  /** count × N_LEVELS float32 */
  levels: Float32Array;
  y: Int32Array;
  meta: WindowMeta[];
  count: number;
}

export interface SplitSpec {
  name: string;
  /** one plant-day per (seed, date) */
  plantDays: { seed: number; date: string }[];
  devicesPerPlantDay: number;
  /** keep each normal window with this probability (normal windows outnumber the others) */
  normalKeep: number;
  /**
   * conditions that are not faults on its plant-days: none (the default, what the committed
   * model is trained on), or the training mix (trainingConditions: measured worse, see
   * docs/model-card.md; kept to measure it again)
   */
  conditions?: 'training' | 'none';
  /** the arrays' designs: the default design's only, or the training mix (trainingDesign) */
  designs?: 'training' | 'default';
  /** with designs 'training': the share of plant-days of another design than the default (TRAINING_DESIGN_SHARE when absent) */
  designShare?: number;
  /** each device's fault drawn with these weights; every class at 1 (one device in six each) when absent */
  faultMix?: FaultMix;
}

/**
 * The seeds of the training run's plant-days: each split numbers its plant-days from
 * its base (train.ts), so seeds below SPLIT_SEEDS_END have been seen in training,
 * validation or test; held-out evaluations (detector/eval) draw theirs above it.
 */
export const SPLIT_SEEDS = { train: 1000, validation: 2000, test: 3000 } as const;
export const SPLIT_SEEDS_END = 4000;

/** Dates spread over a year, deterministic for a seed. */
export function spreadDates(year: number, count: number, seed: number): string[] {
  const rng = new Rng(seed, `dates:${year}`);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const dayOfYear = Math.floor(((i + rng.next()) * 365) / count);
    out.push(new Date(Date.UTC(year, 0, 1) + dayOfYear * 86_400_000).toISOString().slice(0, 10));
  }
  return out;
}

/** Share of training plant-days with one condition that is not a fault forced on (the others: the field rates only). */
export const TRAINING_FORCED_SHARE = 0.25;
/** The conditions forced on training plant-days, one per forced plant-day, uniformly (standby is on everywhere with the field rates). */
export const TRAINING_FORCED_KINDS: readonly ConditionKind[] = ['frost', 'dew', 'snow', 'soiling', 'curtailment', 'clipping'];
/** Share of training plant-days on roofs (the others on open racks). */
export const TRAINING_ROOF_SHARE = 0.3;

/**
 * The conditions of a training plant-day: the field rates (FIELD_CONDITIONS: at Seville,
 * dew on some winter mornings, frost rarely, snow never, soiling, standby, curtailment on
 * 3 %), and on TRAINING_FORCED_SHARE of the plant-days one of TRAINING_FORCED_KINDS
 * forced, so that the model meets frost and snow, which Seville's weather hardly makes;
 * a roof on TRAINING_ROOF_SHARE. Their windows keep the fault's label (normal on a
 * healthy array). From its own stream (seed, date): the plant-day's faults and
 * sensors do not move.
 */
export function trainingConditions(seed: number, date: string): ConditionsConfig {
  const rng = new Rng(seed, `conditions:training:${date}`);
  const force = rng.chance(TRAINING_FORCED_SHARE) ? [rng.pick(TRAINING_FORCED_KINDS)] : [];
  return { ...FIELD_CONDITIONS, force, mounting: rng.chance(TRAINING_ROOF_SHARE) ? 'roof' : 'open_rack' };
}

/**
 * Share of training and validation plant-days whose arrays are of another design than the default (trainingDesign).
 * 0.67 with 360 training days since lenet5c-2026-12-06-0ead88b5: about as many default-design days as the
 * 0.5 of 240 before it, and twice the other designs' (docs/model-card.md, "added rather than traded").
 */
export const TRAINING_DESIGN_SHARE = 0.67;
/** The layouts training designs are drawn from: issue 20's 2–4 strings of 4–24 modules. */
export const TRAINING_LAYOUTS = { strings: [2, 4], modulesPerString: [4, 24] } as const;
/**
 * Modules of the training designs: the library's, but for those the evaluation holds
 * out (npm run eval --designs): the CdTe technology (First Solar FS-6385) and the
 * CS6P-250P module, so that both held-out designs are arrays the model never saw.
 */
export const HELD_OUT_MODULES: readonly string[] = MODULE_NAMES.filter((m) => moduleTechnology(m) === 'CdTe' || m === 'Canadian Solar Inc. CS6P-250P');
export const TRAINING_MODULES: readonly string[] = MODULE_NAMES.filter((m) => !HELD_OUT_MODULES.includes(m));

/**
 * The array design of a training plant-day: the default design, or on
 * `share` of them (train --design-share, TRAINING_DESIGN_SHARE by default) one drawn from TRAINING_LAYOUTS and TRAINING_MODULES
 * (every array of the plant alike), so that the model learns faults in per-unit
 * inputs (contracts/detector.json perUnit) rather than one design's volts. A layout
 * whose readings would leave the reading contract's ranges is drawn again. From its
 * own stream (seed, date).
 */
export function trainingDesign(seed: number, date: string, share: number = TRAINING_DESIGN_SHARE): Design {
  const rng = new Rng(seed, `design:training:${date}`);
  if (!rng.chance(share)) return defaultDesign();
  for (;;) {
    const input = { modulesPerString: rng.int(...TRAINING_LAYOUTS.modulesPerString), strings: rng.int(...TRAINING_LAYOUTS.strings), module: rng.pick(TRAINING_MODULES) };
    try {
      return parseDesign(input, 'training design');
    } catch (err) {
      if (!(err instanceof DesignError)) throw err;
    }
  }
}

/** Every fault class drawn equally often: a split's mix unless train --fault-mix weighs some class. Frozen: every split shares it. */
export const UNIFORM_FAULT_MIX: Readonly<FaultMix> = Object.freeze(Object.fromEntries(FAULT_CLASSES.map((c) => [c, 1])));

/** A split's plant-day: its arrays' design (the training mix or the default) and the plant of it, as the split asks. */
function plantFor(pd: { seed: number; date: string }, split: SplitSpec): { design: Design; config: PlantConfig } {
  const design = split.designs === 'training' ? trainingDesign(pd.seed, pd.date, split.designShare) : defaultDesign();
  const conditions = split.conditions === 'training' ? trainingConditions(pd.seed, pd.date) : NO_CONDITIONS;
  const config = plantConfig({ date: pd.date, seed: pd.seed, devices: split.devicesPerPlantDay, faultMix: split.faultMix ?? UNIFORM_FAULT_MIX, keepSeries: true, conditions, design });
  return { design, config };
}

/**
 * The normalisation from some device-days' predicted windows: per channel, the median
 * |coefficient| (robust: scalograms are heavy-tailed); per level feature, the mean
 * and standard deviation of asinh(stat).
 */
export function estimateNormalization(days: Iterable<{ day: DeviceDay; window: { startMs: number; endMs: number }; gain?: number; perUnit?: PerUnitReference }>): Normalization {
  const samples: number[][] = CHANNELS.map(() => []);
  const levelSum = new Float64Array(N_LEVELS);
  const levelSq = new Float64Array(N_LEVELS);
  const raw = new Float64Array(N_LEVELS);
  let windows = 0;
  for (const { day, window, gain, perUnit } of days) {
    const row = silverOf(day, window);
    const filled = toPerUnit(filledChannels(row, gain ?? null), perUnit ?? DEFAULT_PER_UNIT);
    const scalograms = dayScalograms(row, filled);
    for (const w of windowsOf(row)) {
      if (w.skipReason) continue;
      scalograms.forEach((coefs, c) => {
        for (let h = 0; h < N_SCALES; h += 3) for (let t = 0; t < WINDOW; t += 4) samples[c]!.push(Math.abs(coefs[h * row.samples + w.index * WINDOW + t]!));
      });
      rawLevels(filled, w.index, raw);
      for (let f = 0; f < N_LEVELS; f++) {
        levelSum[f] = levelSum[f]! + raw[f]!;
        levelSq[f] = levelSq[f]! + raw[f]! ** 2;
      }
      windows++;
    }
  }
  if (windows === 0) throw new Error('estimateNormalization: no predicted window in the given device-days');
  const median = (xs: number[]) => {
    const s = xs.sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)] ?? 1;
  };
  const center = Array.from(levelSum, (s) => s / windows);
  const spread = Array.from(levelSq, (q, f) => Math.max(1e-6, Math.sqrt(Math.max(0, q / windows - center[f]! ** 2))));
  return {
    scale: Object.fromEntries(CHANNELS.map((c, i) => [c, Math.max(1e-6, median(samples[i]!))])) as unknown as Normalization['scale'],
    levels: { center, spread },
  };
}

/**
 * The baseline gain each device of a training plant-day is judged with, as the
 * predict job would give it after the device's healthy days (detector/baseline.ts):
 * its relative ratio of current to irradiance. Training plants are mostly faulty
 * (one device in six healthy) and seen one day, so the ratio is not measured but
 * taken from what causes it: the device's photocurrent spread and its current and
 * irradiance sensors' gains, relative to the plant's median. The pipeline's gains
 * sit a little above that (their reference, the fleet's median ratio, is pulled
 * down by the faulty arrays) and vary from day to day (npm run eval measures how
 * well they fit: its Baselines line); an offset of +0.6 % and a spread of 0.4 % are
 * drawn per device-day so the model does not learn one exact level.
 */
export function trainingGains(days: readonly DeviceDay[], rng: Rng): Map<string, number> {
  // an array's soiling builds up over weeks: its own baseline has followed it
  const soiled = (d: DeviceDay) => 1 - ((d.truth.conditions?.find((c) => c.kind === 'soiling')?.severity.loss as number | undefined) ?? 0);
  const cause = (d: DeviceDay) => (d.profile.photocurrentScale * soiled(d) * d.truth.calibration.gain.current) / d.truth.calibration.gain.irradiance;
  const plant = median(days.map(cause))!;
  return new Map(days.map((d) => [d.deviceId, (cause(d) / plant) * (1 + rng.normal(0.006, 0.004))]));
}

/** Builds a split's labelled windows; progress is reported per device-day. */
export function buildWindowSet(spec: SplitSpec, norm: Normalization, onDeviceDay?: () => void): WindowSet {
  const parts: ModelInputs[] = [];
  const y: number[] = [];
  const meta: WindowMeta[] = [];
  for (const pd of spec.plantDays) {
    const { design, config } = plantFor(pd, spec);
    const perUnit = perUnitOfDesign(design);
    const plant = simulatePlantDay(config);
    const keepRng = new Rng(pd.seed, `keep:${pd.date}`);
    const days = [...plant.devices()];
    const gains = trainingGains(days, new Rng(pd.seed, `gain:${pd.date}`));
    for (const day of days) {
      const row = silverOf(day, plant.window);
      const picked: { index: number; label: FaultClass; startMs: number }[] = [];
      for (const w of windowsOf(row)) {
        if (w.skipReason) continue;
        const label = windowLabel(day, w.index);
        if (label === null || untrainedConditionIn(day, w.startMs, w.endMs)) continue;
        if (label === 'normal' && !keepRng.chance(spec.normalKeep)) continue;
        picked.push({ index: w.index, label, startMs: w.startMs });
      }
      parts.push(modelInputs(row, picked.map((w) => w.index), norm, undefined, toPerUnit(filledChannels(row, gains.get(day.deviceId)!), perUnit)));
      for (const w of picked) {
        y.push(faultClassIndex(w.label));
        meta.push({ deviceId: day.deviceId, date: pd.date, seed: pd.seed, index: w.index, startMs: w.startMs, label: w.label, deviceFault: day.truth.fault, onsetMs: day.truth.onsetMs, noiseLevel: day.truth.noiseLevel, sky: day.truth.sky, severity: severityGroup(day.truth, design) });
      }
      onDeviceDay?.();
    }
  }
  const { images, levels } = concatInputs(parts);
  return { x: images, levels, y: Int32Array.from(y), meta, count: y.length };
}

/** A split's device-days, each with the baseline gain it is judged with (trainingGains) and its design's per-unit reference. */
export function plantDaysOf(spec: SplitSpec): Iterable<{ day: DeviceDay; window: { startMs: number; endMs: number }; gain: number; perUnit: PerUnitReference }> {
  return (function* () {
    for (const pd of spec.plantDays) {
      const { design, config } = plantFor(pd, spec);
      const perUnit = perUnitOfDesign(design);
      const plant = simulatePlantDay(config);
      const days = [...plant.devices()];
      const gains = trainingGains(days, new Rng(pd.seed, `gain:${pd.date}`));
      for (const day of days) yield { day, window: plant.window, gain: gains.get(day.deviceId)!, perUnit };
    }
  })();
}

/**
 * What each fault leaves in the model's inputs, and how the window model reads it: per
 * design and severity group, the bright windows' per-unit voltage and current per
 * irradiance (the levels the model reads, contracts/detector.json perUnit and baseline)
 * against the same design's healthy windows, and the class the model gave them. It
 * tells apart the two limits a missed fault may have: a fault whose windows lie within
 * the healthy spread is a sensor and physics limit (no reader of these channels could
 * name it without false alarms), one whose windows lie well outside it and are still
 * read as normal is the window model's.
 *
 * Measured on the windows' means as gold keeps them (gold_window meanVoltage, …), mapped
 * as the model maps each slot (toPerUnit, on the window's means: within a fraction of a
 * per cent of the mean of the mapped slots in a bright window, whose temperature and
 * irradiance vary little), the device's baseline gain applied to its irradiance.
 *
 * Beside it, the same current per irradiance against its plant's at the same window
 * (the median over the plant-day's devices): the sky, the season and a plant-wide
 * condition move every array alike and drop out of it, so a healthy array's windows
 * spread less in it than in their own level (on the product plan's default design,
 * 1st–99th percentiles 0.94–1.06 of its median against 0.92–1.07), and a fault that
 * hides in the own level's spread (a small leak) or next to another fault's (a heavy
 * shadow beside a blocked string) may stand out of it. The model does not read it;
 * the tables say what it would add.
 */
import { FAULT_CLASSES, type FaultClass } from '../../contracts';
import { LEAK_GROUPS, severityKey } from '../dataset';
import { toPerUnit, type PerUnitReference } from '../perUnit';
import { median } from '../baseline';
import { WINDOW } from '../windows';
import { MEAN_CURRENT, MEAN_IRRADIANCE, MEAN_TEMPERATURE, MEAN_VOLTAGE, MEANS } from './blocking';
import { quantile } from './summary';
import type { DeviceDayRecord } from './records';

/** Windows dimmer than this are left out: at low light a healthy array's per-unit voltage spreads three times wider (its temperature and the tracker's steps weigh more). */
export const SIGNAL_MIN_IRRADIANCE = 400;
/** The healthy windows' percentiles a fault's window must lie beyond to count as outside the healthy spread (either side, either level). */
export const HEALTHY_BAND: readonly [number, number] = [0.01, 0.99];

/** A window's plant median needs this many of the plant-day's devices to have predicted it; with fewer, the window has no plant level. */
export const PLANT_MIN_DEVICES = 5;

/** A design's healthy bright windows: how many, and the band and median of each level. */
export interface HealthyLevels {
  windows: number;
  /** per-unit voltage at HEALTHY_BAND's low percentile, the median, its high one */
  voltage: [number, number, number];
  /** per-unit current per irradiance (÷ the baseline-gained irradiance / 1000 W/m²), likewise */
  ratio: [number, number, number];
  /** current per irradiance over its plant's median at the same window, likewise (over the windows that have one); absent in reports before 2026-12-07, null: no window had one */
  plantRatio?: [number, number, number] | null;
}

/** A severity group's bright windows on which the fault acted in every slot. */
export interface SignalRow {
  windows: number;
  deviceDays: number;
  /** the windows' median per-unit voltage over the healthy median, minus 1 */
  voltageShift: number;
  /** the same for current per irradiance */
  ratioShift: number;
  /** share of the windows with a plant level whose level against the plant lies outside the healthy windows' HEALTHY_BAND of it (HealthyLevels.plantRatio); absent in reports before 2026-12-07, null: no window had a plant level */
  outsidePlant?: number | null;
  /** share of the windows with either level outside the healthy windows' HEALTHY_BAND */
  outside: number;
  /** share the model gave its highest probability to the fault's class */
  readOwn: number;
  /** share it gave it to normal */
  readNormal: number;
  /** share it gave to each class, in FAULT_CLASSES order (readOwn and readNormal are two of them); absent in the reports of its first version (2026-12-06) */
  readAs?: number[];
}

export interface SignalTable {
  healthy: HealthyLevels | null;
  /** by severityKey (dataset.ts), in FAULT_CLASSES order */
  bySeverity: Record<string, SignalRow>;
}

/** A counted plant-day's records, the group its outcomes are reported under ('default' for the plan's plants) and its design's per-unit reference. */
export interface SignalDay {
  group: string;
  perUnit: PerUnitReference;
  records: readonly DeviceDayRecord[];
}

interface Window {
  voltage: number;
  ratio: number;
  /** current per irradiance without the baseline's gain: what the array made against its own sensor */
  rawRatio: number;
  /** ratio over the plant's median at the same window (plantRatios); NaN: the window has none */
  plantRatio: number;
  read: number;
}

/** A predicted window with means, mapped: its own levels (not yet against its plant), where it lies in the day and how bright it was. */
interface Mapped extends Omit<Window, 'plantRatio'> {
  startMs: number;
  irradiance: number;
  /** slots of it the fault acted on */
  acting: number;
}

// the eval's nearest-rank quantile (summary.ts) for the healthy band, the baseline's median for the shifts: one definition each
const band = (sorted: readonly number[], p: number): number => quantile(sorted, p)!;
const medianOf = (xs: readonly number[]): number => median(xs)!;

/** Severity groups of one class in the order of their size: leaks by current (LEAK_GROUPS), the others by the numbers they name (1 of 16 before 2 of 16 and 10 of 16). */
function severityOrder(a: string, b: string): number {
  const leak = (k: string) => LEAK_GROUPS.indexOf(k.split(' · ')[1] as (typeof LEAK_GROUPS)[number]);
  return leak(a) - leak(b) || a.localeCompare(b, 'en', { numeric: true });
}

/** Every predicted window of a record that carries means, mapped to per-unit levels. */
function mappedWindows(record: DeviceDayRecord, perUnit: PerUnitReference): Mapped[] {
  const { evidence, truth } = record;
  if (!evidence.means) return [];
  const classes = FAULT_CLASSES.length;
  const out: Mapped[] = [];
  let j = 0;
  evidence.windows.forEach((w, i) => {
    if (w.skipReason) return;
    const k = j++;
    const m = evidence.means!.subarray(k * MEANS, (k + 1) * MEANS);
    const g = m[MEAN_IRRADIANCE]! * (evidence.baselineGain ?? 1);
    if (!(g > 0)) return;
    const [v, c] = toPerUnit([Float64Array.of(m[MEAN_VOLTAGE]!), Float64Array.of(m[MEAN_CURRENT]!), Float64Array.of(m[MEAN_TEMPERATURE]!), Float64Array.of(g)], perUnit);
    let read = 0;
    for (let f = 1; f < classes; f++) if (evidence.probs[k * classes + f]! > evidence.probs[k * classes + read]!) read = f;
    out.push({ startMs: w.startMs, irradiance: m[MEAN_IRRADIANCE]!, acting: truth.activeSlots[i]!, voltage: v![0]!, ratio: c![0]! / (g / 1000), rawRatio: c![0]! / (m[MEAN_IRRADIANCE]! / 1000), read });
  });
  return out;
}

/** The plant's median ratio per window start over the devices' mapped windows; a window fewer than PLANT_MIN_DEVICES have has none. */
function plantMedians(devices: readonly (readonly Mapped[])[]): Map<number, number> {
  const per = new Map<number, number[]>();
  for (const windows of devices) {
    for (const w of windows) {
      let xs = per.get(w.startMs);
      if (!xs) per.set(w.startMs, (xs = []));
      xs.push(w.ratio);
    }
  }
  return new Map([...per].filter(([, xs]) => xs.length >= PLANT_MIN_DEVICES).map(([startMs, xs]) => [startMs, medianOf(xs)]));
}

/**
 * A plant-day's current per irradiance per window (by its start): the median over the
 * devices that predicted the window, faulty ones and those under a condition included
 * (as every array of a plant would be read), the baseline's gain applied; a window fewer
 * than PLANT_MIN_DEVICES predicted has none.
 */
export function plantRatios(records: readonly DeviceDayRecord[], perUnit: PerUnitReference): Map<number, number> {
  return plantMedians(records.map((r) => mappedWindows(r, perUnit)));
}

/** Of a record's mapped windows, the bright ones its fault (if any) acted on in every slot, each set against its plant's median (`plant`, by window start). */
function brightOf(record: DeviceDayRecord, mapped: readonly Mapped[], plant: ReadonlyMap<number, number>): Window[] {
  return mapped
    .filter((w) => w.irradiance >= SIGNAL_MIN_IRRADIANCE && (record.truth.fault === 'normal' || w.acting >= WINDOW))
    .map(({ voltage, ratio, rawRatio, read, startMs }) => ({ voltage, ratio, rawRatio, plantRatio: ratio / (plant.get(startMs) ?? NaN), read }));
}

/** The bright predicted windows of a record on which its fault (if any) acted in every slot, mapped to per-unit levels; `plant`: its plant-day's plantRatios. */
export function brightWindows(record: DeviceDayRecord, perUnit: PerUnitReference, plant: ReadonlyMap<number, number> = new Map()): Window[] {
  return brightOf(record, mappedWindows(record, perUnit), plant);
}

/** A plant-day's records with their bright windows, each record's windows mapped once for both its plant's medians and its own levels. */
function brightWindowsOfDay(day: SignalDay): { record: DeviceDayRecord; windows: Window[] }[] {
  const mapped = day.records.map((r) => mappedWindows(r, day.perUnit));
  const plant = plantMedians(mapped);
  return day.records.map((record, i) => ({ record, windows: brightOf(record, mapped[i]!, plant) }));
}

/** HEALTHY_BAND's low percentile, the median and the high one of the windows' plant levels that exist; null: none does. */
function plantBand(windows: readonly Window[]): [number, number, number] | null {
  const p = windows.map((w) => w.plantRatio).filter(Number.isFinite).sort((a, b) => a - b);
  return p.length ? [band(p, HEALTHY_BAND[0]), medianOf(p), band(p, HEALTHY_BAND[1])] : null;
}

/** Share of the windows with a plant level whose level lies outside `healthy` (plantBand); null: no window has one, or no healthy band. */
function outsideBand(windows: readonly Window[], healthy: readonly number[] | null | undefined): number | null {
  const p = windows.map((w) => w.plantRatio).filter(Number.isFinite);
  return p.length && healthy ? p.filter((x) => x < healthy[0]! || x > healthy[2]!).length / p.length : null;
}

/** The median of the windows' plant levels over `reference`, minus 1; null: either has none. */
function plantShift(windows: readonly Window[], reference: number | null | undefined): number | null {
  const p = windows.map((w) => w.plantRatio).filter(Number.isFinite);
  return p.length && reference ? medianOf(p) / reference - 1 : null;
}

/** Per group: its healthy levels and, per severity group of the faulty device-days no condition acted on, what the fault left in them and how the model read it. */
export function signalTables(days: readonly SignalDay[]): Record<string, SignalTable> {
  const groups = new Map<string, { healthy: Window[]; faults: Map<string, { fault: FaultClass; windows: Window[]; deviceDays: number }> }>();
  for (const day of days) {
    let g = groups.get(day.group);
    if (!g) groups.set(day.group, (g = { healthy: [], faults: new Map() }));
    for (const { record, windows } of brightWindowsOfDay(day)) {
      if (record.truth.conditions?.length) continue;
      if (record.truth.fault === 'normal') {
        g.healthy.push(...windows);
        continue;
      }
      if (windows.length === 0) continue;
      const key = severityKey(record.truth.fault, record.truth.severityGroup);
      let f = g.faults.get(key);
      if (!f) g.faults.set(key, (f = { fault: record.truth.fault, windows: [], deviceDays: 0 }));
      f.windows.push(...windows);
      f.deviceDays++;
    }
  }
  const tables: Record<string, SignalTable> = {};
  for (const [name, g] of groups) {
    if (g.healthy.length === 0) {
      tables[name] = { healthy: null, bySeverity: {} };
      continue;
    }
    const v = g.healthy.map((w) => w.voltage).sort((a, b) => a - b);
    const r = g.healthy.map((w) => w.ratio).sort((a, b) => a - b);
    const [lo, hi] = HEALTHY_BAND;
    const healthy: HealthyLevels = { windows: g.healthy.length, voltage: [band(v, lo), medianOf(v), band(v, hi)], ratio: [band(r, lo), medianOf(r), band(r, hi)], plantRatio: plantBand(g.healthy) };
    const outside = (w: Window) => w.voltage < healthy.voltage[0] || w.voltage > healthy.voltage[2] || w.ratio < healthy.ratio[0] || w.ratio > healthy.ratio[2];
    const keys = [...g.faults.keys()].sort((a, b) => FAULT_CLASSES.indexOf(g.faults.get(a)!.fault) - FAULT_CLASSES.indexOf(g.faults.get(b)!.fault) || severityOrder(a, b));
    const bySeverity: Record<string, SignalRow> = {};
    for (const key of keys) {
      const f = g.faults.get(key)!;
      const n = f.windows.length;
      // one count per class; its own class's share and normal's are two of them
      const read = new Array<number>(FAULT_CLASSES.length).fill(0);
      for (const w of f.windows) read[w.read]!++;
      const readAs = read.map((k) => k / n);
      bySeverity[key] = {
        windows: n,
        deviceDays: f.deviceDays,
        voltageShift: medianOf(f.windows.map((w) => w.voltage)) / healthy.voltage[1] - 1,
        ratioShift: medianOf(f.windows.map((w) => w.ratio)) / healthy.ratio[1] - 1,
        outsidePlant: outsideBand(f.windows, healthy.plantRatio),
        outside: f.windows.filter(outside).length / n,
        readOwn: readAs[FAULT_CLASSES.indexOf(f.fault)]!,
        readNormal: readAs[0]!,
        readAs,
      };
    }
    tables[name] = { healthy, bySeverity };
  }
  return tables;
}

/**
 * The healthy bright windows of one condition (or none) under one sky: what the
 * condition left in the levels the model reads, before and after the array's baseline
 * gain, and how the model read the windows. A condition that moves every array of the
 * plant alike (soiling builds up on all of them) also moves the fleet the baseline is
 * relative to (detector/baseline.ts): the gain then takes out only each array's part of it.
 */
export interface HealthyConditionRow {
  deviceDays: number;
  windows: number;
  /** median current per irradiance without the gain, over the clean healthy windows' median (all skies), minus 1 */
  rawRatioShift: number;
  /** the same with the gain applied (what the model reads) */
  ratioShift: number;
  /** the same against the plant's current per irradiance at the same window (plantRatios), over the clean healthy windows' median of it; absent in reports before 2026-12-07, null: no window had a plant level */
  plantRatioShift?: number | null;
  /** share of the windows the model gave its highest probability to each class, FAULT_CLASSES order */
  readAs: number[];
}

/** Key of a healthy device-day's row: the conditions that acted on it ('none'), then its sky. */
export const healthyConditionKey = (record: DeviceDayRecord): string => `${record.truth.conditions?.length ? record.truth.conditions.join(' + ') : 'none'} · ${record.truth.sky}`;

/**
 * Per condition and sky, the healthy bright windows of `days` (one design's plant-days,
 * with and without conditions) against the same design's clean healthy windows.
 */
export function healthyByCondition(days: readonly SignalDay[]): Record<string, HealthyConditionRow> {
  const groups = new Map<string, { windows: Window[]; deviceDays: number }>();
  for (const day of days) {
    for (const { record, windows } of brightWindowsOfDay(day)) {
      if (record.truth.fault !== 'normal') continue;
      if (windows.length === 0) continue;
      const key = healthyConditionKey(record);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { windows: [], deviceDays: 0 }));
      g.windows.push(...windows);
      g.deviceDays++;
    }
  }
  const clean = [...groups].filter(([k]) => k.startsWith('none · ')).flatMap(([, g]) => g.windows);
  if (clean.length === 0) return {};
  const cleanRaw = medianOf(clean.map((w) => w.rawRatio));
  const cleanGained = medianOf(clean.map((w) => w.ratio));
  const cleanPlant = plantBand(clean)?.[1];
  const rows: Record<string, HealthyConditionRow> = {};
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    const read = new Array<number>(FAULT_CLASSES.length).fill(0);
    for (const w of g.windows) read[w.read]!++;
    rows[key] = {
      deviceDays: g.deviceDays,
      windows: g.windows.length,
      rawRatioShift: medianOf(g.windows.map((w) => w.rawRatio)) / cleanRaw - 1,
      ratioShift: medianOf(g.windows.map((w) => w.ratio)) / cleanGained - 1,
      plantRatioShift: plantShift(g.windows, cleanPlant),
      readAs: read.map((k) => k / g.windows.length),
    };
  }
  return rows;
}

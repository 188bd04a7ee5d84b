/** A gold dataset in the contract: several days and devices, with known verdicts; and the silver series behind them, for charts. */
import { FAULT_CLASSES, plantDayWindow, type SilverDeviceDayRow } from '../../contracts';
import { ALARM_LABELS, alarmCandidates, PlantSlots, type AlarmRule, type AlarmThresholds } from '../../detector/alarms';
import { publishPartition, type ObjectWriter } from '../../contracts/partition';
import { NO_HISTORY, type DeviceReference } from '../../detector/baseline';
import { gatedDaily, goldRows, predictedWindowsOfRows } from '../../detector/gold';
import type { WindowInfo } from '../../detector/windows';
import { plantConditions } from '../../detector/plantConditions';
import { DEFAULT_DESIGN_NAME } from '../../contracts/design';

export const FIXTURE_DATES = ['2026-11-17', '2026-11-18', '2026-11-19'];

/** Evidence thresholds for fixtures: two windows at 0.9 against a normal at 0.02 raise an alarm, one does not. */
export const TEST_THRESHOLDS = Object.fromEntries(ALARM_LABELS.map((l) => [l, 5])) as AlarmThresholds;

/**
 * The fixtures' rule, two stages as the product's: one window at 0.9 of a string_blocked
 * member (the group at 0.94 against 0.02) raises the group, and the next names its class,
 * so the blocked strings' alarms are raised as the group before they are labelled.
 */
export const TEST_RULE: AlarmRule = { thresholds: TEST_THRESHOLDS, raise: { string_blocked: 3 } };

/** Device i's verdict on day d: a fault class chosen from (i + d), normal for every third device. */
export function expectedLabel(device: number, day: number): string {
  if (device % 3 === 0) return 'normal';
  return FAULT_CLASSES[1 + ((device + day) % (FAULT_CLASSES.length - 1))]!;
}

/**
 * When device i's alarm of day d is raised and labelled, in windows from the day's start (null without one):
 * its fault shows from window 25, and two such windows name its class (raised at the end of window 26); a
 * blocked string's group reaches its raise (TEST_RULE) at the first, so it is raised then, as the group.
 */
export function expectedRaise(device: number, day: number): { raisedAt: number; raisedAs: string | null; labelledAt: number } | null {
  const label = expectedLabel(device, day);
  if (label === 'normal') return null;
  return alarmCandidates('string_blocked').includes(label as never) ? { raisedAt: 26, raisedAs: 'string_blocked', labelledAt: 27 } : { raisedAt: 27, raisedAs: null, labelledAt: 27 };
}

export function deviceName(i: number): string {
  return `PV-${String(i).padStart(6, '0')}`;
}

/** How device i was judged on day d: odd devices from the second day on against their own baseline of d healthy days, the others against the fleet. */
export function expectedReference(device: number, day: number): DeviceReference {
  return device % 2 === 1 && day > 0 ? { ...NO_HISTORY, gain: 0.97 + device / 1000, days: day } : NO_HISTORY;
}

/** The design gold names for device i (as the predict job does from the day's registry): every fifth device missing from the registry, so the default; odd devices CdTe, even ones the default design, registered. */
export function fixtureDesign(device: number): { design: string; designSource: 'registry' | 'default' } {
  if (device % 5 === 0) return { design: DEFAULT_DESIGN_NAME, designSource: 'default' };
  return { design: device % 2 === 1 ? 'cdte-4x4-fs-6385' : DEFAULT_DESIGN_NAME, designSource: 'registry' };
}

/** Windows 20..46 predicted (daylight), the rest skipped for low irradiance. */
export function deviceDayRows(device: number, day: number, date: string, modelVersion = 'test-model') {
  const { startMs } = plantDayWindow(date, 'Europe/Madrid');
  const windows: WindowInfo[] = Array.from({ length: 67 }, (_, i) => ({
    index: i,
    startMs: startMs + i * 1_280_000,
    endMs: startMs + (i + 1) * 1_280_000,
    skipReason: i >= 20 && i < 47 ? null : 'low_irradiance',
    missingFraction: 0,
    meanIrradiance: 0,
  }));
  const label = FAULT_CLASSES.indexOf(expectedLabel(device, day) as never);
  const predicted = windows.filter((w) => !w.skipReason);
  const probs = new Float32Array(predicted.length * FAULT_CLASSES.length);
  predicted.forEach((w, k) => {
    // the fault shows from window 25 on; before that the device looks normal
    const c = w.index >= 25 ? label : 0;
    for (let j = 0; j < FAULT_CLASSES.length; j++) probs[k * FAULT_CLASSES.length + j] = j === c ? 0.9 : 0.02;
  });
  return goldRows(deviceName(device), windows, probs, modelVersion, TEST_RULE, expectedReference(device, day));
}

/** opts.modelVersion: the model gold names (default "test-model"); opts.inputRunId: the silver run gold names as its input (default none) */
export async function publishGold(writer: ObjectWriter, devices: number, opts: { rowGroupSize?: number; rowsPerFile?: number; dates?: string[]; modelVersion?: string; inputRunId?: (day: number) => string } = {}) {
  for (const [d, date] of (opts.dates ?? FIXTURE_DATES).entries()) {
    const windowRows = [];
    const dailyRows = [];
    for (let i = 1; i <= devices; i++) {
      const r = deviceDayRows(i, d, date, opts.modelVersion);
      windowRows.push(...r.windows);
      dailyRows.push({ ...r.daily, ...fixtureDesign(i) });
    }
    const inputRunId = opts.inputRunId?.(d);
    await publishPartition(writer, 'gold_window', date, `run-${d}`, windowRows, { rowGroupSize: opts.rowGroupSize ?? 670, rowsPerFile: opts.rowsPerFile, inputRunId });
    await publishPartition(writer, 'gold_daily', date, `run-${d}`, dailyRows, { rowGroupSize: opts.rowGroupSize ?? 670, inputRunId });
  }
}

/** The fixture's grid: a day of 20-s slots (the fixture days are 24 h long). */
const SAMPLES = 4320;
/** Slots 1000..1009 are missing (NaN), so readers show a gap. */
export const MISSING_SLOTS = [1000, 1010] as const;

/**
 * Device i's silver series on a day: a clear-sky bell of irradiance over the daylight
 * windows, current following it, voltage and temperature around their usual levels.
 * Shapes, not physics: what a chart of the day must show, with a known value at noon.
 */
export function silverRow(device: number, date: string): SilverDeviceDayRow {
  const { startMs } = plantDayWindow(date, 'Europe/Madrid');
  const f = (g: (s: number) => number) => Float32Array.from({ length: SAMPLES }, (_, s) => (s >= MISSING_SLOTS[0] && s < MISSING_SLOTS[1] ? NaN : g(s)));
  // daylight: windows 20..46 of 64 slots, the same span gold predicts
  const sun = (s: number) => Math.max(0, Math.sin((Math.PI * (s - 20 * 64)) / (27 * 64)));
  const quality = Int32Array.from({ length: SAMPLES }, (_, s) => (s >= MISSING_SLOTS[0] && s < MISSING_SLOTS[1] ? 2 : 0));
  const missing = MISSING_SLOTS[1] - MISSING_SLOTS[0];
  return {
    deviceId: deviceName(device),
    startMs,
    stepMs: 20_000,
    samples: SAMPLES,
    voltage: f((s) => (sun(s) > 0 ? 480 + device / 10 : 0)),
    current: f((s) => 8 * sun(s)),
    temperature: f((s) => 10 + 20 * sun(s)),
    irradiance: f((s) => 1000 * sun(s)),
    quality,
    received: SAMPLES - missing,
    quarantined: 0,
    duplicates: 0,
    observed: SAMPLES - missing,
    filled: 0,
    missing,
  };
}

export async function publishSilver(writer: ObjectWriter, devices: number, opts: { dates?: string[] } = {}) {
  for (const [d, date] of (opts.dates ?? FIXTURE_DATES).entries()) {
    const rows = Array.from({ length: devices }, (_, i) => silverRow(i + 1, date));
    await publishPartition(writer, 'silver_device_day', date, `run-${d}`, rows, { rowGroupSize: 16 });
  }
}

/** The plant-event day's condition: window slots 28..31 (09:57–11:22 plant time on a fixture day), every array off normal at once. */
export const PLANT_EVENT_SLOTS = [28, 31] as const;
/** The plant-event day's two faulty arrays (arc fault from window 36 on), too few to be a plant event. */
export const PLANT_DAY_FAULTY = [2, 5];

/**
 * A day with a plant-wide condition (clipping, frost…): every device's windows 28..31
 * read off normal together (the model calls them partial shading), and two arrays
 * have a real fault later in the day. The summaries are decided as the predict job
 * decides them, after the plant gate (PlantSlots, gatedDaily): the condition's windows
 * are set aside, the two faults still raise their alarms.
 */
export function plantEventDayRows(devices: number, date: string, modelVersion = 'test-model') {
  const { startMs } = plantDayWindow(date, 'Europe/Madrid');
  const shading = FAULT_CLASSES.indexOf('partial_shading');
  const arc = FAULT_CLASSES.indexOf('arc_fault');
  const days = Array.from({ length: devices }, (_, k) => {
    const device = k + 1;
    const windows: WindowInfo[] = Array.from({ length: 67 }, (_, i) => ({ index: i, startMs: startMs + i * 1_280_000, endMs: startMs + (i + 1) * 1_280_000, skipReason: i >= 20 && i < 47 ? null : 'low_irradiance', missingFraction: 0, meanIrradiance: 0 }));
    const predicted = windows.filter((w) => !w.skipReason);
    const probs = new Float32Array(predicted.length * FAULT_CLASSES.length);
    predicted.forEach((w, j) => {
      const condition = w.index >= PLANT_EVENT_SLOTS[0] && w.index <= PLANT_EVENT_SLOTS[1];
      const c = condition ? shading : PLANT_DAY_FAULTY.includes(device) && w.index >= 36 ? arc : 0;
      for (let f = 0; f < FAULT_CLASSES.length; f++) probs[j * FAULT_CLASSES.length + f] = f === c ? 0.9 : 0.02;
    });
    // the readings' window means: a clipping converter holds a higher voltage and less current
    const means = Float64Array.from(windows.flatMap((w) => (w.index >= PLANT_EVENT_SLOTS[0] && w.index <= PLANT_EVENT_SLOTS[1] ? [290, 4, 35, 700] : [262, 5.6, 30, 700])));
    return goldRows(deviceName(device), windows, probs, modelVersion, TEST_RULE, NO_HISTORY, means);
  });
  const slots = new PlantSlots();
  const predictedWindows = days.map((d) => predictedWindowsOfRows(d.windows));
  predictedWindows.forEach((w) => slots.add(w));
  const events = slots.plantEvents();
  const conditions = plantConditions(slots.slots, events).map((c) => ({ ...c, modelVersion }));
  return { windows: days.flatMap((d) => d.windows), daily: days.map((d, k) => gatedDaily(d.daily, predictedWindows[k]!, TEST_RULE, events)), conditions };
}

/** Publishes the plant-event day's gold (run "plant-1") and its silver (the fixture's series, run "plant-silver"). */
export async function publishPlantEventDay(gold: ObjectWriter, silver: ObjectWriter, devices: number, date: string, modelVersion = 'test-model') {
  const rows = plantEventDayRows(devices, date, modelVersion);
  await publishPartition(gold, 'gold_window', date, 'plant-1', rows.windows, { rowGroupSize: 670, inputRunId: 'plant-silver' });
  await publishPartition(gold, 'gold_daily', date, 'plant-1', rows.daily, { rowGroupSize: 670, inputRunId: 'plant-silver' });
  await publishPartition(gold, 'gold_plant_condition', date, 'plant-1', rows.conditions, { inputRunId: 'plant-silver' });
  await publishPartition(silver, 'silver_device_day', date, 'plant-silver', Array.from({ length: devices }, (_, i) => silverRow(i + 1, date)), { rowGroupSize: 16 });
}

/**
 * Each array against its own history (contracts/detector.json baseline): the ratio
 * of a device-day's current to its irradiance sensor, relative to the fleet under
 * the same sky, kept over the device's recent healthy days as its baseline; the
 * next day's irradiance channel is scaled by the baseline's gain before the model
 * reads it. An array whose current reads a few per cent low against its own sensor
 * (module spread, sensor gains: 0.93–0.98 were seen) then looks like the arrays
 * the model learnt normal from, instead of like a small leak.
 *
 * spark/pvfault/baseline.py implements the same rules; test/fixtures/contracts/
 * baseline-days.json holds both to them.
 */
import { DETECTOR_CONTRACT, type DeviceBaselineRow } from '../contracts';
import type { AlarmLabel, Recurrence } from './alarms';
import { DEFAULT_PER_UNIT, type PerUnitReference } from './perUnit';
import { windowMeans, type WindowInfo } from './windows';

export const BASELINE = DETECTOR_CONTRACT.baseline;
const CURRENT = DETECTOR_CONTRACT.channels.indexOf('current');
const IRRADIANCE = DETECTOR_CONTRACT.channels.indexOf('irradiance');

/** Median of finite values (the mean of the middle two for an even count); null when there are none. */
export function median(values: Iterable<number>): number | null {
  const xs = Float64Array.from(values).sort();
  const n = xs.length;
  if (n === 0) return null;
  return n % 2 === 1 ? xs[(n - 1) / 2]! : (xs[n / 2 - 1]! + xs[n / 2]!) / 2;
}

/**
 * A device-day's ratio r: the median over its predicted bright windows of mean
 * current per unit (÷ the design's impStcA: arrays of several designs share one
 * fleet reference) ÷ mean irradiance (gap-filled channels); null with fewer than
 * minWindows such windows. `filled` are the measured channels, before any gain or
 * per-unit scaling; `means`, their windows.ts windowMeans when the caller has them.
 */
export function dayRatio(filled: readonly Float64Array[], windows: readonly WindowInfo[], perUnit: PerUnitReference, means: Float64Array = windowMeans(filled, windows)): number | null {
  const n = filled.length;
  const ratios: number[] = [];
  windows.forEach((w, i) => {
    if (w.skipReason) return;
    const meanG = means[i * n + IRRADIANCE]!;
    if (meanG >= BASELINE.minIrradiance) ratios.push(means[i * n + CURRENT]! / perUnit.impStcA / meanG);
  });
  return ratios.length >= BASELINE.minWindows ? median(ratios) : null;
}

/** The gain of a baseline's ratios: their median clamped to [minGain, maxGain]; null without any. */
export function gainOf(ratios: ArrayLike<number>): number | null {
  const m = median(Array.from(ratios));
  return m === null ? null : Math.min(BASELINE.maxGain, Math.max(BASELINE.minGain, m));
}

/** What the day's predict job knows of a device: its raw ratio r, its verdict, and how its alarm stood at the day's end (detector/alarms.ts alarmStanding; null without an alarm). */
export interface DeviceDayBaselineInput {
  ratio: number | null;
  verdict: string | null;
  standing?: number | null;
  /** gold_daily alarmSinceMs of the day (null or absent: no alarm, or not known) */
  sinceMs?: number | null;
  /** gold_daily alarmOnsetMs and alarmRaisedMs of the day (null or absent: no alarm): what the next day re-arms a recurring label by (detector/alarms.ts recurringAlarm) */
  onsetMs?: number | null;
  raisedMs?: number | null;
}

/**
 * The baseline table of `date`: the previous baseline's rows carried over, each
 * device of the day with its relative ratio q = r / R (R the fleet's median r) added
 * when the day was healthy (verdict normal, q inside [minGain, maxGain]), the
 * oldest dropped beyond maxDays. Rows in device order.
 */
export function nextBaseline(previous: ReadonlyMap<string, DeviceBaselineRow>, today: ReadonlyMap<string, DeviceDayBaselineInput>, date: string): DeviceBaselineRow[] {
  const fleet = median([...today.values()].flatMap((d) => (d.ratio === null ? [] : [d.ratio])));
  const ids = [...new Set([...previous.keys(), ...today.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return ids.map((deviceId) => {
    const before = previous.get(deviceId);
    const day = today.get(deviceId);
    const q = day && day.ratio !== null && fleet !== null && fleet > 0 ? Math.fround(day.ratio / fleet) : null;
    let ratios = before ? Float32Array.from(before.ratios) : new Float32Array(0);
    let lastHealthyDate = before?.lastHealthyDate ?? null;
    if (q !== null && day!.verdict === 'normal' && q >= BASELINE.minGain && q <= BASELINE.maxGain) {
      ratios = Float32Array.from([...ratios, q].slice(-BASELINE.maxDays));
      lastHealthyDate = date;
    }
    return { deviceId, ratios, gain: gainOf(ratios), lastHealthyDate, dayRatio: q, dayVerdict: day?.verdict ?? null, dayAlarmStanding: day?.standing ?? null, dayAlarmSinceMs: day?.sinceMs ?? null, dayAlarmOnsetMs: day?.onsetMs ?? null, dayAlarmRaisedMs: day?.raisedMs ?? null, fleetRatio: fleet };
  });
}

/** How a device-day is judged: against its own baseline (gain and the healthy days behind it), or, without history, against the fleet. */
export interface DeviceReference {
  gain: number | null;
  days: number;
  /** what its design makes (detector/perUnit.ts): the model reads its voltage and current per unit of it */
  perUnit: PerUnitReference;
  /** the label of its alarm the day before, carried into the day (detector/alarms.ts carriedAlarm); null: none */
  carried: AlarmLabel | null;
  /** with a carried alarm: since when the array has been alarmed for it (the row's dayAlarmSinceMs; null: not recorded) */
  carriedSinceMs: number | null;
  /** the label it re-arms in the span of its alarm the day before (detector/alarms.ts recurringAlarm, alarms.recur); null: none */
  recurring: Recurrence | null;
}

export const NO_HISTORY: DeviceReference = { gain: null, days: 0, perUnit: DEFAULT_PER_UNIT, carried: null, carriedSinceMs: null, recurring: null };

/**
 * A device's baseline row (none: no history), its design's per-unit reference (the
 * default design's unless given), the alarm it carries in from the day before and the
 * label it re-arms where that day's alarm was (recurringAlarm).
 */
export function referenceOf(row: DeviceBaselineRow | undefined, perUnit: PerUnitReference = DEFAULT_PER_UNIT, carried: AlarmLabel | null = null, recurring: Recurrence | null = null): DeviceReference {
  // a row of a partition written before the tables contract's version 9 has no dayAlarmSinceMs
  const carriedSinceMs = carried !== null ? (row?.dayAlarmSinceMs ?? null) : null;
  if (row && row.gain !== null) return { gain: row.gain, days: row.ratios.length, perUnit, carried, carriedSinceMs, recurring };
  return perUnit === DEFAULT_PER_UNIT && carried === null && recurring === null ? NO_HISTORY : { ...NO_HISTORY, perUnit, carried, carriedSinceMs, recurring };
}

/** The plant-local days whose baseline the predict job of `date` may read, newest first (maxAgeDays of them). */
export function baselineDatesBefore(date: string): string[] {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Array.from({ length: BASELINE.maxAgeDays }, (_, k) => new Date(t - (k + 1) * 86_400_000).toISOString().slice(0, 10));
}

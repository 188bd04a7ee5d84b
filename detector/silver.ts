/**
 * Readings of one device and day → the silver row: the 20-s grid of the four
 * series with per-slot quality and the day's counts (contracts/tables.json, grid).
 * The ingest job does the same in Python (spark/pvfault); shared fixtures hold
 * both to it. Readings given here are already valid (the caller quarantines the rest).
 */
import { GRID_STEP_MS, QUALITY, TABLES_CONTRACT, type SilverDeviceDayRow } from '../contracts';

export const MAX_FILL_SLOTS: number = TABLES_CONTRACT.grid.maxFillSlots;
const CHANNELS = ['voltage', 'current', 'temperature', 'irradiance'] as const;

export interface ValidReadings {
  /** in arrival order */
  count: number;
  timestamp: ArrayLike<number>;
  voltage: ArrayLike<number>;
  current: ArrayLike<number>;
  temperature: ArrayLike<number>;
  irradiance: ArrayLike<number>;
}

export interface DayGrid {
  startMs: number;
  endMs: number;
}

export function gridSamples(day: DayGrid): number {
  return Math.round((day.endMs - day.startMs) / GRID_STEP_MS);
}

/** The grid slot a reading belongs to, or −1 when it is not of this day. */
export function slotOf(timestamp: number, day: DayGrid, samples = gridSamples(day)): number {
  const slot = Math.round((timestamp - day.startMs) / GRID_STEP_MS) || 0; // never −0
  return slot >= 0 && slot < samples ? slot : -1;
}

export function buildSilverRow(deviceId: string, day: DayGrid, readings: ValidReadings, counts: { received: number; quarantined: number }): SilverDeviceDayRow {
  const samples = gridSamples(day);
  const chosen = new Int32Array(samples).fill(-1);
  const distance = new Float64Array(samples).fill(Infinity);
  let duplicates = 0;
  for (let k = 0; k < readings.count; k++) {
    const ts = readings.timestamp[k]!;
    const slot = slotOf(ts, day, samples);
    if (slot < 0) continue;
    const d = Math.abs(ts - (day.startMs + slot * GRID_STEP_MS));
    if (chosen[slot]! >= 0) {
      duplicates++;
      // strictly nearer wins; on a tie the earlier arrival stays
      if (!(d < distance[slot]!)) continue;
    }
    chosen[slot] = k;
    distance[slot] = d;
  }

  const series = Object.fromEntries(CHANNELS.map((c) => [c, new Float32Array(samples).fill(Number.NaN)])) as Record<(typeof CHANNELS)[number], Float32Array>;
  const quality = new Int32Array(samples).fill(QUALITY.missing);
  let observed = 0;
  for (let s = 0; s < samples; s++) {
    const k = chosen[s]!;
    if (k < 0) continue;
    observed++;
    quality[s] = QUALITY.observed;
    for (const c of CHANNELS) series[c][s] = readings[c][k]!;
  }

  // fill short interior gaps linearly; long ones and those at the edges stay missing
  let filled = 0;
  let s = 0;
  while (s < samples) {
    if (quality[s] !== QUALITY.missing) {
      s++;
      continue;
    }
    let e = s;
    while (e < samples && quality[e] === QUALITY.missing) e++;
    const gap = e - s;
    if (s > 0 && e < samples && gap <= MAX_FILL_SLOTS) {
      for (let g = s; g < e; g++) {
        const f = (g - (s - 1)) / (gap + 1);
        for (const c of CHANNELS) series[c][g] = series[c][s - 1]! + f * (series[c][e]! - series[c][s - 1]!);
        quality[g] = QUALITY.filled;
      }
      filled += gap;
    }
    s = e;
  }

  return {
    deviceId,
    startMs: day.startMs,
    stepMs: GRID_STEP_MS,
    samples,
    voltage: series.voltage,
    current: series.current,
    temperature: series.temperature,
    irradiance: series.irradiance,
    quality,
    received: counts.received,
    quarantined: counts.quarantined,
    duplicates,
    observed,
    filled,
    missing: samples - observed - filled,
  };
}

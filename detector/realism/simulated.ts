/**
 * The simulated side of `npm run sim:realism`: the simulator as it is, over plant
 * days spread across a year with its own mix of skies, reduced to the same 1-minute
 * statistics as the measured side.
 *   - GHI: what a flat pyranometer at the plant's reference point (no lag, no scale
 *     spread) would read, noise-free: the sky model itself, compared with measured GHI.
 *   - POA sensor: a healthy device's irradiance readings as delivered (noise,
 *     calibration, dropped and corrupted readings), averaged to minutes: the ramps the
 *     detector sees, and the sensor's noise at night.
 *   - POA truth: the same device's noise-free plane-of-array irradiance, so the
 *     sensor's own share of the ramps shows.
 */
import { Progress } from '../progress';
import { plantConfig, simulatePlantDay } from '../simulator/plant';
import { poaIsotropic } from '../simulator/solar';
import { GRID_MS, horizontalIrradiance, type HorizontalIrradiance, type PlantWeather, type SkyType } from '../simulator/weather';
import type { DeviceReadings } from '../simulator/device';
import { classStats, dayStats, nightNoise, percentile, type ClassStats, type DayStats, type SkyClass } from './skyStats';

const MINUTE_MS = 60_000;
const PER_MINUTE = MINUTE_MS / GRID_MS;
/** daytime: sun ≥ 10° high; night (for sensor noise): sun ≥ 10° below the horizon */
const SIN_10 = Math.sin((10 * Math.PI) / 180);

/** Means of consecutive groups of `per` samples (the 20-s grid → minutes). */
export function groupMeans(values: ArrayLike<number>, per: number): Float64Array {
  const out = new Float64Array(Math.floor(values.length / per));
  for (let m = 0; m < out.length; m++) {
    let s = 0;
    for (let j = 0; j < per; j++) s += values[m * per + j]!;
    out[m] = s / per;
  }
  return out;
}

/** A reading the ingest would quarantine: not finite, or one of the error codes sensors emit. */
const valid = (g: number): boolean => Number.isFinite(g) && g > -100 && g < 2000;

/**
 * 1-min means of a device's irradiance readings as delivered (jittered timestamps,
 * publish order, duplicates, gaps): each reading counts once, in the minute of its
 * timestamp; a minute without a valid reading is NaN.
 */
export function readingMinutes(readings: DeviceReadings, startMs: number, minutes: number): Float64Array {
  const sum = new Float64Array(minutes);
  const count = new Uint16Array(minutes);
  const seen = new Set<number>();
  for (let r = 0; r < readings.count; r++) {
    const ts = readings.timestamp[r]!;
    const g = readings.irradiance[r]!;
    if (seen.has(ts) || !valid(g)) continue;
    seen.add(ts);
    const m = Math.floor((ts - startMs) / MINUTE_MS);
    if (m < 0 || m >= minutes) continue;
    sum[m] = sum[m]! + g;
    count[m] = count[m]! + 1;
  }
  return sum.map((s, m) => (count[m]! > 0 ? s / count[m]! : Number.NaN));
}

/** Which of a device's readings were taken at night (invalid values, duplicates: not night, so not counted). */
function nightReadings(readings: DeviceReadings, startMs: number, night: Uint8Array): Uint8Array {
  const out = new Uint8Array(readings.count);
  const seen = new Set<number>();
  for (let r = 0; r < readings.count; r++) {
    const ts = readings.timestamp[r]!;
    const m = Math.floor((ts - startMs) / MINUTE_MS);
    if (seen.has(ts) || !valid(readings.irradiance[r]!) || m < 0 || m >= night.length) continue;
    seen.add(ts);
    out[r] = night[m]!;
  }
  return out;
}

/** Per minute (the middle sample's sun): daytime and night masks. */
function sunMasks(w: PlantWeather, minutes: number): { daytime: Uint8Array; night: Uint8Array } {
  const daytime = new Uint8Array(minutes);
  const night = new Uint8Array(minutes);
  for (let m = 0; m < minutes; m++) {
    const cz = w.cosZenith[m * PER_MINUTE + 1]!;
    daytime[m] = cz >= SIN_10 ? 1 : 0;
    night[m] = cz <= -SIN_10 ? 1 : 0;
  }
  return { daytime, night };
}

/** The plant's reference GHI and its clear-sky GHI on the 20-s grid. */
function plantGhi(w: PlantWeather): { ghi: Float64Array; clear: Float64Array } {
  const ghi = new Float64Array(w.samples);
  const h: HorizontalIrradiance = { dni: 0, dhi: 0, ghi: 0 };
  for (let k = 0; k < w.samples; k++) ghi[k] = horizontalIrradiance(w, k, { lagMs: 0, scale: 1 }, h).ghi;
  return { ghi, clear: w.ghiClear };
}

/** Clear-sky plane-of-array irradiance on the 20-s grid (the simulator's own clear sky, transposed as it transposes). */
function clearPoa(w: PlantWeather): Float64Array {
  const out = new Float64Array(w.samples);
  for (let k = 0; k < w.samples; k++) {
    if (w.cosZenith[k]! <= 0) continue;
    out[k] = poaIsotropic(w.site.tilt, w.cosIncidence[k]!, w.dniClear[k]!, w.ghiClear[k]!, w.dhiClear[k]!, w.site.albedo).global;
  }
  return out;
}

export interface SimulatedOptions {
  dates: string[];
  /** healthy devices per date whose sensors are read (POA statistics) */
  devicesPerDay: number;
  seed: number;
  progress?: boolean;
}

export interface SimulatedDay {
  date: string;
  /** the simulator's own sky label of the day */
  simulatorSky: SkyType;
  ghi: Omit<DayStats, 'ramps' | 'minuteKc'> | null;
}

export interface SimulatedResult {
  days: SimulatedDay[];
  /** GHI statistics per sky class (the class by the same rule as the measured days) */
  ghi: Record<SkyClass, ClassStats | null>;
  /** for each class: how many of its days the simulator labelled clear, broken, overcast */
  simulatorSkies: Record<SkyClass, Partial<Record<SkyType, number>>>;
  /** POA ramps per class of the plant day: the sensor's readings and the noise-free truth */
  poaSensor: Record<SkyClass, ClassStats | null>;
  poaTruth: Record<SkyClass, ClassStats | null>;
  /** the irradiance sensor at night: medians over device-nights of the sd of its 1-min means, of its single 20-s readings, and of |mean| (its offset) */
  night: { nights: number; sdMedian: number; readingSdMedian: number; absMeanMedian: number };
}

const brief = (d: DayStats | null) => d && { minutes: d.minutes, kc: d.kc, vi: d.vi, sky: d.sky };

export function simulateRealism(opts: SimulatedOptions): SimulatedResult {
  const progress = opts.progress ? new Progress('simulated days', opts.dates.length, 'plant-days') : null;
  const days: SimulatedDay[] = [];
  const ghiDays: DayStats[] = [];
  const sensorDays: DayStats[] = [];
  const truthDays: DayStats[] = [];
  const nightSd: number[] = [];
  const nightReadingSd: number[] = [];
  const nightMean: number[] = [];
  for (const date of opts.dates) {
    // healthy devices only: faults would move the array, not the sky or the sensor
    const plant = simulatePlantDay(plantConfig({ date, devices: opts.devicesPerDay, seed: opts.seed, faultMix: { normal: 1 }, keepSeries: true }));
    const w = plant.weather;
    const minutes = Math.floor(w.samples / PER_MINUTE);
    const { daytime, night } = sunMasks(w, minutes);
    const { ghi, clear } = plantGhi(w);
    const stats = dayStats({ g: groupMeans(ghi, PER_MINUTE), clearSky: groupMeans(clear, PER_MINUTE), daytime });
    days.push({ date, simulatorSky: w.sky, ghi: brief(stats) });
    if (stats) ghiDays.push(stats);
    const poaClear = groupMeans(clearPoa(w), PER_MINUTE);
    for (const device of plant.devices()) {
      const sensor = readingMinutes(device.readings, w.window.startMs, minutes);
      const s = dayStats({ g: sensor, clearSky: poaClear, daytime });
      const t = dayStats({ g: groupMeans(device.series!.irradiance, PER_MINUTE), clearSky: poaClear, daytime });
      // the device's POA ramps are filed under the plant day's sky class (from GHI)
      if (stats && s && t) {
        sensorDays.push({ ...s, sky: stats.sky });
        truthDays.push({ ...t, sky: stats.sky });
      }
      const n = nightNoise(sensor, night);
      const single = nightNoise(device.readings.irradiance, nightReadings(device.readings, w.window.startMs, night));
      if (n && single) {
        nightSd.push(n.sd);
        nightReadingSd.push(single.sd);
        nightMean.push(Math.abs(n.mean));
      }
    }
    progress?.tick();
  }
  progress?.finish();
  const simulatorSkies = {} as SimulatedResult['simulatorSkies'];
  for (const d of days) {
    if (!d.ghi) continue;
    const tally = (simulatorSkies[d.ghi.sky] ??= {});
    tally[d.simulatorSky] = (tally[d.simulatorSky] ?? 0) + 1;
  }
  return {
    days,
    ghi: classStats(ghiDays),
    simulatorSkies,
    poaSensor: classStats(sensorDays),
    poaTruth: classStats(truthDays),
    night: { nights: nightSd.length, sdMedian: percentile(nightSd, 50), readingSdMedian: percentile(nightReadingSd, 50), absMeanMedian: percentile(nightMean, 50) },
  };
}

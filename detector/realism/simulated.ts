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
import { classStats, dayStats, nightNoise, percentile, SKY_CLASSES, type ClassStats, type DayStats, type SkyClass } from './skyStats';

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

/** A reading the ingest would quarantine: not finite, or outside what the channel can read (the error codes sensors emit). */
const RANGE = { irradiance: [-100, 2000], current: [-5, 50], voltage: [-5, 2000] } as const;
type Column = keyof typeof RANGE;
const valid = (v: number, column: Column = 'irradiance'): boolean => Number.isFinite(v) && v > RANGE[column][0] && v < RANGE[column][1];

/**
 * 1-min means of one channel of a device's readings as delivered (jittered
 * timestamps, publish order, duplicates, gaps): each reading counts once, in the
 * minute of its timestamp; a minute without a valid reading is NaN.
 */
export function readingMinutes(readings: DeviceReadings, startMs: number, minutes: number, column: Column = 'irradiance'): Float64Array {
  const sum = new Float64Array(minutes);
  const count = new Uint16Array(minutes);
  const seen = new Set<number>();
  const values = readings[column];
  for (let r = 0; r < readings.count; r++) {
    const ts = readings.timestamp[r]!;
    const v = values[r]!;
    if (seen.has(ts) || !valid(v, column)) continue;
    seen.add(ts);
    const m = Math.floor((ts - startMs) / MINUTE_MS);
    if (m < 0 || m >= minutes) continue;
    sum[m] = sum[m]! + v;
    count[m] = count[m]! + 1;
  }
  return sum.map((s, m) => (count[m]! > 0 ? s / count[m]! : Number.NaN));
}

/** A minute is at a cloud edge when the irradiance sensor moved more than this since the minute before, W/m². */
export const EDGE_RAMP = 50;

/**
 * How a healthy array's current strays from its irradiance sensor within a day:
 * per daytime minute with G ≥ 200 W/m², the ratio I/G relative to the day's median
 * ratio, minus 1 — split into minutes at cloud edges (|ΔG| > EDGE_RAMP) and the rest.
 */
export function currentResiduals(g: ArrayLike<number>, current: ArrayLike<number>, daytime: ArrayLike<number>): { edge: number[]; steady: number[] } {
  const ratios: { r: number; edge: boolean }[] = [];
  for (let m = 1; m < g.length; m++) {
    const [gm, gp, im] = [g[m]!, g[m - 1]!, current[m]!];
    if (!daytime[m] || !(gm >= 200) || !Number.isFinite(gp) || !Number.isFinite(im)) continue;
    ratios.push({ r: im / gm, edge: Math.abs(gm - gp) > EDGE_RAMP });
  }
  const median = percentile(ratios.map((x) => x.r), 50);
  const out = { edge: [] as number[], steady: [] as number[] };
  for (const x of ratios) (x.edge ? out.edge : out.steady).push(x.r / median - 1);
  return out;
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
  for (let k = 0; k < w.samples; k++) ghi[k] = horizontalIrradiance(w, k, 0, h).ghi;
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
  /** healthy arrays' current against their irradiance sensor, per class: sd of the residuals (%) at cloud edges and elsewhere, and the minutes counted */
  mismatch: Record<SkyClass, { edgeSd: number; steadySd: number; edgeMinutes: number; steadyMinutes: number } | null>;
  /** the same over every day and class pooled: sd of all residuals, of the cloud-edge ones (%), and the share of minutes beyond ±10 % */
  mismatchAll: { sd: number; edgeSd: number; beyond10: number; minutes: number } | null;
  /** healthy arrays' voltage jitter: median |ΔV| ÷ V between consecutive 1-min means, clear days, sensor ≥ 500 W/m², % */
  voltageJitter: number | null;
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
  const residuals = Object.fromEntries(SKY_CLASSES.map((c) => [c, { edge: [] as number[], steady: [] as number[] }])) as Record<SkyClass, { edge: number[]; steady: number[] }>;
  const jitter: number[] = [];
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
        const r = currentResiduals(sensor, readingMinutes(device.readings, w.window.startMs, minutes, 'current'), daytime);
        residuals[stats.sky].edge.push(...r.edge);
        residuals[stats.sky].steady.push(...r.steady);
        if (stats.sky === 'clear') {
          const v = readingMinutes(device.readings, w.window.startMs, minutes, 'voltage');
          for (let m = 1; m < minutes; m++) if (daytime[m] && sensor[m]! >= 500 && v[m]! > 0 && v[m - 1]! > 0) jitter.push((100 * Math.abs(v[m]! - v[m - 1]!)) / v[m]!);
        }
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
  const sdPercent = (v: number[]) => 100 * Math.sqrt(v.reduce((a, x) => a + x * x, 0) / Math.max(1, v.length - 1));
  const mismatch = Object.fromEntries(
    SKY_CLASSES.map((c) => {
      const r = residuals[c];
      return [c, r.steady.length + r.edge.length === 0 ? null : { edgeSd: sdPercent(r.edge), steadySd: sdPercent(r.steady), edgeMinutes: r.edge.length, steadyMinutes: r.steady.length }];
    }),
  ) as SimulatedResult['mismatch'];
  const all = SKY_CLASSES.flatMap((c) => [...residuals[c].edge, ...residuals[c].steady]);
  const allEdge = SKY_CLASSES.flatMap((c) => residuals[c].edge);
  const mismatchAll = all.length === 0 ? null : { sd: sdPercent(all), edgeSd: sdPercent(allEdge), beyond10: all.filter((r) => Math.abs(r) > 0.1).length / all.length, minutes: all.length };
  return {
    days,
    mismatch,
    mismatchAll,
    voltageJitter: jitter.length > 0 ? percentile(jitter, 50) : null,
    ghi: classStats(ghiDays),
    simulatorSkies,
    poaSensor: classStats(sensorDays),
    poaTruth: classStats(truthDays),
    night: { nights: nightSd.length, sdMedian: percentile(nightSd, 50), readingSdMedian: percentile(nightReadingSd, 50), absMeanMedian: percentile(nightMean, 50) },
  };
}

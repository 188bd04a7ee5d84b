/**
 * The weather of one plant-local day, shared by every device of the plant:
 * clear-sky irradiance from the sun's position, a cloud field (clear, broken or
 * overcast day, with cloud passages and edge enhancement), ambient temperature and
 * wind. Devices see the cloud field with a small time lag (their position along the
 * clouds' path) and a small scale spread, so neighbours differ a little.
 */
import type { DayWindow } from '../../contracts/plantDay';
import type { Rng } from './random';
import { cosAoi, erbs, haurwitzGhi, iamAshrae, sunPosition } from './solar';

export interface Site {
  latitude: number;
  longitude: number;
  /** module tilt from horizontal, degrees */
  tilt: number;
  /** module azimuth, degrees clockwise from north (180 = south) */
  azimuth: number;
  albedo: number;
  /** annual mean ambient temperature, °C */
  annualMeanTemp: number;
  /** half the difference between the warmest and the coldest month, °C */
  annualTempAmplitude: number;
}

export type SkyType = 'clear' | 'broken' | 'overcast';
export const SKY_TYPES: readonly SkyType[] = ['clear', 'broken', 'overcast'];

export const GRID_MS = 20_000;
const CLOUD_MS = 5_000;
/** how far devices lag the plant's cloud field at most */
export const MAX_DEVICE_LAG_MS = 120_000;

export interface PlantWeather {
  window: DayWindow;
  sky: SkyType;
  samples: number;
  /** per 20-s sample */
  cosZenith: Float64Array;
  cosIncidence: Float64Array;
  iam: Float64Array;
  dniClear: Float64Array;
  dhiClear: Float64Array;
  ghiClear: Float64Array;
  tempAir: Float64Array;
  wind: Float64Array;
  /** per 5-s step from window start − MAX_DEVICE_LAG_MS: cloud cover 0..1, haze transmittance, overcast global index, edge enhancement */
  cloud: Float32Array;
  haze: Float32Array;
  overcastIndex: Float32Array;
  enhancement: Float32Array;
  /** the sun's azimuth per sample, degrees clockwise from north (where an obstacle's shadow falls) */
  sunAzimuth: Float64Array;
  /** first and last sample with the sun above the horizon (-1 when none) */
  sunriseIndex: number;
  sunsetIndex: number;
  site: Site;
}

/** When the sun is up in a plant-local day: its samples, and the first and last with the sun above the horizon (-1 when none). */
export interface SunUp {
  samples: number;
  sunriseIndex: number;
  sunsetIndex: number;
}

export const samplesOf = (window: DayWindow): number => Math.round((window.endMs - window.startMs) / GRID_MS);

/** The sun's hours of a day from its geometry alone (no weather): what a fault's schedule on another day needs. */
export function sunUp(site: Site, window: DayWindow): SunUp {
  const samples = samplesOf(window);
  let sunriseIndex = -1;
  let sunsetIndex = -1;
  for (let k = 0; k < samples; k++) {
    if (Math.cos((sunPosition(window.startMs + k * GRID_MS, site.latitude, site.longitude).apparentZenith * Math.PI) / 180) <= 0) continue;
    if (sunriseIndex < 0) sunriseIndex = k;
    sunsetIndex = k;
  }
  return { samples, sunriseIndex, sunsetIndex };
}

/**
 * Sunrise to sunset in samples; where the sun never rises (polar night) the middle
 * 40 % of the day, so that faults and the temperature cycle still have a daytime.
 */
export function daytime(day: SunUp): { rise: number; set: number } {
  return {
    rise: day.sunriseIndex >= 0 ? day.sunriseIndex : Math.round(day.samples * 0.3),
    set: day.sunsetIndex >= 0 ? day.sunsetIndex : Math.round(day.samples * 0.7),
  };
}

/** Signed difference of two azimuths in degrees, in [-180, 180). */
const azimuthDelta = (a: number, b: number): number => ((((a - b) % 360) + 540) % 360) - 180;

/**
 * The first sample of the day's daytime at which the sun passes a given azimuth (an
 * obstacle's direction), or null when it does not that day (the sun rises or sets
 * beyond it). Works whichever way the sun turns (either hemisphere).
 */
export function sunPassing(w: PlantWeather, azimuth: number): number | null {
  const { rise, set } = daytime(w);
  for (let k = rise; k < set; k++) {
    const a = azimuthDelta(w.sunAzimuth[k]!, azimuth);
    const b = azimuthDelta(w.sunAzimuth[k + 1]!, azimuth);
    // a sign change, not the jump across ±180° behind the sun
    if ((a <= 0) !== (b <= 0) && Math.abs(b - a) < 90) return Math.abs(a) <= Math.abs(b) ? k : k + 1;
  }
  return null;
}

/** Mean-reverting AR(1) noise, sampled every dt, with time constant tau and stationary sd. */
function ar1(rng: Rng, n: number, dtMs: number, tauMs: number, sd: number, mean = 0): Float32Array {
  const out = new Float32Array(n);
  const phi = Math.exp(-dtMs / tauMs);
  const innov = sd * Math.sqrt(1 - phi * phi);
  let x = rng.normal(0, sd);
  for (let i = 0; i < n; i++) {
    x = phi * x + rng.normal(0, innov);
    out[i] = mean + x;
  }
  return out;
}

/** Cloud cover of a broken-cloud day: passages with soft edges. */
function brokenClouds(rng: Rng, n: number, coverFraction: number): Float32Array {
  const cover = new Float32Array(n);
  const meanCloudS = rng.uniform(60, 400);
  const meanGapS = (meanCloudS * (1 - coverFraction)) / coverFraction;
  let i = 0;
  let cloudy = rng.chance(coverFraction);
  while (i < n) {
    const steps = Math.max(1, Math.round((rng.exponential(cloudy ? meanCloudS : meanGapS) * 1000) / CLOUD_MS));
    const edge = Math.max(1, Math.round(rng.uniform(10, 60) / (CLOUD_MS / 1000)));
    for (let k = 0; k < steps && i < n; k++, i++) {
      // ramp in over the cloud edge, stay, ramp out
      const ramp = Math.min(1, (k + 1) / edge, (steps - k) / edge);
      cover[i] = cloudy ? ramp * rng.uniform(0.85, 1) : 0;
    }
    cloudy = !cloudy;
  }
  return cover;
}

export function plantWeather(site: Site, window: DayWindow, rng: Rng, sky?: SkyType): PlantWeather {
  const samples = samplesOf(window);
  const skyType = sky ?? rng.weighted({ clear: 0.45, broken: 0.35, overcast: 0.2 });
  const cosZenith = new Float64Array(samples);
  const cosIncidence = new Float64Array(samples);
  const iam = new Float64Array(samples);
  const dniClear = new Float64Array(samples);
  const dhiClear = new Float64Array(samples);
  const ghiClear = new Float64Array(samples);
  const sunAzimuth = new Float64Array(samples);
  let dayOfYear = 1;
  for (let k = 0; k < samples; k++) {
    const t = window.startMs + k * GRID_MS;
    const sun = sunPosition(t, site.latitude, site.longitude);
    dayOfYear = sun.dayOfYear;
    sunAzimuth[k] = sun.azimuth;
    const cz = Math.cos((sun.apparentZenith * Math.PI) / 180);
    cosZenith[k] = cz;
    const ci = cosAoi(site.tilt, site.azimuth, sun.apparentZenith, sun.azimuth);
    cosIncidence[k] = ci;
    iam[k] = iamAshrae(ci);
    const ghi = haurwitzGhi(sun.apparentZenith);
    const { dni, dhi } = erbs(ghi, sun.apparentZenith, sun.dayOfYear);
    ghiClear[k] = ghi;
    dniClear[k] = dni;
    dhiClear[k] = dhi;
  }
  const { sunriseIndex, sunsetIndex } = sunUp(site, window);

  const cloudSteps = Math.ceil((window.endMs - window.startMs + MAX_DEVICE_LAG_MS) / CLOUD_MS) + 1;
  let cloud: Float32Array;
  const haze = ar1(rng, cloudSteps, CLOUD_MS, 1_800_000, 0.01, skyType === 'clear' ? 0.98 : 0.95);
  const overcastIndex = ar1(rng, cloudSteps, CLOUD_MS, 1_800_000, 0.06, rng.uniform(0.18, 0.4));
  const enhancement = new Float32Array(cloudSteps);
  if (skyType === 'clear') cloud = new Float32Array(cloudSteps);
  else if (skyType === 'overcast') cloud = new Float32Array(cloudSteps).fill(1);
  else {
    cloud = brokenClouds(rng, cloudSteps, rng.uniform(0.25, 0.7));
    // bright cloud edges scatter light onto the array: more diffuse near clouds
    const reach = Math.round(120_000 / CLOUD_MS);
    for (let i = 0; i < cloudSteps; i++) {
      let near = 0;
      for (let j = Math.max(0, i - reach); j < Math.min(cloudSteps, i + reach); j += 4) near = Math.max(near, cloud[j]!);
      enhancement[i] = (1 - cloud[i]!) * near * 0.6;
    }
  }
  for (let i = 0; i < cloudSteps; i++) {
    haze[i] = Math.min(1, Math.max(0.85, haze[i]!));
    overcastIndex[i] = Math.min(0.7, Math.max(0.08, overcastIndex[i]!));
  }

  // ambient temperature: seasonal mean, daily cycle (minimum at sunrise, maximum mid-afternoon)
  const south = site.latitude < 0 ? -1 : 1;
  const seasonal = site.annualMeanTemp - south * site.annualTempAmplitude * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365);
  const swing = { clear: 6, broken: 4, overcast: 2 }[skyType] * rng.uniform(0.8, 1.2);
  const tempNoise = ar1(rng, samples, GRID_MS, 3_600_000, 0.4);
  const windNoise = ar1(rng, samples, GRID_MS, 1_800_000, 0.6, rng.uniform(1.5, 4));
  const tempAir = new Float64Array(samples);
  const wind = new Float64Array(samples);
  const { rise, set } = daytime({ samples, sunriseIndex, sunsetIndex });
  const peak = Math.min(samples - 1, Math.round(rise + (set - rise) * 0.72));
  for (let k = 0; k < samples; k++) {
    // −1 at sunrise (the minimum), +1 mid-afternoon (the maximum); the night falls from yesterday's peak
    let phase: number;
    if (k < rise) phase = Math.cos((Math.PI * (k - (peak - samples))) / (rise - (peak - samples)));
    else if (k <= peak) phase = -Math.cos((Math.PI * (k - rise)) / Math.max(1, peak - rise));
    else phase = Math.cos((Math.PI * (k - peak)) / (rise + samples - peak));
    tempAir[k] = seasonal + swing * phase + tempNoise[k]!;
    wind[k] = Math.max(0.3, windNoise[k]!);
  }

  return {
    window,
    sky: skyType,
    samples,
    cosZenith,
    cosIncidence,
    iam,
    dniClear,
    dhiClear,
    ghiClear,
    tempAir,
    wind,
    cloud,
    haze,
    overcastIndex,
    enhancement,
    sunAzimuth,
    sunriseIndex,
    sunsetIndex,
    site,
  };
}

/** Irradiance on one device's plane at a sample: beam and diffuse parts, W/m². */
export interface DeviceIrradiance {
  /** beam on the plane after the incidence-angle modifier (what shading blocks) */
  beam: number;
  /** sky + ground diffuse on the plane */
  diffuse: number;
  /** plane-of-array global as a pyranometer reads it (no IAM) */
  global: number;
}

/** The sky as a device sees it: its cloud-field lag and irradiance scale. */
export interface DeviceSky {
  lagMs: number;
  scale: number;
}

function lerp(a: Float32Array, i: number, f: number): number {
  const x = a[i]!;
  return i + 1 < a.length ? x + f * (a[i + 1]! - x) : x;
}

/** The horizontal sky at a sample as a device sees it (before its irradiance scale), W/m². */
export interface HorizontalIrradiance {
  dni: number;
  dhi: number;
  ghi: number;
}

/**
 * Beam, diffuse and global horizontal irradiance under the cloud field at the
 * device's lag: what deviceIrradiance transposes to the plane, and what a
 * pyranometer lying flat there would read (detector/realism compares it with
 * measured GHI).
 */
export function horizontalIrradiance(w: PlantWeather, k: number, sky: DeviceSky, out: HorizontalIrradiance): HorizontalIrradiance {
  if (w.cosZenith[k]! <= 0) {
    out.dni = out.dhi = out.ghi = 0;
    return out;
  }
  // position in the 5-s cloud arrays (which start MAX_DEVICE_LAG_MS before the window)
  const pos = (k * GRID_MS + MAX_DEVICE_LAG_MS - sky.lagMs) / CLOUD_MS;
  const i = Math.floor(pos);
  const f = pos - i;
  const c = lerp(w.cloud, i, f);
  const dni = (1 - c) * lerp(w.haze, i, f) * w.dniClear[k]!;
  const dhi = (1 - c) * w.dhiClear[k]! * (1 + lerp(w.enhancement, i, f) * 1.5) + c * lerp(w.overcastIndex, i, f) * w.ghiClear[k]!;
  out.dni = dni;
  out.dhi = dhi;
  out.ghi = dni * w.cosZenith[k]! + dhi;
  return out;
}

const horizontal: HorizontalIrradiance = { dni: 0, dhi: 0, ghi: 0 };

export function deviceIrradiance(w: PlantWeather, k: number, sky: DeviceSky, out: DeviceIrradiance): DeviceIrradiance {
  if (w.cosZenith[k]! <= 0) {
    out.beam = out.diffuse = out.global = 0;
    return out;
  }
  const { dni, dhi, ghi } = horizontalIrradiance(w, k, sky, horizontal);
  const ct = Math.cos((w.site.tilt * Math.PI) / 180);
  const beamPlane = Math.max(dni * w.cosIncidence[k]!, 0);
  const diffuse = ((dhi * (1 + ct)) / 2 + (ghi * w.site.albedo * (1 - ct)) / 2) * sky.scale;
  out.beam = beamPlane * w.iam[k]! * sky.scale;
  out.diffuse = diffuse;
  out.global = beamPlane * sky.scale + diffuse;
  return out;
}

/** Faiman module temperature in steady state (pvlib temperature.faiman), °C. */
export function faimanTemp(poaGlobal: number, tempAir: number, windSpeed: number, u0 = 25, u1 = 6.84): number {
  return tempAir + poaGlobal / (u0 + u1 * windSpeed);
}

/** Module thermal time constant: the back-of-module temperature lags the steady state. */
export const MODULE_THERMAL_TAU_MS = 360_000;

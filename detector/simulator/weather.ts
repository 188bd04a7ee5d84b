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

export type SkyType = 'clear' | 'broken' | 'mostly_cloudy' | 'overcast';
export const SKY_TYPES: readonly SkyType[] = ['clear', 'broken', 'mostly_cloudy', 'overcast'];

/**
 * How often each sky comes, per plant-day. Measured 1-min days (detector/realism:
 * BSRN Payerne in June, the US winter days) hold many mostly-cloudy days, which the
 * simulator had none of; the plant stays a sunny one (Seville), so clear days lead.
 */
export const SKY_MIX: Record<SkyType, number> = { clear: 0.4, broken: 0.27, mostly_cloudy: 0.18, overcast: 0.15 };

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

/**
 * A slow, smooth random drift: AR(1) values at knots every knotMs (stationary sd,
 * time constant tauMs), joined by cosine interpolation on the 5-s grid. An AR(1) on
 * the grid itself is rough at every scale (its 1-min changes are ~√(2·1/τ) of its sd),
 * which made overcast decks flicker where measured ones drift.
 */
function smoothDrift(rng: Rng, n: number, knotMs: number, tauMs: number, sd: number): Float32Array {
  const per = knotMs / CLOUD_MS;
  const knots = ar1(rng, Math.ceil(n / per) + 2, knotMs, tauMs, sd);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const j = Math.floor(i / per);
    const f = (1 - Math.cos(Math.PI * (i / per - j))) / 2;
    out[i] = knots[j]! + f * (knots[j + 1]! - knots[j]!);
  }
  return out;
}

/** How a cloudy day's passages are drawn (per sky type; values measured-calibrated with `npm run sim:realism`). */
interface PassageShape {
  /** share of the day's time under cloud, drawn per day */
  cover: [number, number];
  /** median length of a cloud passage, minutes, drawn per day (lengths are lognormal about it) */
  medianCloudMin: [number, number];
  /** sd of log(length) of passages and gaps */
  logSd: number;
  /** how opaque a passage is at its core (1: the overcast index alone), drawn per passage */
  opacity: [number, number];
  /** time the sun takes to slip behind a cloud edge, seconds */
  edgeS: [number, number];
}

const PASSAGES: Record<'broken' | 'mostly_cloudy', PassageShape> = {
  broken: { cover: [0.25, 0.6], medianCloudMin: [2, 8], logSd: 1.1, opacity: [0.6, 1], edgeS: [15, 60] },
  mostly_cloudy: { cover: [0.8, 0.97], medianCloudMin: [20, 60], logSd: 1.0, opacity: [0.93, 1], edgeS: [60, 180] },
};

/**
 * Cloud cover (0..1 per 5-s step) of a day of cloud passages. Measured broken-cloud
 * days are calm most minutes (1-min ramp p50 ~5 W/m²) with a few large ramps (p90
 * ~90, p99 ~440): passages minutes long, lognormal in length, each with a soft edge
 * and a smoothly varying core, and the day's cloudiness itself drifting over hours
 * (clearer and cloudier spells). The old field (30-s to 7-min passages with a fresh
 * random depth every 5 s) made ramps 3–7× the measured ones.
 */
function cloudPassages(rng: Rng, n: number, shape: PassageShape): Float32Array {
  const cover = new Float32Array(n);
  const meanCover = rng.uniform(shape.cover[0], shape.cover[1]);
  const medianCloudS = rng.uniform(shape.medianCloudMin[0], shape.medianCloudMin[1]) * 60;
  // the day's cloudiness drifts: spells of more and less cloud, hours long
  const spell = smoothDrift(rng, n, 1_800_000, 7_200_000, 0.8);
  const core = ar1(rng, n, CLOUD_MS, 90_000, 0.03);
  const logit = Math.log(meanCover / (1 - meanCover));
  let i = 0;
  let cloudy = rng.chance(meanCover);
  while (i < n) {
    const f = 1 / (1 + Math.exp(-(logit + spell[i]!)));
    // a gap's median keeps the spell's share of cloud: gap/cloud = (1 − f)/f
    const medianS = cloudy ? medianCloudS : (medianCloudS * (1 - f)) / f;
    const seconds = medianS * Math.exp(rng.normal(0, shape.logSd));
    const steps = Math.max(1, Math.round((seconds * 1000) / CLOUD_MS));
    const edge = Math.max(1, Math.round(rng.uniform(shape.edgeS[0], shape.edgeS[1]) / (CLOUD_MS / 1000)));
    const opacity = rng.uniform(shape.opacity[0], shape.opacity[1]);
    for (let k = 0; k < steps && i < n; k++, i++) {
      if (!cloudy) continue;
      // ramp in over the cloud edge (smoothstep), stay, ramp out
      const x = Math.min(1, (k + 0.5) / edge, (steps - k - 0.5) / edge);
      const ramp = x * x * (3 - 2 * x);
      cover[i] = ramp * Math.min(1, Math.max(0, opacity + core[i]!));
    }
    cloudy = !cloudy;
  }
  return cover;
}

/**
 * The overcast global index (G ÷ clear-sky G under a full cloud deck): lognormal about
 * a day's level, drifting over the hours (thicker and thinner decks) and varying over
 * minutes. Measured overcast days span index p10 0.07 to p90 0.5 with ramps p99 ~90
 * W/m² per minute; the old index (±0.06 over half hours) was too uniform.
 */
function overcastDeck(rng: Rng, n: number, sky: SkyType): Float32Array {
  const level = sky === 'overcast' ? rng.uniform(0.12, 0.38) : rng.uniform(0.2, 0.4);
  const slow = smoothDrift(rng, n, 1_200_000, 3_600_000, sky === 'overcast' ? 0.55 : 0.3);
  const fast = ar1(rng, n, CLOUD_MS, 180_000, 0.055);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = level * Math.exp(slow[i]! + fast[i]!);
  // thinner patches of the deck pass now and then (about one an hour): the index rises
  // 1.4–2.3× for 5–25 min over soft edges — measured overcast days' rare large ramps (p99 ~90 W/m² per minute)
  for (let i = Math.round(rng.exponential(3_600_000 / CLOUD_MS)); i < n; i += Math.max(1, Math.round(rng.exponential(3_600_000 / CLOUD_MS)))) {
    const steps = Math.round(rng.uniform(300_000, 1_500_000) / CLOUD_MS);
    const edge = Math.round(rng.uniform(60_000, 240_000) / CLOUD_MS);
    const gain = rng.uniform(0.4, 1.3);
    for (let k = 0; k < steps && i + k < n; k++) {
      const x = Math.min(1, (k + 0.5) / edge, (steps - k - 0.5) / edge);
      out[i + k] = out[i + k]! * (1 + gain * x * x * (3 - 2 * x));
    }
  }
  for (let i = 0; i < n; i++) out[i] = Math.min(0.8, Math.max(0.03, out[i]!));
  return out;
}

export function plantWeather(site: Site, window: DayWindow, rng: Rng, sky?: SkyType): PlantWeather {
  const samples = samplesOf(window);
  const skyType = sky ?? rng.weighted(SKY_MIX);
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
  const overcastIndex = overcastDeck(rng, cloudSteps, skyType);
  const enhancement = new Float32Array(cloudSteps);
  if (skyType === 'clear') cloud = new Float32Array(cloudSteps);
  else if (skyType === 'overcast') cloud = new Float32Array(cloudSteps).fill(1);
  else {
    cloud = cloudPassages(rng, cloudSteps, PASSAGES[skyType]);
    // bright cloud edges scatter light onto the array: more diffuse near clouds
    const reach = Math.round(120_000 / CLOUD_MS);
    for (let i = 0; i < cloudSteps; i++) {
      let near = 0;
      for (let j = Math.max(0, i - reach); j < Math.min(cloudSteps, i + reach); j += 4) near = Math.max(near, cloud[j]!);
      enhancement[i] = (1 - cloud[i]!) * near * 0.6;
    }
  }
  for (let i = 0; i < cloudSteps; i++) haze[i] = Math.min(1, Math.max(0.85, haze[i]!));

  // ambient temperature: seasonal mean, daily cycle (minimum at sunrise, maximum mid-afternoon)
  const south = site.latitude < 0 ? -1 : 1;
  const seasonal = site.annualMeanTemp - south * site.annualTempAmplitude * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365);
  const swing = { clear: 6, broken: 4, mostly_cloudy: 3, overcast: 2 }[skyType] * rng.uniform(0.8, 1.2);
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
  /** sky + ground diffuse reaching the modules (after the rows' sky-view loss) */
  diffuse: number;
  /** plane-of-array global on the modules, no IAM (what heats them) */
  global: number;
  /** plane-of-array global at the irradiance sensor's own point, as a pyranometer reads it */
  sensor: number;
}

/**
 * The sky as a device sees it. Its modules and its irradiance sensor are not at the
 * same point: the sensor stands metres away (a cloud's shadow reaches it seconds
 * earlier or later) and above the rows (it sees the whole sky, the modules lose some
 * diffuse light to the row in front). Measured rooftop data (issue 23) shows healthy
 * current straying from the sensor by 5.4 % (7 % at cloud edges), where the old
 * simulator, sensor and array at one point, gave 2.6 %.
 */
export interface DeviceSky {
  /** the modules' lag behind the plant's cloud field, ms */
  lagMs: number;
  /** the sensor's lag relative to the modules', ms (signed) */
  sensorLagMs: number;
  /** share of the diffuse light the rows hide from the modules (not from the sensor) */
  diffuseLoss: number;
  /** the device's share of the light (position, module spread of the field) */
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
 * Beam, diffuse and global horizontal irradiance under the cloud field at a lag
 * behind it: what deviceIrradiance transposes to the plane, and what a pyranometer
 * lying flat there would read (detector/realism compares it with measured GHI).
 */
export function horizontalIrradiance(w: PlantWeather, k: number, lagMs: number, out: HorizontalIrradiance): HorizontalIrradiance {
  if (w.cosZenith[k]! <= 0) {
    out.dni = out.dhi = out.ghi = 0;
    return out;
  }
  // position in the 5-s cloud arrays (which start MAX_DEVICE_LAG_MS before the window)
  const pos = Math.min(Math.max((k * GRID_MS + MAX_DEVICE_LAG_MS - lagMs) / CLOUD_MS, 0), w.cloud.length - 1);
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

/** Beam and diffuse on the plane from a horizontal sky (isotropic), before IAM and losses. */
function plane(w: PlantWeather, k: number, h: HorizontalIrradiance): { beam: number; diffuse: number } {
  const ct = Math.cos((w.site.tilt * Math.PI) / 180);
  return { beam: Math.max(h.dni * w.cosIncidence[k]!, 0), diffuse: (h.dhi * (1 + ct)) / 2 + (h.ghi * w.site.albedo * (1 - ct)) / 2 };
}

/**
 * The device's irradiance at sample k. `sensorJitterMs` moves the sensor's reading
 * within the sample (the logger does not read every channel at one instant).
 */
export function deviceIrradiance(w: PlantWeather, k: number, sky: DeviceSky, out: DeviceIrradiance, sensorJitterMs = 0): DeviceIrradiance {
  if (w.cosZenith[k]! <= 0) {
    out.beam = out.diffuse = out.global = out.sensor = 0;
    return out;
  }
  const modules = plane(w, k, horizontalIrradiance(w, k, sky.lagMs, horizontal));
  out.beam = modules.beam * w.iam[k]! * sky.scale;
  out.diffuse = modules.diffuse * (1 - sky.diffuseLoss) * sky.scale;
  out.global = modules.beam * sky.scale + out.diffuse;
  const atSensor = plane(w, k, horizontalIrradiance(w, k, sky.lagMs + sky.sensorLagMs + sensorJitterMs, horizontal));
  out.sensor = (atSensor.beam + atSensor.diffuse) * sky.scale;
  return out;
}

/** Faiman module temperature in steady state (pvlib temperature.faiman), °C. */
export function faimanTemp(poaGlobal: number, tempAir: number, windSpeed: number, u0 = 25, u1 = 6.84): number {
  return tempAir + poaGlobal / (u0 + u1 * windSpeed);
}

/** Module thermal time constant: the back-of-module temperature lags the steady state. */
export const MODULE_THERMAL_TAU_MS = 360_000;

/**
 * Sun and sky: solar position (NOAA's algorithm after Meeus, ~0.01° in 1900–2100),
 * extraterrestrial irradiance, Haurwitz clear-sky GHI, Erbs decomposition into beam
 * and diffuse, and plane-of-array irradiance with the isotropic sky model — the
 * same models pvlib offers (solarposition.ephemeris-class accuracy, clearsky.haurwitz,
 * irradiance.erbs, irradiance.get_total_irradiance(model='isotropic')).
 */
const RAD = Math.PI / 180;
const DEG = 180 / Math.PI;

export interface SunPosition {
  /** apparent (refraction-corrected) zenith, degrees */
  apparentZenith: number;
  /** true zenith, degrees */
  zenith: number;
  /** azimuth, degrees clockwise from north */
  azimuth: number;
  /** day-of-year angle input for extraterrestrial irradiance */
  dayOfYear: number;
}

/** Atmospheric refraction correction in degrees for a true elevation (NOAA). */
function refraction(elevation: number): number {
  if (elevation > 85) return 0;
  const te = Math.tan(elevation * RAD);
  let arcsec: number;
  if (elevation > 5) arcsec = 58.1 / te - 0.07 / te ** 3 + 0.000086 / te ** 5;
  else if (elevation > -0.575) arcsec = 1735 + elevation * (-518.2 + elevation * (103.4 + elevation * (-12.79 + elevation * 0.711)));
  else arcsec = -20.772 / te;
  return arcsec / 3600;
}

/** Solar position at a UTC instant (epoch ms) for latitude/longitude in degrees (east positive). */
export function sunPosition(epochMs: number, latitude: number, longitude: number): SunPosition {
  const jd = epochMs / 86_400_000 + 2440587.5;
  const t = (jd - 2451545) / 36525;
  const l0 = (((280.46646 + t * (36000.76983 + 0.0003032 * t)) % 360) + 360) % 360;
  const m = 357.52911 + t * (35999.05029 - 0.0001537 * t);
  const e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
  const mr = m * RAD;
  const c = Math.sin(mr) * (1.914602 - t * (0.004817 + 0.000014 * t)) + Math.sin(2 * mr) * (0.019993 - 0.000101 * t) + Math.sin(3 * mr) * 0.000289;
  const trueLong = l0 + c;
  const omega = (125.04 - 1934.136 * t) * RAD;
  const lambda = (trueLong - 0.00569 - 0.00478 * Math.sin(omega)) * RAD;
  const eps0 = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60;
  const eps = (eps0 + 0.00256 * Math.cos(omega)) * RAD;
  const decl = Math.asin(Math.sin(eps) * Math.sin(lambda));
  const y = Math.tan(eps / 2) ** 2;
  const l0r = l0 * RAD;
  const eqTimeMin =
    4 * DEG * (y * Math.sin(2 * l0r) - 2 * e * Math.sin(mr) + 4 * e * y * Math.sin(mr) * Math.cos(2 * l0r) - 0.5 * y * y * Math.sin(4 * l0r) - 1.25 * e * e * Math.sin(2 * mr));
  const minutesUtc = (((epochMs % 86_400_000) + 86_400_000) % 86_400_000) / 60_000;
  const trueSolarMin = (((minutesUtc + eqTimeMin + 4 * longitude) % 1440) + 1440) % 1440;
  const hourAngle = (trueSolarMin / 4 < 0 ? trueSolarMin / 4 + 180 : trueSolarMin / 4 - 180) * RAD;
  const lat = latitude * RAD;
  const cosZ = Math.min(1, Math.max(-1, Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle)));
  const zenith = Math.acos(cosZ) * DEG;
  const azimuth = (Math.atan2(Math.sin(hourAngle), Math.cos(hourAngle) * Math.sin(lat) - Math.tan(decl) * Math.cos(lat)) * DEG + 180 + 360) % 360;
  const apparentZenith = zenith - refraction(90 - zenith);
  const start = Date.UTC(new Date(epochMs).getUTCFullYear(), 0, 1);
  return { apparentZenith, zenith, azimuth, dayOfYear: Math.floor((epochMs - start) / 86_400_000) + 1 };
}

/** Extraterrestrial normal irradiance, W/m² (Spencer 1971, as pvlib's default). */
export function extraterrestrial(dayOfYear: number, solarConstant = 1366.1): number {
  const b = (2 * Math.PI * (dayOfYear - 1)) / 365;
  return solarConstant * (1.00011 + 0.034221 * Math.cos(b) + 0.00128 * Math.sin(b) + 0.000719 * Math.cos(2 * b) + 0.000077 * Math.sin(2 * b));
}

/** Haurwitz clear-sky global horizontal irradiance, W/m², from the apparent zenith in degrees. */
export function haurwitzGhi(apparentZenith: number): number {
  const cz = Math.cos(apparentZenith * RAD);
  return cz > 0 ? 1098 * cz * Math.exp(-0.059 / cz) : 0;
}

/** Erbs decomposition: diffuse fraction of GHI from the clearness index; returns {dni, dhi}. */
export function erbs(ghi: number, zenith: number, dayOfYear: number): { dni: number; dhi: number; kt: number } {
  const cz = Math.cos(zenith * RAD);
  if (ghi <= 0 || cz <= 0.065) return { dni: 0, dhi: Math.max(ghi, 0), kt: 0 };
  const kt = Math.min(Math.max(ghi / (extraterrestrial(dayOfYear) * cz), 0), 1);
  let df: number;
  if (kt <= 0.22) df = 1 - 0.09 * kt;
  else if (kt <= 0.8) df = 0.9511 - 0.1604 * kt + 4.388 * kt ** 2 - 16.638 * kt ** 3 + 12.336 * kt ** 4;
  else df = 0.165;
  const dhi = df * ghi;
  return { dni: (ghi - dhi) / cz, dhi, kt };
}

/** Cosine of the angle of incidence of beam light on a surface (tilt, azimuth in degrees). */
export function cosAoi(surfaceTilt: number, surfaceAzimuth: number, zenith: number, azimuth: number): number {
  const st = surfaceTilt * RAD;
  const z = zenith * RAD;
  return Math.cos(z) * Math.cos(st) + Math.sin(z) * Math.sin(st) * Math.cos((azimuth - surfaceAzimuth) * RAD);
}

/** ASHRAE incidence angle modifier for beam light (b0 = 0.05 as pvlib's default). */
export function iamAshrae(cosIncidence: number, b0 = 0.05): number {
  if (cosIncidence <= 0) return 0;
  return Math.max(0, 1 - b0 * (1 / cosIncidence - 1));
}

/** Plane-of-array irradiance components, isotropic sky (pvlib get_total_irradiance 'isotropic'). */
export function poaIsotropic(
  surfaceTilt: number,
  cosIncidence: number,
  dni: number,
  ghi: number,
  dhi: number,
  albedo = 0.25,
): { beam: number; skyDiffuse: number; groundDiffuse: number; global: number } {
  const ct = Math.cos(surfaceTilt * RAD);
  const beam = Math.max(dni * cosIncidence, 0);
  const skyDiffuse = (dhi * (1 + ct)) / 2;
  const groundDiffuse = (ghi * albedo * (1 - ct)) / 2;
  return { beam, skyDiffuse, groundDiffuse, global: beam + skyDiffuse + groundDiffuse };
}

/**
 * Conditions that are not electrical faults: the array is healthy, but the light
 * reaching its cells, its temperature or the converter's operating point is not
 * what a clean, open-rack array tracked at its maximum power point would show.
 * The ground truth lists them (kind, category, when, how much) beside the fault,
 * and never as one: a healthy array under snow is `normal`.
 *
 * environmental
 * - frost / dew: on a cold (frost) or mild (dew) morning that is not overcast, the
 *   light reaching the cells is cut 20–30 % (dew 5–12 %) from sunrise until it
 *   melts or evaporates 1–3 h (dew 0.5–1.5 h) after sunrise, each array at its own pace;
 * - snow: snow falls in the night before a cold day (the day is overcast and cold
 *   unless its sky is forced); it covers the arrays fully or in part (the lower
 *   modules of some strings: mismatch between strings, bypass diodes conduct, the
 *   array's voltage collapses) and slides off one array at a time, in the daytime of
 *   a later day;
 * - soiling: a slow per-array loss (0.05–0.3 %/day, at most 25 %), reset by rain (in
 *   the night) or a cleaning date.
 * operational
 * - standby: the converter idles at dawn and dusk for the first and last 40–60 min
 *   of light: it draws ~0.05 A, the array near open circuit;
 * - curtailment: a plant-wide power limit for an interval (the grid operator): the
 *   tracker leaves the maximum power point for a higher voltage;
 * - clipping: the converter's rated DC power (`converterRatingW`): above it the
 *   tracker limits the power the same way.
 * configuration
 * - mounting: open rack (Faiman u0 25, u1 6.84) or roof (u0 18, u1 5: a ~38 % higher
 *   temperature rise at any wind).
 *
 * Randomness: never from the streams the rest of the simulator draws from, so that
 * with every condition off the readings are exactly those of a simulator without
 * conditions. The plant's schedule draws from (seed, 'conditions:' + date); an
 * array's share from (seed, device index, 'conditions', date). Snow and soiling last
 * days: a day finds them by looking back over the plant's earlier dates (a few draws a
 * day), so any day can be simulated alone.
 */
import type { ArrayLayout, StringCondition } from './array';
import type { PlantCalendar } from './calendar';
import { Rng } from './random';
import { daytime, GRID_MS, type PlantWeather, type Site } from './weather';

export const CONDITION_KINDS = ['frost', 'dew', 'snow', 'soiling', 'standby', 'curtailment', 'clipping'] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];
export type ConditionCategory = 'environmental' | 'operational';
export const CONDITION_CATEGORY: Record<ConditionKind, ConditionCategory> = {
  frost: 'environmental',
  dew: 'environmental',
  snow: 'environmental',
  soiling: 'environmental',
  standby: 'operational',
  curtailment: 'operational',
  clipping: 'operational',
};

export type Mounting = 'open_rack' | 'roof';
/** Faiman coefficients (pvlib temperature.faiman): open rack is pvlib's default; roof (ventilated gap, insulated side): ~38 % more rise. */
export const MOUNTING_FAIMAN: Record<Mounting, { u0: number; u1: number }> = { open_rack: { u0: 25, u1: 6.84 }, roof: { u0: 18, u1: 5 } };

/** A condition acting on an array over [startMs, endMs) of the day. */
export interface ConditionInterval {
  kind: ConditionKind;
  category: ConditionCategory;
  startMs: number;
  endMs: number;
  severity: Record<string, number | boolean>;
}

export interface ConditionRates {
  /** chance of frost on a plant-day whose dawn is below 1 °C and whose sky is not overcast */
  frost: number;
  /** chance of dew on a plant-day whose dawn is 1–15 °C and whose sky is not overcast */
  dew: number;
  /** chance per plant-day of a snowfall in the night, in the coldest climate (scaled to 0 as the season's mean temperature rises from 0 to 5 °C) */
  snowfall: number;
  /** soiling rate per array, fraction of light lost per day, drawn uniformly; [0, 0]: no soiling */
  soilingPerDay: [number, number];
  /** chance per plant-day of rain in the night (washes the arrays) */
  rain: number;
  /** the converters idle at dawn and dusk */
  standby: boolean;
  /** chance per plant-day of a curtailment interval */
  curtailment: number;
}

export interface ConditionsConfig {
  rates: ConditionRates;
  /** kinds forced on the simulated day (on top of the rates): frost, dew, snow (fallen the night before), soiling (60 days unwashed), standby, curtailment, clipping (a rating of 70 % of the array's STC power if none is set) */
  force: readonly ConditionKind[];
  /** plant-local dates the arrays are cleaned (in the night before) */
  cleaningDates: readonly string[];
  /** the converter's rated DC power, W; null: it never limits (no clipping) */
  converterRatingW: number | null;
  mounting: Mounting;
}

const NO_RATES: ConditionRates = { frost: 0, dew: 0, snowfall: 0, soilingPerDay: [0, 0], rain: 0, standby: false, curtailment: 0 };

/** Every condition off: the simulator as it was without conditions (plantConfig's default). */
export const NO_CONDITIONS: ConditionsConfig = { rates: NO_RATES, force: [], cleaningDates: [], converterRatingW: null, mounting: 'open_rack' };

/**
 * Field rates: frost on most cold clear dawns, dew on a quarter of the mild ones, snow
 * where winters are cold (never at Seville), soiling 0.05–0.3 %/day washed by rain on
 * 8 % of nights, converters idling at dawn and dusk, a curtailment on 3 % of plant-days.
 */
export const FIELD_CONDITIONS: ConditionsConfig = {
  rates: { frost: 0.7, dew: 0.25, snowfall: 0.15, soilingPerDay: [0.0005, 0.003], rain: 0.08, standby: true, curtailment: 0.03 },
  force: [],
  cleaningDates: [],
  converterRatingW: null,
  mounting: 'open_rack',
};

/** Whether a configuration can change anything (otherwise the simulator skips every condition). */
export function conditionsOff(c: ConditionsConfig): boolean {
  const r = c.rates;
  return c.force.length === 0 && c.converterRatingW === null && c.mounting === 'open_rack' && r.frost === 0 && r.dew === 0 && r.snowfall === 0 && r.soilingPerDay[1] === 0 && !r.standby && r.curtailment === 0;
}

/** The season's mean air temperature on a day of the year (weather.ts's formula). */
export function seasonalTemp(site: Site, dayOfYear: number): number {
  const south = site.latitude < 0 ? -1 : 1;
  return site.annualMeanTemp - south * site.annualTempAmplitude * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365);
}

function dayOfYear(date: string): number {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Math.floor((t - Date.parse(`${date.slice(0, 4)}-01-01T00:00:00Z`)) / 86_400_000) + 1;
}

/** Chance of snowfall in the night before a date: the rate where the season's mean is ≤ 0 °C, none above 5 °C. */
function snowChance(c: ConditionsConfig, site: Site, date: string): number {
  const t = seasonalTemp(site, dayOfYear(date));
  return c.rates.snowfall * Math.min(1, Math.max(0, (5 - t) / 5));
}

/** What a plant's day holds before its weather is drawn: whether snow fell in the night (and the sky it forces). */
export interface PlantConditionsPlan {
  config: ConditionsConfig;
  date: string;
  /** snow fell in the night before this day */
  snowfall: boolean;
  /** frost or dew forced: the dawn must be cold (frost) and the sky not overcast */
  forced: ReadonlySet<ConditionKind>;
}

/** The plant's own draws for a date (independent of every other stream). */
function plantStream(seed: number, date: string): Rng {
  return new Rng(seed, `conditions:${date}`);
}

interface PlantDraws {
  snowfall: boolean;
  rain: boolean;
  /** uniform draws for frost/dew and curtailment */
  wet: number;
  curtail: number;
  curtailStart: number;
  curtailMinutes: number;
  curtailLimit: number;
  meltHours: number;
  lossFraction: number;
}

function plantDraws(c: ConditionsConfig, seed: number, site: Site, date: string): PlantDraws {
  const rng = plantStream(seed, date);
  return {
    snowfall: rng.chance(snowChance(c, site, date)),
    rain: rng.chance(c.rates.rain),
    wet: rng.next(),
    curtail: rng.next(),
    curtailStart: rng.next(),
    curtailMinutes: rng.uniform(30, 180),
    curtailLimit: rng.uniform(0.3, 0.7),
    meltHours: rng.next(),
    lossFraction: rng.next(),
  };
}

/** Before the weather: whether the day follows a snowfall (so it is overcast and cold), and the sky that forces. */
export function planConditions(c: ConditionsConfig, seed: number, site: Site, date: string): PlantConditionsPlan {
  const forced = new Set(c.force);
  const snowfall = forced.has('snow') || plantDraws(c, seed, site, date).snowfall;
  return { config: c, date, snowfall, forced };
}

/** The sky a plan asks for when the day's sky is not forced: overcast after a snowfall, clear on a forced frost or dew morning. */
export function skyOfPlan(plan: PlantConditionsPlan): 'overcast' | 'clear' | undefined {
  if (plan.snowfall) return 'overcast';
  if (plan.forced.has('frost') || plan.forced.has('dew')) return 'clear';
  return undefined;
}

/**
 * Makes the day's air physically consistent with its conditions (a copy of the
 * weather, the plant's other fields shared): after a snowfall the day stays at or
 * below 1 °C; a forced frost morning has its dawn at −2 °C or colder.
 */
export function conditionedWeather(plan: PlantConditionsPlan, w: PlantWeather): PlantWeather {
  const { rise } = daytime(w);
  let shift = 0;
  if (plan.snowfall) shift = Math.min(0, 1 - Math.max(...w.tempAir));
  if (plan.forced.has('frost')) shift = Math.min(shift, -2 - w.tempAir[rise]!);
  if (shift === 0) return w;
  return { ...w, tempAir: w.tempAir.map((t) => t + shift) };
}

/** The plant's conditions on a day, after its weather: what every array shares. */
export interface PlantConditions {
  config: ConditionsConfig;
  /** frost or dew this morning (null: neither), its loss and melt for the plant (arrays spread around it) */
  wet: { kind: 'frost' | 'dew'; loss: number; meltMs: number } | null;
  /** the plant-day index of the last snowfall within MAX_SNOW_DAYS (null: none) */
  snowfallDay: number | null;
  /** the plant-day index of the last wash (rain or cleaning; −1: before the plant's first day) */
  washedDay: number;
  /** a soiling forced: 60 days unwashed */
  soilingForced: boolean;
  curtailment: { startIndex: number; endIndex: number; limitFraction: number } | null;
  standby: boolean;
  converterRatingW: number | null;
  /** the array's STC power, W (a curtailment limit is a share of it) */
  arrayStcW: number;
  faiman: { u0: number; u1: number };
}

/** Snow lies on an array at most this many days (it slides off on the last at the latest). */
export const MAX_SNOW_DAYS = 7;
/** How far back a day looks for the last wash (soiling saturates long before). */
const MAX_SOILING_DAYS = 200;

export function plantConditions(plan: PlantConditionsPlan, seed: number, day: number, calendar: PlantCalendar, w: PlantWeather, layout: ArrayLayout, pStc: number): PlantConditions {
  const c = plan.config;
  const site = calendar.site;
  const draws = plantDraws(c, seed, site, plan.date);
  const { rise, set } = daytime(w);
  // frost or dew: a clear or broken dawn, cold (frost) or mild (dew)
  let wet: PlantConditions['wet'] = null;
  const dawn = w.tempAir[rise]!;
  const frost = plan.forced.has('frost') || (w.sky !== 'overcast' && dawn < 1 && draws.wet < c.rates.frost);
  const dew = !frost && (plan.forced.has('dew') || (w.sky !== 'overcast' && dawn >= 1 && dawn < 15 && draws.wet < c.rates.dew));
  if (w.sunriseIndex >= 0 && !plan.snowfall && (frost || dew)) {
    const hours = frost ? 1 + 2 * draws.meltHours : 0.5 + draws.meltHours;
    wet = { kind: frost ? 'frost' : 'dew', loss: frost ? 0.2 + 0.1 * draws.lossFraction : 0.05 + 0.07 * draws.lossFraction, meltMs: hours * 3_600_000 };
  }
  // snow: the last snowfall of the last MAX_SNOW_DAYS days
  let snowfallDay: number | null = plan.snowfall ? day : null;
  for (let d = day - 1; snowfallDay === null && d >= Math.max(0, day - MAX_SNOW_DAYS); d--) {
    if (plantDraws(c, seed, site, calendar.day(d).date).snowfall) snowfallDay = d;
  }
  // soiling: the last wash (rain or cleaning in the night before a day)
  let washedDay = -1;
  const cleaning = new Set(c.cleaningDates);
  if (c.rates.soilingPerDay[1] > 0 || plan.forced.has('soiling')) {
    for (let d = day; d >= Math.max(0, day - MAX_SOILING_DAYS); d--) {
      const date = calendar.day(d).date;
      if (cleaning.has(date) || (d === day ? draws.rain : plantDraws(c, seed, site, date).rain)) {
        washedDay = d;
        break;
      }
    }
  }
  // curtailment: an interval in the daytime, from 2 h after sunrise to 3 h before sunset
  let curtailment: PlantConditions['curtailment'] = null;
  if (w.sunriseIndex >= 0 && (plan.forced.has('curtailment') || draws.curtail < c.rates.curtailment)) {
    const lo = rise + 360;
    const hi = Math.max(lo, set - 540);
    const startIndex = lo + Math.floor(draws.curtailStart * (hi - lo + 1));
    curtailment = { startIndex, endIndex: Math.min(set, startIndex + Math.round((draws.curtailMinutes * 60_000) / GRID_MS)), limitFraction: draws.curtailLimit };
  }
  const arrayStc = layout.nSeries * layout.nStrings * pStc;
  return {
    config: c,
    wet,
    snowfallDay,
    washedDay,
    soilingForced: plan.forced.has('soiling'),
    curtailment,
    standby: c.rates.standby || plan.forced.has('standby'),
    converterRatingW: c.converterRatingW ?? (plan.forced.has('clipping') ? 0.7 * arrayStc : null),
    arrayStcW: arrayStc,
    faiman: MOUNTING_FAIMAN[c.mounting],
  };
}

/** One array's conditions over its day, sample by sample. */
export interface DeviceConditions {
  /** the share of the plane's light reaching the cells of every module (frost, dew, soiling, full snow), per sample */
  light: Float32Array;
  /** partial snow: per string, the light scale of each module (null: that string uniform), while `snowUntil` */
  snowStrings: (Float32Array | null)[] | null;
  /** the sample from which the snow is gone (0: no snow; samples: all day) */
  snowUntil: number;
  /** standby samples: [0, dawnEnd) ∪ [duskStart, samples) of the daylight */
  dawnEnd: number;
  duskStart: number;
  /** the converter's power limit per sample, W (Infinity: none) */
  limitW: Float64Array | null;
  faiman: { u0: number; u1: number };
  intervals: ConditionInterval[];
  /** the kinds that only show where they act (their intervals are built from masks) */
  standbyMask: Uint8Array;
  clippingMask: Uint8Array;
  curtailMask: Uint8Array;
  ratingW: number | null;
  curtailLimitW: number | null;
}

/** Standby current the idling converter draws, A. */
export const STANDBY_CURRENT = 0.05;

/**
 * An array's share of the plant's conditions on a day: its frost melts at its own
 * pace, its snow is its own (cover, slide), its soiling rate is its own.
 */
export function deviceConditions(pc: PlantConditions, seed: number, device: number, day: number, calendar: PlantCalendar, w: PlantWeather, layout: ArrayLayout): DeviceConditions {
  const n = w.samples;
  const start = w.window.startMs;
  const { rise, set } = daytime(w);
  const date = calendar.day(day).date;
  const rng = new Rng(seed, `device:${device}:conditions:${date}`);
  const light = new Float32Array(n).fill(1);
  const intervals: ConditionInterval[] = [];
  const at = (k: number) => start + k * GRID_MS;
  const push = (kind: ConditionKind, from: number, to: number, severity: ConditionInterval['severity']) => {
    if (to > from) intervals.push({ kind, category: CONDITION_CATEGORY[kind], startMs: at(from), endMs: at(to), severity });
  };

  // soiling: the array's own rate since the last wash; unwashed since before the plant's first day, the dust of 0–30 days more (the array's own, every day)
  const soil = new Rng(seed, `device:${device}:soiling`);
  const soilingRate = soil.uniform(...pc.config.rates.soilingPerDay);
  const dustBefore = soil.uniform(0, 30);
  let soilLoss = 0;
  if (pc.soilingForced) soilLoss = Math.min(0.25, 60 * (soilingRate || 0.002));
  else if (soilingRate > 0) soilLoss = Math.min(0.25, soilingRate * (day - pc.washedDay + (pc.washedDay < 0 ? dustBefore : 0)));
  if (soilLoss > 0) {
    light.fill(1 - soilLoss);
    push('soiling', rise, set + 1, { loss: soilLoss, perDay: soilingRate });
  }

  // frost or dew: full loss until 60 % of the melt, then fading; each array ±15 % in pace
  if (pc.wet) {
    const melt = pc.wet.meltMs * rng.uniform(0.85, 1.15);
    const loss = pc.wet.loss * rng.uniform(0.9, 1.1);
    const end = Math.min(set, rise + Math.round(melt / GRID_MS));
    for (let k = rise; k < end; k++) {
      const x = (k - rise) / (end - rise);
      light[k]! *= 1 - loss * (x < 0.6 ? 1 : (1 - x) / 0.4);
    }
    push(pc.wet.kind, rise, end, { loss, meltMinutes: melt / 60_000 });
  }

  // snow: the array's cover since the last snowfall, sliding off on a later day
  let snowStrings: DeviceConditions['snowStrings'] = null;
  let snowUntil = 0;
  if (pc.snowfallDay !== null) {
    const fall = new Rng(seed, `device:${device}:snow:${calendar.day(pc.snowfallDay).date}`);
    const full = fall.chance(0.4);
    const transmittance = fall.uniform(0.03, 0.15);
    const covered = Array.from({ length: layout.nStrings }, (): number => (full ? layout.nSeries : fall.int(0, layout.nSeries)));
    if (!full && !covered.some((m) => m > 0)) covered[fall.int(0, layout.nStrings - 1)] = fall.int(1, layout.nSeries);
    const slideDay = pc.snowfallDay + fall.int(1, MAX_SNOW_DAYS);
    const slideAt = fall.next();
    if (day < slideDay) snowUntil = n;
    else if (day === slideDay) {
      // slides in the warm part of the day: from 3 h after sunrise to 2 h before sunset
      const lo = Math.min(set, rise + 540);
      snowUntil = lo + Math.floor(slideAt * (Math.max(lo, set - 360) - lo + 1));
    }
    if (snowUntil > 0) {
      if (full) for (let k = 0; k < snowUntil; k++) light[k]! *= transmittance;
      else snowStrings = covered.map((m) => (m === 0 ? null : Float32Array.from({ length: layout.nSeries }, (_, i) => (i < m ? transmittance : 1))));
      push('snow', 0, snowUntil, { full, coveredModules: covered.reduce((a, b) => a + b, 0), transmittance, slidOff: snowUntil < n });
    }
  }

  // standby: the first and last 40–60 min of light
  let dawnEnd = 0;
  let duskStart = n;
  if (pc.standby && w.sunriseIndex >= 0) {
    dawnEnd = rise + Math.round((rng.uniform(40, 60) * 60_000) / GRID_MS);
    duskStart = set - Math.round((rng.uniform(40, 60) * 60_000) / GRID_MS);
  }

  // power limits: curtailment (plant-wide interval) and the converter's rating
  let limitW: Float64Array | null = null;
  const curtailLimitW = pc.curtailment ? pc.curtailment.limitFraction * pc.arrayStcW : null;
  if (pc.converterRatingW !== null || pc.curtailment) {
    limitW = new Float64Array(n).fill(pc.converterRatingW ?? Infinity);
    if (pc.curtailment) for (let k = pc.curtailment.startIndex; k < pc.curtailment.endIndex; k++) limitW[k] = Math.min(limitW[k]!, curtailLimitW!);
  }
  return {
    light,
    snowStrings,
    snowUntil,
    dawnEnd,
    duskStart,
    limitW,
    faiman: pc.faiman,
    intervals,
    standbyMask: new Uint8Array(n),
    clippingMask: new Uint8Array(n),
    curtailMask: new Uint8Array(n),
    ratingW: pc.converterRatingW,
    curtailLimitW,
  };
}

/** The string conditions of partial snow at sample k, merged into the fault's (scales multiply). Returns whether any string is snow-covered. */
export function applySnow(dc: DeviceConditions, k: number, conds: (StringCondition | null)[]): boolean {
  if (!dc.snowStrings || k >= dc.snowUntil) return false;
  let any = false;
  dc.snowStrings.forEach((scales, s) => {
    if (!scales) return;
    any = true;
    const cond = (conds[s] ??= {});
    if (cond.open) return;
    const prior = cond.irradianceScale;
    cond.irradianceScale = Array.from(scales, (x, m) => x * (prior?.[m] ?? 1));
  });
  return any;
}

/** Intervals [from, to) of a mask's runs of 1. */
export function maskRuns(mask: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  let from = -1;
  for (let k = 0; k <= mask.length; k++) {
    const on = k < mask.length && mask[k] === 1;
    if (on && from < 0) from = k;
    if (!on && from >= 0) {
      out.push([from, k]);
      from = -1;
    }
  }
  return out;
}

/** The day's condition intervals, the operational ones from where they acted. */
export function conditionIntervals(dc: DeviceConditions, startMs: number): ConditionInterval[] {
  const out = [...dc.intervals];
  const add = (kind: ConditionKind, mask: Uint8Array, severity: ConditionInterval['severity']) => {
    for (const [a, b] of maskRuns(mask)) out.push({ kind, category: CONDITION_CATEGORY[kind], startMs: startMs + a * GRID_MS, endMs: startMs + b * GRID_MS, severity });
  };
  add('standby', dc.standbyMask, { currentA: STANDBY_CURRENT });
  add('curtailment', dc.curtailMask, { limitW: dc.curtailLimitW ?? 0 });
  add('clipping', dc.clippingMask, { ratingW: dc.ratingW ?? 0 });
  return out.sort((a, b) => a.startMs - b.startMs || a.kind.localeCompare(b.kind));
}

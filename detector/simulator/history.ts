/**
 * A device's faults over the days of its plant, drawn from the device's own
 * date-independent stream. On the plant's first day its class comes from the mix
 * (half the faulty devices faulty from midnight, the others failing in daylight);
 * a fault stays, the same fault, until it is repaired in daylight some days after
 * its onset; a healthy device fails on a day with the chance that keeps the mix's
 * share of faulty device-days on every day. Any day's state is found by replaying
 * the stream from the first day (a few draws a day), so a day can be simulated
 * without the others.
 */
import { FAULT_CLASSES } from '../../contracts/faultClasses';
import type { PlantCalendar } from './calendar';
import { drawFault, pickFaultClass, type Fault, type FaultMix, type FaultToday } from './faults';
import type { Rng } from './random';
import { daytime, GRID_MS, sunPassing, type PlantWeather } from './weather';
import { sunPosition } from './solar';

/** One fault of a device's history, in plant days and fractions of a day's span. */
export interface Episode {
  fault: Fault;
  onsetDay: number;
  /** where in its day's onset span the fault starts; null: already there at the plant's first midnight */
  onsetAt: number | null;
  repairDay: number;
  /** where in the repair day's daytime it is repaired */
  repairAt: number;
}

export interface HistoryOptions {
  mix: FaultMix;
  /** a new fault is repaired this many days after its onset, drawn uniformly (whole days, ≥ 1) */
  repairDays: [number, number];
  nStrings: number;
  nSeries: number;
}

/**
 * The chance that a healthy device fails on a given day. A fault spans F device-days on
 * average (its onset day to its repair day); a healthy spell lasts (1 − h)/h days; so
 * the faulty share is p = F / (F + (1 − h)/h), i.e. h = p / (p + F(1 − p)).
 */
export function dailyFailureChance(o: Pick<HistoryOptions, 'mix' | 'repairDays'>): number {
  const total = FAULT_CLASSES.reduce((sum, c) => sum + (o.mix[c] ?? 0), 0);
  const p = total > 0 ? (total - (o.mix.normal ?? 0)) / total : 0;
  const faultyDays = (o.repairDays[0] + o.repairDays[1]) / 2 + 1;
  return p / (p + faultyDays * (1 - p));
}

/**
 * Days from the plant's first day to the repair of a fault found on it. That fault is
 * caught part-way through its span, so its remaining days j (the first day included)
 * are drawn with weight P(span ≥ j), not as a new fault's: this keeps the faulty share
 * at the mix's from the first day on, instead of a bump while the first faults last.
 */
function remainingDays(rng: Rng, [min, max]: [number, number]): number {
  // span = onset day to repair day, both counted: repairDays + 1
  const weight = (j: number) => max - Math.max(j - 1, min) + 1;
  let total = 0;
  for (let j = 1; j <= max + 1; j++) total += weight(j);
  let u = rng.next() * total;
  for (let j = 1; j <= max; j++) if ((u -= weight(j)) < 0) return j;
  return max + 1;
}

function startEpisode(kind: Fault['kind'], day: number, rng: Rng, o: HistoryOptions): Episode {
  // a shadow is seen first when it falls on the array, never at midnight
  const alreadyThere = day === 0 && kind !== 'partial_shading' && rng.chance(0.5);
  const onsetAt = alreadyThere ? null : rng.next();
  const fault = drawFault(kind, rng, o.nStrings, o.nSeries);
  const repairDay = day === 0 ? remainingDays(rng, o.repairDays) - 1 : day + rng.int(o.repairDays[0], o.repairDays[1]);
  return { fault, onsetDay: day, onsetAt, repairDay, repairAt: rng.next() };
}

/** The fault a device has on plant day `day` (null: healthy), replayed from its history stream. */
export function episodeOn(rng: Rng, day: number, o: HistoryOptions): Episode | null {
  const failure = dailyFailureChance(o);
  const faultsOnly: FaultMix = { ...o.mix, normal: 0 };
  const first = pickFaultClass(rng, o.mix);
  let current = first === 'normal' ? null : startEpisode(first, 0, rng, o);
  for (let d = 1; d <= day; d++) {
    if (current && d <= current.repairDay) continue;
    current = rng.chance(failure) ? startEpisode(pickFaultClass(rng, faultsOnly) as Fault['kind'], d, rng, o) : null;
  }
  return current;
}

/** The sample at fraction `at` of the span [lo, hi] (as Rng.int draws). */
const sampleAt = ([lo, hi]: [number, number], at: number): number => lo + Math.floor(at * (hi - lo + 1));

/**
 * Where in its day a fault may start: from an hour after sunrise to two hours before
 * sunset, so that it can be seen before night; a shadow from sunrise on.
 */
function onsetSpan(kind: Fault['kind'], { rise, set }: { rise: number; set: number }): [number, number] {
  if (kind === 'partial_shading') return [rise, Math.max(rise, set - 360)];
  return [Math.min(set, rise + 180), Math.max(rise + 180, set - 360)];
}

/** An episode seen from plant day `day` (between its onset and repair days), on that day's weather. */
export function faultToday(episode: Episode, day: number, calendar: PlantCalendar, weather: PlantWeather): FaultToday {
  const { fault } = episode;
  const onset = calendar.day(episode.onsetDay);
  const onsetIndex = episode.onsetAt === null ? 0 : sampleAt(onsetSpan(fault.kind, daytime(onset.sun)), episode.onsetAt);
  const onsetMs = onset.window.startMs + onsetIndex * GRID_MS;
  const repair = calendar.day(episode.repairDay);
  const { rise, set } = daytime(repair.sun);
  // repaired in daylight; on its onset day (only the plant's first day), after the onset
  const firstRepair = episode.repairDay === episode.onsetDay ? Math.max(rise, onsetIndex + 1) : rise;
  const repairIndex = sampleAt([firstRepair, Math.max(firstRepair, set)], episode.repairAt);
  let shadowIndex: number | null = null;
  if (fault.kind === 'partial_shading') {
    // the obstacle stands where the sun was when its shadow first fell on the array
    const site = calendar.site;
    shadowIndex = day === episode.onsetDay ? onsetIndex : sunPassing(weather, sunPosition(onsetMs, site.latitude, site.longitude).azimuth);
  }
  return {
    fault,
    onsetMs,
    presentAtStart: day > episode.onsetDay || episode.onsetAt === null,
    repairMs: repair.window.startMs + repairIndex * GRID_MS,
    from: day === episode.onsetDay ? onsetIndex : 0,
    to: day === episode.repairDay ? repairIndex : weather.samples,
    shadowIndex,
  };
}

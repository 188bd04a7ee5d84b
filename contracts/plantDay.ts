/**
 * A "day" of the pipeline is the plant-local calendar day. These helpers turn a
 * date and the plant's IANA time zone into the UTC window [startMs, endMs) —
 * 23, 24 or 25 hours long around DST changes — used by the simulator, the run
 * window of the state machine, the jobs and the API alike.
 */
import { isValidDate } from './tableSpecs';

export interface DayWindow {
  date: string;
  startMs: number;
  endMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new Error(`timeZone: ${JSON.stringify(timeZone)} is not an IANA time zone`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** The plant-local wall clock at an instant, as if it were UTC (ms). */
function wallClockMs(epochMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) + (epochMs % 1000 + 1000) % 1000;
}

/** The plant-local calendar date (YYYY-MM-DD) of an instant. */
export function localDate(epochMs: number, timeZone: string): string {
  return new Date(wallClockMs(epochMs, timeZone)).toISOString().slice(0, 10);
}

/** First instant whose plant-local date is `date`. */
function localMidnight(date: string, timeZone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`);
  // two fixed-point steps on the UTC offset settle it, DST included
  let t = wall - (wallClockMs(wall, timeZone) - wall);
  t = wall - (wallClockMs(t, timeZone) - t);
  // where midnight does not exist (a DST jump at 00:00), the day starts at the jump
  while (localDate(t, timeZone) < date) t += 15 * 60_000;
  while (localDate(t - 15 * 60_000, timeZone) === date) t -= 15 * 60_000;
  return t;
}

/** The calendar date `days` after `date` (before it when negative). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (negative when `to` comes first). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The UTC window of a plant-local day. */
export function plantDayWindow(date: string, timeZone: string): DayWindow {
  if (!isValidDate(date)) throw new Error(`date: ${JSON.stringify(date)} is not a calendar date in YYYY-MM-DD form`);
  return { date, startMs: localMidnight(date, timeZone), endMs: localMidnight(addDays(date, 1), timeZone) };
}

/** The plant-local day before the one containing an instant (what a scheduled run processes). */
export function previousPlantDay(epochMs: number, timeZone: string): DayWindow {
  const today = localDate(epochMs, timeZone);
  const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return plantDayWindow(yesterday, timeZone);
}

/**
 * A "day" of the pipeline is the plant-local calendar day. These helpers turn a
 * date and the plant's IANA time zone into the UTC window [startMs, endMs) —
 * 23, 24 or 25 hours long around DST changes — used by the simulator, the run
 * window of the state machine, the jobs and the API alike — and when a run of a
 * day may start at the earliest.
 */
import { isValidDate, LATENESS_MS } from './tableSpecs';

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

/** The plant-local date and time of an instant, "YYYY-MM-DD HH:MM" (for people). */
export function localDateTime(epochMs: number, timeZone: string): string {
  return new Date(wallClockMs(epochMs, timeZone)).toISOString().slice(0, 16).replace('T', ' ');
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

/**
 * The first instant at which the plant clock reads `minuteOfDay` (minutes after 00:00)
 * on the day. On the day the clocks go back, a repeated time's first occurrence; in
 * the hour skipped when they go forward, an instant before the jump (a lower bound of
 * when a schedule fires).
 */
export function localTimeMs(day: DayWindow, minuteOfDay: number, timeZone: string): number {
  const wall = Date.parse(`${day.date}T00:00:00Z`) + minuteOfDay * 60_000;
  // the clock runs at the day's offset at its start or at its end
  const candidates = [day.startMs, day.endMs - 1].map((t) => wall - (wallClockMs(t, timeZone) - t));
  const exact = candidates.filter((t) => wallClockMs(t, timeZone) === wall);
  return Math.min(...(exact.length ? exact : candidates));
}

/**
 * No run of a day may start before this: its readings may still be published until
 * LATENESS_MS after it ends, and the ingest's Kafka window ends there (Kafka has no
 * offset for a time still to come).
 */
export function earliestRunStartMs(day: Pick<DayWindow, 'endMs'>): number {
  return day.endMs + LATENESS_MS;
}

/** The latest plant-local day a run may process at an instant: the day that ended LATENESS_MS ago or before. */
export function latestRunnableDate(epochMs: number, timeZone: string): string {
  return previousPlantDay(epochMs - LATENESS_MS, timeZone).date;
}

/** Whether a name is an IANA time zone this runtime knows (a plant's time zone: the stack's config, import:csv's --time-zone). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

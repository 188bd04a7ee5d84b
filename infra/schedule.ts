/**
 * The daily schedule against the lateness. A scheduled run processes the plant-local
 * day before it, whose readings may still be published until LATENESS_MS after the
 * day ends; started earlier, it would only wait (the state machine's Wait state) — so
 * a schedule that starts too early on any day, DST days included, is refused at
 * `pulumi up` instead.
 */
import { earliestRunStartMs, LATENESS_MS, localDateTime, localTimeMs, plantDayWindow } from '../contracts';

// One time of day: minutes and hours are single numbers; the day fields are EventBridge's to check.
const DAILY = /^cron\((\d{1,2}) (\d{1,2}) \S+ \S+ \S+ \S+\)$/;

/** Minutes after plant-local midnight at which the cron expression starts the run, or null if it is not one daily time. */
export function dailyStartMinute(cron: string): number | null {
  const m = DAILY.exec(cron);
  if (!m) return null;
  const [minute, hour] = [Number(m[1]), Number(m[2])];
  return minute < 60 && hour < 24 ? hour * 60 + minute : null;
}

const hhmm = (minuteOfDay: number) => `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
const nextDate = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * Why a run started at `minuteOfDay` would be too early on some day of `year` or the
 * next (DST rules change; the days the clocks go forward are the ones that fail), or
 * null. Names the first such day and the earliest time of day that holds on all.
 */
export function earlyStartProblem(cron: string, minuteOfDay: number, timeZone: string, year: number): string | null {
  // two years of days take ~0.1 s; a program (and the tests) parse the config many times
  const key = [cron, minuteOfDay, timeZone, year].join('|');
  if (!checked.has(key)) checked.set(key, scanDays(cron, minuteOfDay, timeZone, year));
  return checked.get(key)!;
}

const checked = new Map<string, string | null>();

function scanDays(cron: string, minuteOfDay: number, timeZone: string, year: number): string | null {
  let firstEarly: string | null = null;
  let needed = 0;
  let runDay = plantDayWindow(`${year}-01-01`, timeZone);
  while (runDay.date < `${year + 2}-01-01`) {
    const earliest = earliestRunStartMs({ endMs: runDay.startMs }); // of the day before, which ends as this one starts
    if (!firstEarly && localTimeMs(runDay, minuteOfDay, timeZone) < earliest) firstEarly = `on ${runDay.date}, not before ${localDateTime(earliest, timeZone)}`;
    const [h, m] = localDateTime(earliest + 59_999, timeZone).slice(11).split(':').map(Number);
    needed = Math.max(needed, h! * 60 + m!);
    runDay = plantDayWindow(nextDate(runDay.date), timeZone);
  }
  if (!firstEarly) return null;
  return `${cron} starts the run of a day at ${hhmm(minuteOfDay)} ${timeZone} the next day, before its readings published up to ${LATENESS_MS / 3_600_000} h late are in (${firstEarly}); schedule it at ${hhmm(needed)} or later`;
}

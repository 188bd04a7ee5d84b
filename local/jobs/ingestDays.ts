/**
 * Which records a day's ingest reads, and where a valid reading of another day goes.
 *
 * The run of day D reads the records whose Kafka timestamp (the producer's publish
 * time) is in D's window [start − one grid step, end + LATENESS_MS). The windows of
 * adjacent days overlap, so a record can be read by two runs, and a valid reading read
 * here can be of another day (by its measurement timestamp and the grid's slot rule):
 * - `adjacent`: of the day before or after, and published within that day's window too:
 *   that day's run takes it into its silver; here it is only counted;
 * - `too_late`: of an earlier day, published after that day's window closed;
 * - `other_day`: of a later day, published before that day's window opens (a clock ahead).
 * No run takes the last two into silver, so they are quarantined: nothing valid vanishes.
 * spark/pvfault/ingest.py places readings the same way (shared fixture
 * test/fixtures/contracts/reading-days.json).
 */
import { addDays, GRID_STEP_MS, LATENESS_MS, plantDayWindow } from '../../contracts';
import { slotOf, type DayGrid } from '../../detector/silver';

/** A day's grid and the Kafka timestamps [fromMs, toMs) its run reads. */
export interface DayRead extends DayGrid {
  date: string;
  fromMs: number;
  toMs: number;
}

export interface RunDays {
  previous: DayRead;
  day: DayRead;
  next: DayRead;
}

export type ReadingPlace = 'day' | 'adjacent' | 'too_late' | 'other_day';

function dayRead(date: string, timeZone: string): DayRead {
  const w = plantDayWindow(date, timeZone);
  // one grid step early: a reading up to half a step before midnight belongs to slot 0
  return { date, startMs: w.startMs, endMs: w.endMs, fromMs: w.startMs - GRID_STEP_MS, toMs: w.endMs + LATENESS_MS };
}

/** The run's day and its neighbours; throws unless [startMs, endMs) is the plant-local day of `date` (as the Spark job's check_window). */
export function runDays(date: string, timeZone: string, window: DayGrid): RunDays {
  const day = dayRead(date, timeZone);
  if (day.startMs !== window.startMs || day.endMs !== window.endMs) {
    throw new Error(`window [${window.startMs}, ${window.endMs}) is not the plant-local day ${date} in ${timeZone}, which is [${day.startMs}, ${day.endMs})`);
  }
  return { previous: dayRead(addDays(date, -1), timeZone), day, next: dayRead(addDays(date, 1), timeZone) };
}

/** Where a valid reading read by the run goes, by its measurement and publish times. */
export function placeReading(timestamp: number, publishMs: number, days: RunDays): ReadingPlace {
  if (slotOf(timestamp, days.day) >= 0) return 'day';
  const earlier = timestamp < days.day.startMs;
  // only a neighbour's window can hold a record of this one's: the lateness is far shorter than a day
  const own = earlier ? days.previous : days.next;
  if (slotOf(timestamp, own) >= 0 && publishMs >= own.fromMs && publishMs < own.toMs) return 'adjacent';
  return earlier ? 'too_late' : 'other_day';
}

/** The quarantine detail of a too_late or other_day reading (the Spark job writes the same text). */
export function placementDetail(place: 'too_late' | 'other_day', timestamp: number, publishMs: number, days: RunDays): string {
  const at = `timestamp: ${new Date(timestamp).toISOString()} is of a plant-local day ${place === 'too_late' ? 'before' : 'after'} ${days.day.date}, published ${new Date(publishMs).toISOString()}`;
  return place === 'too_late'
    ? `${at}, ${LATENESS_MS / 3_600_000} h or more after that day ended: no run takes it into silver`
    : `${at}, before that day's Kafka window opens: no run takes it into silver`;
}

/**
 * The days of a plant: day d is the plant-local date d days after its first date,
 * with its UTC window and its hours of sun. A fault that began on an earlier day,
 * or will be repaired on a later one, is timed on that day's clock.
 */
import { addDays, daysBetween, plantDayWindow, type DayWindow } from '../../contracts/plantDay';
import { isValidDate } from '../../contracts/tableSpecs';
import { sunUp, type Site, type SunUp } from './weather';

export interface PlantDayClock {
  date: string;
  window: DayWindow;
  sun: SunUp;
}

export class PlantCalendar {
  // a plant's days are few (its span plus the repairs after it): kept once computed
  private readonly days = new Map<number, PlantDayClock>();

  constructor(
    readonly firstDate: string,
    readonly timeZone: string,
    readonly site: Site,
  ) {
    if (!isValidDate(firstDate)) throw new Error(`firstDate: ${JSON.stringify(firstDate)} is not a calendar date in YYYY-MM-DD form`);
    plantDayWindow(firstDate, timeZone); // names a bad time zone now
  }

  /** The day index of a date of the plant. */
  dayOf(date: string): number {
    plantDayWindow(date, this.timeZone);
    const day = daysBetween(this.firstDate, date);
    if (day < 0) throw new Error(`date: ${JSON.stringify(date)} is before the plant's first date ${JSON.stringify(this.firstDate)}`);
    return day;
  }

  day(day: number): PlantDayClock {
    let clock = this.days.get(day);
    if (!clock) {
      const date = addDays(this.firstDate, day);
      const window = plantDayWindow(date, this.timeZone);
      clock = { date, window, sun: sunUp(this.site, window) };
      this.days.set(day, clock);
    }
    return clock;
  }
}

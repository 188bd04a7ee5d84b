/** When a run of a plant day may start, and plant-local times of day, around DST. */
import { earliestRunStartMs, latestRunnableDate, localDateTime, localTimeMs, plantDayWindow } from '../../contracts';

const MADRID = 'Europe/Madrid';

describe('the earliest start of a run: the day ends, plus the lateness', () => {
  it.each([
    ['2026-11-19', '2026-11-20 03:00'],
    ['2026-03-28', '2026-03-29 04:00'], // the next day has 23 hours: 3 h after its midnight is 04:00
    ['2026-10-24', '2026-10-25 02:00'], // the next day has 25 hours
  ])('of %s in Madrid is %s plant time', (date, local) => {
    expect(localDateTime(earliestRunStartMs(plantDayWindow(date, MADRID)), MADRID)).toBe(local);
  });

  it('the latest day that may run is the one that ended 3 h ago or before', () => {
    expect(latestRunnableDate(Date.UTC(2026, 10, 20, 1, 59, 59), MADRID)).toBe('2026-11-18'); // 02:59:59
    expect(latestRunnableDate(Date.UTC(2026, 10, 20, 2), MADRID)).toBe('2026-11-19'); // 03:00
    expect(latestRunnableDate(Date.UTC(2026, 2, 29, 1, 59), MADRID)).toBe('2026-03-27'); // 03:59 CEST
    expect(latestRunnableDate(Date.UTC(2026, 2, 29, 2), MADRID)).toBe('2026-03-28');
  });
});

describe('a plant-local time of day as an instant', () => {
  it('follows the day’s offset, and takes the first of a repeated time', () => {
    expect(localTimeMs(plantDayWindow('2026-11-20', MADRID), 4 * 60 + 30, MADRID)).toBe(Date.UTC(2026, 10, 20, 3, 30));
    expect(localTimeMs(plantDayWindow('2026-03-29', MADRID), 4 * 60, MADRID)).toBe(Date.UTC(2026, 2, 29, 2));
    // 02:30 happens twice on 2026-10-25: first in CEST
    expect(localTimeMs(plantDayWindow('2026-10-25', MADRID), 2 * 60 + 30, MADRID)).toBe(Date.UTC(2026, 9, 25, 0, 30));
  });

  it('gives a time the clocks skip as an instant no later than the jump', () => {
    const t = localTimeMs(plantDayWindow('2026-03-29', MADRID), 2 * 60 + 30, MADRID);
    expect(t).toBeLessThanOrEqual(Date.UTC(2026, 2, 29, 1));
  });
});

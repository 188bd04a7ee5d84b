/**
 * Where a valid reading read by a day's ingest goes, on the vectors the Spark job's
 * pvfault.ingest is held to as well (test/python/test_ingest.py).
 */
import { LATENESS_MS } from '../../contracts';
import { placementDetail, placeReading, runDays, type ReadingPlace } from '../../local/jobs/ingestDays';
import { readFixture } from '../helpers/fixtures';

interface Run {
  date: string;
  timeZone: string;
  startMs: number;
  endMs: number;
  cases: { name: string; timestamp: number; publishMs: number; place: ReadingPlace; detail?: string }[];
}
const fixture = readFixture<{ latenessMs: number; runs: Run[] }>('contracts/reading-days.json');

describe('placing a valid reading read by the run of a day', () => {
  it('waits the lateness of the vectors', () => {
    expect(LATENESS_MS).toBe(fixture.latenessMs);
  });

  describe.each(fixture.runs)('the run of $date in $timeZone', (run) => {
    const days = runDays(run.date, run.timeZone, run);

    it.each(run.cases)('$name: $place', (c) => {
      expect(c.publishMs >= days.day.fromMs && c.publishMs < days.day.toMs).toBe(true);
      expect(placeReading(c.timestamp, c.publishMs, days)).toBe(c.place);
      if (c.place === 'too_late' || c.place === 'other_day') expect(placementDetail(c.place, c.timestamp, c.publishMs, days)).toBe(c.detail);
    });
  });

  it('refuses a window that is not the plant-local day, naming both', () => {
    const run = fixture.runs[0]!;
    expect(() => runDays(run.date, 'UTC', run)).toThrow(`window [${run.startMs}, ${run.endMs}) is not the plant-local day ${run.date} in UTC`);
  });
});

/**
 * The emptyDay rule of tables.json, on the cases that hold the Spark ingest's
 * refuse_empty_day too (test/python/test_ingest.py): the same verdicts, the same messages.
 */
import { EMPTY_DAY_MIN_VALID_READINGS, emptyDayRefusal, TABLES_CONTRACT } from '../../contracts';
import { readFixture } from '../helpers/fixtures';

interface Case {
  name: string;
  date: string;
  recordsRead: number;
  quarantined: number;
  valid: number;
  refusal: string | null;
}
const { cases } = readFixture<{ cases: Case[] }>('contracts/empty-day-cases.json');

describe('the empty-day rule', () => {
  it('takes its threshold from tables.json', () => {
    expect(EMPTY_DAY_MIN_VALID_READINGS).toBe(TABLES_CONTRACT.emptyDay.minValidReadings);
    expect(EMPTY_DAY_MIN_VALID_READINGS).toBeGreaterThanOrEqual(1);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(emptyDayRefusal(c.date, { recordsRead: c.recordsRead, quarantined: c.quarantined, valid: c.valid })).toBe(c.refusal);
  });
});

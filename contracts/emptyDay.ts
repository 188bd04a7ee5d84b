/**
 * The emptyDay rule of tables.json: an ingest run that found no valid reading of its
 * day must not publish it. An empty commit would replace a complete day, and the run
 * would be reported as processed when it processed nothing. The Spark ingest applies
 * the same rule (spark/pvfault/ingest.py refuse_empty_day), with the same message
 * (test/fixtures/contracts/empty-day-cases.json).
 */
import { TABLES_CONTRACT } from './generated';

export const EMPTY_DAY_MIN_VALID_READINGS: number = TABLES_CONTRACT.emptyDay.minValidReadings;

export interface IngestCounts {
  /** records of the day's Kafka window */
  recordsRead: number;
  /** of those, set aside in quarantine */
  quarantined: number;
  /** valid readings on the day's grid: observed + duplicates over the silver rows */
  valid: number;
}

/** Why the ingest of `date` must fail instead of publishing, or null when the day may be published. */
export function emptyDayRefusal(date: string, c: IngestCounts): string | null {
  if (c.valid >= EMPTY_DAY_MIN_VALID_READINGS) return null;
  return (
    `ingest of ${date} refused: ${c.valid} valid readings on the day's grid (${c.recordsRead} records read, ${c.quarantined} quarantined); ` +
    `a day needs at least ${EMPTY_DAY_MIN_VALID_READINGS} (tables.json emptyDay). Nothing was committed: the day's silver and gold stay as they were. ` +
    'The topic may no longer hold the day (retention), or nothing was published for it.'
  );
}

/**
 * A polled reading → a Kafka message, through the shared contract: validated
 * against reading.avsc's ranges and device pattern, then raw Avro binary (no
 * registry header) keyed by device id — the bytes the local topic holds and the
 * Spark ingest decodes.
 */
import { READING_AVRO_TYPE, validateReading, type ReadingIssue } from '../../contracts/reading';

export type Prepared = { ok: true; key: string; value: Buffer } | { ok: false; issues: ReadingIssue[] };

export function prepareReading(input: unknown): Prepared {
  const v = validateReading(input);
  if (!v.ok) return v;
  return { ok: true, key: v.reading.deviceId, value: READING_AVRO_TYPE.toBuffer(v.reading) };
}

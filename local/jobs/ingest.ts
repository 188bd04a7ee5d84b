/**
 * The local ingest job: the contract of spark/jobs/ingest_data.py on this machine.
 * Reads the topic for the day's window (plus late arrivals), decodes and validates
 * each reading, sets the bad ones aside with their reason, and writes the silver
 * partition (one device-day row per device) by the commit protocol.
 */
import { decodeReading, GRID_STEP_MS, MalformedAvroError, validateReading, type QuarantineReason, type SilverQuarantineRow } from '../../contracts';
import { publishSortedChunks, type ObjectWriter } from '../../contracts/partition';
import { buildSilverRow, slotOf } from '../../detector/silver';
import { Progress } from '../../detector/progress';
import { LocalTopic } from '../topic';
import { bucketOf, INGEST_FLAGS, parseJobArgs } from './args';

/** Readings published up to this long after the day's end still count for it. */
export const LATENESS_MS = 3 * 3_600_000;

export interface IngestResult {
  devices: number;
  recordsRead: number;
  quarantined: Partial<Record<QuarantineReason, number>>;
  duplicates: number;
  filled: number;
  missing: number;
  runId: string;
}

export async function runIngest(args: readonly string[], topicDir: string, partitions: number, writerFor: (bucket: string) => ObjectWriter, progress = true): Promise<IngestResult> {
  const a = parseJobArgs(args, INGEST_FLAGS);
  const day = { startMs: Number(a['--start-ms']), endMs: Number(a['--end-ms']) };
  const date = a['--date'];
  const runId = a['--run-id'];
  const quarantine: SilverQuarantineRow[] = [];
  const quarantined: Partial<Record<QuarantineReason, number>> = {};
  const result: IngestResult = { devices: 0, recordsRead: 0, quarantined, duplicates: 0, filled: 0, missing: 0, runId };
  const bar = progress ? new Progress('ingest', partitions, 'partitions') : null;

  // a device's readings are all in one partition (keyed by device): one partition in memory at a time
  function* silverChunks() {
    for (let p = 0; p < partitions; p++) {
      const byDevice = new Map<string, { ts: number[]; v: number[]; i: number[]; t: number[]; g: number[]; received: number; quarantined: number }>();
      const device = (id: string) => {
        let d = byDevice.get(id);
        if (!d) byDevice.set(id, (d = { ts: [], v: [], i: [], t: [], g: [], received: 0, quarantined: 0 }));
        return d;
      };
      for (const rec of LocalTopic.read(topicDir, p, day.startMs - GRID_STEP_MS, day.endMs + LATENESS_MS)) {
        result.recordsRead++;
        const setAside = (reason: QuarantineReason, field: string | null, detail: string, reading: Record<string, unknown> | null) => {
          quarantined[reason] = (quarantined[reason] ?? 0) + 1;
          quarantine.push({
            deviceId: typeof reading?.deviceId === 'string' ? reading.deviceId : null,
            timestamp: typeof reading?.timestamp === 'number' && Number.isFinite(reading.timestamp) ? reading.timestamp : null,
            reason,
            field,
            detail,
            kafkaPartition: rec.partition,
            kafkaOffset: rec.offset,
            payload: reading ? JSON.stringify(reading, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) : rec.value.toString('base64'),
          });
          if (typeof reading?.deviceId === 'string') {
            device(reading.deviceId).quarantined++;
            device(reading.deviceId).received++;
          }
        };
        let reading;
        try {
          reading = decodeReading(rec.value);
        } catch (err) {
          if (err instanceof MalformedAvroError) {
            setAside('malformed', null, err.message, null);
            continue;
          }
          throw err;
        }
        const check = validateReading(reading);
        if (!check.ok) {
          const first = check.issues[0]!;
          setAside(first.reason, first.field, check.issues.map((i) => i.message).join('; '), reading as unknown as Record<string, unknown>);
          continue;
        }
        if (rec.key !== reading.deviceId) {
          setAside('key_mismatch', 'deviceId', `Kafka key ${JSON.stringify(rec.key)} differs from deviceId ${JSON.stringify(reading.deviceId)}`, reading as unknown as Record<string, unknown>);
          continue;
        }
        if (slotOf(reading.timestamp, day) < 0) continue; // another day's reading
        const d = device(reading.deviceId);
        d.received++;
        d.ts.push(reading.timestamp);
        d.v.push(reading.voltage);
        d.i.push(reading.current);
        d.t.push(reading.temperature);
        d.g.push(reading.irradiance);
      }
      const rows = [...byDevice.entries()]
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(([id, d]) => {
          const row = buildSilverRow(id, day, { count: d.ts.length, timestamp: d.ts, voltage: d.v, current: d.i, temperature: d.t, irradiance: d.g }, { received: d.received, quarantined: d.quarantined });
          result.devices++;
          result.duplicates += row.duplicates;
          result.filled += row.filled;
          result.missing += row.missing;
          return row;
        });
      bar?.tick();
      yield rows;
    }
  }

  const writer = writerFor(bucketOf(a['--silver-uri']));
  await publishSortedChunks(writer, 'silver_device_day', date, runId, silverChunks(), { rowGroupSize: 64 });
  quarantine.sort((x, y) => ((x.deviceId ?? '') < (y.deviceId ?? '') ? -1 : (x.deviceId ?? '') > (y.deviceId ?? '') ? 1 : (x.timestamp ?? 0) - (y.timestamp ?? 0)));
  await publishSortedChunks(writer, 'silver_quarantine', date, runId, [quarantine]);
  bar?.finish(`${result.devices} devices, ${result.recordsRead.toLocaleString('en-US')} records, ${Object.values(quarantined).reduce((s, n) => s + n!, 0)} quarantined`);
  return result;
}

/**
 * The local ingest job: the contract of spark/jobs/ingest_data.py on this machine.
 * Reads the topic for the day's window (plus late arrivals), decodes and validates
 * each reading, sets the bad ones aside with their reason, and writes the silver
 * partition (one device-day row per device) by the commit protocol. Topic
 * partitions are read in worker threads, one each (ingestPartition.ts).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { GRID_STEP_MS, type QuarantineReason, type SilverQuarantineRow } from '../../contracts';
import { publishEncodedParts, publishSortedChunks, type EncodedPart, type ObjectWriter } from '../../contracts/partition';
import { Progress } from '../../detector/progress';
import { WorkerPool } from '../../detector/workers';
import { bucketOf, INGEST_FLAGS, parseJobArgs } from './args';
import type { PartitionIngest, PartitionRequest } from './ingestPartition';

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

export async function runIngest(args: readonly string[], topicDir: string, partitions: number, writerFor: (bucket: string) => ObjectWriter, progress = true, workers = availableParallelism()): Promise<IngestResult> {
  const a = parseJobArgs(args, INGEST_FLAGS);
  const day = { startMs: Number(a['--start-ms']), endMs: Number(a['--end-ms']) };
  const date = a['--date'];
  const runId = a['--run-id'];
  const quarantine: SilverQuarantineRow[] = [];
  const quarantined: Partial<Record<QuarantineReason, number>> = {};
  const result: IngestResult = { devices: 0, recordsRead: 0, quarantined, duplicates: 0, filled: 0, missing: 0, runId };
  const bar = progress ? new Progress('ingest', partitions, 'partitions') : null;
  const pool = await WorkerPool.start<PartitionRequest, PartitionIngest>(join(__dirname, 'ingestWorker'), Math.min(workers, partitions));

  // partitions are independent (a device's readings are all in one): one per worker, taken up
  // in order and handed on in order, so at most one partition per worker is in memory
  async function* silverParts(): AsyncGenerator<EncodedPart> {
    const request = (p: number) => {
      const r = pool.request({ topicDir, partition: p, day, fromMs: day.startMs - GRID_STEP_MS, toMs: day.endMs + LATENESS_MS });
      r.catch(() => undefined); // awaited in order below; a later partition's failure must not go unhandled meanwhile
      return r;
    };
    const running: Promise<PartitionIngest>[] = [];
    let next = 0;
    while (next < Math.min(pool.size, partitions)) running.push(request(next++));
    while (running.length > 0) {
      const r = await running.shift()!;
      if (next < partitions) running.push(request(next++));
      result.recordsRead += r.recordsRead;
      result.devices += r.rows;
      result.duplicates += r.duplicates;
      result.filled += r.filled;
      result.missing += r.missing;
      for (const [reason, n] of Object.entries(r.quarantined)) quarantined[reason as QuarantineReason] = (quarantined[reason as QuarantineReason] ?? 0) + n;
      // partition order, then Kafka order: the stable sort below keeps ties as they always were
      quarantine.push(...r.quarantine);
      bar?.tick();
      yield { bytes: r.silver, rows: r.rows, ...(r.minDeviceId !== undefined && r.maxDeviceId !== undefined ? { minDeviceId: r.minDeviceId, maxDeviceId: r.maxDeviceId } : {}) };
    }
  }

  try {
    const writer = writerFor(bucketOf(a['--silver-uri']));
    await publishEncodedParts(writer, 'silver_device_day', date, runId, silverParts());
    quarantine.sort((x, y) => ((x.deviceId ?? '') < (y.deviceId ?? '') ? -1 : (x.deviceId ?? '') > (y.deviceId ?? '') ? 1 : (x.timestamp ?? 0) - (y.timestamp ?? 0)));
    await publishSortedChunks(writer, 'silver_quarantine', date, runId, [quarantine]);
  } finally {
    await pool.close();
  }
  bar?.finish(`${result.devices} devices, ${result.recordsRead.toLocaleString('en-US')} records, ${Object.values(quarantined).reduce((s, n) => s + n!, 0)} quarantined`);
  return result;
}

/**
 * The local ingest job: the contract of spark/jobs/ingest_data.py on this machine.
 * Reads the topic for the day's window (plus late arrivals), decodes and validates
 * each reading, sets the bad ones aside with their reason, and writes the silver
 * partition (one device-day row per device) by the commit protocol. Topic
 * partitions are read in worker threads, one each (ingestPartition.ts). The run
 * commits only if every record read is accounted for (unaccounted below).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { emptyDayRefusal, type CommitMarker, type QuarantineReason } from '../../contracts';
import { commitPartition, publishPartition, publishSortedChunks, putPart, type ObjectWriter } from '../../contracts/partition';
import { missingRegistry, parseRegistry } from '../../contracts/registry';
import { Progress } from '../../detector/progress';
import { WorkerPool } from '../../detector/workers';
import { partitionOf } from '../topic';
import { bucketOf, INGEST_FLAGS, objectOf, parseJobArgs } from './args';
import { runDays } from './ingestDays';
import type { PartitionIngest, PartitionRequest, QuarantineRecord } from './ingestPartition';

export interface IngestResult {
  devices: number;
  /** records in the day's Kafka window: each is one of the readings in silver (observed + duplicates), quarantined, or adjacentDay */
  recordsRead: number;
  quarantined: Partial<Record<QuarantineReason, number>>;
  /** valid readings of the day in silver: those that filled a slot, and those that lost it to a nearer one */
  observed: number;
  duplicates: number;
  /** valid readings of the day before or after, which that day's run takes into its silver (ingestDays.ts) */
  adjacentDay: number;
  filled: number;
  missing: number;
  /** rows of the day's registry snapshot (silver_device_registry) */
  registryDevices: number;
  runId: string;
}

/** Why the run's totals do not add up to the records it read, or null when every record is accounted for. */
export function unaccounted(r: Pick<IngestResult, 'recordsRead' | 'quarantined' | 'observed' | 'duplicates' | 'adjacentDay'>): string | null {
  const quarantined = Object.values(r.quarantined).reduce((s, n) => s + n!, 0);
  const accounted = r.observed + r.duplicates + quarantined + r.adjacentDay;
  if (accounted === r.recordsRead) return null;
  return `${r.recordsRead} records read, but ${accounted} accounted for: ${r.observed} observed + ${r.duplicates} duplicates in silver, ${quarantined} quarantined, ${r.adjacentDay} of an adjacent day`;
}

export async function runIngest(args: readonly string[], topicDir: string, partitions: number, writerFor: (bucket: string) => ObjectWriter, progress = true, workers = availableParallelism()): Promise<IngestResult> {
  const a = parseJobArgs(args, INGEST_FLAGS);
  const date = a['--date'];
  const days = runDays(date, a['--time-zone'], { startMs: Number(a['--start-ms']), endMs: Number(a['--end-ms']) });
  const runId = a['--run-id'];
  const quarantine: QuarantineRecord[] = [];
  const quarantined: Partial<Record<QuarantineReason, number>> = {};
  // the plant's registry as it is now, checked before the topic is read: a bad one fails the run at once, naming the row
  const registryUri = a['--registry-uri'];
  const registryObject = objectOf(registryUri);
  const registryReader = writerFor(registryObject.bucket);
  if (!registryReader.getText) throw new Error(`ingest: the store of ${registryUri} cannot be read`);
  const registryText = await registryReader.getText(registryObject.key);
  if (registryText === null) throw new Error(missingRegistry(registryUri));
  const registry = parseRegistry(registryText, registryUri);
  const result: IngestResult = { devices: 0, recordsRead: 0, quarantined, observed: 0, duplicates: 0, adjacentDay: 0, filled: 0, missing: 0, registryDevices: registry.length, runId };
  const bar = progress ? new Progress('ingest', partitions, 'partitions') : null;
  const writer = writerFor(bucketOf(a['--silver-uri']));
  const pool = await WorkerPool.start<PartitionRequest, PartitionIngest>(join(__dirname, 'ingestWorker'), Math.min(workers, partitions));

  // A device's records are all in one partition (the key is its id), so partitions are
  // independent; except a record published under another device's key: set aside, it counts
  // in the row of the device it names (as Spark groups by deviceId), which the device's own
  // partition writes. Such strays are handed to that partition when it is taken up; one taken
  // up before they were found is read again at the end, and its part file replaced.
  const strays = Array.from({ length: partitions }, () => new Map<string, number>());
  const requested = new Array<boolean>(partitions).fill(false);
  const stale = new Set<number>();
  const request = (p: number) => {
    requested[p] = true;
    const r = pool.request({ topicDir, partition: p, partitions, days, strays: [...strays[p]!] });
    r.catch(() => undefined); // awaited in order below; a later partition's failure must not go unhandled meanwhile
    return r;
  };

  // each partition's silver part and counts; a partition read again replaces its own
  const files: CommitMarker['files'] = [];
  const fileOf = new Array<number | null>(partitions).fill(null);
  const counts: Pick<PartitionIngest, 'recordsRead' | 'rows' | 'observed' | 'duplicates' | 'adjacentDay' | 'filled' | 'missing'>[] = [];
  async function putSilver(r: PartitionIngest): Promise<void> {
    counts[r.partition] = { recordsRead: r.recordsRead, rows: r.rows, observed: r.observed, duplicates: r.duplicates, adjacentDay: r.adjacentDay, filled: r.filled, missing: r.missing };
    let index = fileOf[r.partition] ?? null;
    if (index === null) {
      if (r.rows === 0 && files.length > 0) return; // an empty part after the first is left out (publishEncodedParts)
      index = fileOf[r.partition] = files.length;
    }
    // a replaced part is overwritten before the commit marker names any file: no reader sees the first
    files[index] = await putPart(writer, 'silver_device_day', date, runId, index, { bytes: r.silver, rows: r.rows, ...(r.minDeviceId !== undefined && r.maxDeviceId !== undefined ? { minDeviceId: r.minDeviceId, maxDeviceId: r.maxDeviceId } : {}) });
  }

  // partitions taken up in order, one per worker, and handed on in order, so at most one partition per worker is in memory
  async function readPartitions(list: readonly number[], take: (r: PartitionIngest) => void): Promise<void> {
    const running: Promise<PartitionIngest>[] = [];
    let next = 0;
    while (next < Math.min(pool.size, list.length)) running.push(request(list[next++]!));
    while (running.length > 0) {
      const r = await running.shift()!;
      take(r);
      if (next < list.length) running.push(request(list[next++]!));
      await putSilver(r);
    }
  }

  try {
    await readPartitions(
      Array.from({ length: partitions }, (_, p) => p),
      (r) => {
        result.recordsRead += r.recordsRead;
        for (const [reason, n] of Object.entries(r.quarantined)) quarantined[reason as QuarantineReason] = (quarantined[reason as QuarantineReason] ?? 0) + n;
        // partition order, then Kafka order: the stable sort below keeps ties as they always were
        quarantine.push(...r.quarantine);
        for (const [id, n] of r.strays) {
          const own = partitionOf(id, partitions);
          strays[own]!.set(id, (strays[own]!.get(id) ?? 0) + n);
          if (requested[own]) stale.add(own);
        }
        bar?.tick();
      },
    );
    const first = counts.map((c) => c.recordsRead);
    await readPartitions([...stale].sort((x, y) => x - y), (r) => {
      if (r.recordsRead !== first[r.partition]) throw new Error(`topic partition ${r.partition} changed while the ingest read it (${first[r.partition]} records, then ${r.recordsRead})`);
    });
    for (const c of counts) {
      result.devices += c.rows;
      result.observed += c.observed;
      result.duplicates += c.duplicates;
      result.adjacentDay += c.adjacentDay;
      result.filled += c.filled;
      result.missing += c.missing;
    }
    // a record lost between the topic and silver must fail the run, not vanish from a committed day
    const lost = unaccounted(result);
    if (lost) throw new Error(`ingest of ${date}: ${lost}; nothing committed`);
    // before any commit: the part files already put are under this run's folder, which no marker names
    const refusal = emptyDayRefusal(date, { recordsRead: result.recordsRead, quarantined: quarantine.length, valid: result.observed + result.duplicates });
    if (refusal) throw new Error(refusal);
    // the day's registry snapshot before the device-days: the predict job starts from silver_device_day's
    // marker and must find the registry the same run read (a rerun of the day writes the registry of its time)
    await publishPartition(writer, 'silver_device_registry', date, runId, registry, { rowGroupSize: 10_000 });
    await commitPartition(writer, 'silver_device_day', date, runId, files);
    // < and > compare a bigint timestamp (past 2^53) with a number exactly; subtraction would throw
    const order = <T extends string | number | bigint>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);
    quarantine.sort((x, y) => order(x.deviceId ?? '', y.deviceId ?? '') || order<number | bigint>(x.timestamp ?? 0, y.timestamp ?? 0));
    await publishSortedChunks(writer, 'silver_quarantine', date, runId, [quarantine]);
  } finally {
    await pool.close();
  }
  bar?.finish(`${result.devices} devices, ${result.recordsRead.toLocaleString('en-US')} records, ${Object.values(quarantined).reduce((s, n) => s + n!, 0)} quarantined`);
  return result;
}

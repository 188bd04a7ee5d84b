/**
 * Publishing a date partition by the contract's commit protocol: sort the rows,
 * write the run's Parquet part files under date=…/run=…/, then write the commit
 * marker in one PUT. Readers only ever see complete runs.
 */
import { writeTableParquet } from './parquet';
import { TABLES_CONTRACT } from './generated';
import { commitKey, dataKey, TABLES, type CommitMarker, type TableName } from './tableSpecs';

export interface ObjectWriter {
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  /** removes an object (superseded runs); absent objects are not an error */
  delete?(key: string): Promise<void>;
  /** an object's text, or null (to find the run a new commit supersedes) */
  getText?(key: string): Promise<string | null>;
}

export interface PublishOptions {
  /** rows per Parquet file (the API prunes files by their device range) */
  rowsPerFile?: number;
  /** rows per row group (the API prunes row groups by device statistics) */
  rowGroupSize?: number;
  inputRunId?: string;
  now?: () => Date;
}

function compare(sortBy: readonly string[]) {
  return (a: Record<string, unknown>, b: Record<string, unknown>): number => {
    for (const k of sortBy) {
      const x = a[k] as string | number;
      const y = b[k] as string | number;
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  };
}

/** A Parquet part file already written (writeTableParquet or TableParquetWriter), with its rows' device range. */
export interface EncodedPart {
  bytes: Uint8Array;
  rows: number;
  minDeviceId?: string;
  maxDeviceId?: string;
}

/**
 * Publishes a partition from chunks of rows already in sortBy order (one Parquet
 * file each): memory holds one chunk at a time. The marker is written last.
 */
export async function publishSortedChunks(writer: ObjectWriter, table: TableName, date: string, runId: string, chunks: Iterable<readonly object[]>, options: PublishOptions = {}): Promise<CommitMarker> {
  function* encoded(): Generator<EncodedPart> {
    for (const chunk of chunks) {
      const records = chunk as readonly Record<string, unknown>[];
      yield { bytes: new Uint8Array(writeTableParquet(table, records, options.rowGroupSize)), rows: records.length, ...deviceRange(records) };
    }
  }
  return publishEncodedParts(writer, table, date, runId, encoded(), options);
}

/**
 * Publishes a partition from part files written elsewhere (worker threads), in
 * order; an empty part after the first is left out. The marker is written last.
 */
export async function publishEncodedParts(writer: ObjectWriter, table: TableName, date: string, runId: string, parts: Iterable<EncodedPart> | AsyncIterable<EncodedPart>, options: PublishOptions = {}): Promise<CommitMarker> {
  const files: CommitMarker['files'] = [];
  let rows = 0;
  let part = 0;
  for await (const p of parts) {
    if (p.rows === 0 && part > 0) continue;
    const key = dataKey(table, date, runId, part++);
    await writer.put(key, p.bytes, 'application/vnd.apache.parquet');
    rows += p.rows;
    files.push({
      key,
      rows: p.rows,
      bytes: p.bytes.byteLength,
      ...(p.minDeviceId !== undefined && p.maxDeviceId !== undefined ? { minDeviceId: p.minDeviceId, maxDeviceId: p.maxDeviceId } : {}),
    });
  }
  const marker: CommitMarker = {
    table,
    date,
    runId,
    files,
    rows,
    committedAt: (options.now?.() ?? new Date()).toISOString(),
    contractVersion: TABLES_CONTRACT.version,
    ...(options.inputRunId ? { inputRunId: options.inputRunId } : {}),
  };
  // the previous run of the day, if any: its files go once the new marker is in place
  const previous = writer.getText ? await writer.getText(commitKey(table, date)) : null;
  await writer.put(commitKey(table, date), `${JSON.stringify(marker)}\n`, 'application/json');
  if (previous && writer.delete) {
    const old = JSON.parse(previous) as CommitMarker;
    if (old.runId !== runId) for (const f of old.files) await writer.delete(f.key);
  }
  return marker;
}

/** Sorts the rows by the table's sortBy and publishes them in files of rowsPerFile rows. */
export async function publishPartition(writer: ObjectWriter, table: TableName, date: string, runId: string, rows: readonly object[], options: PublishOptions = {}): Promise<CommitMarker> {
  const sorted = [...(rows as readonly Record<string, unknown>[])].sort(compare(TABLES[table].sortBy));
  const perFile = options.rowsPerFile ?? 1_000_000;
  const chunks: Record<string, unknown>[][] = [];
  for (let start = 0; start < sorted.length; start += perFile) chunks.push(sorted.slice(start, start + perFile));
  if (chunks.length === 0) chunks.push([]);
  return publishSortedChunks(writer, table, date, runId, chunks, options);
}

/**
 * The file's device range for readers that skip files. Computed over the rows rather
 * than read off the first and last: not every table is sorted by device (quarantine
 * keeps Kafka order) and undecodable readings have no device. Omitted when no row has one.
 */
export function deviceRange(records: readonly Record<string, unknown>[]): { minDeviceId?: string; maxDeviceId?: string } {
  let min: string | undefined;
  let max: string | undefined;
  for (const r of records) {
    const id = r.deviceId;
    if (typeof id !== 'string') continue;
    if (min === undefined || id < min) min = id;
    if (max === undefined || id > max) max = id;
  }
  return min !== undefined && max !== undefined ? { minDeviceId: min, maxDeviceId: max } : {};
}

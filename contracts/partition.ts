/**
 * Publishing a date partition by the contract's commit protocol: sort the rows,
 * write the run's Parquet part files under date=…/run=…/, then write the commit
 * marker in one PUT. Readers only ever see complete runs.
 */
import { TableParquetWriter, writeTableParquet } from './parquet';
import { TABLES_CONTRACT } from './generated';
import { commitKey, dataKey, parseCommitMarker, parseSupersededRun, SUPERSEDED_GRACE_MS, supersededKey, supersededPrefix, TABLES, type CommitMarker, type SupersededRun, type TableName } from './tableSpecs';

export interface ObjectWriter {
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  /** removes an object (superseded runs); absent objects are not an error */
  delete?(key: string): Promise<void>;
  /** an object's text, or null (to find the run a new commit supersedes) */
  getText?(key: string): Promise<string | null>;
  /** the keys under a prefix (to find the superseded runs whose grace is over) */
  list?(prefix: string): Promise<string[]>;
}

export interface PublishOptions {
  /** rows per Parquet file (the API prunes files by their device range) */
  rowsPerFile?: number;
  /** rows per row group (the API prunes row groups by device statistics) */
  rowGroupSize?: number;
  inputRunId?: string;
  now?: () => Date;
  /** how long superseded runs' files are kept (the contract's SUPERSEDED_GRACE_MS; tests shorten it) */
  supersededGraceMs?: number;
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
  for await (const p of parts) {
    if (p.rows === 0 && files.length > 0) continue;
    files.push(await putPart(writer, table, date, runId, files.length, p));
  }
  return commitPartition(writer, table, date, runId, files, options);
}

/** Writes part file number `index` of a run; it stays invisible until commitPartition names it. */
export async function putPart(writer: ObjectWriter, table: TableName, date: string, runId: string, index: number, p: EncodedPart): Promise<CommitMarker['files'][number]> {
  const key = dataKey(table, date, runId, index);
  await writer.put(key, p.bytes, 'application/vnd.apache.parquet');
  return { key, rows: p.rows, bytes: p.bytes.byteLength, ...(p.minDeviceId !== undefined && p.maxDeviceId !== undefined ? { minDeviceId: p.minDeviceId, maxDeviceId: p.maxDeviceId } : {}) };
}

/**
 * Writes the run's commit marker over its part files (one PUT). The run it replaces
 * is recorded first (supersededKey) and its files are kept for the grace period, so
 * a reader holding the old marker still finds them; then the table's superseded runs
 * whose grace is over are deleted (sweepSuperseded).
 */
export async function commitPartition(writer: ObjectWriter, table: TableName, date: string, runId: string, files: CommitMarker['files'], options: PublishOptions = {}): Promise<CommitMarker> {
  const now = options.now?.() ?? new Date();
  const marker: CommitMarker = {
    table,
    date,
    runId,
    files,
    rows: files.reduce((n, f) => n + f.rows, 0),
    committedAt: now.toISOString(),
    contractVersion: TABLES_CONTRACT.version,
    ...(options.inputRunId ? { inputRunId: options.inputRunId } : {}),
  };
  const previous = writer.getText ? await writer.getText(commitKey(table, date)) : null;
  const replaced = previous === null ? null : readableMarker(previous, table, date);
  // recorded before the marker moves on: a crash in between leaves a record of the still-committed run, which the sweep drops
  if (replaced && replaced.runId !== runId) {
    const record: SupersededRun = { ...replaced, supersededAt: now.toISOString(), supersededBy: runId };
    await writer.put(supersededKey(table, date, replaced.runId), `${JSON.stringify(record)}\n`, 'application/json');
  }
  await writer.put(commitKey(table, date), `${JSON.stringify(marker)}\n`, 'application/json');
  await sweepSuperseded(writer, table, now.getTime(), options.supersededGraceMs ?? SUPERSEDED_GRACE_MS);
  return marker;
}

/** A marker as committed, or null when it cannot be read as one (its files are then left alone, never guessed at). */
function readableMarker(text: string, table: TableName, date: string): CommitMarker | null {
  try {
    return parseCommitMarker(text, { table, date });
  } catch {
    return null;
  }
}

/**
 * Deletes the files of the table's superseded runs whose grace is over, then their
 * records. A run that is the committed one again (a record left by a crash between
 * the record and the marker) only loses its record. Returns the runs deleted.
 */
export async function sweepSuperseded(writer: ObjectWriter, table: TableName, nowMs: number, graceMs: number): Promise<string[]> {
  if (!writer.list || !writer.delete || !writer.getText) return [];
  const deleted: string[] = [];
  const pattern = new RegExp(`^${escapeRegExp(supersededPrefix(table))}date=(\\d{4}-\\d{2}-\\d{2})/run=([A-Za-z0-9_-]+)\\.json$`);
  for (const key of await writer.list(supersededPrefix(table))) {
    const m = pattern.exec(key);
    if (!m) continue;
    const date = m[1]!;
    const text = await writer.getText(key);
    if (text === null) continue; // swept by a concurrent commit
    let record: SupersededRun;
    try {
      record = parseSupersededRun(text, { table, date });
    } catch {
      continue; // not ours to judge: left for an operator, never deleted on a guess
    }
    if (nowMs - Date.parse(record.supersededAt) < graceMs) continue;
    const current = await writer.getText(commitKey(table, date));
    const committed = current === null ? null : readableMarker(current, table, date);
    if (committed?.runId !== record.runId) {
      for (const f of record.files) await writer.delete(f.key);
      deleted.push(record.runId);
    }
    await writer.delete(key);
  }
  return deleted;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The part files publishPartition would write for rows that arrive already in
 * sortBy order, written as they arrive: files of rowsPerFile rows in row groups of
 * rowGroupSize, the same bytes, with one row group of rows held at a time.
 */
export class SortedPartsWriter {
  private file: TableParquetWriter | null = null;
  private group: Record<string, unknown>[] = [];
  private inFile = 0;
  private parts = 0;
  private min: string | undefined;
  private max: string | undefined;

  constructor(
    private readonly table: TableName,
    private readonly options: Pick<PublishOptions, 'rowsPerFile' | 'rowGroupSize'> = {},
  ) {}

  /** Takes the next rows; returns the part files they completed. */
  add(rows: readonly object[]): EncodedPart[] {
    const done: EncodedPart[] = [];
    const perFile = this.options.rowsPerFile ?? 1_000_000;
    const perGroup = this.options.rowGroupSize ?? 10_000;
    for (const row of rows as readonly Record<string, unknown>[]) {
      this.file ??= new TableParquetWriter(this.table, perGroup);
      this.group.push(row);
      this.inFile++;
      const id = row.deviceId;
      if (typeof id === 'string') {
        if (this.min === undefined || id < this.min) this.min = id;
        if (this.max === undefined || id > this.max) this.max = id;
      }
      if (this.group.length === perGroup || this.inFile === perFile) {
        this.file.write(this.group);
        this.group = [];
      }
      if (this.inFile === perFile) done.push(this.closeFile());
    }
    return done;
  }

  /** The last part file (an empty one if no row came at all, as publishPartition writes). */
  finish(): EncodedPart[] {
    if (this.file) {
      this.file.write(this.group);
      this.group = [];
      return [this.closeFile()];
    }
    return this.parts === 0 ? [{ bytes: new Uint8Array(writeTableParquet(this.table, [], this.options.rowGroupSize)), rows: 0 }] : [];
  }

  private closeFile(): EncodedPart {
    const part: EncodedPart = { bytes: new Uint8Array(this.file!.finish()), rows: this.inFile, ...(this.min !== undefined && this.max !== undefined ? { minDeviceId: this.min, maxDeviceId: this.max } : {}) };
    this.file = null;
    this.inFile = 0;
    this.min = this.max = undefined;
    this.parts++;
    return part;
  }
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

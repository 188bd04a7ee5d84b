/**
 * Reads the tables (gold for the API, silver for the predict job) by the contract: the day's commit marker names the files;
 * a file's Parquet footer is fetched once (small initial read) and cached across
 * warm invocations; row groups whose deviceId min/max cannot hold the device are
 * skipped; only the requested columns are read, over ranged GETs.
 */
import { parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { commitKey, parseCommitMarker, type CommitMarker, type TableName } from '../../contracts';
import { normaliseRow } from '../../contracts/parquetRows';


/** The object store the gold bucket lives in (S3 on AWS, s3rver in tests). */
export interface ObjectStore {
  /** the object's text, or null when there is no such object */
  getText(key: string): Promise<string | null>;
  /** bytes [start, end) of an object */
  getRange(key: string, start: number, end: number): Promise<ArrayBuffer>;
}

/** The store is throttling or unavailable: the client should retry later. */
export class StoreUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
    this.name = 'StoreUnavailable';
  }
}

export interface ReadStats {
  requests: number;
  bytes: number;
}

const MARKER_TTL_MS = 60_000;

/**
 * A file's footer and what a device lookup asks of it on every call, worked out
 * once: walking hundreds of row groups' metadata objects per lookup cost more
 * CPU than decoding the rows found.
 */
interface FileIndex {
  metadata: FileMetaData;
  /** the first row of each row group, and the row count after the last */
  starts: number[];
  /** whether a row group's deviceId statistics allow the device (no statistics: it may) */
  mayHold(group: number, deviceId: string): boolean;
}

function fileIndex(metadata: FileMetaData): FileIndex {
  const idColumn = metadata.row_groups[0]?.columns.findIndex((c) => c.meta_data?.path_in_schema.join('.') === 'deviceId') ?? -1;
  const starts = [0];
  const mins: (string | undefined)[] = [];
  const maxs: (string | undefined)[] = [];
  for (const group of metadata.row_groups) {
    starts.push(starts[starts.length - 1]! + Number(group.num_rows));
    const st = idColumn >= 0 ? group.columns[idColumn]?.meta_data?.statistics : undefined;
    mins.push(st?.min_value as string | undefined);
    maxs.push(st?.max_value as string | undefined);
  }
  return {
    metadata,
    starts,
    mayHold: (g, deviceId) => {
      const min = mins[g];
      const max = maxs[g];
      return min === undefined || max === undefined || (deviceId >= min && deviceId <= max);
    },
  };
}
const FOOTER_INITIAL_FETCH = 64 * 1024;

export class TableReader {
  private readonly markers = new Map<string, { at: number; marker: CommitMarker | null }>();
  private readonly footers = new Map<string, Promise<FileIndex>>();
  /** whole-table reads (the day's summaries for /faults), per committed run: a rerun has a new run id */
  private readonly tables = new Map<string, Promise<Record<string, unknown>[]>>();
  readonly stats: ReadStats = { requests: 0, bytes: 0 };

  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The day's commit marker (cached a minute: a rerun replaces it), or null if the day has no data. */
  async marker(table: TableName, date: string): Promise<CommitMarker | null> {
    const key = commitKey(table, date);
    const hit = this.markers.get(key);
    if (hit && this.now() - hit.at < MARKER_TTL_MS) return hit.marker;
    this.stats.requests++;
    const text = await this.store.getText(key);
    const marker = text === null ? null : parseCommitMarker(text, { table, date });
    if (text) this.stats.bytes += text.length;
    this.markers.set(key, { at: this.now(), marker });
    return marker;
  }

  private file(key: string, bytes: number) {
    return {
      byteLength: bytes,
      slice: async (start: number, end?: number): Promise<ArrayBuffer> => {
        const stop = end ?? bytes;
        this.stats.requests++;
        this.stats.bytes += stop - start;
        return this.store.getRange(key, start, stop);
      },
    };
  }

  private footer(key: string, bytes: number): Promise<FileIndex> {
    // files of a run never change (a rerun writes new keys), so their footers are cached for good
    let index = this.footers.get(key);
    if (!index) {
      index = parquetMetadataAsync(this.file(key, bytes), { initialFetchSize: FOOTER_INITIAL_FETCH }).then(fileIndex);
      this.footers.set(key, index);
      index.catch(() => this.footers.delete(key));
    }
    return index;
  }

  /** The rows of one device in one day's table, reading only the row groups that can hold it. */
  async deviceRows(table: TableName, date: string, deviceId: string, columns: string[]): Promise<{ marker: CommitMarker; rows: Record<string, unknown>[] } | null> {
    const marker = await this.marker(table, date);
    if (!marker) return null;
    const rows: Record<string, unknown>[] = [];
    const wanted = columns.includes('deviceId') ? columns : ['deviceId', ...columns];
    for (const f of marker.files) {
      if ((f.minDeviceId !== undefined && deviceId < f.minDeviceId) || (f.maxDeviceId !== undefined && deviceId > f.maxDeviceId)) continue;
      const index = await this.footer(f.key, f.bytes);
      const groups = index.metadata.row_groups.length;
      for (let first = 0; first < groups; first++) {
        if (!index.mayHold(first, deviceId)) continue;
        let last = first;
        while (last + 1 < groups && index.mayHold(last + 1, deviceId)) last++;
        // hyparquet plans a read over every row group of the metadata it is given: a footer of just these groups keeps that to one or two
        const metadata = { ...index.metadata, row_groups: index.metadata.row_groups.slice(first, last + 1), num_rows: BigInt(index.starts[last + 1]! - index.starts[first]!) };
        // one ranged GET for the column chunks of these row groups, then read from memory
        const file = await this.prefetched(f.key, f.bytes, metadata, wanted);
        // the device is a few rows of hundreds: find them by the id column alone, then turn only those rows into objects
        const ids = await parquetReadObjects({ file, metadata, columns: ['deviceId'] });
        const from = ids.findIndex((r) => r.deviceId === deviceId);
        if (from >= 0) {
          let to = ids.length;
          while (ids[to - 1]?.deviceId !== deviceId) to--;
          const part = await parquetReadObjects({ file, metadata, columns: wanted, rowStart: from, rowEnd: to });
          for (const r of part) if (r.deviceId === deviceId) rows.push(normaliseRow(table, r));
        }
        first = last;
      }
    }
    return { marker, rows };
  }

  /** The file as an AsyncBuffer whose bytes for the given row groups and columns are fetched in one request. */
  private async prefetched(key: string, bytes: number, metadata: FileMetaData, columns: string[]) {
    let lo = Infinity;
    let hi = 0;
    for (const group of metadata.row_groups) {
      for (const chunk of group.columns) {
        const m = chunk.meta_data;
        if (!m || !columns.includes(m.path_in_schema[0]!)) continue;
        const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
        lo = Math.min(lo, start, Number(m.data_page_offset));
        hi = Math.max(hi, start + Number(m.total_compressed_size), Number(m.data_page_offset) + Number(m.total_compressed_size));
      }
    }
    const direct = this.file(key, bytes);
    if (!(hi > lo)) return direct;
    const span = await direct.slice(lo, hi);
    return {
      byteLength: bytes,
      slice: async (start: number, end?: number): Promise<ArrayBuffer> => {
        const stop = end ?? bytes;
        return start >= lo && stop <= hi ? span.slice(start - lo, stop - lo) : direct.slice(start, stop);
      },
    };
  }

  /** All rows of a day's table, for the given columns (gold_daily is one row per device). */
  async tableRows(table: TableName, date: string, columns: string[]): Promise<{ marker: CommitMarker; rows: Record<string, unknown>[] } | null> {
    const marker = await this.marker(table, date);
    if (!marker) return null;
    const key = `${table}/${date}/${marker.runId}/${columns.join(',')}`;
    let rows = this.tables.get(key);
    if (!rows) {
      rows = (async () => {
        const out: Record<string, unknown>[] = [];
        for (const f of marker.files) {
          const { metadata } = await this.footer(f.key, f.bytes);
          for (const r of await parquetReadObjects({ file: this.file(f.key, f.bytes), metadata, columns })) out.push(normaliseRow(table, r));
        }
        return out;
      })();
      // a few days at most: bounded memory in a warm Lambda
      if (this.tables.size >= 8) this.tables.delete(this.tables.keys().next().value!);
      this.tables.set(key, rows);
      rows.catch(() => this.tables.delete(key));
    }
    return { marker, rows: await rows };
  }
}

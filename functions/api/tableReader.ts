/**
 * Reads the tables (gold for the API, silver for the predict job) by the contract: the day's commit marker names the files;
 * a file's Parquet footer is fetched once (small initial read) and cached across
 * warm invocations; row groups whose deviceId min/max cannot hold the device are
 * skipped; only the requested columns are read, over ranged GETs.
 *
 * Reruns: a cached marker may name a run a rerun has since replaced. Its files are
 * kept for the contract's grace period, so they are still read; should one be gone
 * all the same, the marker is read again and the read retried once. A read can also
 * ask for a given run (the API answers a device's windows from the run of its daily
 * summary), found in the current marker or in the superseded-run record.
 */
import { parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { commitKey, commitPrefix, parseCommitMarker, parseSupersededRun, supersededKey, type CommitMarker, type TableName } from '../../contracts';
import { columnsInFile, normaliseRow } from '../../contracts/parquetRows';
import { BoundedCache } from './boundedCache';


/** The object store the gold bucket lives in (S3 on AWS, s3rver in tests). */
export interface ObjectStore {
  /** the object's text, or null when there is no such object */
  getText(key: string): Promise<string | null>;
  /** bytes [start, end) of an object */
  getRange(key: string, start: number, end: number): Promise<ArrayBuffer>;
  /** every key under the prefix (the days a table has are its commit markers' keys) */
  listKeys(prefix: string): Promise<string[]>;
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

/** An object the marker names is not in the store (a rerun's cleanup, or a broken day). */
export class ObjectMissing extends Error {
  constructor(readonly key: string) {
    super(`no object ${key}`);
    this.name = 'ObjectMissing';
  }
}

export interface ReadStats {
  requests: number;
  bytes: number;
}

const MARKER_TTL_MS = 60_000;
const MARKER_REREAD_MS = 50;

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

/**
 * What the caches may hold in a warm Lambda (1,769 MB): the sizes are estimates of
 * the heap an entry keeps (a parsed marker ~4× its JSON; a decoded footer ~8× its
 * Thrift bytes; a table's rows ~48 bytes a value), generous enough that a dashboard's
 * working set (a few days, every file of them) stays cached.
 */
export const CACHE_LIMITS = {
  markers: { entries: 2_000, bytes: 8 << 20 },
  footers: { entries: 2_000, bytes: 64 << 20 },
  tables: { entries: 8, bytes: 256 << 20 },
};

/** Markers and superseded-run records held by the cache; a null marker (no such day) is cached too. */
interface MarkerEntry {
  at: number;
  marker: CommitMarker | null;
}

/** A device's rows of a day's table and the commit marker of the run they are from. */
export interface DeviceRows {
  marker: CommitMarker;
  rows: Record<string, unknown>[];
}

export class TableReader {
  private readonly markers = new BoundedCache<string, MarkerEntry>(CACHE_LIMITS.markers.entries, CACHE_LIMITS.markers.bytes);
  private readonly footers = new BoundedCache<string, Promise<FileIndex>>(CACHE_LIMITS.footers.entries, CACHE_LIMITS.footers.bytes);
  /** whole-table reads (the day's summaries for /faults), per committed run: a rerun has a new run id */
  private readonly tables = new BoundedCache<string, Promise<Record<string, unknown>[]>>(CACHE_LIMITS.tables.entries, CACHE_LIMITS.tables.bytes);
  /** the committed days per table (one small list each: at most a few thousand dates) */
  private readonly dateLists = new Map<TableName, { at: number; dates: string[] }>();
  readonly stats: ReadStats = { requests: 0, bytes: 0 };

  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** What the caches hold, for tests and logs. */
  cacheSizes(): Record<'markers' | 'footers' | 'tables', { entries: number; bytes: number }> {
    return {
      markers: { entries: this.markers.size, bytes: this.markers.bytes },
      footers: { entries: this.footers.size, bytes: this.footers.bytes },
      tables: { entries: this.tables.size, bytes: this.tables.bytes },
    };
  }

  /** The day's commit marker (cached a minute: a rerun replaces it; fresh: read it now), or null if the day has no data. */
  async marker(table: TableName, date: string, fresh = false): Promise<CommitMarker | null> {
    const key = commitKey(table, date);
    const hit = fresh ? undefined : this.markers.get(key);
    if (hit && this.now() - hit.at < MARKER_TTL_MS) return hit.marker;
    let text = await this.readText(key);
    let marker: CommitMarker | null;
    try {
      marker = text === null ? null : parseCommitMarker(text, { table, date });
    } catch {
      // S3 replaces an object atomically, but not every S3 API does (s3rver writes in place): a half-written marker is read
      // once more before it is refused
      await new Promise((r) => setTimeout(r, MARKER_REREAD_MS));
      text = await this.readText(key);
      marker = text === null ? null : parseCommitMarker(text, { table, date });
    }
    this.markers.set(key, { at: this.now(), marker }, markerBytes(key, text));
    return marker;
  }

  /**
   * The days the table has a committed run of, newest first: its commit markers'
   * keys, listed (cached as long as a marker: a new day appears within a minute).
   */
  async committedDates(table: TableName): Promise<string[]> {
    const prefix = commitPrefix(table);
    const hit = this.dateLists.get(table);
    if (hit && this.now() - hit.at < MARKER_TTL_MS) return hit.dates;
    this.stats.requests++;
    const dates: string[] = [];
    for (const key of await this.store.listKeys(prefix)) {
      const date = /^date=(\d{4}-\d{2}-\d{2})\.json$/.exec(key.slice(prefix.length))?.[1];
      if (date) dates.push(date);
    }
    dates.sort().reverse();
    this.dateLists.set(table, { at: this.now(), dates });
    return dates;
  }

  private async readText(key: string): Promise<string | null> {
    this.stats.requests++;
    const text = await this.store.getText(key);
    if (text) this.stats.bytes += text.length;
    return text;
  }

  /**
   * The marker of a given run of the day: the committed one (read again if the cached
   * one names another run), else the record of that run if a rerun superseded it
   * within the grace period; null if neither names it.
   */
  async runMarker(table: TableName, date: string, runId: string, fresh = false): Promise<CommitMarker | null> {
    for (const reread of fresh ? [true] : [false, true]) {
      const m = await this.marker(table, date, reread);
      if (m?.runId === runId) return m;
    }
    const key = supersededKey(table, date, runId);
    // a record never changes while it exists (a miss is not cached: the record may appear any moment); fresh: it may be gone
    const hit = fresh ? undefined : this.markers.get(key);
    if (hit?.marker) return hit.marker;
    const text = await this.readText(key);
    if (text === null) return null;
    const record = parseSupersededRun(text, { table, date });
    this.markers.set(key, { at: this.now(), marker: record }, markerBytes(key, text));
    return record;
  }

  /**
   * Runs a read of the day's files; when a file is missing (a rerun removed the run
   * the cached marker named) reads the marker again and retries once. A second
   * miss is not a rerun's doing: logged, and answered as unavailable.
   */
  private async withRetry<T>(table: TableName, date: string, read: (fresh: boolean) => Promise<T>): Promise<T> {
    try {
      return await read(false);
    } catch (err) {
      if (!(err instanceof ObjectMissing)) throw err;
      this.footers.delete(err.key);
    }
    try {
      return await read(true);
    } catch (err) {
      if (!(err instanceof ObjectMissing)) throw err;
      this.footers.delete(err.key);
      console.error(JSON.stringify({ level: 'error', message: `${table} ${date}: the committed marker names ${err.key}, which is missing after a fresh read of the marker` }));
      throw new StoreUnavailable(`${table} ${date}: files of the committed run are missing`);
    }
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
    // files of a run never change (a rerun writes new keys), so their footers are cached until evicted
    let index = this.footers.get(key);
    if (!index) {
      const pending = parquetMetadataAsync(this.file(key, bytes), { initialFetchSize: FOOTER_INITIAL_FETCH }).then(fileIndex);
      index = pending;
      this.footers.set(key, pending, Math.min(bytes, FOOTER_INITIAL_FETCH) * 8);
      pending.then(
        (i) => this.footers.resize(key, pending, i.metadata.metadata_length * 8 + 1024),
        () => this.footers.delete(key),
      );
    }
    return index;
  }

  /**
   * The rows of one device in one day's table, reading only the row groups that can
   * hold it; of the committed run, or of the given run (null if no marker names it).
   */
  async deviceRows(table: TableName, date: string, deviceId: string, columns: string[], runId?: string): Promise<DeviceRows | null> {
    return this.withRetry(table, date, async (fresh) => {
      const marker = runId === undefined ? await this.marker(table, date, fresh) : await this.runMarker(table, date, runId, fresh);
      return marker ? { marker, rows: await this.rowsOfDevice(marker, table, deviceId, columns) } : null;
    });
  }

  private async rowsOfDevice(marker: CommitMarker, table: TableName, deviceId: string, columns: string[]): Promise<Record<string, unknown>[]> {
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
          const part = await parquetReadObjects({ file, metadata, columns: columnsInFile(metadata, wanted), rowStart: from, rowEnd: to });
          for (const r of part) if (r.deviceId === deviceId) rows.push(normaliseRow(table, r));
        }
        first = last;
      }
    }
    return rows;
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

  /**
   * A device's gold windows and day summary, both of one run: the summary's. The
   * predict job commits the two tables one after the other, and their markers are
   * cached apart, so during a rerun they may name different runs; the superseded run's
   * windows are kept while its grace lasts. Should that run be gone from both places
   * (a summary marker older than any reader should hold), the summary is read again
   * from a fresh marker; if its windows are not there yet, StoreUnavailable (503).
   */
  async deviceDay(date: string, deviceId: string, windowColumns: string[], dailyColumns: string[]): Promise<{ windows: DeviceRows; daily: DeviceRows } | null> {
    // both reads settle before either failure is thrown: a read left running would outlive the answer (and its caller's store)
    const settled = await Promise.allSettled([this.deviceRows('gold_window', date, deviceId, windowColumns), this.deviceRows('gold_daily', date, deviceId, dailyColumns)]);
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    let [windows, daily] = settled.map((s) => (s as PromiseFulfilledResult<DeviceRows | null>).value);
    if (daily && windows?.marker.runId !== daily.marker.runId) {
      windows = await this.deviceRows('gold_window', date, deviceId, windowColumns, daily.marker.runId);
      if (!windows) {
        daily = await this.deviceRows('gold_daily', date, deviceId, dailyColumns, (await this.marker('gold_daily', date, true))?.runId);
        windows = daily && (await this.deviceRows('gold_window', date, deviceId, windowColumns, daily.marker.runId));
        if (daily && !windows) throw new StoreUnavailable(`gold_window ${date}: no run matches gold_daily's ${daily.marker.runId} yet`);
      }
    }
    return windows && daily ? { windows, daily } : null;
  }

  /** All rows of a day's table, for the given columns (gold_daily is one row per device). */
  async tableRows(table: TableName, date: string, columns: string[]): Promise<{ marker: CommitMarker; rows: Record<string, unknown>[] } | null> {
    return this.withRetry(table, date, async (fresh) => {
      const marker = await this.marker(table, date, fresh);
      return marker ? { marker, rows: await this.wholeTable(marker, table, columns) } : null;
    });
  }

  private wholeTable(marker: CommitMarker, table: TableName, columns: string[]): Promise<Record<string, unknown>[]> {
    const key = `${table}/${marker.date}/${marker.runId}/${columns.join(',')}`;
    let rows = this.tables.get(key);
    if (!rows) {
      const pending = (async () => {
        const out: Record<string, unknown>[] = [];
        for (const f of marker.files) {
          const { metadata } = await this.footer(f.key, f.bytes);
          for (const r of await parquetReadObjects({ file: this.file(f.key, f.bytes), metadata, columns: columnsInFile(metadata, columns) })) out.push(normaliseRow(table, r));
        }
        return out;
      })();
      rows = pending;
      this.tables.set(key, pending, marker.rows * columns.length * 48);
      pending.catch(() => this.tables.delete(key));
    }
    return rows;
  }
}

function markerBytes(key: string, text: string | null): number {
  return 2 * key.length + 4 * (text?.length ?? 0) + 256;
}

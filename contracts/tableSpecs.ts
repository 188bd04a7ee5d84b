/**
 * The silver and gold table contract at run time: expanded column lists, S3 keys
 * of the date partitions and of their commit markers, and the plant-local date.
 */
import { FAULT_CLASSES, TABLES_CONTRACT, type TableName } from './generated';

export type { TableName };
export type ColumnType = 'string' | 'int32' | 'int64' | 'float32' | 'float64' | 'float32[]' | 'int32[]';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
  doc: string;
}

export interface TableSpec {
  name: TableName;
  bucket: 'silver' | 'gold';
  prefix: string;
  sortBy: readonly string[];
  /** the oldest tables-contract version whose files today's readers still read */
  readableFrom: number;
  columns: readonly ColumnSpec[];
}

type Contract = typeof TABLES_CONTRACT;
export type QuarantineReason = Exclude<keyof Contract['quarantineReasons'], 'doc'>;
export type SkipReason = Exclude<keyof Contract['skipReasons'], 'doc'>;
export type QualityCode = Exclude<keyof Contract['qualityCodes'], 'doc'>;

export const GRID_STEP_MS: number = TABLES_CONTRACT.grid.stepMs;
/** How long after a day's end its readings may still be published (and still count for it). */
export const LATENESS_MS: number = TABLES_CONTRACT.lateness.maxMs;
export const QUALITY: Readonly<Record<QualityCode, number>> = {
  observed: TABLES_CONTRACT.qualityCodes.observed,
  filled: TABLES_CONTRACT.qualityCodes.filled,
  missing: TABLES_CONTRACT.qualityCodes.missing,
};
export const QUARANTINE_REASONS = Object.keys(TABLES_CONTRACT.quarantineReasons).filter((k) => k !== 'doc') as QuarantineReason[];
export const SKIP_REASONS = Object.keys(TABLES_CONTRACT.skipReasons).filter((k) => k !== 'doc') as SkipReason[];

function expandColumns(columns: Contract['tables'][TableName]['columns']): ColumnSpec[] {
  const out: ColumnSpec[] = [];
  for (const col of columns) {
    const base = { type: col.type as ColumnType, nullable: 'nullable' in col && col.nullable === true, doc: 'doc' in col ? col.doc : '' };
    if ('forEachClass' in col && col.forEachClass) {
      for (const c of FAULT_CLASSES) out.push({ ...base, name: col.name.replace('{class}', c) });
    } else {
      out.push({ ...base, name: col.name });
    }
  }
  return out;
}

export const TABLES: Readonly<Record<TableName, TableSpec>> = Object.fromEntries(
  (Object.keys(TABLES_CONTRACT.tables) as TableName[]).map((name) => {
    const t = TABLES_CONTRACT.tables[name];
    return [name, { name, bucket: t.bucket, prefix: t.prefix, sortBy: t.sortBy, readableFrom: t.readableFrom, columns: expandColumns(t.columns) }];
  }),
) as unknown as Record<TableName, TableSpec>;

const DATE_RE = new RegExp(TABLES_CONTRACT.storage.datePattern);
const RUN_ID_RE = new RegExp(TABLES_CONTRACT.storage.runIdPattern);

/** A YYYY-MM-DD string naming a real calendar date (2026-02-30 is rejected). */
export function isValidDate(date: string): boolean {
  if (!DATE_RE.test(date)) return false;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

export function isValidRunId(runId: string): boolean {
  return RUN_ID_RE.test(runId);
}

function requireDate(date: string): void {
  if (!isValidDate(date)) throw new Error(`date: ${JSON.stringify(date)} is not a calendar date in YYYY-MM-DD form`);
}

/** S3 key of one data file of a run of a date partition. */
export function dataKey(table: TableName, date: string, runId: string, part: number): string {
  requireDate(date);
  if (!isValidRunId(runId)) throw new Error(`runId: ${JSON.stringify(runId)} does not match ${RUN_ID_RE.source}`);
  if (!Number.isInteger(part) || part < 0 || part > 99999) throw new Error(`part: ${part} is not an integer in 0..99999`);
  return TABLES_CONTRACT.storage.dataKey
    .replace('{prefix}', TABLES[table].prefix)
    .replace('{date}', date)
    .replace('{runId}', runId)
    .replace('{part}', String(part).padStart(5, '0'));
}

/** S3 key of the commit marker that publishes a date partition. */
export function commitKey(table: TableName, date: string): string {
  requireDate(date);
  return TABLES_CONTRACT.storage.commitKey.replace('{prefix}', TABLES[table].prefix).replace('{date}', date);
}

/** The folder every commit marker of a table lies under: listing it gives the days the table has. */
export function commitPrefix(table: TableName): string {
  return TABLES_CONTRACT.storage.commitKey.replace('{prefix}', TABLES[table].prefix).replace(/date=\{date\}.*$/, '');
}

/** How long a superseded run's files are kept after a rerun replaced them (see tables.json storage.doc). */
export const SUPERSEDED_GRACE_MS: number = TABLES_CONTRACT.storage.supersededGraceMs;

/** S3 key of the record of a superseded run of a date partition (its old marker, kept while its files are). */
export function supersededKey(table: TableName, date: string, runId: string): string {
  requireDate(date);
  if (!isValidRunId(runId)) throw new Error(`runId: ${JSON.stringify(runId)} does not match ${RUN_ID_RE.source}`);
  return TABLES_CONTRACT.storage.supersededKey.replace('{prefix}', TABLES[table].prefix).replace('{date}', date).replace('{runId}', runId);
}

/** The folder every superseded-run record of a table lies under (listed by each commit to sweep expired runs). */
export function supersededPrefix(table: TableName): string {
  return TABLES_CONTRACT.storage.supersededKey.replace('{prefix}', TABLES[table].prefix).replace(/date=\{date\}.*$/, '');
}

/** The commit marker: the only way readers find a date's files. */
export interface CommitMarker {
  table: TableName;
  date: string;
  runId: string;
  /** the files of the run; min/max deviceId let readers skip files without opening them */
  files: { key: string; rows: number; bytes: number; minDeviceId?: string; maxDeviceId?: string }[];
  rows: number;
  committedAt: string;
  contractVersion: number;
  /** the run of the input partition this one was computed from (gold → silver) */
  inputRunId?: string;
}

/** A run a rerun replaced: its marker as it was, when and by which run; its files stay for SUPERSEDED_GRACE_MS. */
export interface SupersededRun extends CommitMarker {
  supersededAt: string;
  supersededBy: string;
}

/** Parses a superseded-run record like a marker, and checks its two extra fields. */
export function parseSupersededRun(text: string, expected: { table: TableName; date: string }): SupersededRun {
  const m = parseCommitMarker(text, expected) as SupersededRun;
  if (typeof m.supersededAt !== 'string' || Number.isNaN(Date.parse(m.supersededAt))) throw new Error(`superseded run record for ${expected.table} ${expected.date}: supersededAt is not an ISO time`);
  if (typeof m.supersededBy !== 'string' || !isValidRunId(m.supersededBy)) throw new Error(`superseded run record for ${expected.table} ${expected.date}: supersededBy is not a valid run id`);
  return m;
}

/** A day written under a version of the tables contract its table is not readable from (tables.json readableFrom), or a newer one: readers cannot serve it until it is rerun. */
export class ContractVersionMismatch extends Error {
  constructor(
    readonly table: TableName,
    readonly date: string,
    readonly found: unknown,
  ) {
    super(`commit marker for ${table} ${date}: contractVersion is ${String(found)}, expected ${readableVersions(table)}`);
    this.name = 'ContractVersionMismatch';
  }
}

/** Whether today's readers read a table's day written under contract version v: from the table's readableFrom up to this version. */
export function isReadableVersion(table: TableName, v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= TABLES_CONTRACT.tables[table].readableFrom && (v as number) <= TABLES_CONTRACT.version;
}

function readableVersions(table: TableName): string {
  // widened: no table is readable from this version alone today, one may be again after an upgrade
  const from: number = TABLES_CONTRACT.tables[table].readableFrom;
  return from === TABLES_CONTRACT.version ? String(from) : `${from} to ${TABLES_CONTRACT.version}`;
}

/** Parses and checks a commit marker read from S3; throws naming the bad field. */
export function parseCommitMarker(text: string, expected: { table: TableName; date: string }): CommitMarker {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new Error(`commit marker for ${expected.table} ${expected.date}: not JSON`);
  }
  const fail = (field: string, why: string): never => {
    throw new Error(`commit marker for ${expected.table} ${expected.date}: ${field} ${why}`);
  };
  if (typeof m !== 'object' || m === null) return fail('(root)', 'is not an object');
  const c = m as Record<string, unknown>;
  if (c.table !== expected.table) fail('table', `is ${JSON.stringify(c.table)}`);
  if (c.date !== expected.date) fail('date', `is ${JSON.stringify(c.date)}`);
  if (typeof c.runId !== 'string' || !isValidRunId(c.runId)) fail('runId', 'is not a valid run id');
  if (!Array.isArray(c.files)) return fail('files', 'is not a list');
  const prefix = dataKey(expected.table, expected.date, c.runId as string, 0).replace(/part-\d{5}\.parquet$/, '');
  for (const f of c.files as unknown[]) {
    const file = f as Record<string, unknown>;
    if (typeof file?.key !== 'string' || !file.key.startsWith(prefix) || file.key.includes('..')) fail('files', `holds a key outside ${prefix}`);
    if (!Number.isInteger(file.rows) || !Number.isInteger(file.bytes)) fail('files', 'holds an entry without integer rows/bytes');
    for (const k of ['minDeviceId', 'maxDeviceId']) if (file[k] !== undefined && typeof file[k] !== 'string') fail('files', `holds a non-string ${k}`);
  }
  if (!Number.isInteger(c.rows)) fail('rows', 'is not an integer');
  if (typeof c.committedAt !== 'string') fail('committedAt', 'is not a string');
  if (!isReadableVersion(expected.table, c.contractVersion)) throw new ContractVersionMismatch(expected.table, expected.date, c.contractVersion);
  return c as unknown as CommitMarker;
}

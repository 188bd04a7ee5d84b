/**
 * Reading a committed day of any table through its commit marker, from any ObjectStore,
 * and comparing two engines' rows column by column as the contract lists them — no
 * column named here, so the comparison follows tables.json as it changes.
 */
import { parquetReadObjects } from 'hyparquet';
import { TABLES, type CommitMarker, type TableName } from '../../contracts';
import { normaliseRow } from '../../contracts/parquetRows';
import { TableReader, type ObjectStore } from '../../functions/api/tableReader';
export { FolderStore } from '../../local/folderStore';

export interface CommittedTable {
  marker: CommitMarker;
  rows: Record<string, unknown>[];
}

/** Every row of the committed run of a table's day (the marker is validated by the reader), in file order. */
export async function committedTable(store: ObjectStore, table: TableName, date: string): Promise<CommittedTable> {
  const marker = await new TableReader(store).marker(table, date, true);
  if (!marker) throw new Error(`${table} ${date}: no commit marker`);
  const rows: Record<string, unknown>[] = [];
  for (const f of marker.files) {
    const file = await store.getRange(f.key, 0, f.bytes);
    const fileRows = await parquetReadObjects({ file });
    if (fileRows.length !== f.rows) throw new Error(`${table} ${f.key}: the marker says ${f.rows} rows, the file holds ${fileRows.length}`);
    for (const r of fileRows) {
      const row = normaliseRow(table, r);
      // an int64 past 2^53 stays the bigint it was read as: Number() would make two engines' different values equal
      for (const c of TABLES[table].columns) if (c.type === 'int64' && typeof r[c.name] === 'bigint' && !Number.isSafeInteger(row[c.name])) row[c.name] = r[c.name];
      rows.push(row);
    }
  }
  return { marker, rows };
}

type Column = (typeof TABLES)[TableName]['columns'][number];

function isFloat(c: Column): boolean {
  return JSON.stringify(c).includes('float');
}

/** Parquet lists arrive as typed arrays or arrays, bigints for int64: one plain form for comparing and printing. */
function plain(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  return v;
}

function near(x: unknown, y: unknown, tolerance: number): boolean {
  if (ArrayBuffer.isView(x)) x = Array.from(x as unknown as ArrayLike<number>);
  if (ArrayBuffer.isView(y)) y = Array.from(y as unknown as ArrayLike<number>);
  if (typeof x === 'number' && typeof y === 'number') {
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
    return Math.abs(x - y) <= tolerance * Math.max(1, Math.abs(x));
  }
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => near(v, y[i], tolerance));
  return x === y || (x === null && y === undefined) || (x === undefined && y === null);
}

function exactKey(c: Column[], r: Record<string, unknown>): string {
  return JSON.stringify(c.filter((col) => !isFloat(col)).map((col) => r[col.name]), plain);
}

/**
 * The differences between two engines' rows of a table (at most `limit`): rows are
 * matched by all their non-float columns (each engine may order ties differently);
 * float columns must agree within `tolerance` (relative above 1), every other column exactly.
 */
export function tableDifferences(table: TableName, a: Record<string, unknown>[], b: Record<string, unknown>[], tolerance: number, limit = 10): string[] {
  const columns = TABLES[table].columns as readonly Column[];
  const out: string[] = [];
  if (a.length !== b.length) out.push(`${table}: ${a.length} rows against ${b.length}`);
  const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => ({ k: exactKey([...columns], r), r })).sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0));
  const [x, y] = [sorted(a), sorted(b)];
  for (let i = 0; i < Math.min(x.length, y.length) && out.length < limit; i++) {
    for (const c of columns) {
      const [u, v] = [x[i]!.r[c.name], y[i]!.r[c.name]];
      const same = isFloat(c) ? near(u, v, tolerance) : exactKey([c], x[i]!.r) === exactKey([c], y[i]!.r);
      if (!same) out.push(`${table} row ${i} (${String(x[i]!.r.deviceId)}) ${c.name}: ${JSON.stringify(u, plain)?.slice(0, 120)} against ${JSON.stringify(v, plain)?.slice(0, 120)}`);
    }
  }
  return out;
}

/**
 * Rows read back by hyparquet, in the contract's JavaScript types. Kept apart from
 * the writer so that readers (the API Lambda) do not bundle hyparquet-writer.
 */
import { parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { isRequiredPrimitiveList, readRequiredLists, type ChunkLists } from './parquetListReader';
import { TABLES, type TableName } from './tableSpecs';

/** A row read by hyparquet, in the contract's JavaScript types (int64 → number, lists → typed arrays). */
export function normaliseRow(table: TableName, raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const col of TABLES[table].columns) {
    if (!(col.name in raw)) continue;
    const v = raw[col.name];
    if (v === null || v === undefined) out[col.name] = null;
    else if (col.type === 'int64') out[col.name] = Number(v);
    else if (col.type === 'float32[]') out[col.name] = Float32Array.from(v as number[]);
    else if (col.type === 'int32[]') out[col.name] = Int32Array.from(v as number[]);
    else out[col.name] = v;
  }
  return out;
}

/**
 * The asked columns the file holds. A day written under an older contract version a
 * table is still readable from (tables.json readableFrom) lacks the nullable columns
 * added since; hyparquet refuses a column a file does not have, so readers ask for
 * these only, and rows leave the others out (read as absent, like null).
 */
export function columnsInFile(metadata: FileMetaData, columns: readonly string[]): string[] {
  const names = new Set(metadata.schema.map((s) => s.name));
  return columns.filter((c) => names.has(c));
}

/**
 * The rows of row group `group` of a table's file, in the contract's JavaScript
 * types, with the given columns. List columns of the shape readRequiredLists
 * handles (silver's series) are decoded straight into typed arrays, one per row;
 * the other columns, and any chunk it does not handle, go through hyparquet.
 */
export async function readRowGroupRows(table: TableName, file: AsyncBuffer, metadata: FileMetaData, group: number, columns: readonly string[]): Promise<Record<string, unknown>[]> {
  const rowStart = metadata.row_groups.slice(0, group).reduce((n, g) => n + Number(g.num_rows), 0);
  const rowEnd = rowStart + Number(metadata.row_groups[group]!.num_rows);
  const rows = rowEnd - rowStart;
  const lists = new Map<string, ChunkLists>();
  for (const col of TABLES[table].columns) {
    if (!columns.includes(col.name) || !col.type.endsWith('[]') || !isRequiredPrimitiveList(metadata.schema, col.name)) continue;
    const meta = metadata.row_groups[group]!.columns.find((c) => c.meta_data?.path_in_schema[0] === col.name)?.meta_data;
    if (!meta) continue;
    const first = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
    const chunk = new Uint8Array(await file.slice(first, first + Number(meta.total_compressed_size)));
    let read: ChunkLists | null = null;
    try {
      read = readRequiredLists(chunk, meta);
    } catch {
      // a chunk the fast path chokes on goes to hyparquet's general path, which reads it or says what is wrong
    }
    if (read && read.rowStarts.length === rows + 1) lists.set(col.name, read);
  }
  const rest = columnsInFile(metadata, columns).filter((c) => !lists.has(c));
  const raw = rest.length > 0 ? await parquetReadObjects({ file, metadata, columns: rest, rowStart, rowEnd }) : Array.from({ length: rows }, () => ({}));
  return raw.map((r, i) => {
    const row = normaliseRow(table, r);
    // slices, not views: a view would carry the whole chunk's buffer into postMessage
    for (const [name, l] of lists) row[name] = l.values.slice(l.rowStarts[i]!, l.rowStarts[i + 1]!);
    return row;
  });
}

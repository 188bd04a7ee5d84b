/**
 * Rows read back by hyparquet, in the contract's JavaScript types. Kept apart from
 * the writer so that readers (the API Lambda) do not bundle hyparquet-writer.
 */
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

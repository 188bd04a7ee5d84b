/**
 * The tables of contracts/tables.json as Parquet: the schema each column type maps
 * to, writing rows (hyparquet-writer) and normalising rows read back (hyparquet).
 *   string → BYTE_ARRAY (UTF8) · int32 → INT32 · int64 → INT64 · float32 → FLOAT ·
 *   float64 → DOUBLE · X[] → 3-level LIST of required X
 * Files are sorted by the table's sortBy columns; row groups carry min/max
 * statistics (untruncated, so device ids prune exactly).
 */
import type { SchemaElement } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { TABLES, type ColumnSpec, type TableName } from './tableSpecs';

const PHYSICAL: Record<string, Partial<SchemaElement>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  int32: { type: 'INT32' },
  int64: { type: 'INT64' },
  float32: { type: 'FLOAT' },
  float64: { type: 'DOUBLE' },
};

function columnSchema(col: ColumnSpec): SchemaElement[] {
  const repetition_type = col.nullable ? 'OPTIONAL' : 'REQUIRED';
  if (col.type.endsWith('[]')) {
    const element = PHYSICAL[col.type.slice(0, -2)]!;
    return [
      { name: col.name, repetition_type, converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', repetition_type: 'REQUIRED', ...element } as SchemaElement,
    ];
  }
  return [{ name: col.name, repetition_type, ...PHYSICAL[col.type] } as SchemaElement];
}

export function parquetSchemaOf(table: TableName): SchemaElement[] {
  const cols = TABLES[table].columns;
  return [{ name: 'root', num_children: cols.length }, ...cols.flatMap(columnSchema)];
}

function columnValues(col: ColumnSpec, rows: readonly Record<string, unknown>[]): unknown[] {
  return rows.map((row, i) => {
    const v = row[col.name];
    if (v === null || v === undefined) {
      if (!col.nullable) throw new Error(`${col.name}: row ${i} has no value and the column is not nullable`);
      return null;
    }
    if (col.type === 'int64') return BigInt(v as number);
    if (col.type.endsWith('[]')) return Array.from(v as ArrayLike<number>);
    return v;
  });
}

/** Writes rows of a table as one Parquet file; rows must already be in sortBy order. */
export function writeTableParquet(table: TableName, rows: readonly Record<string, unknown>[], rowGroupSize = 10_000): ArrayBuffer {
  const spec = TABLES[table];
  return parquetWriteBuffer({
    columnData: spec.columns.map((col) => ({ name: col.name, data: columnValues(col, rows) as never })),
    schema: parquetSchemaOf(table),
    rowGroupSize,
    statisticsTruncateLength: Infinity,
    kvMetadata: [{ key: 'pv-fault.table', value: table }],
  });
}

/**
 * The tables of contracts/tables.json as Parquet: the schema each column type maps
 * to, writing rows (hyparquet-writer) and normalising rows read back (hyparquet).
 *   string → BYTE_ARRAY (UTF8) · int32 → INT32 · int64 → INT64 · float32 → FLOAT ·
 *   float64 → DOUBLE · X[] → 3-level LIST of required X
 * Files are sorted by the table's sortBy columns; row groups carry min/max
 * statistics (untruncated, so device ids prune exactly).
 */
import type { SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter, parquetWriteBuffer } from 'hyparquet-writer';
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

const fileOptions = (table: TableName) => ({ schema: parquetSchemaOf(table), statisticsTruncateLength: Infinity, kvMetadata: [{ key: 'pv-fault.table', value: table }] });

/** Writes rows of a table as one Parquet file; rows must already be in sortBy order. */
export function writeTableParquet(table: TableName, rows: readonly Record<string, unknown>[], rowGroupSize = 10_000): ArrayBuffer {
  const spec = TABLES[table];
  return parquetWriteBuffer({
    columnData: spec.columns.map((col) => ({ name: col.name, data: columnValues(col, rows) as never })),
    rowGroupSize,
    ...fileOptions(table),
  });
}

/**
 * The same file as writeTableParquet, written a few row groups at a time, so that
 * only those rows need converting (and holding) at once. Every call but the last
 * must bring a whole number of row groups; the bytes are then writeTableParquet's.
 */
export class TableParquetWriter {
  private readonly bytes = new ByteWriter();
  private readonly parquet: ParquetWriter;
  private finished = false;
  private ragged = false;
  rows = 0;

  constructor(
    private readonly table: TableName,
    private readonly rowGroupSize = 10_000,
  ) {
    this.parquet = new ParquetWriter({ writer: this.bytes, ...fileOptions(table) });
  }

  write(rows: readonly Record<string, unknown>[]): void {
    if (this.finished) throw new Error('TableParquetWriter: write after finish');
    if (rows.length === 0) return;
    if (this.ragged) throw new Error(`TableParquetWriter: only the last write may hold a partial row group of ${this.rowGroupSize} rows`);
    this.ragged = rows.length % this.rowGroupSize !== 0;
    const spec = TABLES[this.table];
    void this.parquet.write({ columnData: spec.columns.map((col) => ({ name: col.name, data: columnValues(col, rows) as never })), rowGroupSize: this.rowGroupSize });
    this.rows += rows.length;
  }

  finish(): ArrayBuffer {
    this.finished = true;
    void this.parquet.finish();
    return this.bytes.getBuffer();
  }
}

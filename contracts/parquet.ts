/**
 * The tables of contracts/tables.json as Parquet: the schema each column type maps
 * to, writing rows (hyparquet-writer) and normalising rows read back (hyparquet).
 *   string → BYTE_ARRAY (UTF8) · int32 → INT32 · int64 → INT64 · float32 → FLOAT ·
 *   float64 → DOUBLE · X[] → 3-level LIST of required X
 * Files are sorted by the table's sortBy columns; row groups carry min/max
 * statistics (untruncated, so device ids prune exactly).
 */
import type { SchemaElement, SchemaTree } from 'hyparquet';
import { ByteWriter, ParquetWriter, parquetWriteBuffer } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { encodeNestedValues } from 'hyparquet-writer/src/dremel.js';
import { schemaPathResolver } from 'hyparquet-writer/src/schema.js';
import type { PageData } from 'hyparquet-writer/src/types.js';
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

function missingValue(column: string, row: number): Error {
  return new Error(`${column}: row ${row} has no value and the column is not nullable`);
}

function columnValues(col: ColumnSpec, rows: readonly Record<string, unknown>[]): unknown[] {
  return rows.map((row, i) => {
    const v = row[col.name];
    if (v === null || v === undefined) {
      if (!col.nullable) throw missingValue(col.name, i);
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

/** A column's leaves (its primitive descendants), each as the schema path from the root. */
function leafPaths(path: SchemaTree[]): SchemaTree[][] {
  const node = path[path.length - 1]!;
  return node.children.length === 0 ? [path] : node.children.flatMap((child) => leafPaths([...path, child]));
}

/**
 * Dremel levels of a required 3-level LIST of required values, which is what
 * hyparquet-writer's general walk (encodeNestedValues) gives for it, without the walk
 * per value that made it two thirds of the ingest's CPU: a list's first value has
 * repetition level 0, the others 1, all definition level 1; an empty list is one
 * undefined slot at levels 0. Typed arrays are read as they are (the walk needs arrays).
 */
function requiredListLevels(rows: readonly unknown[], column: string): PageData {
  let total = 0;
  for (let r = 0; r < rows.length; r++) {
    const list = rows[r] as ArrayLike<number> | null | undefined;
    if (list === null || list === undefined) throw missingValue(column, r);
    total += Math.max(1, list.length);
  }
  // filled, not pushed: growing three arrays value by value was most of this function's time
  const values = new Array<unknown>(total);
  const definitionLevels = new Array<number>(total).fill(1);
  const repetitionLevels = new Array<number>(total).fill(1);
  let k = 0;
  for (let r = 0; r < rows.length; r++) {
    const list = rows[r] as ArrayLike<number>;
    const n = list.length;
    repetitionLevels[k] = 0;
    if (n === 0) {
      values[k] = undefined;
      definitionLevels[k++] = 0;
      continue;
    }
    for (let i = 0; i < n; i++) values[k++] = list[i];
  }
  return { values, definitionLevels, repetitionLevels, maxDefinitionLevel: 1 };
}

/** The parts of hyparquet-writer's ParquetWriter a row group is recorded in (public fields of its class). */
interface ParquetWriterState {
  writer: ByteWriter;
  codec: string;
  compressors: Record<string, unknown>;
  statistics: boolean;
  statisticsTruncateLength?: number;
  pendingIndexes: unknown[];
  row_groups: { columns: unknown[]; total_byte_size: bigint; num_rows: bigint; total_compressed_size: bigint }[];
  num_rows: bigint;
}

/**
 * The same file as writeTableParquet, written a few row groups at a time, so that
 * only those rows need converting (and holding) at once. Every call but the last
 * must bring a whole number of row groups; the bytes are then writeTableParquet's.
 * Row groups are laid out here as ParquetWriter.write lays them out (hyparquet-writer's
 * column writer, the same options), with the list columns' levels from
 * requiredListLevels; test/contracts/parquet.test.ts holds the bytes to writeTableParquet's.
 */
export class TableParquetWriter {
  private readonly bytes = new ByteWriter();
  private readonly parquet: ParquetWriter;
  private readonly state: ParquetWriterState;
  /** per table column: its leaves, each with the column encoder settings hyparquet-writer's writeColumn takes */
  private readonly columns: { spec: ColumnSpec; leaves: { path: SchemaTree[]; encoder: object }[]; fastList: boolean }[];
  private finished = false;
  private ragged = false;
  rows = 0;

  constructor(
    private readonly table: TableName,
    private readonly rowGroupSize = 10_000,
  ) {
    this.parquet = new ParquetWriter({ writer: this.bytes, ...fileOptions(table) });
    this.state = this.parquet as unknown as ParquetWriterState;
    const resolve = schemaPathResolver(parquetSchemaOf(table));
    const st = this.state;
    this.columns = TABLES[table].columns.map((spec) => {
      const leaves = leafPaths(resolve([spec.name])).map((path) => {
        const schemaPath = path.map((node) => node.element);
        // ParquetWriter.write's defaults: 1 MiB pages, offset index on, column index off
        const encoder = {
          columnName: schemaPath.slice(1).map((e) => e.name).join('.'),
          element: schemaPath[schemaPath.length - 1]!,
          schemaPath,
          codec: st.codec,
          compressors: st.compressors,
          stats: st.statistics,
          statisticsTruncateLength: st.statisticsTruncateLength,
          pageSize: 1_048_576,
          dictionarySize: undefined,
          columnIndex: false,
          offsetIndex: true,
          encoding: undefined,
          bloomFilter: undefined,
        };
        return { path, encoder };
      });
      const schemaPath = leaves[0]!.encoder.schemaPath;
      const fastList = leaves.length === 1 && schemaPath.length === 4 && schemaPath[1]!.repetition_type === 'REQUIRED' && schemaPath[2]!.repetition_type === 'REPEATED' && schemaPath[3]!.repetition_type === 'REQUIRED';
      return { spec, leaves, fastList };
    });
  }

  write(rows: readonly Record<string, unknown>[]): void {
    if (this.finished) throw new Error('TableParquetWriter: write after finish');
    if (rows.length === 0) return;
    if (this.ragged) throw new Error(`TableParquetWriter: only the last write may hold a partial row group of ${this.rowGroupSize} rows`);
    this.ragged = rows.length % this.rowGroupSize !== 0;
    for (let at = 0; at < rows.length; at += this.rowGroupSize) this.writeGroup(rows.slice(at, at + this.rowGroupSize));
    this.rows += rows.length;
  }

  private writeGroup(rows: readonly Record<string, unknown>[]): void {
    const st = this.state;
    const groupStart = st.writer.offset;
    const chunks: unknown[] = [];
    for (const { spec, leaves, fastList } of this.columns) {
      const data = fastList ? rows.map((row) => row[spec.name]) : columnValues(spec, rows);
      for (const leaf of leaves) {
        const pageData = fastList ? requiredListLevels(data, spec.name) : encodeNestedValues(leaf.path, data as never);
        const result = writeColumn({ writer: st.writer, column: leaf.encoder, pageData });
        chunks.push(result.chunk);
        st.pendingIndexes.push(result);
      }
    }
    let totalBytes = 0n;
    for (const c of chunks as { meta_data?: { total_uncompressed_size?: bigint } }[]) totalBytes += c.meta_data?.total_uncompressed_size ?? 0n;
    st.num_rows += BigInt(rows.length);
    st.row_groups.push({ columns: chunks, total_byte_size: totalBytes, num_rows: BigInt(rows.length), total_compressed_size: BigInt(st.writer.offset - groupStart) });
  }

  finish(): ArrayBuffer {
    this.finished = true;
    void this.parquet.finish();
    return this.bytes.getBuffer();
  }
}

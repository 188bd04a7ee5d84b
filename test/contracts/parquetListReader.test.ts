/** The fast reader of silver's list columns gives hyparquet's rows, and steps aside for what it does not handle. */
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { writeTableParquet } from '../../contracts/parquet';
import { isRequiredPrimitiveList, readRequiredLists } from '../../contracts/parquetListReader';
import { normaliseRow, readRowGroupRows } from '../../contracts/parquetRows';
import { TABLES } from '../../contracts';
import { expectSameValues } from '../helpers/tolerance';

const SILVER_COLUMNS = TABLES.silver_device_day.columns.map((c) => c.name);
const LIST_COLUMNS = TABLES.silver_device_day.columns.filter((c) => c.type.endsWith('[]')).map((c) => c.name);

/** Device-days of `samples` slots: daylight values, NaN nights, all-NaN days (dictionary-encoded) and empty days. */
function silverRows(count: number, samples: (i: number) => number) {
  return Array.from({ length: count }, (_, i) => {
    const n = samples(i);
    const night = i % 7 === 3;
    const series = (k: number) => Float32Array.from({ length: n }, (_, s) => (night || s < n / 3 || s > (2 * n) / 3 ? Number.NaN : 300 + Math.sin(s * 0.01 * k + i) * 20 * k));
    return {
      deviceId: `PV-${String(i).padStart(6, '0')}`,
      startMs: 1_763_506_800_000,
      stepMs: 20_000,
      samples: n,
      voltage: series(1),
      current: series(2),
      temperature: series(3),
      irradiance: series(4),
      quality: Int32Array.from({ length: n }, (_, s) => (s < n / 3 ? 3 : s % 5 === 0 ? 1 : 0)),
      received: n,
      quarantined: i % 3,
      duplicates: 0,
      observed: n,
      filled: 0,
      missing: 0,
    };
  });
}

async function bothWays(bytes: ArrayBuffer) {
  const file = { byteLength: bytes.byteLength, slice: (s: number, e?: number) => bytes.slice(s, e) };
  const metadata = parquetMetadata(bytes);
  let rowStart = 0;
  for (let g = 0; g < metadata.row_groups.length; g++) {
    const rowEnd = rowStart + Number(metadata.row_groups[g]!.num_rows);
    // the fast path itself reads every list chunk (a null would fall back to hyparquet and hide a bug)
    for (const name of LIST_COLUMNS) {
      const meta = metadata.row_groups[g]!.columns.find((c) => c.meta_data?.path_in_schema[0] === name)!.meta_data!;
      const first = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
      expect(readRequiredLists(new Uint8Array(bytes, first, Number(meta.total_compressed_size)), meta)?.rowStarts).toHaveLength(rowEnd - rowStart + 1);
    }
    const fast = await readRowGroupRows('silver_device_day', file, metadata, g, SILVER_COLUMNS);
    const general = (await parquetReadObjects({ file, metadata, columns: SILVER_COLUMNS, rowStart, rowEnd })).map((r) => normaliseRow('silver_device_day', r));
    expect(fast).toHaveLength(general.length);
    fast.forEach((row, i) => {
      for (const name of SILVER_COLUMNS) {
        const a = row[name];
        const b = general[i]![name];
        if (ArrayBuffer.isView(b)) {
          expect(a).toBeInstanceOf(b.constructor);
          // each row its own buffer: a view of the chunk would carry all of it through postMessage
          expect((a as Float32Array).buffer.byteLength).toBe((a as Float32Array).byteLength);
          expectSameValues(a as Float32Array, b as Float32Array, `group ${g} row ${i} ${name}`);
        } else expect(a).toEqual(b);
      }
    });
    rowStart = rowEnd;
  }
}

describe('readRowGroupRows with the list reader', () => {
  it('reads full days over several pages, all-NaN (dictionary) days and empty days as hyparquet does', async () => {
    // 64 × 4,320 floats: 1.1 MB per list chunk, past the writer's 1 MiB pages, so lists run across pages
    const rows = silverRows(70, (i) => (i % 13 === 5 ? 0 : 4320));
    await bothWays(writeTableParquet('silver_device_day', rows, 64));
  });

  it('reads small groups and short lists', async () => {
    await bothWays(writeTableParquet('silver_device_day', silverRows(9, (i) => 10 + i), 4));
  });

  it('takes silver\'s list columns, and only them', () => {
    const metadata = parquetMetadata(writeTableParquet('silver_device_day', silverRows(2, () => 5), 4));
    for (const name of SILVER_COLUMNS) expect(isRequiredPrimitiveList(metadata.schema, name)).toBe(LIST_COLUMNS.includes(name));
    expect(isRequiredPrimitiveList(metadata.schema, 'nothing')).toBe(false);
  });

  it('steps aside (null) for a chunk whose pages do not account for its values', () => {
    const bytes = writeTableParquet('silver_device_day', silverRows(4, () => 30), 4);
    const metadata = parquetMetadata(bytes);
    const meta = metadata.row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema[0] === 'voltage')!.meta_data!;
    const first = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
    const chunk = new Uint8Array(bytes, first, Number(meta.total_compressed_size));
    expect(readRequiredLists(chunk, meta)?.rowStarts).toEqual(Int32Array.from([0, 30, 60, 90, 120]));
    expect(readRequiredLists(chunk, { ...meta, num_values: meta.num_values + 1n })).toBeNull();
    expect(readRequiredLists(chunk, { ...meta, type: 'DOUBLE' })).toBeNull();
  });

  it('fails on a chunk no reader can decode by naming the cause, and reads the group\'s other columns', async () => {
    const bytes = writeTableParquet('silver_device_day', silverRows(4, () => 30), 4);
    const metadata = parquetMetadata(bytes);
    const file = { byteLength: bytes.byteLength, slice: (s: number, e?: number) => bytes.slice(s, e) };
    // metadata naming a codec neither reader has: the fast path throws, hyparquet's general path then refuses it by name
    const brotli = { ...metadata, row_groups: [{ ...metadata.row_groups[0]!, columns: metadata.row_groups[0]!.columns.map((c) => (c.meta_data?.path_in_schema[0] === 'voltage' ? { ...c, meta_data: { ...c.meta_data!, codec: 'BROTLI' as const } } : c)) }] };
    const meta = brotli.row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema[0] === 'voltage')!.meta_data!;
    const first = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
    expect(() => readRequiredLists(new Uint8Array(bytes, first, Number(meta.total_compressed_size)), meta)).toThrow();
    await expect(readRowGroupRows('silver_device_day', file, brotli, 0, ['deviceId', 'voltage'])).rejects.toThrow(/BROTLI/);
    // the other columns of the same group still take the fast path
    const rows = await readRowGroupRows('silver_device_day', file, brotli, 0, ['deviceId', 'current']);
    expect(rows.map((r) => r.deviceId)).toEqual(['PV-000000', 'PV-000001', 'PV-000002', 'PV-000003']);
    expect(rows[0]!.current).toBeInstanceOf(Float32Array);
  });
});

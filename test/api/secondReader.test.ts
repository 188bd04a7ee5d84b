/**
 * Gold files written by our writer are standard Parquet: Apache Arrow's Rust reader
 * (parquet-wasm) reads them back to the same rows and types as hyparquet does.
 */
import { tableFromIPC } from 'apache-arrow';
import { parquetReadObjects } from 'hyparquet';
import { TABLES, type TableName } from '../../contracts';
import { writeTableParquet } from '../../contracts/parquet';
import { normaliseRow } from '../../contracts/parquetRows';
import { deviceDayRows } from '../helpers/goldFixture';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parquetWasm = require('parquet-wasm/node') as { readParquet(bytes: Uint8Array): { intoIPCStream(): Uint8Array } };

function arrowRows(bytes: ArrayBuffer): { fields: Record<string, string>; rows: Record<string, unknown>[] } {
  const table = tableFromIPC(parquetWasm.readParquet(new Uint8Array(bytes)).intoIPCStream());
  const fields = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
  const rows = table.toArray().map((r) => {
    const o = r.toJSON() as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'bigint') o[k] = Number(v);
      else if (v && typeof v === 'object' && 'toArray' in v) o[k] = Array.from((v as { toArray(): ArrayLike<number> }).toArray());
    }
    return o;
  });
  return { fields, rows };
}

const ARROW_TYPE: Record<string, string> = { string: 'Utf8', int32: 'Int32', int64: 'Int64', float32: 'Float32', float64: 'Float64', 'float32[]': 'List<Float32>', 'int32[]': 'List<Int32>' };

describe('a second Parquet reader (Apache Arrow, Rust) agrees with ours', () => {
  const days = [1, 2, 3, 4].map((d) => deviceDayRows(d, d, '2026-11-18'));
  const cases: [TableName, Record<string, unknown>[]][] = [
    ['gold_window', days.flatMap((d) => d.windows) as unknown as Record<string, unknown>[]],
    ['gold_daily', days.map((d) => d.daily) as unknown as Record<string, unknown>[]],
    [
      'silver_device_day',
      [
        {
          deviceId: 'PV-000001', startMs: 1795042800000, stepMs: 20000, samples: 4,
          voltage: Float32Array.from([0, 210.5, Number.NaN, 212]), current: Float32Array.from([0, 12.25, Number.NaN, 12]),
          temperature: Float32Array.from([10, 30, Number.NaN, 31]), irradiance: Float32Array.from([0, 800, Number.NaN, 810]),
          quality: Int32Array.from([0, 0, 2, 1]), received: 4, quarantined: 1, duplicates: 0, observed: 2, filled: 1, missing: 1,
        },
      ],
    ],
  ];

  it.each(cases)('%s: same columns, types and rows', async (table, rows) => {
    const bytes = writeTableParquet(table, rows, 50);
    const arrow = arrowRows(bytes);
    expect(Object.keys(arrow.fields)).toEqual(TABLES[table].columns.map((c) => c.name));
    for (const col of TABLES[table].columns) expect(arrow.fields[col.name]).toBe(ARROW_TYPE[col.type]);
    const ours = (await parquetReadObjects({ file: bytes })).map((r) => normaliseRow(table, r));
    expect(arrow.rows).toHaveLength(rows.length);
    const plain = (v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v);
    arrow.rows.forEach((row, i) => {
      for (const col of TABLES[table].columns) {
        const a = plain(row[col.name]);
        const b = plain(ours[i]![col.name]);
        if (col.type.startsWith('float32')) expect(JSON.stringify(a)).toBe(JSON.stringify(b)); // NaN-safe, float32-exact
        else expect(a).toEqual(b);
      }
    });
  });
});

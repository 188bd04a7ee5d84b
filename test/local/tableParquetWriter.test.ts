import { TableParquetWriter, writeTableParquet } from '../../contracts/parquet';
import { commitPartition, publishPartition, putPart, SortedPartsWriter } from '../../contracts/partition';

function silverRow(i: number) {
  const samples = 50;
  const series = (k: number) => Float32Array.from({ length: samples }, (_, s) => (s % 7 === 0 ? Number.NaN : i * 0.5 + s * k));
  return {
    deviceId: `PV-${String(i).padStart(6, '0')}`,
    startMs: 1_763_506_800_000,
    stepMs: 20_000,
    samples,
    voltage: series(1),
    current: series(2),
    temperature: series(3),
    irradiance: series(4),
    quality: Int32Array.from({ length: samples }, (_, s) => s % 3),
    received: 45,
    quarantined: i % 2,
    duplicates: 1,
    observed: 40,
    filled: 3,
    missing: 7,
  };
}

describe('TableParquetWriter (the ingest writes silver a row group at a time)', () => {
  it.each([0, 1, 7, 8, 21])('writes the bytes of writeTableParquet (%i rows, groups of 4)', (n) => {
    const rows = Array.from({ length: n }, (_, i) => silverRow(i));
    const whole = new Uint8Array(writeTableParquet('silver_device_day', rows, 4));
    const w = new TableParquetWriter('silver_device_day', 4);
    for (let i = 0; i < n; i += 8) w.write(rows.slice(i, i + 8));
    expect(Buffer.from(w.finish()).equals(Buffer.from(whole))).toBe(true);
    expect(w.rows).toBe(n);
  });

  it('writes those bytes for empty lists, all-NaN (dictionary-encoded) days and full days spanning several pages', () => {
    const day = (i: number, samples: number, night: boolean) => {
      const series = (k: number) => Float32Array.from({ length: samples }, (_, s) => (night || s < 1500 || s > 3000 ? Number.NaN : 300 + Math.sin(s * 0.01 * k + i) * 20));
      return { ...silverRow(i), samples, voltage: series(1), current: series(2), temperature: series(3), irradiance: series(4), quality: Int32Array.from({ length: samples }, (_, s) => (s < 1500 ? 3 : 0)) };
    };
    // 64 rows × 4,320 floats: 1.1 MB per list column chunk in groups of 64, past hyparquet-writer's 1 MiB pages
    const rows = Array.from({ length: 64 }, (_, i) => day(i, i % 13 === 5 ? 0 : 4320, i % 7 === 3));
    for (const group of [8, 64]) {
      const whole = new Uint8Array(writeTableParquet('silver_device_day', rows, group));
      const w = new TableParquetWriter('silver_device_day', group);
      for (let i = 0; i < rows.length; i += group) w.write(rows.slice(i, i + group));
      expect(Buffer.from(w.finish()).equals(Buffer.from(whole))).toBe(true);
    }
  });

  it('refuses a row without a required list, naming the column', () => {
    const w = new TableParquetWriter('silver_device_day', 4);
    expect(() => w.write([{ ...silverRow(0), current: null }])).toThrow(/current: row 0 has no value/);
  });

  it('refuses a partial row group before the last write', () => {
    const w = new TableParquetWriter('silver_device_day', 4);
    w.write([silverRow(0)]);
    expect(() => w.write([silverRow(1)])).toThrow(/partial row group/);
  });
});

describe('SortedPartsWriter (the predict job writes gold as it goes)', () => {
  const recorder = () => {
    const objects = new Map<string, Uint8Array | string>();
    return { objects, writer: { put: async (key: string, body: Uint8Array | string) => void objects.set(key, body) } };
  };

  it.each([
    [0, 10, 4],
    [3, 10, 4],
    [10, 10, 4],
    [23, 10, 4],
    [23, 7, 3],
    [40, 8, 4],
  ])('writes the part files of publishPartition (%i rows, %i per file, groups of %i)', async (n, rowsPerFile, rowGroupSize) => {
    const rows = Array.from({ length: n }, (_, i) => silverRow(i));
    const a = recorder();
    await publishPartition(a.writer, 'silver_device_day', '2026-11-19', 'run-a', rows, { rowsPerFile, rowGroupSize, now: () => new Date(0) });
    const b = recorder();
    const parts = new SortedPartsWriter('silver_device_day', { rowsPerFile, rowGroupSize });
    const files = [];
    // rows arrive in uneven batches
    for (let i = 0; i < n; i += 3) for (const p of parts.add(rows.slice(i, i + 3))) files.push(await putPart(b.writer, 'silver_device_day', '2026-11-19', 'run-a', files.length, p));
    for (const p of parts.finish()) files.push(await putPart(b.writer, 'silver_device_day', '2026-11-19', 'run-a', files.length, p));
    await commitPartition(b.writer, 'silver_device_day', '2026-11-19', 'run-a', files, { now: () => new Date(0) });
    expect([...b.objects.keys()]).toEqual([...a.objects.keys()]);
    for (const [k, v] of a.objects) expect(Buffer.from(b.objects.get(k)!).equals(Buffer.from(v))).toBe(true);
  });
});

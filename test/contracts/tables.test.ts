import { renderGenerated, GENERATED_PATH } from '../../contracts/codegen';
import { readFileSync } from 'node:fs';
import { publishPartition } from '../../contracts/partition';
import {
  commitKey,
  dataKey,
  FAULT_CLASSES,
  GRID_STEP_MS,
  isValidDate,
  LATENESS_MS,
  parseCommitMarker,
  QUALITY,
  QUARANTINE_REASONS,
  TABLES,
  TABLES_CONTRACT,
  type CommitMarker,
} from '../../contracts';

describe('generated contract code', () => {
  it('is up to date with the contract files (run `npm run contracts:gen`)', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(renderGenerated());
  });
});

describe('table contract', () => {
  it('expands per-class columns in class order', () => {
    const names = TABLES.gold_window.columns.map((c) => c.name);
    const probs = names.filter((n) => n.startsWith('p_'));
    expect(probs).toEqual(FAULT_CLASSES.map((c) => `p_${c}`));
    expect(names.indexOf('p_normal')).toBe(names.indexOf('confidence') + 1);
    expect(TABLES.gold_daily.columns.filter((c) => c.name.startsWith('n_')).map((c) => c.name)).toEqual(FAULT_CLASSES.map((c) => `n_${c}`));
  });

  it('sorts every table of devices by deviceId first, the plant-level table by time', () => {
    for (const [name, t] of Object.entries(TABLES)) expect(t.sortBy[0]).toBe(name === 'gold_plant_condition' ? 'startMs' : 'deviceId');
    expect(TABLES.gold_plant_condition.columns.some((c) => c.name === 'deviceId')).toBe(false);
    expect(TABLES.gold_window.sortBy).toEqual(['deviceId', 'startMs']);
  });

  it('keeps sortBy columns and names unique and non-nullable keys', () => {
    for (const t of Object.values(TABLES)) {
      const names = t.columns.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const key of t.sortBy) expect(names).toContain(key);
      // Spark refuses a data column named like the partition column
      expect(names).not.toContain('date');
    }
    expect(TABLES.silver_device_day.columns.find((c) => c.name === 'deviceId')?.nullable).toBe(false);
  });

  it('fixes the 20-s grid, quality codes and quarantine reasons', () => {
    expect(GRID_STEP_MS).toBe(20_000);
    expect(QUALITY).toEqual({ observed: 0, filled: 1, missing: 2 });
    expect(QUARANTINE_REASONS).toEqual(['malformed', 'missing_field', 'unknown_field', 'bad_device_id', 'non_finite', 'out_of_range', 'key_mismatch', 'too_late', 'other_day']);
  });

  it('lets readings of a day arrive up to 3 h after it ends (one value: both ingests and the run window read it)', () => {
    expect(LATENESS_MS).toBe(3 * 3_600_000);
  });
});

describe('S3 layout', () => {
  it('puts each run of a date in its own folder under date=YYYY-MM-DD', () => {
    expect(dataKey('silver_device_day', '2026-11-19', 'exec-42', 0)).toBe('device_day/date=2026-11-19/run=exec-42/part-00000.parquet');
    expect(dataKey('gold_window', '2026-11-19', 'exec-42', 17)).toBe('window/date=2026-11-19/run=exec-42/part-00017.parquet');
    expect(commitKey('gold_daily', '2026-11-19')).toBe('daily/_commits/date=2026-11-19.json');
  });

  it('rejects keys built from bad input', () => {
    expect(() => dataKey('gold_window', '2026-02-30', 'r1', 0)).toThrow('date: "2026-02-30" is not a calendar date');
    expect(() => dataKey('gold_window', '2026-11-19', '../x', 0)).toThrow('runId: "../x"');
    expect(() => dataKey('gold_window', '2026-11-19', 'r1', -1)).toThrow('part: -1');
    expect(() => commitKey('gold_window', '19/11/2026')).toThrow('date:');
  });

  it.each([
    ['2026-11-19', true],
    ['2024-02-29', true],
    ['2026-02-29', false],
    ['2026-13-01', false],
    ['2026-1-01', false],
    ['2026-11-19T00:00', false],
    ['', false],
  ])('isValidDate(%j) = %s', (value, expected) => {
    expect(isValidDate(value)).toBe(expected);
  });
});

describe('commit markers', () => {
  const marker: CommitMarker = {
    table: 'gold_window',
    date: '2026-11-19',
    runId: 'exec-42',
    files: [{ key: 'window/date=2026-11-19/run=exec-42/part-00000.parquet', rows: 10, bytes: 2048 }],
    rows: 10,
    committedAt: '2026-11-20T02:03:04Z',
    contractVersion: TABLES_CONTRACT.version,
  };
  const expected = { table: 'gold_window', date: '2026-11-19' } as const;

  it('parses a valid marker', () => {
    expect(parseCommitMarker(JSON.stringify(marker), expected)).toEqual(marker);
  });

  it.each([
    ['not JSON', '{', 'not JSON'],
    ['another date', JSON.stringify({ ...marker, date: '2026-11-18' }), 'date is "2026-11-18"'],
    ['a file of another run', JSON.stringify({ ...marker, files: [{ ...marker.files[0], key: 'window/date=2026-11-19/run=other/part-00000.parquet' }] }), 'files holds a key outside'],
    ['a path escaping the partition', JSON.stringify({ ...marker, files: [{ ...marker.files[0], key: '../secrets' }] }), 'files holds a key outside'],
    ['an older contract (gold before alarms)', JSON.stringify({ ...marker, contractVersion: 1 }), 'contractVersion is 1'],
    ['an older contract (gold before baselines)', JSON.stringify({ ...marker, contractVersion: 2 }), 'contractVersion is 2'],
    ['a newer contract', JSON.stringify({ ...marker, contractVersion: TABLES_CONTRACT.version + 1 }), `contractVersion is ${TABLES_CONTRACT.version + 1}`],
    ['a version before the table is readable from (gold windows before the plant gate)', JSON.stringify({ ...marker, contractVersion: 3 }), 'contractVersion is 3, expected 4 to'],
    ['a version that is no integer', JSON.stringify({ ...marker, contractVersion: '5' }), 'contractVersion is 5'],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseCommitMarker(text, expected)).toThrow(message);
  });

  it("reads a day written under an older version the table is still readable from (an upgrade must not stop the next day's run on its baseline)", () => {
    expect(TABLES.gold_window.readableFrom).toBeLessThan(TABLES_CONTRACT.version);
    expect(parseCommitMarker(JSON.stringify({ ...marker, contractVersion: TABLES.gold_window.readableFrom }), expected).contractVersion).toBe(TABLES.gold_window.readableFrom);
    const baseline = { ...marker, table: 'device_baseline', files: [{ ...marker.files[0]!, key: 'baseline/date=2026-11-19/run=exec-42/part-00000.parquet' }], contractVersion: 3 };
    expect(() => parseCommitMarker(JSON.stringify(baseline), { table: 'device_baseline', date: '2026-11-19' })).not.toThrow();
    // a table cannot be readable from before it existed, nor from a later version than today's
    for (const t of Object.values(TABLES)) expect(t.readableFrom).toBeGreaterThanOrEqual(1);
    for (const t of Object.values(TABLES)) expect(t.readableFrom).toBeLessThanOrEqual(TABLES_CONTRACT.version);
    expect(TABLES.gold_plant_condition.readableFrom).toBe(5);
    // version 6: the registry is new (no older day has one); gold_daily only gained nullable columns, so its older days stay readable.
    // version 7: the registry gained the per-unit columns the predict job reads (contracts/detector.json perUnit): a version 6 day answers "rerun the day"
    expect(TABLES.silver_device_registry.readableFrom).toBe(7);
    expect(TABLES.gold_daily.readableFrom).toBe(4);
    expect(TABLES.gold_daily.columns.filter((c) => c.name.startsWith('design')).map((c) => [c.name, c.nullable])).toEqual([
      ['design', true],
      ['designSource', true],
    ]);
  });
});

describe('publishing a partition', () => {
  it('writes a quarantine marker that readers accept when undecodable readings (no device id) sort first', async () => {
    const objects = new Map<string, Uint8Array | string>();
    const writer = { put: async (key: string, body: Uint8Array | string) => void objects.set(key, body) };
    const row = (deviceId: string | null, offset: number) => ({ deviceId, timestamp: null, reason: deviceId ? 'out_of_range' : 'malformed', field: null, detail: 'test', kafkaPartition: 0, kafkaOffset: offset, payload: null });
    const marker = await publishPartition(writer, 'silver_quarantine', '2026-11-19', 'run-1', [row('PV-2', 1), row(null, 2), row('PV-1', 3)]);
    const text = objects.get(commitKey('silver_quarantine', '2026-11-19')) as string;
    const parsed = parseCommitMarker(text, { table: 'silver_quarantine', date: '2026-11-19' });
    expect(parsed.rows).toBe(3);
    // quarantine keeps Kafka order: the range is over the rows' devices, not the first and last row
    expect(marker.files[0]).toMatchObject({ minDeviceId: 'PV-1', maxDeviceId: 'PV-2' });
  });
});

/**
 * A user's own readings through the daily pipeline (npm run import:csv): the CSV's
 * checks, line by line, and a small field day (test/fixtures/import/field-day.csv,
 * made by the simulator) run end to end through the local state machine and jobs:
 * silver, the registry snapshot, gold with each array's design, and every bad line
 * either set aside by the import or by the ingest, none lost.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDesignFile } from '../../contracts/design';
import { S3Store } from '../../functions/api/s3Store';
import { TableReader } from '../../functions/api/tableReader';
import { createHandler } from '../../functions/api/handler';
import { importCsv, parseTimestamp, readReadingsCsv, splitCsvLine } from '../../local/csvImport';
import { registryOfIds } from '../../detector/simulator/registry';
import { importSummaryLines, parseImportArgs } from '../../local/importCsvCli';
import { BROKEN, buildCsv, CSV_PATH, DATE, DESIGN_PATH, DEVICES, REWRITE, TIME_ZONE } from '../fixtures/import/field-day';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'csv-import-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('the CSV of readings, line by line', () => {
  it('splits fields with RFC 4180 quotes, and says what is wrong with a line it cannot split', () => {
    expect(splitCsvLine('a,"b,c",,"d ""e"""')).toEqual(['a', 'b,c', '', 'd "e"']);
    expect(splitCsvLine('a,b,')).toEqual(['a', 'b', '']);
    expect(splitCsvLine('a,"b')).toMatch(/^Quote Not Closed/);
    expect(splitCsvLine('a,b"c')).toMatch(/^Invalid Opening Quote: a quote is found on field 1, value is "b"/);
    expect(splitCsvLine('a,"b"c')).toMatch(/^Invalid Closing Quote/);
  });

  it('reads a time with its zone or epoch milliseconds, and refuses one without a zone', () => {
    expect(parseTimestamp('2026-06-10T12:00:00Z')).toBe(Date.UTC(2026, 5, 10, 12));
    expect(parseTimestamp('2026-06-10 14:00:00.250+02:00')).toBe(Date.UTC(2026, 5, 10, 12, 0, 0, 250));
    expect(parseTimestamp('1781092800000')).toBe(1781092800000);
    expect(parseTimestamp('2026-06-10T12:00:00')).toBe('"2026-06-10T12:00:00" has no zone (add Z or an offset such as +02:00)');
    expect(parseTimestamp('2026-02-30T12:00:00Z')).toBe('"2026-02-30T12:00:00Z" is not a real time');
    expect(parseTimestamp('noon')).toBe('"noon" is neither an ISO 8601 time with a zone nor epoch milliseconds');
  });

  it('names the line and the column of each bad line, sets aside what cannot be a reading and keeps what the ingest must refuse', async () => {
    const csv = file(
      'small.csv',
      '\uFEFFtimestamp,inverter,voltage,current,temperature,irradiance\r\n' +
        '2026-06-10T12:00:00Z,INV-1,400,7,30,800\r\n' +
        '2026-06-10T12:00:20Z,INV-1,abc,7,30,800\r\n' +
        '2026-06-10T12:00:40Z,INV-1,400,,30,800\r\n' +
        '\r\n' +
        '2026-06-10T12:01:00Z,"INV 2",400,7,30,NaN\r\n' +
        '2026-06-10T23:00:00Z,INV-1,400,7,30,800\r\n',
    );
    const r = await readReadingsCsv(csv, { deviceColumn: 'inverter', timeZone: TIME_ZONE });
    expect(r.lines).toBe(5);
    expect(r.quarantined.map((q) => [q.line, q.column, q.reason, q.detail])).toEqual([
      [3, 'voltage', 'malformed', 'line 3, column voltage: "abc" is not a number'],
      [4, 'current', 'missing_field', 'line 4, column current: empty'],
    ]);
    expect(r.refused.map((q) => [q.line, q.column, q.reason])).toEqual([
      [6, 'inverter', 'bad_device_id'],
      [6, 'irradiance', 'non_finite'],
    ]);
    expect(r.refused[1]!.detail).toMatch(/^line 6, column irradiance: [^:]*$/);
    // 23:00 UTC is the next day in Madrid: readings go to their plant-local day
    expect([...r.days].map(([d, rows]) => [d, rows.map((x) => x.line)])).toEqual([
      ['2026-06-10', [2, 6]],
      ['2026-06-11', [7]],
    ]);
    await expect(readReadingsCsv(file('nohead.csv', 'time,deviceId,voltage\n'), { deviceColumn: 'deviceId', timeZone: TIME_ZONE })).rejects.toThrow('line 1 (the header): no column timestamp, current, temperature, irradiance');
  });

  it('gives the arrays their designs in id order, as npm start gives a plan to its devices', () => {
    const plan = parseDesignFile(JSON.parse(readFileSync(DESIGN_PATH, 'utf8')) as unknown, 3, 'design');
    expect(registryOfIds(['FIELD-000003', 'FIELD-000001', 'FIELD-000002'], plan).map((r) => [r.deviceId, r.design])).toEqual([
      ['FIELD-000001', 'cdte-4x4-fs-6385'],
      ['FIELD-000002', 'cdte-4x4-fs-6385'],
      ['FIELD-000003', 'legacy-5x3-cs5p-220m'],
    ]);
    expect(() => parseImportArgs(['--file', 'x.csv', '--design', 'a.json', '--registry', 'b.json'])).toThrow('--design and --registry: give one');
    expect(() => parseImportArgs(['--file', 'x.csv', '--time-zone', 'Mars/Olympus'])).toThrow('--time-zone: "Mars/Olympus" is not an IANA time zone');
  });
});

describe('a field day through the local pipeline (test/fixtures/import/field-day.csv)', () => {
  it('is the file the generator builds now (numbers within their printed precision)', () => {
    const committed = readFileSync(CSV_PATH, 'utf8').split('\n');
    const now = buildCsv().split('\n');
    expect([committed.length, `rewrite it with ${REWRITE}`]).toEqual([now.length, `rewrite it with ${REWRITE}`]);
    const diff = committed.flatMap((line, i) => {
      const [a, b] = [line.split(','), now[i]!.split(',')];
      // the simulator's floats may differ in a last bit on another CPU: a printed digit may round the other way
      const same = a.length === b.length && a.every((x, k) => x === b[k] || (Number.isFinite(Number(x)) && Math.abs(Number(x) - Number(b[k])) <= 0.011));
      return same ? [] : [`line ${i + 1}: ${line} / ${now[i]}`];
    });
    expect(diff.slice(0, 3)).toEqual([]);
  });

  it('publishes the day, and silver, the registry and gold hold it with each array design; every bad line is set aside somewhere', async () => {
    const args = parseImportArgs(['--file', CSV_PATH, '--design', DESIGN_PATH, '--out', join(dir, 'out'), '--time-zone', TIME_ZONE, '--no-serve'])!;
    const r = await importCsv({ ...args, partitions: 3, progress: false, log: () => undefined, keepS3: true });
    const s3 = r.days[0]!.s3!;
    try {
      expect(r.days.map((d) => d.date)).toEqual([DATE]);
      const day = r.days[0]!;
      expect(day.devices).toBe(DEVICES);
      expect(r.read.ignoredColumns).toEqual(['site']);

      // the lines that cannot be readings: in the import's quarantine file, with line and column
      const aside = BROKEN.filter((b) => b.aside);
      expect(r.read.quarantined.map((q) => [q.column, q.reason])).toEqual(aside.map((b) => [b.column, b.reason]));
      const file = readFileSync(r.quarantineFile, 'utf8').trim().split('\n');
      expect(file[0]).toBe('line,column,reason,detail,raw');
      expect(file).toHaveLength(aside.length + 1);
      for (const q of r.read.quarantined) expect(readFileSync(CSV_PATH, 'utf8').split('\n')[q.line - 1]).toBe(q.raw);

      // every line published is in silver (a reading or a duplicate), or set aside by the ingest
      expect(day.readingsPublished).toBe(r.read.lines - r.read.quarantined.length);
      const ingest = day.ingest;
      expect(ingest.recordsRead).toBe(day.readingsPublished);
      expect(ingest.observed + ingest.duplicates + Object.values(ingest.quarantined).reduce((a, b) => a + b!, 0)).toBe(ingest.recordsRead);
      // the irradiance of 5000 W/m²: published, and set aside by the ingest as out of range
      expect(r.read.refused.map((q) => [q.column, q.reason])).toContainEqual(['irradiance', 'out_of_range']);
      const silver = new TableReader(new S3Store(s3.client, 'silver'));
      const quarantine = await silver.tableRows('silver_quarantine', DATE, ['deviceId', 'reason', 'field', 'payload']);
      expect(quarantine!.rows.some((q) => q.deviceId === 'FIELD-000002' && q.reason === 'out_of_range' && q.field === 'irradiance' && String(q.payload).includes('5000'))).toBe(true);

      const devices = await silver.tableRows('silver_device_day', DATE, ['deviceId', 'observed']);
      expect(devices!.rows.map((d) => d.deviceId)).toEqual(['FIELD-000001', 'FIELD-000002', 'FIELD-000003']);
      // four hours of 20-s readings: 720 slots an array
      for (const d of devices!.rows) expect(d.observed).toBeGreaterThan(700);
      const registry = await silver.tableRows('silver_device_registry', DATE, ['deviceId', 'design', 'modulesPerString', 'strings']);
      expect(registry!.rows.map((x) => [x.deviceId, x.design, x.modulesPerString, x.strings])).toEqual([
        ['FIELD-000001', 'cdte-4x4-fs-6385', 4, 4],
        ['FIELD-000002', 'cdte-4x4-fs-6385', 4, 4],
        ['FIELD-000003', 'legacy-5x3-cs5p-220m', 5, 3],
      ]);

      const gold = new TableReader(new S3Store(s3.client, 'gold'));
      const daily = await gold.tableRows('gold_daily', DATE, ['deviceId', 'design', 'designSource', 'predicted']);
      expect(daily!.rows.map((x) => [x.deviceId, x.design, x.designSource])).toEqual([
        ['FIELD-000001', 'cdte-4x4-fs-6385', 'registry'],
        ['FIELD-000002', 'cdte-4x4-fs-6385', 'registry'],
        ['FIELD-000003', 'legacy-5x3-cs5p-220m', 'registry'],
      ]);
      // midday: the model had windows to judge
      expect(daily!.rows.every((x) => (x.predicted as number) > 0)).toBe(true);
      const api = createHandler({ store: new S3Store(s3.client, 'gold'), timeZone: TIME_ZONE });
      const p = JSON.parse((await api({ rawPath: '/devices/FIELD-000003/predictions', queryStringParameters: { date: DATE } })).body) as { summary: { design: unknown } };
      expect(p.summary.design).toEqual({ name: 'legacy-5x3-cs5p-220m', default: false });

      const summary = importSummaryLines(r).join('\n');
      expect(summary).toContain(`${r.read.lines.toLocaleString('en-US')} lines read: 4 set aside before publishing`);
      expect(summary).toContain('designs cdte-4x4-fs-6385: 2, legacy-5x3-cs5p-220m: 1');
    } finally {
      await s3.stop();
    }
  }, 240_000);
});

describe('a file of several days', () => {
  it('runs each plant-local day in turn, oldest first, and keeps only the last day\'s store running for the caller', async () => {
    const lines = ['deviceId,timestamp,voltage,current,temperature,irradiance'];
    // the later day first in the file: the days run in date order whatever the file's order
    for (const day of ['2026-06-12', '2026-06-11']) {
      for (let s = 0; s < 30; s++) lines.push(`INV-1,${new Date(Date.parse(`${day}T10:00:00Z`) + s * 20_000).toISOString()},400,7,30,800`);
    }
    const csv = file('two-days.csv', `${lines.join('\n')}\n`);
    const args = parseImportArgs(['--file', csv, '--out', join(dir, 'two'), '--time-zone', TIME_ZONE, '--no-serve'])!;
    const r = await importCsv({ ...args, partitions: 2, progress: false, log: () => undefined, keepS3: true });
    const last = r.days[1]!.s3!;
    try {
      expect(r.days.map((d) => d.date)).toEqual(['2026-06-11', '2026-06-12']);
      expect(r.days[0]!.s3).toBeNull();
      const silver = new TableReader(new S3Store(last.client, 'silver'));
      for (const date of ['2026-06-11', '2026-06-12']) {
        const registry = await silver.tableRows('silver_device_registry', date, ['deviceId', 'design']);
        expect(registry!.rows).toEqual([{ deviceId: 'INV-1', design: 'legacy-5x3-cs5p-220m' }]);
      }
      expect(r.days.map((d) => d.readingsPublished)).toEqual([30, 30]);
    } finally {
      await last.stop();
    }
  }, 240_000);
});

/**
 * An upgrade of the tables contract does not blank the API nor stop the next day's run:
 * a day written under an older version its tables are still readable from
 * (tables.json readableFrom) is served as it is, without the columns added since; one
 * written before that answers "rerun the day".
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import { commitKey, TABLES, TABLES_CONTRACT, type TableName } from '../../contracts';
import { parquetSchemaOf } from '../../contracts/parquet';
import { createHandler } from '../../functions/api/handler';
import type { ObjectStore } from '../../functions/api/tableReader';
import { deviceDayRows, FIXTURE_DATES, publishGold } from '../helpers/goldFixture';

const NOW = Date.UTC(2026, 11, 1);
const ADDED_IN_5 = ['meanVoltage', 'meanCurrent', 'meanTemperature', 'meanIrradiance'];
const ADDED_IN_6 = ['design', 'designSource'];
const ADDED_IN_10 = ['alarmRaisedAs', 'alarmLabelledMs'];

/** An in-memory bucket, and a way to rewrite a committed day as an older contract wrote it. */
function bucket() {
  const objects = new Map<string, Uint8Array | string>();
  const store: ObjectStore = {
    getText: async (k) => {
      const v = objects.get(k);
      return v === undefined ? null : typeof v === 'string' ? v : new TextDecoder().decode(v);
    },
    getRange: async (k, a, b) => {
      const v = objects.get(k) as Uint8Array;
      return v.slice(a, b).buffer;
    },
    listKeys: async (p) => [...objects.keys()].filter((k) => k.startsWith(p)),
  };
  const writer = { put: async (k: string, body: Uint8Array | string) => void objects.set(k, typeof body === 'string' ? body : new Uint8Array(body)) };
  /** The day's table as contract `version` wrote it: its marker says so, and its files lack `dropped` (read back, rewritten without them). */
  async function asVersion(table: TableName, date: string, version: number, dropped: readonly string[], rows: Record<string, unknown>[]) {
    const marker = JSON.parse((await store.getText(commitKey(table, date)))!) as { files: { key: string; bytes: number }[]; contractVersion: number };
    const columns = TABLES[table].columns.filter((c) => !dropped.includes(c.name));
    const schema = parquetSchemaOf(table).filter((s) => !dropped.includes(s.name));
    schema[0] = { ...schema[0]!, num_children: columns.length };
    const data = parquetWriteBuffer({
      schema,
      columnData: columns.map((c) => ({ name: c.name, data: rows.map((r) => (c.type === 'int64' && r[c.name] !== null ? BigInt(r[c.name] as number) : r[c.name])) as never })),
    });
    const [file] = marker.files;
    objects.set(file!.key, new Uint8Array(data));
    objects.set(commitKey(table, date), JSON.stringify({ ...marker, files: [{ ...file, bytes: data.byteLength }], contractVersion: version }));
  }
  return { store, writer, asVersion };
}

it('serves a day whose gold windows are of version 4 (no window means) and says its plant conditions are unknown', async () => {
  const { store, writer, asVersion } = bucket();
  const date = FIXTURE_DATES[0]!;
  await publishGold(writer, 4, { dates: [date], rowsPerFile: 1_000_000 });
  const api = createHandler({ store, timeZone: 'Europe/Madrid', now: () => NOW });
  const now = JSON.parse((await api({ rawPath: '/devices/PV-000002/predictions', queryStringParameters: { date } })).body) as { windows: unknown[] };
  const rows = [1, 2, 3, 4].flatMap((d) => deviceDayRows(d, 0, date).windows) as unknown as Record<string, unknown>[];
  await asVersion('gold_window', date, 4, ADDED_IN_5, rows);
  const fresh = createHandler({ store, timeZone: 'Europe/Madrid', now: () => NOW });
  const r = await fresh({ rawPath: '/devices/PV-000002/predictions', queryStringParameters: { date } });
  expect(r.statusCode).toBe(200);
  expect((JSON.parse(r.body) as { windows: unknown[] }).windows).toEqual(now.windows);
  const fleet = await fresh({ rawPath: '/fleet', queryStringParameters: { date } });
  expect(fleet.statusCode).toBe(200);
  expect(JSON.parse(fleet.body).plantConditions).toBeNull();
});

it("serves a day whose gold summaries are of version 5 (no designs): the design is null, the rest as it was", async () => {
  const { store, writer, asVersion } = bucket();
  const date = FIXTURE_DATES[2]!;
  await publishGold(writer, 5, { dates: [date], rowsPerFile: 1_000_000 });
  const api = createHandler({ store, timeZone: 'Europe/Madrid', now: () => NOW });
  const now = JSON.parse((await api({ rawPath: '/devices/PV-000003/predictions', queryStringParameters: { date } })).body) as { summary: Record<string, unknown> };
  expect(now.summary.design).toEqual({ name: 'cdte-4x4-fs-6385', default: false });
  const rows = [1, 2, 3, 4, 5].map((d) => deviceDayRows(d, 0, date).daily) as unknown as Record<string, unknown>[];
  await asVersion('gold_daily', date, 5, ADDED_IN_6, rows);
  const fresh = createHandler({ store, timeZone: 'Europe/Madrid', now: () => NOW });
  const r = await fresh({ rawPath: '/devices/PV-000003/predictions', queryStringParameters: { date } });
  expect(r.statusCode).toBe(200);
  const old = JSON.parse(r.body) as { summary: Record<string, unknown> };
  expect(old.summary).toEqual({ ...now.summary, design: null });
  const faults = JSON.parse((await fresh({ rawPath: '/faults', queryStringParameters: { date } })).body) as { devices: { design: unknown }[] };
  expect(faults.devices.length).toBeGreaterThan(0);
  expect(faults.devices.every((d) => d.design === null)).toBe(true);
});

it('serves a day whose gold summaries are of version 9 (one-stage alarms): each alarm labelled when it was raised, raised as nothing', async () => {
  const { store, writer, asVersion } = bucket();
  const date = FIXTURE_DATES[0]!;
  await publishGold(writer, 5, { dates: [date], rowsPerFile: 1_000_000 });
  // as version 9 wrote them: decided in one stage, without the two columns
  const rows = [1, 2, 3, 4, 5].map((d) => {
    const { alarmRaisedAs: _as, alarmLabelledMs: _at, ...daily } = deviceDayRows(d, 0, date).daily;
    return { ...daily, alarmRaisedMs: daily.alarmOnsetMs === null ? null : daily.alarmOnsetMs + 2 * 1_280_000 };
  });
  await asVersion('gold_daily', date, 9, ADDED_IN_10, rows as unknown as Record<string, unknown>[]);
  const api = createHandler({ store, timeZone: 'Europe/Madrid', now: () => NOW });
  const faults = JSON.parse((await api({ rawPath: '/faults', queryStringParameters: { date } })).body) as { devices: { alarm: { raised: string; raisedAs: string | null; labelled: string | null } }[] };
  expect(faults.devices.length).toBeGreaterThan(0);
  for (const d of faults.devices) expect([d.alarm.raisedAs, d.alarm.labelled]).toEqual([null, d.alarm.raised]);
});

it('answers "rerun the day" for a day of a version its table is no longer readable from, and for a newer one', async () => {
  const { store, writer } = bucket();
  const date = FIXTURE_DATES[1]!;
  await publishGold(writer, 2, { dates: [date] });
  for (const version of [TABLES.gold_daily.readableFrom - 1, TABLES_CONTRACT.version + 1]) {
    const key = commitKey('gold_daily', date);
    const marker = JSON.parse((await store.getText(key))!) as Record<string, unknown>;
    await writer.put(key, JSON.stringify({ ...marker, contractVersion: version }));
    const api = createHandler({ store, timeZone: 'Europe/Madrid', now: () => NOW });
    const r = await api({ rawPath: '/fleet', queryStringParameters: { date } });
    expect([r.statusCode, JSON.parse(r.body).error.message]).toEqual([404, expect.stringContaining(`gold_daily was written under tables contract version ${version}, which this API does not read (${TABLES.gold_daily.readableFrom} to ${TABLES_CONTRACT.version}); rerun the day`)]);
  }
});

/**
 * The routes the dashboard needs, against s3rver holding the gold and silver fixtures:
 * the day's fleet in one columnar response, the days with predictions, and a device's
 * series; with the same validation and caching rules as the other routes.
 */
import { createHandler, type HttpEvent, type HttpResult } from '../../functions/api/handler';
import { S3Store } from '../../functions/api/s3Store';
import { FolderStore } from '../../local/folderStore';
import { startLocalS3, type LocalS3 } from '../../local/localS3';
import { commitKey, plantDayWindow, TABLES } from '../../contracts';
import { publishPartition } from '../../contracts/partition';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deviceName, expectedLabel, expectedRaise, expectedReference, FIXTURE_DATES, fixtureDesign, MISSING_SLOTS, PLANT_DAY_FAULTY, PLANT_EVENT_SLOTS, publishGold, publishPlantEventDay, publishSilver, silverRow } from '../helpers/goldFixture';

const DEVICES = 40;
const NOW = Date.UTC(2026, 10, 20, 12);
let s3: LocalS3;
let api: (e: HttpEvent) => Promise<HttpResult>;

const get = (path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  api({ rawPath: path, queryStringParameters: query, headers, requestContext: { http: { method: 'GET' } } });

beforeAll(async () => {
  s3 = await startLocalS3(['gold', 'silver']);
  await publishGold(s3.writer('gold'), DEVICES, { rowGroupSize: 16 });
  await publishSilver(s3.writer('silver'), DEVICES);
  api = createHandler({ store: new S3Store(s3.client, 'gold'), silver: new S3Store(s3.client, 'silver'), timeZone: 'Europe/Madrid', now: () => NOW });
}, 60_000);

afterAll(async () => {
  await s3?.stop();
});

interface Fleet {
  date: string;
  runId: string;
  count: number;
  labels: Record<string, string[]>;
  devices: { deviceId: string[]; verdict: (string | null)[]; onset: (string | null)[]; raised: (string | null)[]; confidence: (number | null)[]; judgedAgainst: string[]; predictedWindows: number[]; design: ({ name: string; default: boolean } | null)[] };
}

describe('GET /fleet', () => {
  it.each([0, 1, 2])('day %i: every device once, in id order, with its verdict, alarm and reference', async (day) => {
    const date = FIXTURE_DATES[day]!;
    const r = await get('/fleet', { date });
    expect(r.statusCode).toBe(200);
    const b = JSON.parse(r.body) as Fleet;
    expect(b).toMatchObject({ date, runId: `run-${day}`, count: DEVICES });
    expect(b.devices.deviceId).toEqual(Array.from({ length: DEVICES }, (_, i) => deviceName(i + 1)));
    for (const column of Object.values(b.devices)) expect(column).toHaveLength(DEVICES);
    const midnight = plantDayWindow(date, 'Europe/Madrid').startMs;
    for (let i = 1; i <= DEVICES; i++) {
      const k = i - 1;
      const label = expectedLabel(i, day);
      expect(b.devices.verdict[k]).toBe(label);
      expect(b.devices.judgedAgainst[k]).toBe(expectedReference(i, day).days > 0 ? 'own-baseline' : 'fleet');
      expect(b.devices.predictedWindows[k]).toBe(27);
      // each array's design as the day's registry named it (test/helpers/goldFixture.ts fixtureDesign)
      const d = fixtureDesign(i);
      expect(b.devices.design[k]).toEqual({ name: d.design, default: d.designSource === 'default' });
      if (label === 'normal') {
        expect([b.devices.onset[k], b.devices.raised[k], b.devices.confidence[k]]).toEqual([null, null, null]);
      } else {
        // the same alarm /devices/{id}/predictions reports (test/api/handler.test.ts)
        expect(b.devices.onset[k]).toBe(new Date(midnight + 25 * 1_280_000).toISOString());
        expect(b.devices.raised[k]).toBe(new Date(midnight + expectedRaise(i, day)!.raisedAt * 1_280_000).toISOString());
        expect(b.devices.confidence[k]).toBe(0.9);
      }
    }
    expect(b.labels.string_blocked).toEqual(['line_line', 'line_ground', 'open_circuit']);
    expect(b.labels.arc_fault).toEqual(['arc_fault']);
    expect(r.headers.etag).toBe(`"run-${day}"`);
    expect(r.headers['cache-control']).toBe('public, max-age=300');
  });

  it('agrees with /devices/{id}/predictions on a faulty device', async () => {
    const fleet = JSON.parse((await get('/fleet', { date: FIXTURE_DATES[1]! })).body) as Fleet;
    const one = JSON.parse((await get(`/devices/${deviceName(8)}/predictions`, { date: FIXTURE_DATES[1]! })).body) as { summary: { alarm: { label: string; onset: string; raised: string; confidence: number; judgedAgainst: string } } };
    const k = fleet.devices.deviceId.indexOf(deviceName(8));
    expect({ label: fleet.devices.verdict[k], onset: fleet.devices.onset[k], raised: fleet.devices.raised[k], confidence: fleet.devices.confidence[k], judgedAgainst: fleet.devices.judgedAgainst[k] }).toEqual({
      label: one.summary.alarm.label,
      onset: one.summary.alarm.onset,
      raised: one.summary.alarm.raised,
      confidence: one.summary.alarm.confidence,
      judgedAgainst: one.summary.alarm.judgedAgainst,
    });
  });

  it('304 to a client holding the same run; 400 and 404 like the other routes', async () => {
    expect((await get('/fleet', { date: FIXTURE_DATES[0]! }, { 'if-none-match': '"run-0"' })).statusCode).toBe(304);
    expect((await get('/fleet', { date: FIXTURE_DATES[0]! }, { 'if-none-match': '"run-9"' })).statusCode).toBe(200);
    expect(JSON.parse((await get('/fleet')).body).error).toMatchObject({ code: 'bad_request', parameter: 'date' });
    expect(JSON.parse((await get('/fleet', { date: '2026-02-30' })).body).error).toMatchObject({ parameter: 'date' });
    expect(JSON.parse((await get('/fleet', { date: FIXTURE_DATES[0]!, label: 'arc_fault' })).body).error).toMatchObject({ parameter: 'label' });
    expect((await get('/fleet', { date: '2026-11-01' })).statusCode).toBe(404);
  });
});

describe("GET /fleet: the plant's condition", () => {
  it('names the spans of time the plant gate set aside on a day with a plant event, none on an ordinary day', async () => {
    const root = mkdtempSync(join(tmpdir(), 'plant-day-'));
    try {
      const writer = (dir: string) => ({
        put: async (key: string, body: Uint8Array | string) => {
          mkdirSync(dirname(join(root, dir, key)), { recursive: true });
          writeFileSync(join(root, dir, key), body);
        },
      });
      const date = '2026-11-16';
      await publishPlantEventDay(writer('gold'), writer('silver'), DEVICES, date);
      const store = new FolderStore(join(root, 'gold'));
      const windowReads: string[] = [];
      const counting = { getText: (k: string) => store.getText(k), getRange: (k: string, a: number, b: number) => (k.startsWith(`${TABLES.gold_window.prefix}/`) && windowReads.push(k), store.getRange(k, a, b)), listKeys: (p: string) => store.listKeys(p) };
      const folder = createHandler({ store: counting, timeZone: 'Europe/Madrid', now: () => NOW });
      const r = await folder({ rawPath: '/fleet', queryStringParameters: { date } });
      expect(r.statusCode).toBe(200);
      const b = JSON.parse(r.body) as Fleet & { plantEventWindows: number; plantConditions: unknown };
      const midnight = plantDayWindow(date, 'Europe/Madrid').startMs;
      const [first, last] = PLANT_EVENT_SLOTS;
      expect(b.plantEventWindows).toBe(last - first + 1);
      // what the condition was, from gold_plant_condition: the fixture's arrays held a higher voltage and less current (clipping)
      expect(b.plantConditions).toMatchObject([{ kind: 'power_limit', start: new Date(midnight + first * 1_280_000).toISOString(), end: new Date(midnight + (last + 1) * 1_280_000).toISOString(), windows: last - first + 1 }]);
      // the fleet reads the summaries and the few condition rows, never the window table
      expect(windowReads).toEqual([]);
      // the condition raised no alarm; the two real faults did
      const alarmed = b.devices.deviceId.filter((_, k) => b.devices.verdict[k] !== 'normal');
      expect(alarmed).toEqual(PLANT_DAY_FAULTY.map(deviceName));
      // a day predicted before gold_plant_condition existed (the fixture's ordinary days): the count, and no conditions to tell
      const ordinary = JSON.parse((await get('/fleet', { date: FIXTURE_DATES[0]! })).body) as { plantEventWindows: number; plantConditions: unknown };
      expect([ordinary.plantEventWindows, ordinary.plantConditions]).toEqual([0, null]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('GET /days', () => {
  it('lists the days gold has a committed summary of, newest first, never cached for long', async () => {
    const r = await get('/days');
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ timeZone: 'Europe/Madrid', days: [...FIXTURE_DATES].reverse() });
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(JSON.parse((await get('/days', { date: FIXTURE_DATES[0]! })).body).error).toMatchObject({ parameter: 'date' });
  });

  it('sees a newly committed day once its listing is older than a minute, and ignores other keys', async () => {
    let now = NOW;
    const local = await startLocalS3(['gold']);
    try {
      const fresh = createHandler({ store: new S3Store(local.client, 'gold'), timeZone: 'Europe/Madrid', now: () => now });
      expect(JSON.parse((await fresh({ rawPath: '/days' })).body)).toMatchObject({ days: [] });
      await publishGold(local.writer('gold'), 3, { dates: ['2026-11-19'] });
      // a stray object under the commit folder is not a day
      await local.writer('gold').put(`${commitKey('gold_daily', '2026-11-19').replace(/date=.*$/, '')}notes.txt`, 'x', 'text/plain');
      expect(JSON.parse((await fresh({ rawPath: '/days' })).body)).toMatchObject({ days: [] });
      now += 61_000;
      expect(JSON.parse((await fresh({ rawPath: '/days' })).body)).toMatchObject({ days: ['2026-11-19'] });
      // a day of the window table alone has no summaries: not listed
      await publishPartition(local.writer('gold'), 'gold_window', '2026-11-18', 'run-x', []);
      now += 61_000;
      expect(JSON.parse((await fresh({ rawPath: '/days' })).body)).toMatchObject({ days: ['2026-11-19'] });
    } finally {
      await local.stop();
    }
  });

  it('lists the same days from a folder (the Spark engine’s local output)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'folder-store-'));
    try {
      const writer = {
        put: async (key: string, body: Uint8Array | string) => {
          mkdirSync(dirname(join(root, key)), { recursive: true });
          writeFileSync(join(root, key), body);
        },
      };
      await publishGold(writer, 2, { dates: ['2026-11-17', '2026-11-18'] });
      const folder = createHandler({ store: new FolderStore(root), timeZone: 'Europe/Madrid', now: () => NOW });
      expect(JSON.parse((await folder({ rawPath: '/days' })).body)).toMatchObject({ days: ['2026-11-18', '2026-11-17'] });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('GET /devices/{id}/series', () => {
  interface Series {
    deviceId: string;
    start: string;
    stepSeconds: number;
    samples: number;
    units: Record<string, string>;
    series: Record<'voltage' | 'current' | 'temperature' | 'irradiance', (number | null)[]>;
    quality: number[];
  }

  it('serves the four series of silver, rounded, with missing slots as null', async () => {
    const r = await get(`/devices/${deviceName(7)}/series`, { date: FIXTURE_DATES[2]! });
    expect(r.statusCode).toBe(200);
    const b = JSON.parse(r.body) as Series;
    const row = silverRow(7, FIXTURE_DATES[2]!);
    expect(b).toMatchObject({ deviceId: deviceName(7), start: new Date(row.startMs).toISOString(), stepSeconds: 20, samples: 4320, units: { voltage: 'V', current: 'A', temperature: 'degC', irradiance: 'W/m2' } });
    for (const c of ['voltage', 'current', 'temperature', 'irradiance'] as const) {
      expect(b.series[c]).toHaveLength(4320);
      const noon = 33 * 64;
      expect(b.series[c][noon]).toBeCloseTo(row[c][noon]!, 2);
      expect(b.series[c][MISSING_SLOTS[0]]).toBeNull();
    }
    expect(b.quality[MISSING_SLOTS[0]]).toBe(2);
    expect(b.quality[0]).toBe(0);
    expect(r.headers.etag).toBe('"run-2"');
  });

  it('404 without data or without a silver store; 400 for a bad date', async () => {
    expect((await get('/devices/PV-999999/series', { date: FIXTURE_DATES[0]! })).statusCode).toBe(404);
    expect((await get(`/devices/${deviceName(1)}/series`, { date: '2026-11-01' })).statusCode).toBe(404);
    expect(JSON.parse((await get(`/devices/${deviceName(1)}/series`, {})).body).error).toMatchObject({ parameter: 'date' });
    const goldOnly = createHandler({ store: new S3Store(s3.client, 'gold'), timeZone: 'Europe/Madrid', now: () => NOW });
    const r = await goldOnly({ rawPath: `/devices/${deviceName(1)}/series`, queryStringParameters: { date: FIXTURE_DATES[0]! } });
    expect(r.statusCode).toBe(404);
    expect(JSON.parse(r.body).error.message).toMatch(/no silver store/);
  });
});

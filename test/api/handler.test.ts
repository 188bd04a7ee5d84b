/**
 * The prediction API against a real S3 API on loopback (s3rver) holding gold
 * Parquet written by the contract's writer: results, pagination, every error code,
 * caching, and a fuzz of random and malicious requests.
 */
import { createHandler, type HttpEvent, type HttpResult } from '../../functions/api/handler';
import { S3Store } from '../../functions/api/s3Store';
import { StoreUnavailable, type ObjectStore } from '../../functions/api/tableReader';
import { Rng } from '../../detector/simulator/random';
import { startLocalS3, type LocalS3 } from '../../local/localS3';
import { commitKey, plantDayWindow, type DeviceBaselineRow } from '../../contracts';
import { publishPartition } from '../../contracts/partition';
import { carriedAlarm, recurringAlarm } from '../../detector/alarms';
import { referenceOf } from '../../detector/baseline';
import { goldRows } from '../../detector/gold';
import { DEFAULT_PER_UNIT } from '../../detector/perUnit';
import { deviceName, expectedLabel, expectedRaise, expectedReference, FIXTURE_DATES, fixtureDesign, publishGold, TEST_RULE, TEST_THRESHOLDS } from '../helpers/goldFixture';

const DEVICES = 60;
const NOW = Date.UTC(2026, 10, 20, 12);
let s3: LocalS3;
let store: S3Store;
let api: (e: HttpEvent) => Promise<HttpResult>;

const get = (path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  api({ rawPath: path, queryStringParameters: query, headers, requestContext: { http: { method: 'GET' } } });
const body = (r: HttpResult) => JSON.parse(r.body) as Record<string, unknown> & { error?: { code: string; parameter?: string; message: string } };

beforeAll(async () => {
  s3 = await startLocalS3(['gold']);
  await publishGold(s3.writer('gold'), DEVICES);
  store = new S3Store(s3.client, 'gold');
  api = createHandler({ store, timeZone: 'Europe/Madrid', now: () => NOW });
}, 60_000);

afterAll(async () => {
  await s3?.stop();
});

describe('GET /devices/{id}/predictions', () => {
  it.each([
    [7, 0],
    [7, 2],
    [31, 1],
    [60, 2],
    [3, 1],
  ])('device %i on day %i: 67 windows, the expected verdict and probabilities', async (device, day) => {
    const r = await get(`/devices/${deviceName(device)}/predictions`, { date: FIXTURE_DATES[day]! });
    expect(r.statusCode).toBe(200);
    const b = body(r) as { windows: { index: number; status: string; label: string | null; probabilities: Record<string, number> | null; skipReason: string | null }[]; summary: { verdict: string; alarm: { label: string; candidates: string[]; onset: string; raised: string; confidence: number } | null; windows: number; predicted: number } };
    expect(b.windows).toHaveLength(67);
    expect(b.windows.map((w) => w.index)).toEqual(Array.from({ length: 67 }, (_, i) => i));
    expect(b.windows[0]).toMatchObject({ status: 'skipped', skipReason: 'low_irradiance', label: null, probabilities: null });
    expect(b.windows[30]!.label).toBe(expectedLabel(device, day));
    expect(Object.keys(b.windows[30]!.probabilities!)).toEqual(['normal', 'line_line', 'line_ground', 'open_circuit', 'partial_shading', 'arc_fault']);
    expect(b.summary).toMatchObject({ verdict: expectedLabel(device, day), windows: 67, predicted: 27 });
    // the design the device was judged as, from the day's registry; a device it lacks is the default, and says so
    const design = fixtureDesign(device);
    expect((b.summary as unknown as { design: unknown }).design).toEqual({ name: design.design, default: design.designSource === 'default' });
    const midnight = Date.parse(`${FIXTURE_DATES[day]}T00:00:00+01:00`);
    // the fixture's fault shows from window 25; two such windows name it (at the end of window 26), a blocked string's group is raised at the first
    const raise = expectedRaise(device, day);
    if (raise === null) expect(b.summary.alarm).toBeNull();
    else
      expect(b.summary.alarm).toEqual({
        label: expectedLabel(device, day),
        candidates: [expectedLabel(device, day)],
        onset: new Date(midnight + 25 * 1_280_000).toISOString(),
        raised: new Date(midnight + raise.raisedAt * 1_280_000).toISOString(),
        raisedAs: raise.raisedAs,
        labelled: new Date(midnight + raise.labelledAt * 1_280_000).toISOString(),
        // nothing carried in: open since its own onset
        openSince: new Date(midnight + 25 * 1_280_000).toISOString(),
        confidence: 0.9,
        evidence: expect.any(Number),
        judgedAgainst: expectedReference(device, day).days > 0 ? 'own-baseline' : 'fleet',
      });
    const reference = expectedReference(device, day);
    expect((b.summary as unknown as { baseline: unknown }).baseline).toEqual(reference.days > 0 ? { judgedAgainst: 'own-baseline', healthyDays: reference.days, gain: Math.round(reference.gain! * 1e4) / 1e4 } : { judgedAgainst: 'fleet', healthyDays: 0, gain: null });
    expect(r.headers['cache-control']).toBe('public, max-age=300');
    expect(r.headers.etag).toBe(`"run-${day}"`);
    expect(r.headers['access-control-allow-origin']).toBe('*');
  });

  it('answers 304 to a client that has the same run', async () => {
    const r = await get(`/devices/${deviceName(5)}/predictions`, { date: FIXTURE_DATES[0]! }, { 'if-none-match': '"run-0"' });
    expect(r.statusCode).toBe(304);
  });

  it('404 for a device or a day without data', async () => {
    expect((await get('/devices/PV-999999/predictions', { date: FIXTURE_DATES[0]! })).statusCode).toBe(404);
    const r = await get(`/devices/${deviceName(5)}/predictions`, { date: '2026-10-01' });
    expect(r.statusCode).toBe(404);
    expect(body(r).error).toMatchObject({ code: 'not_found' });
  });
});

describe('GET /devices/{id}/status', () => {
  it('gives the daily summaries over a range, flagging days without data', async () => {
    const r = await get(`/devices/${deviceName(4)}/status`, { from: '2026-11-16', to: '2026-11-19' });
    expect(r.statusCode).toBe(200);
    const days = (body(r) as { days: { date: string; verdict: string | null; noData?: boolean }[] }).days;
    expect(days.map((d) => [d.date, d.verdict])).toEqual([
      ['2026-11-16', null],
      ['2026-11-17', expectedLabel(4, 0)],
      ['2026-11-18', expectedLabel(4, 1)],
      ['2026-11-19', expectedLabel(4, 2)],
    ]);
    expect(days[0]!.noData).toBe(true);
  });

  it('bounds the range and checks its order', async () => {
    expect(body(await get(`/devices/${deviceName(4)}/status`, { from: '2026-01-01', to: '2026-11-19' })).error).toMatchObject({ code: 'bad_request', parameter: 'to' });
    expect(body(await get(`/devices/${deviceName(4)}/status`, { from: '2026-11-19', to: '2026-11-17' })).error).toMatchObject({ parameter: 'from' });
    expect((await get(`/devices/${deviceName(4)}/status`, { from: '2026-10-01', to: '2026-10-05' })).statusCode).toBe(404);
  });
});

describe('GET /faults', () => {
  it("lists the day's alarms, page by page, and filters by label", async () => {
    const expected = Array.from({ length: DEVICES }, (_, i) => i + 1).filter((i) => expectedLabel(i, 1) !== 'normal').map(deviceName);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: Record<string, string> = { date: FIXTURE_DATES[1]!, limit: '7' };
      if (cursor) q.cursor = cursor;
      const r = await get('/faults', q);
      expect(r.statusCode).toBe(200);
      const b = body(r) as { devices: { deviceId: string; alarm: { label: string } }[]; nextCursor: string | null };
      expect(b.devices.length).toBeLessThanOrEqual(7);
      seen.push(...b.devices.map((d) => d.deviceId));
      cursor = b.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 7));
    const arcs = body(await get('/faults', { date: FIXTURE_DATES[1]!, label: 'arc_fault', limit: '1000' })) as { devices: { deviceId: string; alarm: { label: string } }[] };
    expect(arcs.devices.length).toBeGreaterThan(0);
    expect(arcs.devices.every((d) => d.alarm.label === 'arc_fault')).toBe(true);
    // each alarm names the array's design, the default ones flagged
    const all = body(await get('/faults', { date: FIXTURE_DATES[1]!, limit: '1000' })) as { devices: { deviceId: string; design: { name: string; default: boolean } }[] };
    for (const d of all.devices) {
      const want = fixtureDesign(Number(d.deviceId.slice(3)));
      expect(d.design).toEqual({ name: want.design, default: want.designSource === 'default' });
    }
    expect(all.devices.some((d) => d.design.default) && all.devices.some((d) => !d.design.default)).toBe(true);
  });
});

describe('GET /faults with a group alarm', () => {
  it('a class filter finds the alarms that name it alone or in a group; the group filter its own', async () => {
    const date = '2026-11-10';
    const { startMs } = plantDayWindow(date, 'Europe/Madrid');
    const windows = Array.from({ length: 6 }, (_, i) => ({ index: i, startMs: startMs + i * 1_280_000, endMs: startMs + (i + 1) * 1_280_000, skipReason: null, missingFraction: 0, meanIrradiance: 500 }));
    // open string and short alternate: neither class gathers evidence alone, their group does
    const probs = new Float32Array(6 * 6);
    for (let w = 0; w < 6; w++) probs.set(w % 2 ? [0.05, 0.8, 0.05, 0.05, 0.025, 0.025] : [0.05, 0.05, 0.05, 0.8, 0.025, 0.025], w * 6);
    const blocked = goldRows('PV-000001', windows, probs, 'm', { thresholds: { ...TEST_THRESHOLDS, line_line: 50, open_circuit: 50 }, raise: null });
    const arc = goldRows('PV-000002', windows, new Float32Array(Array.from({ length: 6 }, () => [0.05, 0.05, 0.05, 0.05, 0.05, 0.75]).flat()), 'm', TEST_RULE);
    await publishPartition(s3.writer('gold'), 'gold_daily', date, 'run-g', [blocked.daily, arc.daily]);
    const ids = async (label?: string) => ((body(await get('/faults', { date, ...(label ? { label } : {}) })) as { devices: { deviceId: string; alarm: { label: string; candidates: string[] } }[] }).devices).map((d) => [d.deviceId, d.alarm.label, d.alarm.candidates.join('|')]);
    expect(await ids()).toEqual([
      ['PV-000001', 'string_blocked', 'line_line|line_ground|open_circuit'],
      ['PV-000002', 'arc_fault', 'arc_fault'],
    ]);
    expect(await ids('open_circuit')).toEqual([['PV-000001', 'string_blocked', 'line_line|line_ground|open_circuit']]);
    expect(await ids('string_blocked')).toEqual([['PV-000001', 'string_blocked', 'line_line|line_ground|open_circuit']]);
    // a leak can block its string too: the group's alarms answer for it
    expect(await ids('line_ground')).toEqual([['PV-000001', 'string_blocked', 'line_line|line_ground|open_circuit']]);
    expect(await ids('partial_shading')).toEqual([]);
  });
});

describe('GET /faults with alarms carried from the day before', () => {
  it('says which alarms the day carried in (alarms.carry): the same label, standing at the end of the day before, from its baseline; and since when each is open', async () => {
    const SINCE = Date.parse('2026-11-09T10:40:00Z');
    const row = (deviceId: string, dayVerdict: string | null, dayAlarmStanding: number | null, dayAlarmSinceMs?: number | null) => ({ deviceId, ratios: new Float32Array([1]), gain: 1, lastHealthyDate: '2026-11-01', dayRatio: 1, dayVerdict, dayAlarmStanding, ...(dayAlarmSinceMs === undefined ? {} : { dayAlarmSinceMs }), fleetRatio: 0.009 });
    const before = [
      row('PV-000001', 'arc_fault', 1.6, SINCE), // carried in, open since the 9th
      row('PV-000002', 'arc_fault', 0.4, SINCE), // its alarm fell back before the day's end: earned anew
      row('PV-000003', 'line_ground', 2, SINCE), // another fault the day before
      row('PV-000004', 'normal', null, null),
      row('PV-000005', 'arc_fault', 1.2), // carried in from a row of version 8, which did not record since when
    ];
    // as the predict job: each device judged with the alarm its row of the day before carries in (when that is the day before)
    const publishDay = async (date: string) => {
      const { startMs } = plantDayWindow(date, 'Europe/Madrid');
      const windows = Array.from({ length: 4 }, (_, i) => ({ index: i, startMs: startMs + i * 1_280_000, endMs: startMs + (i + 1) * 1_280_000, skipReason: null, missingFraction: 0, meanIrradiance: 500 }));
      const arcs = new Float32Array(Array.from({ length: 4 }, () => [0.05, 0.05, 0.05, 0.05, 0.05, 0.75]).flat());
      await publishPartition(s3.writer('gold'), 'gold_daily', date, 'run-c', before.map((r) => goldRows(r.deviceId, windows, arcs, 'm', TEST_RULE, referenceOf(r as DeviceBaselineRow, DEFAULT_PER_UNIT, carriedAlarm(r, '2026-11-11', date))).daily));
      return startMs;
    };
    const faults = async (date: string) => ((body(await get('/faults', { date })) as { devices: { deviceId: string; alarm: { label: string; carriedIn: boolean; onset: string; openSince: string | null } }[] }).devices).map((d) => [d.deviceId, d.alarm.label, d.alarm.carriedIn, d.alarm.openSince === d.alarm.onset ? 'onset' : d.alarm.openSince]);
    const { dayAlarmSinceMs: _, ...v8 } = row('PV-000005', 'arc_fault', 1.2);
    await publishPartition(s3.writer('gold'), 'device_baseline', '2026-11-11', 'run-b', before.map((r) => (r.deviceId === 'PV-000005' ? v8 : r)));
    await publishDay('2026-11-12');
    expect(await faults('2026-11-12')).toEqual([
      ['PV-000001', 'arc_fault', true, new Date(SINCE).toISOString()],
      ['PV-000002', 'arc_fault', false, 'onset'],
      ['PV-000003', 'arc_fault', false, 'onset'],
      ['PV-000004', 'arc_fault', false, 'onset'],
      ['PV-000005', 'arc_fault', true, null],
    ]);
    // the fleet's columns say the same
    const fleet = body(await get('/fleet', { date: '2026-11-12' })) as { devices: { onset: string[]; openSince: (string | null)[] } };
    expect(fleet.devices.openSince.map((t, k) => (t === fleet.devices.onset[k] ? 'onset' : t))).toEqual([new Date(SINCE).toISOString(), 'onset', 'onset', 'onset', null]);
    // no baseline of the day before (the pipeline did not run that day): nothing was carried in, every alarm open since its onset
    await publishDay('2026-11-14');
    expect((await faults('2026-11-14')).map((d) => [d[2], d[3]])).toEqual(Array.from({ length: 5 }, () => [false, 'onset']));
  });
});

describe('GET /faults with shadows that came back where they fell the day before', () => {
  it('says which alarms recur (alarms.recur): a shadow re-armed where the day before\'s alarm was, begun in that span', async () => {
    const W = 1_280_000;
    const { startMs: before } = plantDayWindow('2026-11-06', 'Europe/Madrid');
    const row = (deviceId: string, dayVerdict: string, onsetWindow?: number) => ({ deviceId, ratios: new Float32Array([1]), gain: 1, lastHealthyDate: '2026-11-01', dayRatio: 1, dayVerdict, dayAlarmStanding: 0, dayAlarmSinceMs: null, ...(onsetWindow === undefined ? {} : { dayAlarmOnsetMs: before + onsetWindow * W, dayAlarmRaisedMs: before + (onsetWindow + 1) * W }), fleetRatio: 0.009 });
    const rows = [
      row('PV-000001', 'partial_shading', 1), // its shadow again at window 1: one window raises it
      row('PV-000002', 'partial_shading', 9), // its shadow far from where it was: earned as any
      row('PV-000003', 'arc_fault', 1), // another fault the day before: nothing re-armed
      row('PV-000004', 'partial_shading'), // a row of version 10, without the alarm's times: nothing re-armed
    ];
    await publishPartition(s3.writer('gold'), 'device_baseline', '2026-11-06', 'run-b', rows);
    const { startMs } = plantDayWindow('2026-11-07', 'Europe/Madrid');
    const windows = Array.from({ length: 4 }, (_, i) => ({ index: i, startMs: startMs + i * W, endMs: startMs + (i + 1) * W, skipReason: null, missingFraction: 0, meanIrradiance: 500 }));
    const [N, S] = [[0.75, 0.05, 0.05, 0.05, 0.05, 0.05], [0.05, 0.05, 0.05, 0.05, 0.75, 0.05]];
    const probs: Record<string, number[][]> = { 'PV-000001': [N, S, N, N], 'PV-000002': [N, S, S, N], 'PV-000003': [N, S, S, N], 'PV-000004': [N, S, N, N] };
    await publishPartition(s3.writer('gold'), 'gold_daily', '2026-11-07', 'run-c', rows.map((r) => goldRows(r.deviceId, windows, new Float32Array(probs[r.deviceId]!.flat()), 'm', TEST_RULE, referenceOf(r as DeviceBaselineRow, DEFAULT_PER_UNIT, carriedAlarm(r, '2026-11-06', '2026-11-07'), recurringAlarm(r, '2026-11-06', '2026-11-07'))).daily));
    const res = await get('/faults', { date: '2026-11-07' });
    expect([res.statusCode, res.statusCode === 200 ? '' : res.body]).toEqual([200, '']);
    const faults = (body(res) as { devices: { deviceId: string; alarm: { label: string; recurs: boolean; carriedIn: boolean } }[] }).devices;
    expect(faults.map((d) => [d.deviceId, d.alarm.label, d.alarm.recurs, d.alarm.carriedIn])).toEqual([
      ['PV-000001', 'partial_shading', true, false],
      ['PV-000002', 'partial_shading', false, false],
      ['PV-000003', 'partial_shading', false, false],
    ]);
  });
});

describe('a day written under an older tables contract', () => {
  it('answers 404 naming the rerun that serves it, not 500', async () => {
    const date = '2026-11-09';
    const marker = { table: 'gold_daily', date, runId: 'old-run', files: [], rows: 0, committedAt: '2026-11-10T01:00:00.000Z', contractVersion: 1 };
    await s3.writer('gold').put(commitKey('gold_daily', date), JSON.stringify(marker), 'application/json');
    await s3.writer('gold').put(commitKey('gold_window', date), JSON.stringify({ ...marker, table: 'gold_window' }), 'application/json');
    for (const [path, q] of [[`/devices/${deviceName(1)}/predictions`, { date }], ['/faults', { date }], [`/devices/${deviceName(1)}/status`, { from: date, to: date }]] as const) {
      const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
      const r = await get(path, q);
      errors.mockRestore();
      expect(r.statusCode).toBe(404);
      expect(body(r).error?.message).toContain('written under tables contract version 1, which this API does not read');
    }
  });
});

describe('errors', () => {
  it.each([
    ['/devices/..%2F..%2Fetc%2Fpasswd/predictions', { date: '2026-11-18' }, 'deviceId'],
    ['/devices/%E0%A4%A/predictions', { date: '2026-11-18' }, 'deviceId'],
    ['/devices/PV-1/predictions', {}, 'date'],
    ['/devices/PV-1/predictions', { date: '2026-02-30' }, 'date'],
    ['/devices/PV-1/predictions', { date: '2026-11-21' }, 'date'],
    ['/devices/PV-1/predictions', { date: '2026-11-18', debug: '1' }, 'debug'],
    ['/faults', { date: '2026-11-18', label: 'normal' }, 'label'],
    ['/faults', { date: '2026-11-18', limit: '0' }, 'limit'],
    ['/faults', { date: '2026-11-18', limit: '5000' }, 'limit'],
    ['/faults', { date: '2026-11-18', cursor: '!!' }, 'cursor'],
    ['/faults', { date: '2026-11-18', cursor: Buffer.from('../x').toString('base64url') }, 'cursor'],
  ])('400 naming the parameter for %s %j', async (path, query, parameter) => {
    const r = await get(path, query);
    expect(r.statusCode).toBe(400);
    expect(body(r).error).toMatchObject({ code: 'bad_request', parameter });
    expect(r.headers['content-type']).toContain('application/json');
  });

  it('404 for an unknown route, 405 for another method, 204 with CORS for a preflight', async () => {
    expect((await get('/devices')).statusCode).toBe(404);
    const post = await api({ rawPath: '/faults', requestContext: { http: { method: 'POST' } } });
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, OPTIONS');
    const pre = await api({ rawPath: '/faults', requestContext: { http: { method: 'OPTIONS' } } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-methods']).toBe('GET, OPTIONS');
  });

  it('503 with Retry-After when the store throttles or is down', async () => {
    const throttled: ObjectStore = {
      getText: async () => Promise.reject(new StoreUnavailable('SlowDown')),
      getRange: async () => Promise.reject(new StoreUnavailable('SlowDown')),
      listKeys: async () => Promise.reject(new StoreUnavailable('SlowDown')),
    };
    const warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const r = await createHandler({ store: throttled, timeZone: 'Europe/Madrid', now: () => NOW })({ rawPath: '/faults', queryStringParameters: { date: '2026-11-18' } });
      expect(r.statusCode).toBe(503);
      expect(r.headers['retry-after']).toBe('5');
      // the operator's log says why; the client's answer does not
      expect(warnings.mock.calls.map((c) => JSON.parse(String(c[0])) as unknown)).toEqual([{ level: 'warn', message: 'SlowDown' }]);
      expect(r.body).not.toContain('SlowDown');
    } finally {
      warnings.mockRestore();
    }
    // a real S3 endpoint that refuses connections
    const { S3Client } = await import('@aws-sdk/client-s3');
    const dead = new S3Store(new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), 'gold');
    const quiet = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const r2 = await createHandler({ store: dead, timeZone: 'Europe/Madrid', now: () => NOW })({ rawPath: `/devices/${deviceName(1)}/predictions`, queryStringParameters: { date: '2026-11-18' } });
      expect(r2.statusCode).toBe(503);
      expect(String(quiet.mock.calls[0]?.[0])).toContain('gold store unavailable');
    } finally {
      quiet.mockRestore();
    }
  });
});

describe('fuzz', () => {
  it('answers thousands of random and malicious requests without a 5xx or a crash', async () => {
    const rng = new Rng(2026, 'fuzz');
    const nasty = ['../', '..%2F', '%00', '%', '%ZZ', "' OR 1=1 --", '<script>', '${jndi:ldap://x}', '𝓟𝓥-1', 'ä', ' ', '\u0000', '9'.repeat(5000), '-1', '1e309', 'NaN', '[]', '{}', '2026-11-18T00:00', '0000-00-00', '9999-12-31', '2026-11-18\n'];
    const paths = ['/devices/X/predictions', '/devices/X/status', '/faults', '/devices/X', '/X', '/devices//predictions', '/devices/X/predictions/extra', '/'];
    const keys = ['date', 'from', 'to', 'label', 'limit', 'cursor', 'X', '__proto__', 'constructor'];
    const pick = () => (rng.chance(0.3) ? rng.pick(nasty) : rng.chance(0.5) ? rng.pick(FIXTURE_DATES) : rng.chance(0.5) ? deviceName(rng.int(1, DEVICES)) : String(rng.int(-5, 2000)));
    const statuses = new Map<number, number>();
    for (let n = 0; n < 3000; n++) {
      const path = rng.pick(paths).replace('X', encodeURIComponent(pick()).slice(0, rng.int(1, 6000)));
      const query: Record<string, string> = {};
      for (let k = rng.int(0, 4); k > 0; k--) query[rng.pick(keys)] = pick();
      const method = rng.chance(0.9) ? 'GET' : rng.pick(['POST', 'DELETE', 'OPTIONS', 'PUT', 'TRACE']);
      const r = await api({ rawPath: path, queryStringParameters: query, requestContext: { http: { method } }, headers: rng.chance(0.1) ? { 'if-none-match': pick() } : {} });
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      expect(r.statusCode).toBeLessThan(500);
      if (r.statusCode !== 204 && r.statusCode !== 304) expect(() => JSON.parse(r.body)).not.toThrow();
    }
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([200, 400, 404, 405]));
  }, 120_000);
});

describe('the OpenAPI document', () => {
  it("documents every field of an alarm the handler returns, and only those", async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { parse } = await import('yaml');
    const doc = parse(readFileSync(join(__dirname, '../../docs/api.openapi.yaml'), 'utf8')) as { components: { schemas: { Alarm: { properties: Record<string, unknown>; required: string[] } } } };
    const alarm = (body(await get(`/devices/${deviceName(7)}/predictions`, { date: FIXTURE_DATES[0]! })) as { summary: { alarm: Record<string, unknown> } }).summary.alarm;
    expect(Object.keys(alarm).sort()).toEqual(Object.keys(doc.components.schemas.Alarm.properties).sort());
    expect([...doc.components.schemas.Alarm.required].sort()).toEqual(Object.keys(alarm).sort());
  });

  it('documents exactly the routes and query parameters the handler accepts', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { parse } = await import('yaml');
    const doc = parse(readFileSync(join(__dirname, '../../docs/api.openapi.yaml'), 'utf8')) as { paths: Record<string, { get: { parameters?: { name?: string; in?: string; $ref?: string }[] } }> };
    expect(Object.keys(doc.paths).sort()).toEqual(['/days', '/devices/{deviceId}/predictions', '/devices/{deviceId}/scalogram', '/devices/{deviceId}/series', '/devices/{deviceId}/status', '/faults', '/fleet']);
    for (const [path, item] of Object.entries(doc.paths)) {
      const query = (item.get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name!);
      const raw = path.replace('{deviceId}', deviceName(1));
      for (const name of query) {
        const r = await get(raw, { [name]: 'x' });
        expect(body(r).error?.message ?? '').not.toContain('unknown query parameter');
      }
      const r = await get(raw, { undocumented: '1' });
      expect(body(r).error).toMatchObject({ parameter: 'undocumented' });
    }
  });
});

describe('warm behaviour', () => {
  it('rounds float32 values to their real precision and reads a day of summaries once per committed run', async () => {
    let rangeReads = 0;
    const counting = { getText: (k: string) => store.getText(k), getRange: (k: string, a: number, b: number) => ((rangeReads += 1), store.getRange(k, a, b)), listKeys: (p: string) => store.listKeys(p) };
    const warm = createHandler({ store: counting, timeZone: 'Europe/Madrid', now: () => NOW });
    const first = await warm({ rawPath: '/faults', queryStringParameters: { date: FIXTURE_DATES[0]!, limit: '2' } });
    const afterFirst = rangeReads;
    const second = await warm({ rawPath: '/faults', queryStringParameters: { date: FIXTURE_DATES[0]!, limit: '2', cursor: JSON.parse(first.body).nextCursor } });
    expect(second.statusCode).toBe(200);
    expect(rangeReads).toBe(afterFirst); // the second page comes from the cached summaries
    const p = JSON.parse((await warm({ rawPath: `/devices/${deviceName(7)}/predictions`, queryStringParameters: { date: FIXTURE_DATES[0]! } })).body) as { windows: { confidence: number | null }[] };
    expect(p.windows[30]!.confidence).toBe(0.9);
  });
});

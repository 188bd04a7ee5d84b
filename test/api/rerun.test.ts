/**
 * Lookups while the day is rerun, through the real S3 API (s3rver): no 5xx, and every
 * answer wholly the old run's or wholly the new run's. The warm handler's markers
 * expire during the rerun (its clock moves 3 s a request), so it meets every mix:
 * cached old markers over new commits, a new window marker beside an old daily one.
 * The local S3 gives each GET a whole object, as S3 does (local/s3rverAtomic.ts): plain
 * s3rver's in-place overwrites made this test answer a 503 now and then.
 */
import { commitKey, plantDayWindow } from '../../contracts';
import { publishPartition, type ObjectWriter } from '../../contracts/partition';
import { createHandler, type HttpResult } from '../../functions/api/handler';
import { S3Store } from '../../functions/api/s3Store';
import { startLocalS3, type LocalS3 } from '../../local/localS3';
import { deviceDayRows, deviceName } from '../helpers/goldFixture';

const DATE = '2026-11-18';
const DEVICES = 12;
const T0 = plantDayWindow('2026-11-20', 'Europe/Madrid').startMs;

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3(['gold']);
});
afterAll(async () => s3.stop());

/** Run A is the fixture's day 0; run B another day's labels, another confidence and model: every device's answer differs. */
function runRows(run: 'A' | 'B') {
  const windows = [];
  const daily = [];
  for (let i = 1; i <= DEVICES; i++) {
    const r = deviceDayRows(i, run === 'A' ? 0 : 1, DATE);
    if (run === 'B') {
      for (const w of r.windows) if (w.status === 'predicted') w.confidence = 0.85;
      r.daily.modelVersion = 'model-B';
    }
    windows.push(...r.windows);
    daily.push(r.daily);
  }
  return { windows, daily };
}

async function publishRun(writer: ObjectWriter, run: 'A' | 'B', now: () => number, graceMs: number | undefined, between: () => Promise<void>) {
  const rows = runRows(run);
  const options = { rowGroupSize: 100, rowsPerFile: 250, now: () => new Date(now()), ...(graceMs === undefined ? {} : { supersededGraceMs: graceMs }) };
  // the predict job's order: windows, then the daily summaries
  await publishPartition(writer, 'gold_window', DATE, `run-${run}-${graceMs ?? 'default'}`, rows.windows, options);
  await between();
  await publishPartition(writer, 'gold_daily', DATE, `run-${run}-${graceMs ?? 'default'}`, rows.daily, options);
}

const lookup = (deviceId: string) => ({ rawPath: `/devices/${deviceId}/predictions`, queryStringParameters: { date: DATE } });

async function answers(handler: (e: ReturnType<typeof lookup>) => Promise<HttpResult>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 1; i <= DEVICES; i++) {
    const r = await handler(lookup(deviceName(i)));
    expect(r.statusCode).toBe(200);
    out.set(deviceName(i), withoutRunId(r.body));
  }
  return out;
}

/** The body without its runId (A and B differ in content; the run ids are checked apart). */
function withoutRunId(body: string): string {
  const { runId: _runId, ...rest } = JSON.parse(body) as Record<string, unknown>;
  return JSON.stringify(rest);
}

describe('lookups during a rerun', () => {
  const graceMs = undefined;
  it('never answer 5xx, and each answer is wholly the old or wholly the new run', async () => {
    let clock = T0;
    const now = () => clock;
    const store = new S3Store(s3.client, 'gold');
    const writer = s3.writer('gold');
    await publishRun(writer, 'A', now, graceMs, async () => {});
    const expectedA = await answers(createHandler({ store, timeZone: 'Europe/Madrid', now }));

    const warm = createHandler({ store, timeZone: 'Europe/Madrid', now });
    let lookups = 0;
    let done = false;
    const seen: { status: number; device: string; body: string }[] = [];
    const waitFor = async (n: number) => {
      const until = lookups + n;
      while (lookups < until) await new Promise((r) => setTimeout(r, 1));
    };
    const client = async (offset: number) => {
      for (let k = offset; !done || k < offset + 30; k++) {
        const device = deviceName(1 + (k % DEVICES));
        const r = await warm(lookup(device));
        clock += 3_000;
        lookups++;
        seen.push({ status: r.statusCode, device, body: r.body });
        if (done) break;
      }
    };
    const rerun = (async () => {
      await waitFor(25);
      await publishRun(writer, 'B', now, graceMs, () => waitFor(25));
      await waitFor(45);
      done = true;
    })();
    // a 503's cause is only in the handler's log: kept, so that a failure says which it was
    const warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await Promise.all([rerun, client(0), client(5), client(9)]);
    } finally {
      warnings.mockRestore();
    }
    expect(warnings.mock.calls.map((c) => String(c[0]))).toEqual([]);

    const expectedB = await answers(createHandler({ store, timeZone: 'Europe/Madrid', now }));
    const kinds = { A: 0, B: 0 };
    for (const s of seen) {
      expect({ status: s.status, body: s.status === 200 ? null : s.body }).toEqual({ status: 200, body: null });
      const body = withoutRunId(s.body);
      const runId = (JSON.parse(s.body) as { runId: string }).runId;
      if (body === expectedA.get(s.device)) {
        expect(runId).toMatch(/^run-A-/);
        kinds.A++;
      } else {
        expect(body).toBe(expectedB.get(s.device));
        expect(runId).toMatch(/^run-B-/);
        kinds.B++;
      }
    }
    // the loop saw both runs: it ran across the rerun, not before or after it
    expect(kinds.A).toBeGreaterThan(0);
    expect(kinds.B).toBeGreaterThan(0);
  }, 60_000);
});

describe('a cached marker whose run was deleted', () => {
  it('is read again and the lookup retried once: the answer is the new run, not a 5xx', async () => {
    const clock = T0 + 86_400_000;
    const now = () => clock;
    const store = new S3Store(s3.client, 'gold');
    const writer = s3.writer('gold');
    const warm = createHandler({ store, timeZone: 'Europe/Madrid', now });
    await publishRun(writer, 'A', now, 0, async () => {});
    expect((await warm(lookup(deviceName(2)))).statusCode).toBe(200); // caches run A's markers and footers
    // a rerun with no grace: A's files go as soon as B's markers are in, while the warm reader still holds A's markers
    await publishRun(writer, 'B', now, 0, async () => {});
    const r = await warm(lookup(deviceName(2)));
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ runId: 'run-B-0', summary: { modelVersion: 'model-B' } });
  });

  it('answers 503 (retry later), logged, when the committed run itself has lost a file', async () => {
    const clock = T0 + 2 * 86_400_000;
    const store = new S3Store(s3.client, 'gold');
    const writer = s3.writer('gold');
    await publishRun(writer, 'A', () => clock, undefined, async () => {});
    const marker = JSON.parse((await store.getText(commitKey('gold_window', DATE)))!) as { files: { key: string }[] };
    await writer.delete!(marker.files[0]!.key);
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    const warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const r = await createHandler({ store, timeZone: 'Europe/Madrid', now: () => clock })(lookup(deviceName(1)));
      expect(r.statusCode).toBe(503);
      expect(errors.mock.calls.map((c) => String(c[0])).join('\n')).toContain(marker.files[0]!.key);
      expect(String(warnings.mock.calls[0]?.[0])).toContain('files of the committed run are missing');
    } finally {
      errors.mockRestore();
      warnings.mockRestore();
    }
  });
});

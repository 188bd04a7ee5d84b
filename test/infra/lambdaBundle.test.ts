/**
 * The Lambda code Pulumi ships is the esbuild bundle of each handler: load that very
 * bundle in a fresh module and call it, so a dependency esbuild cannot bundle (or a
 * handler that only works under swc) fails here and not in AWS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleHandler, LAMBDA_ENTRIES, LAMBDA_HANDLER, type LambdaName } from '../../infra/lambdaBundle';

import { builtinModules } from 'node:module';
import { startLocalS3 } from '../../local/localS3';
import { deviceName, FIXTURE_DATES, publishGold, publishSilver } from '../helpers/goldFixture';
import { readModelVersion } from '../../detector/model/manifest';
import { WINDOW_VALUES } from '../../detector/windows';

const dir = mkdtempSync(join(tmpdir(), 'pv-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Handler = (event: unknown) => Promise<unknown>;
/** `as`: another file name, for a fresh module of the same bundle (handlers keep their clients per module) */
function load(name: LambdaName, as: string = name): Handler {
  const file = join(dir, `${as}.js`);
  writeFileSync(file, bundleHandler(name));
  const [, exported] = LAMBDA_HANDLER.split('.') as [string, string];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as Record<string, unknown>;
  expect(typeof mod[exported]).toBe('function');
  return mod[exported] as Handler;
}

describe('Lambda bundles', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('bundles every handler into one self-contained file', () => {
    for (const name of Object.keys(LAMBDA_ENTRIES) as LambdaName[]) {
      const code = bundleHandler(name);
      // no require of anything outside Node's built-ins: the zip holds index.js only
      const external = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!).filter((m) => !m.startsWith('node:') && !builtinModules.includes(m));
      // the SDK requires the CRT signer only for SigV4a (multi-region access points), inside a try
      expect(external.filter((m) => m !== '@aws-sdk/signature-v4-crt')).toEqual([]);
    }
  });

  it('run-window: the bundle resolves a rerun date to its plant-local window', async () => {
    process.env.PLANT_TIME_ZONE = 'Europe/Madrid';
    const handler = load('runWindow');
    const out = (await handler({ input: { date: '2026-11-18' }, executionName: 'rerun-2026-11-18-x1' })) as { date: string; startMs: number; endMs: number };
    expect(out.date).toBe('2026-11-18');
    expect(out.startMs).toBe(Date.UTC(2026, 10, 17, 23));
    expect(out.endMs).toBe(Date.UTC(2026, 10, 18, 23));
    await expect(handler({ input: { date: 'yesterday' }, executionName: 'x' })).rejects.toThrow(/date/);
  });

  it('api: the bundle answers CORS preflight and unknown routes without touching S3', async () => {
    process.env.GOLD_BUCKET = 'gold-bucket';
    process.env.PLANT_TIME_ZONE = 'Europe/Madrid';
    process.env.ALLOW_ORIGIN = '*';
    const handler = load('api');
    const preflight = (await handler({ rawPath: '/faults', requestContext: { http: { method: 'OPTIONS' } } })) as { statusCode: number; headers: Record<string, string> };
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    const missing = (await handler({ rawPath: '/nothing', requestContext: { http: { method: 'GET' } } })) as { statusCode: number; body: string };
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: expect.objectContaining({ code: 'route_not_found' }) });
  });

  it("api: with SILVER_BUCKET the bundle serves a device's series from silver, without it answers 404", async () => {
    const s3 = await startLocalS3(['gold', 'silver']);
    try {
      await publishSilver(s3.writer('silver'), 3);
      // the SDK's own environment settings point the bundle's client at s3rver (an IP endpoint: path-style)
      Object.assign(process.env, { AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${s3.port}`, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'eu-west-1', GOLD_BUCKET: 'gold', PLANT_TIME_ZONE: 'Europe/Madrid' });
      const date = FIXTURE_DATES[FIXTURE_DATES.length - 1]!;
      const event = { rawPath: `/devices/${deviceName(2)}/series`, queryStringParameters: { date }, requestContext: { http: { method: 'GET' } } };
      const without = (await load('api')(event)) as { statusCode: number };
      expect(without.statusCode).toBe(404);
      process.env.SILVER_BUCKET = 'silver';
      const withSilver = (await load('api', 'api-silver')(event)) as { statusCode: number; body: string };
      expect(withSilver.statusCode).toBe(200);
      expect(JSON.parse(withSilver.body)).toMatchObject({ deviceId: deviceName(2), date });
    } finally {
      await s3.stop();
    }
  }, 60_000);

  it("api: the bundle serves a window's scalogram with the model's normalisation it carries, and refuses a day of another model", async () => {
    const s3 = await startLocalS3(['gold', 'silver']);
    try {
      const dates = [FIXTURE_DATES[0]!, FIXTURE_DATES[1]!];
      await publishSilver(s3.writer('silver'), 3, { dates });
      // day one predicted by the committed model (the one the stack deploys with the bundle), day two by another
      await publishGold(s3.writer('gold'), 3, { dates: [dates[0]!], modelVersion: readModelVersion(), inputRunId: () => 'run-0' });
      await publishGold(s3.writer('gold'), 3, { dates: [dates[1]!], modelVersion: 'lenet5c-older' });
      Object.assign(process.env, { AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${s3.port}`, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'eu-west-1', GOLD_BUCKET: 'gold', SILVER_BUCKET: 'silver', PLANT_TIME_ZONE: 'Europe/Madrid' });
      const handler = load('api', 'api-scalogram');
      const event = (date: string, window: string) => ({ rawPath: `/devices/${deviceName(2)}/scalogram`, queryStringParameters: { date, window }, requestContext: { http: { method: 'GET' } } });
      const ok = (await handler(event(dates[0]!, '30'))) as { statusCode: number; body: string };
      expect(ok.statusCode).toBe(200);
      const body = JSON.parse(ok.body) as { modelVersion: string; values: string; window: { index: number } };
      expect(body.modelVersion).toBe(readModelVersion());
      expect(body.window.index).toBe(30);
      expect(Buffer.from(body.values, 'base64').length).toBe(WINDOW_VALUES * 4);
      const other = (await handler(event(dates[1]!, '30'))) as { statusCode: number; body: string };
      expect(other.statusCode).toBe(409);
      expect(JSON.parse(other.body).error.message).toMatch(/lenet5c-older/);
      expect(((await handler(event(dates[0]!, 'x'))) as { statusCode: number }).statusCode).toBe(400);
    } finally {
      await s3.stop();
    }
  }, 60_000);
});

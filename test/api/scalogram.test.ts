/**
 * GET /devices/{id}/scalogram: one window's model input as the classifier received it.
 * Against the real predict path (predictDevice with the committed model, a device with
 * a baseline gain): the route's image and levels, fed back to the classifier, give the
 * probabilities gold holds for that window; against the contract's whole-day
 * definition (dayScalograms, windowTensor) within its tolerance; and every way a
 * request can be wrong (device, date, window, a day of another model, silver replaced).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DETECTOR_CONTRACT, type SilverDeviceDayRow } from '../../contracts';
import { publishPartition, type ObjectWriter } from '../../contracts/partition';
import { createHandler, type HttpEvent, type HttpResult, type ModelNormalization } from '../../functions/api/handler';
import { FolderStore } from '../../local/folderStore';
import { createApiServer } from '../../local/apiServer';
import type { AddressInfo } from 'node:net';
import { predictDevice, type DeviceGold } from '../../local/jobs/devicePredictor';
import { Classifier } from '../../detector/model/infer';
import { readModelVersion } from '../../detector/model/manifest';
import { CHANNELS, dayScalograms, filledChannels, LEVEL_FEATURES, N_SCALES, WINDOW, WINDOW_VALUES, windowTensor, withGain } from '../../detector/windows';
import { FAULT_CLASSES } from '../../contracts';
import { deviceName, FIXTURE_DATES, publishGold, publishSilver, silverRow } from '../helpers/goldFixture';
import { NO_HISTORY } from '../../detector/baseline';
import { parseDesign } from '../../contracts/design';
import { DEFAULT_PER_UNIT, toPerUnit } from '../../detector/perUnit';
import { perUnitOfDesign, registryOfDesign } from '../../detector/simulator/registry';

const CDTE = parseDesign('cdte-4x4-fs-6385');

const NOW = Date.UTC(2026, 10, 20, 12);
const DATE = FIXTURE_DATES[2]!;
const GAIN = 0.975;

interface Scalogram {
  deviceId: string;
  date: string;
  modelVersion: string;
  window: { index: number; start: string; end: string; status: string; label: string; probabilities: Record<string, number> };
  channels: string[];
  wavelet: string;
  scales: number[];
  stepSeconds: number;
  shape: [number, number, number];
  layout: string;
  encoding: string;
  values: string;
  normalization: { formula: string; scale: Record<string, number> };
  baselineGain: number | null;
  perUnit: { vmpStcV: number; impStcA: number; vmpDropPerKelvin: number; voltageShape: number[] | null; currentShape: number[] | null };
  judgedAgainst: string;
  levels: Record<string, number>;
}

const decode = (b64: string) => new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer);

function folderWriter(root: string): ObjectWriter {
  return {
    put: async (key: string, body: Uint8Array | string) => {
      mkdirSync(dirname(join(root, key)), { recursive: true });
      writeFileSync(join(root, key), body);
    },
  };
}

let root: string;
let classifier: Classifier;
/** device 1 judged against its own baseline (gain), device 2 against the fleet; device 2 registered as a 4 × 4 CdTe array, device 1 not in the registry (the default design) */
const golds = new Map<number, DeviceGold>();
let api: (e: HttpEvent) => Promise<HttpResult>;
const get = (device: string, query: Record<string, string>, handler = api) => handler({ rawPath: `/devices/${device}/scalogram`, queryStringParameters: query, requestContext: { http: { method: 'GET' } } });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'scalogram-'));
  classifier = await Classifier.load();
  // silver as ingest left it (run-0), gold as the predict job writes it from that run
  await publishSilver(folderWriter(join(root, 'silver')), 2, { dates: [DATE] });
  await publishPartition(folderWriter(join(root, 'silver')), 'silver_device_registry', DATE, 'run-0', registryOfDesign([deviceName(2)], CDTE));
  for (const i of [1, 2]) golds.set(i, await predictDevice(silverRow(i, DATE), classifier, undefined, i === 1 ? { ...NO_HISTORY, gain: GAIN, days: 4 } : { ...NO_HISTORY, perUnit: perUnitOfDesign(CDTE) }));
  const gold = folderWriter(join(root, 'gold'));
  await publishPartition(gold, 'gold_window', DATE, 'predict-1', [...golds.values()].flatMap((g) => g.windows), { inputRunId: 'run-0' });
  await publishPartition(gold, 'gold_daily', DATE, 'predict-1', [...golds.values()].map((g) => g.daily), { inputRunId: 'run-0' });
  api = createHandler({ store: new FolderStore(join(root, 'gold')), silver: new FolderStore(join(root, 'silver')), timeZone: 'Europe/Madrid', now: () => NOW });
}, 120_000);

afterAll(async () => {
  await classifier?.close();
  rmSync(root, { recursive: true, force: true });
});

const predictedOf = (g: DeviceGold) => g.windows.filter((w) => w.status === 'predicted');

describe('GET /devices/{id}/scalogram', () => {
  it.each([1, 2])('device %i: the input gives the classifier the probabilities gold holds for the window', async (device) => {
    const g = golds.get(device)!;
    const predicted = predictedOf(g);
    expect(predicted.length).toBeGreaterThan(10);
    // the first, a middle and the last predicted window: the span's edges are where a different CWT span would show
    for (const w of [predicted[0]!, predicted[Math.floor(predicted.length / 2)]!, predicted[predicted.length - 1]!]) {
      const r = await get(deviceName(device), { date: DATE, window: String(w.windowIndex) });
      expect(r.statusCode).toBe(200);
      const b = JSON.parse(r.body) as Scalogram;
      expect(b.window).toMatchObject({ index: w.windowIndex, start: new Date(w.startMs).toISOString(), status: 'predicted', label: w.label });
      const images = decode(b.values);
      expect(images).toHaveLength(WINDOW_VALUES);
      const levels = Float32Array.from(LEVEL_FEATURES.map((f) => b.levels[f]!));
      const probs = await classifier.predict({ images, levels }, 1);
      FAULT_CLASSES.forEach((c, j) => expect(Math.abs(probs[j]! - (w as unknown as Record<string, number>)[`p_${c}`]!)).toBeLessThan(1e-6));
    }
  }, 60_000);

  it('describes the tensor: channels, scales, layout, the gain and the normalisation it was built with', async () => {
    const w = predictedOf(golds.get(1)!)[5]!;
    const b = JSON.parse((await get(deviceName(1), { date: DATE, window: String(w.windowIndex) })).body) as Scalogram;
    expect(b).toMatchObject({ deviceId: deviceName(1), date: DATE, modelVersion: readModelVersion(), channels: [...CHANNELS], wavelet: DETECTOR_CONTRACT.cwt.wavelet, stepSeconds: 20, shape: [N_SCALES, WINDOW, CHANNELS.length], layout: 'HWC', encoding: 'float32le-base64', baselineGain: GAIN, judgedAgainst: 'own-baseline' });
    expect(b.scales).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(b.normalization.scale).toEqual(classifier.normalization.scale);
    const two = JSON.parse((await get(deviceName(2), { date: DATE, window: String(w.windowIndex) })).body) as Scalogram;
    expect([two.baselineGain, two.judgedAgainst]).toEqual([null, 'fleet']);
    // what voltage and current were divided by: device 1 has no registry row (the default design), device 2 its CdTe row's
    expect(b.perUnit).toEqual(DEFAULT_PER_UNIT);
    expect(two.perUnit).toEqual(perUnitOfDesign(CDTE));
  });

  it("is the contract's whole-day scalogram of the gained channels within its tolerance; the gain shows in irradiance only", async () => {
    const w = predictedOf(golds.get(1)!)[8]!;
    const images = decode((JSON.parse((await get(deviceName(1), { date: DATE, window: String(w.windowIndex) })).body) as Scalogram).values);
    const row: SilverDeviceDayRow = silverRow(1, DATE);
    const tensor = (gain: number | null) => {
      const out = new Float32Array(WINDOW_VALUES);
      windowTensor(dayScalograms(row, toPerUnit(withGain(filledChannels(row), gain), DEFAULT_PER_UNIT)), row.samples, w.windowIndex, classifier.normalization.scale, out);
      return out;
    };
    const gained = tensor(GAIN);
    const plain = tensor(null);
    let largest = 0;
    const moved = CHANNELS.map(() => 0);
    for (let i = 0; i < WINDOW_VALUES; i++) {
      largest = Math.max(largest, Math.abs(images[i]! - gained[i]!));
      moved[i % CHANNELS.length] = Math.max(moved[i % CHANNELS.length]!, Math.abs(images[i]! - plain[i]!));
    }
    expect(largest).toBeLessThan(1e-6);
    expect(moved.slice(0, 3).every((m) => m < 1e-6)).toBe(true);
    // a 2.5 % gain on a smooth day moves its small coefficients by ~1e-3: far above the float32 noise the other channels stay within
    expect(moved[CHANNELS.indexOf('irradiance')]).toBeGreaterThan(1e-4);
  });

  it('names a window by an instant inside it as well as by its index', async () => {
    const w = predictedOf(golds.get(2)!)[3]!;
    const byIndex = await get(deviceName(2), { date: DATE, window: String(w.windowIndex) });
    const inside = new Date(w.startMs + 60_000).toISOString();
    const byInstant = await get(deviceName(2), { date: DATE, window: inside });
    expect(byInstant.statusCode).toBe(200);
    expect(byInstant.body).toBe(byIndex.body);
    // a zone offset names the same instant
    const offset = new Date(w.startMs + 3_600_000).toISOString().replace('Z', '+01:00');
    expect(JSON.parse((await get(deviceName(2), { date: DATE, window: offset })).body).window.index).toBe(w.windowIndex);
    expect(byIndex.headers.etag).toBe('"predict-1"');
  });

  it('400 for a malformed device, date or window, naming the parameter', async () => {
    const error = async (device: string, q: Record<string, string>) => {
      const r = await get(device, q);
      expect(r.statusCode).toBe(400);
      return (JSON.parse(r.body) as { error: { code: string; parameter: string; message: string } }).error;
    };
    expect(await error('not a device', { date: DATE, window: '30' })).toMatchObject({ code: 'bad_request', parameter: 'deviceId' });
    expect(await error(deviceName(1), { window: '30' })).toMatchObject({ parameter: 'date' });
    expect(await error(deviceName(1), { date: '2026-02-30', window: '30' })).toMatchObject({ parameter: 'date' });
    expect(await error(deviceName(1), { date: '2027-01-01', window: '30' })).toMatchObject({ parameter: 'date' });
    expect(await error(deviceName(1), { date: DATE })).toMatchObject({ parameter: 'window' });
    expect(await error(deviceName(1), { date: DATE, window: 'noon' })).toMatchObject({ parameter: 'window', message: expect.stringMatching(/neither an index nor an ISO 8601 instant/) });
    expect(await error(deviceName(1), { date: DATE, window: '-1' })).toMatchObject({ parameter: 'window' });
    // an instant without a zone is ambiguous: the plant's time or the reader's?
    expect(await error(deviceName(1), { date: DATE, window: `${DATE}T10:00:00` })).toMatchObject({ parameter: 'window' });
    expect(await error(deviceName(1), { date: DATE, window: '30', label: 'x' })).toMatchObject({ parameter: 'label' });
  });

  it('404 for a device or day without predictions, a window the day does not have, and a window that was not predicted', async () => {
    const notFound = async (device: string, q: Record<string, string>) => {
      const r = await get(device, q);
      expect(r.statusCode).toBe(404);
      return (JSON.parse(r.body) as { error: { code: string; message: string } }).error.message;
    };
    expect(await notFound(deviceName(9), { date: DATE, window: '30' })).toMatch(/no predictions for device PV-000009/);
    expect(await notFound(deviceName(1), { date: '2026-11-01', window: '30' })).toMatch(/no predictions/);
    const count = golds.get(1)!.windows.length;
    expect(await notFound(deviceName(1), { date: DATE, window: String(count) })).toMatch(new RegExp(`no window ${count} .* 0\\.\\.${count - 1}`));
    expect(await notFound(deviceName(1), { date: DATE, window: '2026-11-25T10:00:00Z' })).toMatch(/no window at 2026-11-25T10:00:00Z/);
    const skipped = golds.get(1)!.windows.find((w) => w.status === 'skipped')!;
    expect(await notFound(deviceName(1), { date: DATE, window: String(skipped.windowIndex) })).toMatch(new RegExp(`window ${skipped.windowIndex} .* was not predicted \\(${skipped.skipReason}\\)`));
    const goldOnly = createHandler({ store: new FolderStore(join(root, 'gold')), timeZone: 'Europe/Madrid', now: () => NOW });
    const w = predictedOf(golds.get(1)!)[0]!;
    expect(JSON.parse((await get(deviceName(1), { date: DATE, window: String(w.windowIndex) }, goldOnly)).body).error.message).toMatch(/no silver store/);
  });

  it('409 when the input cannot be rebuilt: a day of another model, or gold read a silver run no longer kept', async () => {
    const w = String(predictedOf(golds.get(1)!)[0]!.windowIndex);
    const other: ModelNormalization = { ...classifier.normalization, modelVersion: 'lenet5c-other' };
    const otherModel = createHandler({ store: new FolderStore(join(root, 'gold')), silver: new FolderStore(join(root, 'silver')), normalization: other, timeZone: 'Europe/Madrid', now: () => NOW });
    const r = await get(deviceName(1), { date: DATE, window: w }, otherModel);
    expect(r.statusCode).toBe(409);
    expect(JSON.parse(r.body).error).toMatchObject({ code: 'other_model', message: expect.stringContaining(readModelVersion()) });

    // the fixture's gold names silver run "gone", which silver never had (a later ingest replaced it, its grace over)
    const stale = mkdtempSync(join(tmpdir(), 'scalogram-stale-'));
    try {
      await publishGold(folderWriter(join(stale, 'gold')), 2, { dates: [DATE], modelVersion: readModelVersion(), inputRunId: () => 'gone' });
      await publishSilver(folderWriter(join(stale, 'silver')), 2, { dates: [DATE] });
      const h = createHandler({ store: new FolderStore(join(stale, 'gold')), silver: new FolderStore(join(stale, 'silver')), timeZone: 'Europe/Madrid', now: () => NOW });
      const s = await get(deviceName(1), { date: DATE, window: '30' }, h);
      expect(s.statusCode).toBe(409);
      expect(JSON.parse(s.body).error).toMatchObject({ code: 'silver_replaced', message: expect.stringMatching(/silver run gone/) });
    } finally {
      rmSync(stale, { recursive: true, force: true });
    }
  });

  it("npm start's server answers it over HTTP as the page asks: JSON, gzipped, errors with their status", async () => {
    const server = createApiServer(api, null);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const w = predictedOf(golds.get(1)!)[4]!;
      const ok = await fetch(`${base}/devices/${deviceName(1)}/scalogram?date=${DATE}&window=${w.windowIndex}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-encoding')).toBe('gzip');
      const b = (await ok.json()) as Scalogram;
      expect(b.window.index).toBe(w.windowIndex);
      expect(decode(b.values)).toHaveLength(WINDOW_VALUES);
      const bad = await fetch(`${base}/devices/${deviceName(1)}/scalogram?date=${DATE}&window=noon`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { parameter: string } }).error.parameter).toBe('window');
      expect((await fetch(`${base}/devices/${deviceName(1)}/scalogram?date=${DATE}&window=66`)).status).toBe(404);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

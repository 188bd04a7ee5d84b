/**
 * The device registry through the local jobs: the ingest checks the plant's registry
 * object (its --registry-uri), writes the day's snapshot into silver before the
 * device-days, and the predict job names each device's design in gold_daily from
 * it, the default design (said to be) for a device it lacks. A rerun of the day
 * takes the registry as it is at the rerun. The Spark jobs do the same
 * (test/engines/realEngines.test.ts runs both on one day).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { commitKey, encodeReading, GRID_STEP_MS, parseCommitMarker, plantDayWindow, type SilverDeviceDayRow, type SilverDeviceRegistryRow, type TableName } from '../../contracts';
import { DEFAULT_DESIGN_NAME, parseDesignFile } from '../../contracts/design';
import { missingRegistry, RegistryError } from '../../contracts/registry';
import { normaliseRow } from '../../contracts/parquetRows';
import { goldRows } from '../../detector/gold';
import { plantConfig } from '../../detector/simulator/plant';
import { deviceRegistry } from '../../detector/simulator/registry';
import { windowsOf } from '../../detector/windows';
import { runIngest } from '../../local/jobs/ingest';
import { runPredict } from '../../local/jobs/predict';
import { LocalTopic } from '../../local/topic';
import { TEST_RULE } from '../helpers/goldFixture';
import { REGISTRY_ARGS, REGISTRY_URI, withRegistry } from '../helpers/registry';

const DATE = '2026-06-10';
const TZ = 'Europe/Madrid';
const PARTITIONS = 2;
const day = plantDayWindow(DATE, TZ);
const ingestArgs = (runId: string) => ['--date', DATE, '--start-ms', String(day.startMs), '--end-ms', String(day.endMs), '--run-id', runId, '--time-zone', TZ, '--bootstrap-servers', 'local:9098', '--topic', 'readings', '--silver-uri', 's3://silver', ...REGISTRY_ARGS];
const predictArgs = (runId: string) => ['--date', DATE, '--run-id', runId, '--time-zone', TZ, '--silver-uri', 's3://silver', '--gold-uri', 's3://gold', '--model-uri', 's3://bootstrap/model'];

/** three simulated arrays of two designs; the topic has readings of a fourth, which the registry lacks */
const PLANT = deviceRegistry(plantConfig({ date: DATE, devices: 3, design: parseDesignFile({ arrays: [{ devices: [0, 2], design: 'cdte-4x4-fs-6385' }, { devices: [2, 3], design: 'poly-16x2-cs6p-250p' }] }, 3) }));
const UNREGISTERED = 'PV-000004';

let dir: string;
let topicDir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'registry-day-'));
  topicDir = join(dir, 'topic');
  const topic = new LocalTopic(topicDir, PARTITIONS);
  const noon = day.startMs + 12 * 3_600_000;
  for (const id of [...PLANT.map((r) => r.deviceId), UNREGISTERED]) {
    for (let s = 0; s < 30; s++) topic.send(id, encodeReading({ deviceId: id, timestamp: noon + s * GRID_STEP_MS, voltage: 400, current: 7, temperature: 30, irradiance: 800 }), noon + s * GRID_STEP_MS);
  }
  topic.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function store() {
  const objects = new Map<string, Uint8Array | string>();
  const writer = { put: async (key: string, body: Uint8Array | string) => void objects.set(key, body) };
  const reader = {
    getText: async (key: string) => (objects.has(key) ? String(objects.get(key)) : null),
    getRange: async (key: string, start: number, end: number) => {
      const b = objects.get(key) as Uint8Array;
      return b.buffer.slice(b.byteOffset + start, b.byteOffset + end) as ArrayBuffer;
    },
    listKeys: async (prefix: string) => [...objects.keys()].filter((k) => k.startsWith(prefix)),
  };
  return { objects, writer, reader };
}

async function rows(objects: Map<string, Uint8Array | string>, table: TableName): Promise<Record<string, unknown>[]> {
  const marker = parseCommitMarker(objects.get(commitKey(table, DATE)) as string, { table, date: DATE });
  const out: Record<string, unknown>[] = [];
  for (const f of marker.files) {
    const b = objects.get(f.key) as Uint8Array;
    // in the contract's JavaScript types (lists as typed arrays), as the jobs read them
    out.push(...(await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer })).map((r) => normaliseRow(table, r)));
  }
  return out;
}

// the model is not what this is about: every window skipped, so gold is the silver rows' alone
const predictor = {
  modelVersion: 'test',
  predict: async (row: SilverDeviceDayRow) => ({ ...goldRows(row.deviceId, windowsOf(row).map((w) => ({ ...w, skipReason: w.skipReason ?? 'missing_data' })), new Float32Array(0), 'test', TEST_RULE), predicted: 0, ratio: null, rule: TEST_RULE }),
};

const commits = (objects: Map<string, unknown>) => [...objects.keys()].filter((k) => k.includes('/_commits/')).sort();

describe("the day's device registry, through the local ingest and predict jobs", () => {
  it('writes the registry into silver with the day, and names each device its design in gold_daily, the default said to be one', async () => {
    const { objects, writer, reader } = store();
    const ingest = await runIngest(ingestArgs('run-1'), topicDir, PARTITIONS, withRegistry(writer, [...PLANT].reverse()), false, 1);
    expect(ingest.registryDevices).toBe(3);
    // every column as the registry gave it, in device order
    expect(await rows(objects, 'silver_device_registry')).toEqual(PLANT);
    expect(parseCommitMarker(objects.get(commitKey('silver_device_registry', DATE)) as string, { table: 'silver_device_registry', date: DATE }).runId).toBe('run-1');

    const predict = await runPredict(predictArgs('run-2'), () => reader, () => writer, predictor, false);
    const daily = (await rows(objects, 'gold_daily')).map((r) => [r.deviceId, r.design, r.designSource]);
    expect(daily).toEqual([
      ['PV-000001', 'cdte-4x4-fs-6385', 'registry'],
      ['PV-000002', 'cdte-4x4-fs-6385', 'registry'],
      ['PV-000003', 'poly-16x2-cs6p-250p', 'registry'],
      [UNREGISTERED, DEFAULT_DESIGN_NAME, 'default'],
    ]);
    expect(predict.registry).toEqual({ devices: 3, defaulted: 1 });
    expect(predict.byDevice.get(UNREGISTERED)).toMatchObject({ design: DEFAULT_DESIGN_NAME, designSource: 'default' });
  }, 60_000);

  it("a rerun of the day writes the registry as it is then; predict refuses a registry of another run than silver's", async () => {
    const { objects, writer, reader } = store();
    await runIngest(ingestArgs('run-1'), topicDir, PARTITIONS, withRegistry(writer, PLANT), false, 1);
    // the fourth array registered since: the rerun's snapshot has it
    const added: SilverDeviceRegistryRow = { ...PLANT[2]!, deviceId: UNREGISTERED };
    await runIngest(ingestArgs('run-3'), topicDir, PARTITIONS, withRegistry(writer, [...PLANT, added]), false, 1);
    expect((await rows(objects, 'silver_device_registry')).map((r) => r.deviceId)).toEqual([...PLANT.map((r) => r.deviceId), UNREGISTERED]);
    await runPredict(predictArgs('run-4'), () => reader, () => writer, predictor, false);
    expect((await rows(objects, 'gold_daily')).find((r) => r.deviceId === UNREGISTERED)).toMatchObject({ design: 'poly-16x2-cs6p-250p', designSource: 'registry' });

    // a registry committed by a run whose device-days never were (it failed between its two commits)
    const marker = JSON.parse(objects.get(commitKey('silver_device_registry', DATE)) as string) as { runId: string; files: { key: string }[] };
    objects.set(commitKey('silver_device_registry', DATE), JSON.stringify({ ...marker, runId: 'run-5', files: [] }));
    await expect(runPredict(predictArgs('run-6'), () => reader, () => writer, predictor, false)).rejects.toThrow(`the ${DATE} device registry is of ingest run run-5, its silver of run run-3: rerun the day's ingest`);
  }, 60_000);

  it('a day ingested before the registry existed: every device the default design, said to be', async () => {
    const { objects, writer, reader } = store();
    await runIngest(ingestArgs('run-1'), topicDir, PARTITIONS, withRegistry(writer, PLANT), false, 1);
    objects.delete(commitKey('silver_device_registry', DATE));
    const predict = await runPredict(predictArgs('run-2'), () => reader, () => writer, predictor, false);
    expect((await rows(objects, 'gold_daily')).map((r) => r.designSource)).toEqual(['default', 'default', 'default', 'default']);
    expect(predict.registry).toEqual({ devices: 0, defaulted: 4 });
  }, 60_000);

  it('fails before reading the topic without a registry object, or with a bad one, and commits nothing', async () => {
    const { objects, writer } = store();
    const none = (bucket: string) => (bucket === 'bootstrap' ? { put: async () => undefined, getText: async () => null } : writer);
    await expect(runIngest(ingestArgs('run-1'), topicDir, PARTITIONS, none, false, 1)).rejects.toThrow(missingRegistry(REGISTRY_URI));
    const bad = [{ ...PLANT[0]!, strings: 0 }];
    await expect(runIngest(ingestArgs('run-1'), topicDir, PARTITIONS, withRegistry(writer, bad), false, 1)).rejects.toThrow(new RegistryError(`device registry ${REGISTRY_URI}: devices[0].strings must be a positive integer, got 0`));
    expect(commits(objects)).toEqual([]);
  }, 60_000);
});

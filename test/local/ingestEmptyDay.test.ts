/**
 * The local ingest refuses a day without valid readings, by the contract's emptyDay
 * rule (contracts/emptyDay.ts, the Spark ingest's refuse_empty_day): it fails naming
 * the day and the counts, and commits nothing, so the day committed before stays.
 * The issue: a second run into the same --out reset the topic under the first, whose
 * ingest then read 0 records and replaced a complete day with an empty one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitKey, GRID_STEP_MS, plantDayWindow, READING_AVRO_TYPE } from '../../contracts';
import { runIngest } from '../../local/jobs/ingest';
import { LocalTopic } from '../../local/topic';
import { REGISTRY_ARGS, withRegistry } from '../helpers/registry';

const DATE = '2026-11-19';
const TZ = 'Europe/Madrid';
const PARTITIONS = 3;
const day = plantDayWindow(DATE, TZ);
const args = (runId: string) => ['--date', DATE, '--start-ms', String(day.startMs), '--end-ms', String(day.endMs), '--run-id', runId, '--time-zone', TZ, '--bootstrap-servers', 'local:9098', '--topic', 'readings', '--silver-uri', 's3://silver', ...REGISTRY_ARGS];
// written with the bare Avro type: the producer's validation would refuse the out-of-range ones
const reading = (deviceId: string, timestamp: number, voltage = 610.5) => READING_AVRO_TYPE.toBuffer({ deviceId, timestamp, voltage, current: 8.25, temperature: 31.5, irradiance: 640 });

let root: string;
beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'ingest-empty-'))));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function topic(name: string, fill: (t: LocalTopic) => void): string {
  const dir = join(root, name);
  const t = new LocalTopic(dir, PARTITIONS);
  fill(t);
  t.close();
  return dir;
}

/** An object store holding a committed day of run-0, as the first run left it. */
function storeWithCommittedDay() {
  const objects = new Map<string, Uint8Array | string>();
  const marker = JSON.stringify({ table: 'silver_device_day', date: DATE, runId: 'run-0', rows: 300 });
  objects.set(commitKey('silver_device_day', DATE), marker);
  return { objects, marker, writer: { put: async (key: string, body: Uint8Array | string) => void objects.set(key, body) } };
}

const commitKeys = (objects: Map<string, unknown>) => [...objects.keys()].filter((k) => k.includes('/_commits/'));

describe('the local ingest and the empty-day rule', () => {
  it('an empty topic: the run fails naming the day and the counts, and the committed day stays', async () => {
    const dir = topic('empty', () => undefined);
    const { objects, marker, writer } = storeWithCommittedDay();
    await expect(runIngest(args('run-1'), dir, PARTITIONS, withRegistry(writer), false, 2)).rejects.toThrow(
      `ingest of ${DATE} refused: 0 valid readings on the day's grid (0 records read, 0 quarantined); a day needs at least 1 (tables.json emptyDay). Nothing was committed`,
    );
    expect(commitKeys(objects)).toEqual([commitKey('silver_device_day', DATE)]);
    expect(objects.get(commitKey('silver_device_day', DATE))).toBe(marker);
  }, 60_000);

  it('records, but none valid on the day: refused with what was read and quarantined', async () => {
    const dir = topic('nothing-valid', (t) => {
      for (let s = 0; s < 5; s++) t.send('PV-000001', reading('PV-000001', day.startMs + s * GRID_STEP_MS, 9_999), day.startMs + s * GRID_STEP_MS);
      t.send('PV-000002', Uint8Array.from([1, 2, 3]), day.startMs);
    });
    const { objects, marker, writer } = storeWithCommittedDay();
    await expect(runIngest(args('run-1'), dir, PARTITIONS, withRegistry(writer), false, 2)).rejects.toThrow(`ingest of ${DATE} refused: 0 valid readings on the day's grid (6 records read, 6 quarantined)`);
    expect(commitKeys(objects)).toEqual([commitKey('silver_device_day', DATE)]);
    expect(objects.get(commitKey('silver_device_day', DATE))).toBe(marker);
  }, 60_000);

  it('one valid reading is a day: published', async () => {
    const dir = topic('one', (t) => t.send('PV-000001', reading('PV-000001', day.startMs + GRID_STEP_MS), day.startMs + GRID_STEP_MS));
    const { objects, marker, writer } = storeWithCommittedDay();
    const result = await runIngest(args('run-1'), dir, PARTITIONS, withRegistry(writer), false, 2);
    expect([result.recordsRead, result.observed, result.devices]).toEqual([1, 1, 1]);
    expect(objects.get(commitKey('silver_device_day', DATE))).not.toBe(marker);
    expect(JSON.parse(objects.get(commitKey('silver_device_day', DATE)) as string)).toMatchObject({ runId: 'run-1', rows: 1 });
  }, 60_000);
});

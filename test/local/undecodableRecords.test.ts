/**
 * Records that name no device (not Avro, truncated, trailing bytes, a deviceId or a Kafka
 * key that is not UTF-8) through the local ingest: each is quarantined as malformed with
 * the detail of the shared vectors, which the Spark ingest is held to as well
 * (test/python/test_ingest.py), and the rest of the day is committed. Likewise a
 * well-formed reading whose timestamp is past 2^53: out_of_range, exact, in both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { commitKey, encodeReading, parseCommitMarker, plantDayWindow } from '../../contracts';
import { runIngest } from '../../local/jobs/ingest';
import { LocalTopic } from '../../local/topic';
import longTimestamps from '../fixtures/contracts/long-timestamp-records.json';
import vectors from '../fixtures/contracts/undecodable-records.json';
import { REGISTRY_ARGS, withRegistry } from '../helpers/registry';

const DATE = '2026-11-19';
const TZ = 'Europe/Madrid';
const PARTITIONS = 2;
const day = plantDayWindow(DATE, TZ);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'undecodable-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('quarantines every record of the shared vectors as malformed, with their detail and the value as payload', async () => {
  const topic = new LocalTopic(join(dir, 'topic'), PARTITIONS);
  const noon = day.startMs + 12 * 3_600_000;
  // a valid device keeps the day from being refused as empty
  for (let s = 0; s < 10; s++) topic.send('PV-000001', encodeReading({ deviceId: 'PV-000001', timestamp: day.startMs + s * 20_000, voltage: 400, current: 7, temperature: 30, irradiance: 800 }), day.startMs + s * 20_000);
  for (const c of vectors.cases) topic.send(Buffer.from(c.keyHex, 'hex'), Buffer.from(c.valueHex, 'hex'), noon);
  topic.close();
  const objects = new Map<string, Uint8Array | string>();
  const args = ['--date', DATE, '--start-ms', String(day.startMs), '--end-ms', String(day.endMs), '--run-id', 'r1', '--time-zone', TZ, '--bootstrap-servers', 'local:9098', '--topic', 'readings', '--silver-uri', 's3://silver', ...REGISTRY_ARGS];
  const result = await runIngest(args, join(dir, 'topic'), PARTITIONS, withRegistry({ put: async (key: string, body: Uint8Array | string) => void objects.set(key, body) }), false, 1);
  expect(result.quarantined).toEqual({ malformed: vectors.cases.length });
  expect(result.devices).toBe(1);

  const marker = parseCommitMarker(objects.get(commitKey('silver_quarantine', DATE)) as string, { table: 'silver_quarantine', date: DATE });
  const rows: Record<string, unknown>[] = [];
  for (const f of marker.files) {
    const b = objects.get(f.key) as Uint8Array;
    rows.push(...(await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer })));
  }
  const got = rows.map((r) => ({ deviceId: r.deviceId ?? null, timestamp: r.timestamp ?? null, reason: r.reason, field: r.field ?? null, detail: r.detail, payload: r.payload })).sort((a, b) => String(a.payload).localeCompare(String(b.payload)));
  const want = vectors.cases.map((c) => ({ deviceId: null, timestamp: null, reason: c.reason, field: c.field, detail: c.detail, payload: Buffer.from(c.valueHex, 'hex').toString('base64') })).sort((a, b) => a.payload.localeCompare(b.payload));
  expect(got).toEqual(want);
});

it('quarantines a timestamp past 2^53 as out_of_range, exact, with the shared vectors\' detail and payload', async () => {
  const topic = new LocalTopic(join(dir, 'topic-long'), PARTITIONS);
  const noon = day.startMs + 12 * 3_600_000;
  for (let s = 0; s < 10; s++) topic.send('PV-000001', encodeReading({ deviceId: 'PV-000001', timestamp: day.startMs + s * 20_000, voltage: 400, current: 7, temperature: 30, irradiance: 800 }), day.startMs + s * 20_000);
  for (const c of longTimestamps.cases) topic.send(Buffer.from(c.keyHex, 'hex'), Buffer.from(c.valueHex, 'hex'), noon);
  topic.close();
  const objects = new Map<string, Uint8Array | string>();
  const args = ['--date', DATE, '--start-ms', String(day.startMs), '--end-ms', String(day.endMs), '--run-id', 'r2', '--time-zone', TZ, '--bootstrap-servers', 'local:9098', '--topic', 'readings', '--silver-uri', 's3://silver', ...REGISTRY_ARGS];
  const result = await runIngest(args, join(dir, 'topic-long'), PARTITIONS, withRegistry({ put: async (key: string, body: Uint8Array | string) => void objects.set(key, body) }), false, 1);
  expect(result.quarantined).toEqual({ out_of_range: longTimestamps.cases.length });
  // the records name a valid device: it gets a row, all of its readings set aside
  expect(result.devices).toBe(2);

  const marker = parseCommitMarker(objects.get(commitKey('silver_quarantine', DATE)) as string, { table: 'silver_quarantine', date: DATE });
  const rows: Record<string, unknown>[] = [];
  for (const f of marker.files) {
    const b = objects.get(f.key) as Uint8Array;
    rows.push(...(await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer })));
  }
  const got = rows.map((r) => ({ deviceId: r.deviceId, timestamp: String(r.timestamp), reason: r.reason, field: r.field, detail: r.detail, payload: r.payload })).sort((a, b) => String(a.detail).localeCompare(String(b.detail)));
  const want = longTimestamps.cases.map((c) => ({ deviceId: c.deviceId, timestamp: c.timestamp, reason: c.reason, field: c.field, detail: c.detail, payload: c.payload })).sort((a, b) => a.detail.localeCompare(b.detail));
  expect(got).toEqual(want);
});

/**
 * The local topic's partition files, damaged the way a disk or an interrupted copy
 * damages them. A frame's length is the only way to the next record, so a corrupt
 * length or a cut-off frame must stop the reader with the partition and the offset,
 * never end the partition early: the ingest would otherwise commit the day without
 * the records after the damage.
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitKey, encodeReading, GRID_STEP_MS, plantDayWindow } from '../../contracts';
import { runIngest } from '../../local/jobs/ingest';
import { LocalTopic, MAX_VALUE_BYTES, partitionOf } from '../../local/topic';
import { REGISTRY_ARGS, withRegistry } from '../helpers/registry';

const DATE = '2026-11-19';
const TZ = 'Europe/Madrid';
const PARTITIONS = 2;
const day = plantDayWindow(DATE, TZ);
const DEVICES = Array.from({ length: 6 }, (_, i) => `PV-${String(i + 1).padStart(6, '0')}`);
const SLOTS = 200;
const ARGS = ['--date', DATE, '--start-ms', String(day.startMs), '--end-ms', String(day.endMs), '--run-id', 'run-1', '--time-zone', TZ, '--bootstrap-servers', 'local:9098', '--topic', 'readings', '--silver-uri', 's3://silver', ...REGISTRY_ARGS];

let root: string;
beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'topic-'))));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A topic of DEVICES × SLOTS readings written by LocalTopic itself; the number of records per partition. */
function writeTopic(name: string): { dir: string; records: number[] } {
  const dir = join(root, name);
  const topic = new LocalTopic(dir, PARTITIONS);
  const records = new Array<number>(PARTITIONS).fill(0);
  for (let s = 0; s < SLOTS; s++) {
    for (const deviceId of DEVICES) {
      const timestamp = day.startMs + s * GRID_STEP_MS;
      topic.send(deviceId, encodeReading({ deviceId, timestamp, voltage: 610.5, current: 8.25, temperature: 31.5, irradiance: 640 }), timestamp + 1_500);
      records[partitionOf(deviceId, PARTITIONS)]!++;
    }
  }
  topic.close();
  return { dir, records };
}

/** Byte positions of each frame of a partition file, found from the layout alone (not by the reader under test). */
function framePositions(file: string): number[] {
  const bytes = readFileSync(file);
  const out: number[] = [];
  for (let at = 0; at < bytes.length; at += 14 + bytes.readUInt16LE(at + 8) + bytes.readUInt32LE(at + 10)) out.push(at);
  return out;
}

const fileOf = (dir: string, p: number) => join(dir, `partition-${p}.log`);
const readAll = (dir: string, p: number) => [...LocalTopic.read(dir, p, -Infinity, Infinity)];

function recorder() {
  const objects = new Map<string, Uint8Array | string>();
  return { objects, writer: { put: async (key: string, body: Uint8Array | string) => void objects.set(key, body) } };
}

describe('the local topic', () => {
  it('reads back every record it wrote, in offset order', () => {
    const { dir, records } = writeTopic('clean');
    for (let p = 0; p < PARTITIONS; p++) {
      const got = readAll(dir, p);
      expect(records[p]).toBeGreaterThan(100);
      expect(got.map((r) => r.offset)).toEqual(Array.from({ length: records[p]! }, (_, i) => i));
    }
  });

  it('a frame length corrupted to 50 MB in the middle of a partition is an error naming the partition and the offset', () => {
    const { dir, records } = writeTopic('fifty-mb');
    const p = 1;
    const middle = Math.floor(records[p]! / 2);
    const file = fileOf(dir, p);
    const at = framePositions(file)[middle]!;
    const bytes = readFileSync(file);
    bytes.writeUInt32LE(50 * 2 ** 20, at + 10);
    writeFileSync(file, bytes);

    expect(() => readAll(dir, p)).toThrow(`local topic partition ${p} is corrupt at offset ${middle} (byte ${at} of ${file})`);
    expect(() => readAll(dir, p)).toThrow(/declares a 52428800-byte value/);
    // the other partition is intact and still reads
    expect(readAll(dir, 1 - p)).toHaveLength(records[1 - p]!);
    // a writer does not append to a damaged partition either
    expect(() => new LocalTopic(dir, PARTITIONS)).toThrow(`local topic partition ${p} is corrupt at offset ${middle}`);
  });

  it('a length that runs past the end of the file, or a last frame cut short, is an error naming the offset', () => {
    const { dir, records } = writeTopic('truncated');
    const p = 0;
    const file = fileOf(dir, p);
    const frames = framePositions(file);
    const last = records[p]! - 1;
    expect(frames).toHaveLength(records[p]!);

    // the last frame loses its final 5 bytes (a copy cut off, a write torn by a crash)
    const size = readFileSync(file).length;
    truncateSync(file, size - 5);
    expect(() => readAll(dir, p)).toThrow(`local topic partition ${p} is corrupt at offset ${last} (byte ${frames[last]}`);
    // only part of its header is left
    truncateSync(file, frames[last]! + 6);
    expect(() => readAll(dir, p)).toThrow(/corrupt at offset \d+ .*the file ends 6 bytes into a frame header/);
    // a length under the record limit that points past the end of the file
    const bytes = readFileSync(file).subarray(0, frames[last]!);
    const at = frames[10]!;
    bytes.writeUInt32LE(bytes.length, at + 10);
    writeFileSync(file, bytes);
    expect(() => readAll(dir, p)).toThrow(`local topic partition ${p} is corrupt at offset 10 (byte ${at}`);
  });

  it('the local ingest fails on a corrupt partition, naming it and the offset, and commits nothing', async () => {
    const { dir, records } = writeTopic('ingest');
    const p = 1;
    const middle = Math.floor(records[p]! / 2);
    const file = fileOf(dir, p);
    const bytes = readFileSync(file);
    bytes.writeUInt32LE(50 * 2 ** 20, framePositions(file)[middle]! + 10);
    writeFileSync(file, bytes);
    const { objects, writer } = recorder();
    await expect(runIngest(ARGS, dir, PARTITIONS, withRegistry(writer), false, 2)).rejects.toThrow(`local topic partition ${p} is corrupt at offset ${middle}`);
    expect(objects.has(commitKey('silver_device_day', DATE))).toBe(false);
    expect(objects.has(commitKey('silver_quarantine', DATE))).toBe(false);
  }, 60_000);

  it('refuses to write a record larger than Kafka would take, so that a frame that large can only be damage', () => {
    const topic = new LocalTopic(join(root, 'large'), 1);
    try {
      expect(() => topic.send('PV-000001', new Uint8Array(MAX_VALUE_BYTES + 1), day.startMs)).toThrow(`local topic: a ${MAX_VALUE_BYTES + 1}-byte value for key "PV-000001" is larger than a record may be`);
      topic.send('PV-000001', new Uint8Array(MAX_VALUE_BYTES), day.startMs);
    } finally {
      topic.close();
    }
    expect(readAll(join(root, 'large'), 0).map((r) => r.value.length)).toEqual([MAX_VALUE_BYTES]);
  });
});

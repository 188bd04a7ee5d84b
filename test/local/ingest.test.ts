/**
 * The local ingest job on a topic written by hand, with records whose Kafka key is
 * not the deviceId of their value — which the simulator never publishes. Spark
 * (spark/jobs/ingest_data.py, spark/pvfault/ingest.py) sets them aside as
 * key_mismatch (or the first contract violation, when there is one), counts them
 * for the device their value names, and groups all partitions' records by deviceId:
 * one silver row per device-day, wherever the records landed. The local job must
 * make the same rows, whichever order its workers take the partitions in.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { commitKey, decodeReading, encodeReading, GRID_STEP_MS, LATENESS_MS, MalformedAvroError, parseCommitMarker, plantDayWindow, READING_AVRO_TYPE, type TableName } from '../../contracts';
import { runIngest } from '../../local/jobs/ingest';
import { LocalTopic, partitionOf } from '../../local/topic';

const REPO = join(__dirname, '..', '..');
const DATE = '2026-11-19';
const TZ = 'Europe/Madrid';
const PARTITIONS = 3;
const day = plantDayWindow(DATE, TZ);

/** The first device ids PV-000001… whose records go to each wanted partition, in order. */
function devicesIn(wanted: number[]): string[] {
  const out: string[] = [];
  const taken = new Set<string>();
  for (const p of wanted) {
    for (let i = 1; ; i++) {
      const id = `PV-${String(i).padStart(6, '0')}`;
      if (!taken.has(id) && partitionOf(id, PARTITIONS) === p) {
        taken.add(id);
        out.push(id);
        break;
      }
    }
  }
  return out;
}

// A, D: partition 1; B, orphan0: partition 0; C, orphan2: partition 2. The orphans have no records under their own key.
const [A, B, C, D, ORPHAN0, ORPHAN2] = devicesIn([1, 0, 2, 1, 0, 2]) as [string, string, string, string, string, string];
const OWN_READINGS = 30;

function reading(deviceId: string, slot: number, voltage = 610.5) {
  return { deviceId, timestamp: day.startMs + slot * GRID_STEP_MS, voltage, current: 8.25, temperature: 31.5, irradiance: 640 };
}

/** What the test publishes; `quarantined` per device and reason is what Spark makes of it. */
function writeTopic(dir: string): { published: number; malformed: number } {
  const topic = new LocalTopic(dir, PARTITIONS);
  let published = 0;
  const send = (key: string, value: Uint8Array, timestamp: number) => {
    topic.send(key, value, timestamp + 2_000);
    published++;
  };
  for (const id of [A, B, C, D]) for (let s = 0; s < OWN_READINGS; s++) send(id, encodeReading(reading(id, s)), reading(id, s).timestamp);
  // A's readings under other devices' keys: in partition 0 (B), 2 (C) and A's own partition 1 (D)
  const stray = (key: string, r: ReturnType<typeof reading>) => send(key, READING_AVRO_TYPE.toBuffer(r), r.timestamp);
  stray(B, reading(A, 100));
  stray(B, reading(A, 5)); // a slot A has a reading for: set aside, so no duplicate
  stray(C, reading(A, 101));
  stray(C, reading(A, 102, 2_000)); // out of range as well: that reason comes first, as in Spark's check_record
  stray(D, reading(A, 103));
  // devices whose only readings came under another key, in another partition than their own
  stray(C, reading(ORPHAN0, 200));
  stray(B, reading(ORPHAN2, 201));
  // names no device: read and set aside, counted for none
  send(A, Uint8Array.from([1, 2, 3]), day.startMs + 300 * GRID_STEP_MS);
  topic.close();
  return { published, malformed: 1 };
}

function recorder() {
  const objects = new Map<string, Uint8Array | string>();
  return { objects, writer: { put: async (key: string, body: Uint8Array | string) => void objects.set(key, body) } };
}

async function committedRows(objects: Map<string, Uint8Array | string>, table: TableName): Promise<Record<string, unknown>[]> {
  const marker = parseCommitMarker(objects.get(commitKey(table, DATE)) as string, { table, date: DATE });
  const rows: Record<string, unknown>[] = [];
  for (const f of marker.files) {
    const bytes = objects.get(f.key) as Uint8Array;
    expect(bytes.byteLength).toBe(f.bytes);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const got = await parquetReadObjects({ file });
    expect(got).toHaveLength(f.rows);
    rows.push(...got);
  }
  expect(rows).toHaveLength(marker.rows);
  return rows;
}

const COUNTS = ['received', 'quarantined', 'duplicates', 'observed', 'filled', 'missing'] as const;
type Counts = Record<(typeof COUNTS)[number], number>;
const countsOf = (r: Record<string, unknown>): Counts => Object.fromEntries(COUNTS.map((c) => [c, Number(r[c])])) as Counts;

interface QuarantineKey {
  deviceId: string | null;
  reason: string;
  field: string | null;
  detail: string;
  kafkaPartition: number;
  kafkaOffset: number;
}
const quarantineKeyOf = (r: Record<string, unknown>): QuarantineKey => ({
  deviceId: (r.deviceId as string | null) ?? null,
  reason: r.reason as string,
  field: (r.field as string | null) ?? null,
  detail: r.detail as string,
  kafkaPartition: Number(r.kafkaPartition),
  kafkaOffset: Number(r.kafkaOffset),
});
const byPlace = (x: QuarantineKey, y: QuarantineKey) => x.kafkaPartition - y.kafkaPartition || x.kafkaOffset - y.kafkaOffset;

const ARGS = ['--date', DATE, '--start-ms', String(day.startMs), '--end-ms', String(day.endMs), '--run-id', 'run-1', '--time-zone', TZ, '--bootstrap-servers', 'local:9098', '--topic', 'readings', '--silver-uri', 's3://silver'];

let dir: string;
let topic: { published: number; malformed: number };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-keys-'));
  topic = writeTopic(join(dir, 'topic'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the local ingest, records keyed by another device than their value names', () => {
  it('the test topic has mismatched records in every partition, and orphans away from their own', () => {
    expect([A, B, C, D, ORPHAN0, ORPHAN2].map((id) => partitionOf(id, PARTITIONS))).toEqual([1, 0, 2, 1, 0, 2]);
  });

  // one worker takes the partitions in order (a stray from a later partition arrives after its
  // device's partition is done); three take them all at once
  it.each([1, 2, 3])('one silver row per device-day, mismatches quarantined as key_mismatch, nothing lost (%i workers)', async (workers) => {
    const { objects, writer } = recorder();
    const result = await runIngest(ARGS, join(dir, 'topic'), PARTITIONS, () => writer, false, workers);
    const silver = await committedRows(objects, 'silver_device_day');
    const quarantine = (await committedRows(objects, 'silver_quarantine')).map(quarantineKeyOf);

    const ids = silver.map((r) => r.deviceId as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([A, B, C, D, ORPHAN0, ORPHAN2].sort());
    expect(result.devices).toBe(6);
    const rows = new Map(silver.map((r) => [r.deviceId as string, countsOf(r)]));
    const samples = Number(silver[0]!.samples);
    // A: its own 30 readings kept, the five under other keys counted as received and quarantined
    expect(rows.get(A)).toMatchObject({ received: OWN_READINGS + 5, quarantined: 5, observed: OWN_READINGS, duplicates: 0 });
    for (const id of [B, C, D]) expect(rows.get(id)).toMatchObject({ received: OWN_READINGS, quarantined: 0, observed: OWN_READINGS, duplicates: 0 });
    for (const id of [ORPHAN0, ORPHAN2]) expect(rows.get(id)).toEqual({ received: 1, quarantined: 1, duplicates: 0, observed: 0, filled: 0, missing: samples });

    const mismatch = quarantine.filter((q) => q.reason === 'key_mismatch').sort(byPlace);
    expect(mismatch.map((q) => [q.deviceId, q.kafkaPartition, q.field])).toEqual([
      [A, 0, 'deviceId'],
      [A, 0, 'deviceId'],
      [ORPHAN2, 0, 'deviceId'],
      [A, 1, 'deviceId'],
      [A, 2, 'deviceId'],
      [ORPHAN0, 2, 'deviceId'],
    ]);
    expect(mismatch[0]!.detail).toBe(`Kafka key ${JSON.stringify(B)} differs from deviceId ${JSON.stringify(A)}`);
    expect(quarantine.filter((q) => q.reason === 'out_of_range').map((q) => [q.deviceId, q.kafkaPartition, q.field])).toEqual([[A, 2, 'voltage']]);
    expect(result.quarantined).toEqual({ key_mismatch: 6, out_of_range: 1, malformed: 1 });

    // nothing lost: every record read is in a silver row (kept or quarantined) or, naming no device, in quarantine alone
    expect(result.recordsRead).toBe(topic.published);
    const sum = (k: keyof Counts) => [...rows.values()].reduce((s, r) => s + r[k], 0);
    for (const r of rows.values()) expect(r.received).toBe(r.observed + r.duplicates + r.quarantined);
    expect(sum('received') + topic.malformed).toBe(result.recordsRead);
    expect(sum('quarantined') + topic.malformed).toBe(quarantine.length);
    expect(Object.values(result.quarantined).reduce((s, n) => s + n!, 0)).toBe(quarantine.length);
  }, 60_000);

  it("makes the rows and quarantine that Spark's pvfault.ingest makes of the same records", async () => {
    const { objects, writer } = recorder();
    await runIngest(ARGS, join(dir, 'topic'), PARTITIONS, () => writer, false, 2);
    const silver = (await committedRows(objects, 'silver_device_day')).map((r) => ({ deviceId: r.deviceId as string, ...countsOf(r) }));
    const quarantine = (await committedRows(objects, 'silver_quarantine')).map(quarantineKeyOf).sort(byPlace);

    // the records as Spark's Kafka source and from_avro hand them to validate_records
    const records = [];
    for (let p = 0; p < PARTITIONS; p++) {
      for (const r of LocalTopic.read(join(dir, 'topic'), p, day.startMs - GRID_STEP_MS, day.endMs + LATENESS_MS)) {
        let decoded: Record<string, unknown> | null = null;
        try {
          decoded = decodeReading(r.value) as unknown as Record<string, unknown>;
        } catch (err) {
          if (!(err instanceof MalformedAvroError)) throw err;
        }
        records.push({ key: r.key, value: r.value.toString('base64'), decoded, kafkaPartition: r.partition, kafkaOffset: r.offset });
      }
    }
    const script = `import base64, json, sys
import numpy as np, pandas as pd
from pvfault import ingest
start, end, records = json.load(sys.stdin)
chans = ("voltage", "current", "temperature", "irradiance")
frame = pd.DataFrame([dict(key=r["key"], value=base64.b64decode(r["value"]), decoded=r["decoded"] is not None,
    **{f: (r["decoded"] or {}).get(f) for f in ("deviceId", "timestamp") + chans},
    kafkaPartition=r["kafkaPartition"], kafkaOffset=r["kafkaOffset"]) for r in records])
for c in chans:
    frame[c] = frame[c].astype(np.float32)
validated = ingest.validate_records(frame)
# as ingest_data.run: validated.where(deviceId is not null).groupBy("deviceId").applyInPandas(device_day)
rows = [ingest.silver_row_of_device(d, g, start, end) for d, g in validated[validated["deviceId"].notna()].groupby("deviceId", sort=True)]
counts = ("received", "quarantined", "duplicates", "observed", "filled", "missing")
q = validated[validated["reason"] != ""]
print(json.dumps({
    "silver": [dict(deviceId=r["deviceId"], **{c: int(r[c]) for c in counts}) for r in rows],
    "quarantine": [dict(deviceId=None if pd.isna(r.deviceId) else r.deviceId, reason=r.reason, field=None if pd.isna(r.field) else r.field,
        detail=r.detail, kafkaPartition=int(r.kafkaPartition), kafkaOffset=int(r.kafkaOffset)) for r in q.itertuples()],
}))`;
    const py = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify([day.startMs, day.endMs, records]), env: { ...process.env, PYTHONPATH: join(REPO, 'spark') }, encoding: 'utf8' });
    if (py.status !== 0) throw new Error(py.stderr);
    const spark = JSON.parse(py.stdout) as { silver: typeof silver; quarantine: QuarantineKey[] };

    expect(silver.sort((x, y) => (x.deviceId < y.deviceId ? -1 : 1))).toEqual(spark.silver);
    // a malformed value's message is its decoder's (avsc here, from_avro there): only its verdict is compared
    const verdict = (q: QuarantineKey) => (q.reason === 'malformed' ? { ...q, detail: '' } : q);
    expect(quarantine.map(verdict)).toEqual(spark.quarantine.sort(byPlace).map(verdict));
    expect(spark.quarantine.filter((q) => q.reason === 'key_mismatch')).toHaveLength(6);
  }, 60_000);
});

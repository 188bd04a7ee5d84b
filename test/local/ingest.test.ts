/**
 * The local ingest job on a topic written by hand, with records whose Kafka key is
 * not the deviceId of their value — which the simulator never publishes. Spark
 * (spark/jobs/ingest_data.py, spark/pvfault/ingest.py) sets them aside as
 * key_mismatch (or the first contract violation, when there is one), counts them
 * for the device their value names, and groups all partitions' records by deviceId:
 * one silver row per device-day, wherever the records landed. The local job must
 * make the same rows, whichever order its workers take the partitions in.
 *
 * The topic also holds what must never vanish nor reach silver: valid readings of
 * other days (counted when their own day's run takes them, else quarantined as
 * too_late / other_day) and ids that fail the contract's pattern (bad_device_id,
 * never a silver or gold row). Every record read is accounted for.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { commitKey, decodeReading, DEVICE_ID_PATTERN, encodeReading, GRID_STEP_MS, LATENESS_MS, MalformedAvroError, parseCommitMarker, plantDayWindow, READING_AVRO_TYPE, type SilverDeviceDayRow, type TableName } from '../../contracts';
import { goldRows } from '../../detector/gold';
import { windowsOf } from '../../detector/windows';
import { runIngest, unaccounted } from '../../local/jobs/ingest';
import { runPredict } from '../../local/jobs/predict';
import { LocalTopic, partitionOf } from '../../local/topic';
import { TEST_RULE } from '../helpers/goldFixture';
import { REGISTRY_ARGS, withRegistry } from '../helpers/registry';

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

// A, D: partition 1; B, orphan0, E: partition 0; C, orphan2: partition 2. The orphans have no records under their own key.
const [A, B, C, D, ORPHAN0, ORPHAN2, E] = devicesIn([1, 0, 2, 1, 0, 2, 0]) as [string, string, string, string, string, string, string];
const OWN_READINGS = 30;
/** ids that fail the contract's pattern: empty, a path, a NUL, a right-to-left override */
const BAD_IDS = ['', '../etc/passwd', 'PV\u0000001', 'PV-\u202e001'];
const HOUR = 3_600_000;

function reading(deviceId: string, slot: number, voltage = 610.5) {
  return { deviceId, timestamp: day.startMs + slot * GRID_STEP_MS, voltage, current: 8.25, temperature: 31.5, irradiance: 640 };
}

/** What the test publishes; `quarantined` per device and reason is what Spark makes of it. */
function writeTopic(dir: string): { published: number; malformed: number; badIds: number; adjacent: number } {
  const topic = new LocalTopic(dir, PARTITIONS);
  let published = 0;
  const send = (key: string, value: Uint8Array, timestamp: number) => {
    topic.send(key, value, timestamp + 2_000);
    published++;
  };
  for (const id of [A, B, C, D, E]) for (let s = 0; s < OWN_READINGS; s++) send(id, encodeReading(reading(id, s)), reading(id, s).timestamp);
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
  // E's valid readings of other days, all published in this day's window (send adds 2 s):
  // the day before's and the day after's, which their own runs read too, are counted...
  const at = (timestamp: number, publishMs: number) => {
    topic.send(E, encodeReading({ ...reading(E, 0), timestamp }), publishMs);
    published++;
  };
  at(day.startMs - GRID_STEP_MS, day.startMs - GRID_STEP_MS + 2_000); // the day before's last slot, published at once
  at(day.startMs - HOUR, day.startMs + 2 * HOUR); // published 2 h after its day ended
  at(day.endMs + 5_000, day.endMs + 6_000); // the next day's slot 0
  // ...the others no run takes into silver: quarantined
  at(day.startMs - HOUR, day.startMs + 4 * HOUR); // too_late: 4 h after its day ended
  at(day.startMs - 30 * HOUR, day.startMs + HOUR); // too_late: two days before
  at(day.endMs + 2 * HOUR, day.startMs + 12 * HOUR); // other_day: before the next day's window opens
  at(day.endMs + 30 * HOUR, day.endMs + HOUR); // other_day: two days after
  // bad ids, under their own key and one under a valid key: quarantined, never a silver row
  for (const id of BAD_IDS) send(id, READING_AVRO_TYPE.toBuffer(reading(id, 400)), reading(id, 400).timestamp);
  stray(B, reading(BAD_IDS[1]!, 401));
  topic.close();
  return { published, malformed: 1, badIds: BAD_IDS.length + 1, adjacent: 3 };
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

const ARGS = ['--date', DATE, '--start-ms', String(day.startMs), '--end-ms', String(day.endMs), '--run-id', 'run-1', '--time-zone', TZ, '--bootstrap-servers', 'local:9098', '--topic', 'readings', '--silver-uri', 's3://silver', ...REGISTRY_ARGS];

let dir: string;
let topic: ReturnType<typeof writeTopic>;

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
    const result = await runIngest(ARGS, join(dir, 'topic'), PARTITIONS, withRegistry(writer), false, workers);
    const silver = await committedRows(objects, 'silver_device_day');
    const quarantine = (await committedRows(objects, 'silver_quarantine')).map(quarantineKeyOf);

    const ids = silver.map((r) => r.deviceId as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([A, B, C, D, ORPHAN0, ORPHAN2, E].sort());
    expect(result.devices).toBe(7);
    const rows = new Map(silver.map((r) => [r.deviceId as string, countsOf(r)]));
    const samples = Number(silver[0]!.samples);
    // A: its own 30 readings kept, the five under other keys counted as received and quarantined
    expect(rows.get(A)).toMatchObject({ received: OWN_READINGS + 5, quarantined: 5, observed: OWN_READINGS, duplicates: 0 });
    for (const id of [B, C, D]) expect(rows.get(id)).toMatchObject({ received: OWN_READINGS, quarantined: 0, observed: OWN_READINGS, duplicates: 0 });
    // E: its own readings, and its four readings that no run takes into silver
    expect(rows.get(E)).toMatchObject({ received: OWN_READINGS + 4, quarantined: 4, observed: OWN_READINGS, duplicates: 0 });
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
    const placed = quarantine.filter((q) => q.reason === 'too_late' || q.reason === 'other_day').sort(byPlace);
    expect(placed.map((q) => [q.deviceId, q.reason, q.field])).toEqual([
      [E, 'too_late', 'timestamp'],
      [E, 'too_late', 'timestamp'],
      [E, 'other_day', 'timestamp'],
      [E, 'other_day', 'timestamp'],
    ]);
    expect(placed[0]!.detail).toBe(`timestamp: ${new Date(day.startMs - HOUR).toISOString()} is of a plant-local day before ${DATE}, published ${new Date(day.startMs + 4 * HOUR).toISOString()}, 3 h or more after that day ended: no run takes it into silver`);
    expect(quarantine.filter((q) => q.reason === 'bad_device_id').map((q) => q.deviceId).sort()).toEqual([...BAD_IDS, BAD_IDS[1]].sort());
    expect(result.quarantined).toEqual({ key_mismatch: 6, out_of_range: 1, malformed: 1, too_late: 2, other_day: 2, bad_device_id: 5 });
    expect(result.adjacentDay).toBe(topic.adjacent);

    // nothing lost: every record read is a reading of the day in silver, in quarantine, or one of an adjacent day
    expect(result.recordsRead).toBe(topic.published);
    const quarantinedTotal = Object.values(result.quarantined).reduce((s, n) => s + n!, 0);
    expect(quarantinedTotal).toBe(quarantine.length);
    expect(result.observed + result.duplicates + quarantinedTotal + result.adjacentDay).toBe(result.recordsRead);
    expect(unaccounted(result)).toBeNull();
    // and the silver rows agree: a record naming a valid device is in its row, kept or quarantined
    const sum = (k: keyof Counts) => [...rows.values()].reduce((s, r) => s + r[k], 0);
    for (const r of rows.values()) expect(r.received).toBe(r.observed + r.duplicates + r.quarantined);
    expect(sum('observed') + sum('duplicates')).toBe(result.observed + result.duplicates);
    expect(sum('received') + topic.malformed + topic.badIds + topic.adjacent).toBe(result.recordsRead);
    expect(sum('quarantined') + topic.malformed + topic.badIds).toBe(quarantine.length);
  }, 60_000);

  it("makes the rows and quarantine that Spark's pvfault.ingest makes of the same records", async () => {
    const { objects, writer } = recorder();
    await runIngest(ARGS, join(dir, 'topic'), PARTITIONS, withRegistry(writer), false, 2);
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
        records.push({ key: r.key, value: r.value.toString('base64'), decoded, publishMs: r.timestamp, kafkaPartition: r.partition, kafkaOffset: r.offset });
      }
    }
    const script = `import base64, json, sys
import numpy as np, pandas as pd
from pvfault import ingest
date, tz, start, end, records = json.load(sys.stdin)
chans = ("voltage", "current", "temperature", "irradiance")
frame = pd.DataFrame([dict(key=r["key"], value=base64.b64decode(r["value"]), decoded=r["decoded"] is not None,
    **{f: (r["decoded"] or {}).get(f) for f in ("deviceId", "timestamp") + chans},
    publishMs=r["publishMs"], kafkaPartition=r["kafkaPartition"], kafkaOffset=r["kafkaOffset"]) for r in records])
for c in chans:
    frame[c] = frame[c].astype(np.float32)
validated = ingest.validate_records(frame, ingest.run_days(date, tz))
# as ingest_data.run: validated.where(inRow).groupBy("deviceId").applyInPandas(device_day)
rows = [ingest.silver_row_of_device(d, g, start, end) for d, g in validated[validated["inRow"]].groupby("deviceId", sort=True)]
counts = ("received", "quarantined", "duplicates", "observed", "filled", "missing")
q = validated[validated["reason"] != ""]
print(json.dumps({
    "silver": [dict(deviceId=r["deviceId"], **{c: int(r[c]) for c in counts}) for r in rows],
    "quarantine": [dict(deviceId=None if pd.isna(r.deviceId) else r.deviceId, reason=r.reason, field=None if pd.isna(r.field) else r.field,
        detail=r.detail, kafkaPartition=int(r.kafkaPartition), kafkaOffset=int(r.kafkaOffset)) for r in q.itertuples()],
}))`;
    const py = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify([DATE, TZ, day.startMs, day.endMs, records]), env: { ...process.env, PYTHONPATH: join(REPO, 'spark') }, encoding: 'utf8' });
    if (py.status !== 0) throw new Error(py.stderr);
    const spark = JSON.parse(py.stdout) as { silver: typeof silver; quarantine: QuarantineKey[] };

    expect(silver.sort((x, y) => (x.deviceId < y.deviceId ? -1 : 1))).toEqual(spark.silver);
    // a malformed value's message is its decoder's (avsc here, from_avro there): only its verdict is compared
    const verdict = (q: QuarantineKey) => (q.reason === 'malformed' ? { ...q, detail: '' } : q);
    expect(quarantine.map(verdict)).toEqual(spark.quarantine.sort(byPlace).map(verdict));
    expect(spark.quarantine.filter((q) => q.reason === 'key_mismatch')).toHaveLength(6);
    expect(spark.quarantine.filter((q) => ['too_late', 'other_day', 'bad_device_id'].includes(q.reason))).toHaveLength(9);
  }, 60_000);

  it('names what a run whose totals do not add up left unaccounted (the run then commits nothing)', () => {
    expect(unaccounted({ recordsRead: 10, quarantined: { malformed: 1, too_late: 1 }, observed: 6, duplicates: 1, adjacentDay: 0 })).toBe('10 records read, but 9 accounted for: 6 observed + 1 duplicates in silver, 2 quarantined, 0 of an adjacent day');
  });

  it('gives bad device ids no gold row: the gold markers name valid ids only', async () => {
    const { objects, writer } = recorder();
    await runIngest(ARGS, join(dir, 'topic'), PARTITIONS, withRegistry(writer), false, 2);
    const store = {
      getText: async (key: string) => (objects.has(key) ? String(objects.get(key)) : null),
      getRange: async (key: string, start: number, end: number) => {
        const b = objects.get(key) as Uint8Array;
        return b.buffer.slice(b.byteOffset + start, b.byteOffset + end) as ArrayBuffer;
      },
      listKeys: async (prefix: string) => [...objects.keys()].filter((k) => k.startsWith(prefix)),
    };
    // the model is not what this is about: every window skipped, so gold is made of the silver rows alone
    const predictor = {
      modelVersion: 'test',
      predict: async (row: SilverDeviceDayRow) => ({ ...goldRows(row.deviceId, windowsOf(row).map((w) => ({ ...w, skipReason: w.skipReason ?? 'missing_data' })), new Float32Array(0), 'test', TEST_RULE), predicted: 0, ratio: null, rule: TEST_RULE }),
    };
    const predictArgs = ['--date', DATE, '--run-id', 'run-2', '--time-zone', TZ, '--silver-uri', 's3://silver', '--gold-uri', 's3://gold', '--model-uri', 's3://bootstrap/model'];
    await runPredict(predictArgs, () => store, () => writer, predictor, false);
    for (const table of ['gold_window', 'gold_daily'] as const) {
      const marker = parseCommitMarker(objects.get(commitKey(table, DATE)) as string, { table, date: DATE });
      for (const f of marker.files) for (const id of [f.minDeviceId, f.maxDeviceId]) expect(id).toMatch(DEVICE_ID_PATTERN);
      const ids = new Set((await committedRows(objects, table)).map((r) => r.deviceId as string));
      expect([...ids].sort()).toEqual([A, B, C, D, ORPHAN0, ORPHAN2, E].sort());
    }
  }, 60_000);
});

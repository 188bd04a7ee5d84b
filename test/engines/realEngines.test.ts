/**
 * The production data path for real, against the embedded engine (issue 19):
 * a simulated day of 50 devices published by the real producer service to a real Kafka
 * broker (KRaft, loopback); the real state machine definition run twice on that topic —
 * once with the embedded jobs (on a copy of the broker's records, partition and offset
 * kept), once with spark-submit of spark/jobs/ingest_data.py and predict_fault.py
 * (Spark 3.5.5 local[2], the Kafka source, from_avro) — and the two days compared table
 * by table, column by column as tables.json lists them. Then the prediction API answers
 * from Spark's gold. Then the next day's predict in both engines, each reading the
 * baseline its own first day wrote (contracts/detector.json baseline): devices judged
 * against their own history, with a gain and thresholds.own. Its silver is the first
 * day's committed again under the next date (the predict job reads silver through the
 * marker and judges the rows it holds): a second Kafka day and ingest would add minutes
 * and nothing the baseline path needs. Needs Java 17, Maven Central (the broker) and
 * .venv-spark (spark/dev/venv.sh); .ci/run provides them, and a missing one fails here, named.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { commitKey, dataKey, LATENESS_MS, TABLES, type TableName } from '../../contracts';
import { createHandler } from '../../functions/api/handler';
import { S3Store } from '../../functions/api/s3Store';
import { handler as runWindowHandler } from '../../functions/run-window/handler';
import { resolveRunWindow } from '../../functions/run-window/window';
import { runIngest, type IngestResult } from '../../local/jobs/ingest';
import { runPredict, type PredictResult } from '../../local/jobs/predict';
import { PredictPool } from '../../local/jobs/predictPool';
import { startKafkaBroker, type KafkaBroker } from '../../local/kafkaBroker';
import { startLocalS3, type LocalS3 } from '../../local/localS3';
import { publishDayWithProducer, type ProducerDayResult } from '../../local/producerDay';
import { localFolders, localSparkConf, runSparkJob, sparkEnvironment, writeLocalRegistry } from '../../local/sparkJobs';
import { passedOn, recurrenceAfter } from '../../detector/alarms';
import { deviceRegistry, registryOfDesign } from '../../detector/simulator/registry';
import { plantConfig } from '../../detector/simulator/plant';
import { REGISTRY_KEY, registryText } from '../../contracts/registry';
import { DEFAULT_DESIGN_NAME, parseDesign } from '../../contracts/design';

import { LocalTopic, partitionOf } from '../../local/topic';
import { localDefinitionValues, runLocally, type JobRunRequest } from '../../statemachine/local';
import { publishRecords, publishStrayRecords, REPLAYED_DEVICE, replayedRecord, strayRecords } from './strayRecords';
import { committedTable, FolderStore, tableDifferences, type CommittedTable } from './tables';

const DATE = '2026-11-19';
/** the second day: predict only, judged against the first day's baselines */
const NEXT_DATE = '2026-11-20';
const NEXT_TABLES = ['gold_window', 'gold_daily', 'device_baseline'] as const;
const TIME_ZONE = 'Europe/Madrid';
const DEVICES = 50;
const PARTITIONS = 6;
const TOPIC = 'pv-readings';
const TABLE_NAMES = Object.keys(TABLES) as TableName[];
/**
 * the plant's registry, its last device left out: both engines must judge that one as the
 * default design, and say so; its first device registered as a 4 × 4 CdTe array, so that
 * both engines read it per unit of that design and map it by its shapes (contracts/detector.json perUnit.shape)
 */
const CDTE = 'cdte-4x4-fs-6385';
const REGISTRY = [...registryOfDesign(['PV-000001'], parseDesign(CDTE)), ...deviceRegistry(plantConfig({ date: DATE, devices: DEVICES })).slice(1, -1)];

let dir: string;
let broker: KafkaBroker | null = null;
let s3: LocalS3 | null = null;
let produced: ProducerDayResult;
let topicRecords = 0;
let strays = 0;
/** where the replayed record is stored, and the first offset of its partition stamped at or after the window's end */
const replay = { partition: -1, offset: -1, endOffset: -1 };
let embedded: { ingest: IngestResult; predict: PredictResult; tables: Record<string, CommittedTable> };
let spark: { ingest: Record<string, unknown>; predict: Record<string, unknown>; tables: Record<string, CommittedTable> };
let next: { embedded: { predict: PredictResult; tables: Record<string, CommittedTable> }; spark: { predict: Record<string, unknown>; tables: Record<string, CommittedTable> } };

/** A job request's arguments with --date and --run-id replaced: the same job for another day. */
function forDay(req: JobRunRequest, date: string, runId: string): JobRunRequest {
  const args = [...req.JobDriver.SparkSubmit.EntryPointArguments];
  args[args.indexOf('--date') + 1] = date;
  args[args.indexOf('--run-id') + 1] = runId;
  return { ...req, Name: `${req.Name}-${date}`, JobDriver: { SparkSubmit: { ...req.JobDriver.SparkSubmit, EntryPointArguments: args } } };
}

/** Commits a table's day again under another date: the same files and runId, the marker's date and keys moved. */
async function recommit(store: FolderStore | S3Store, put: (key: string, body: Uint8Array | string) => Promise<void>, table: TableName, from: string, to: string): Promise<void> {
  const marker = JSON.parse((await store.getText(commitKey(table, from)))!) as { date: string; runId: string; files: { key: string; bytes: number }[] };
  const files = [];
  for (const [part, f] of marker.files.entries()) {
    const key = dataKey(table, to, marker.runId, part);
    await put(key, new Uint8Array(await store.getRange(f.key, 0, f.bytes)));
    files.push({ ...f, key });
  }
  await put(commitKey(table, to), `${JSON.stringify({ ...marker, date: to, files })}\n`);
}

/** The broker's records, partition by partition in offset order, into a local topic (the embedded ingest's input). */
async function copyTopic(bootstrap: string, topicDir: string): Promise<number> {
  const kafka = new Kafka({ clientId: 'copy', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(TOPIC)).map((o) => [o.partition, Number(o.high)]));
  await admin.disconnect();
  const local = new LocalTopic(topicDir, PARTITIONS);
  const consumer = kafka.consumer({ groupId: `copy-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const next = new Map([...ends.keys()].map((p) => [p, 0]));
  let copied = 0;
  await new Promise<void>((resolve, reject) => {
    const done = () => [...ends].every(([p, end]) => next.get(p)! >= end);
    if (done()) return resolve();
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            // a batch the consumer is handed again (a rebalance) is the same records: copy each offset once
            if (Number(m.offset) < next.get(batch.partition)!) continue;
            // the key as bytes: one that is not UTF-8 must reach the embedded ingest as it is
            const at = local.send(m.key!, m.value!, Number(m.timestamp));
            // the same key → partition mapping (murmur2) and the same offsets: records are the broker's, position for position
            if (at.partition !== batch.partition || at.offset !== Number(m.offset)) reject(new Error(`record ${batch.partition}/${m.offset} landed at ${at.partition}/${at.offset}`));
            next.set(batch.partition, Number(m.offset) + 1);
            copied++;
          }
          if (done()) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  local.close();
  return copied;
}

async function tablesOf(storeFor: (bucket: string) => FolderStore | S3Store, date = DATE, names: readonly TableName[] = TABLE_NAMES): Promise<Record<string, CommittedTable>> {
  const out: Record<string, CommittedTable> = {};
  for (const t of names) out[t] = await committedTable(storeFor(TABLES[t].bucket), t, date);
  return out;
}

function definition() {
  return localDefinitionValues({ PlantTimeZone: TIME_ZONE, KafkaBootstrapServers: broker!.bootstrap, KafkaTopic: TOPIC });
}

const notify = async () => undefined;

/** Where two API bodies differ: numbers by more than `tolerance`, anything else at all; the run ids (each engine's own) left out. */
function jsonDifferences(a: unknown, b: unknown, tolerance: number, path = '$'): string[] {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= tolerance ? [] : [`${path}: ${a} against ${b}`];
  if (Array.isArray(a) && Array.isArray(b)) return a.length !== b.length ? [`${path}: ${a.length} items against ${b.length}`] : a.flatMap((v, i) => jsonDifferences(v, b[i], tolerance, `${path}[${i}]`));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !/runId|generated|etag/i.test(k));
    return keys.flatMap((k) => jsonDifferences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], tolerance, `${path}.${k}`));
  }
  return a === b ? [] : [`${path}: ${JSON.stringify(a)} against ${JSON.stringify(b)}`];
}

beforeAll(async () => {
  const env = sparkEnvironment(); // fails first, naming what is missing
  dir = mkdtempSync(join(tmpdir(), 'real-engines-'));
  process.env.PLANT_TIME_ZONE = TIME_ZONE;
  broker = await startKafkaBroker({ dir: join(dir, 'kafka') });
  const window = resolveRunWindow({ date: DATE }, 'publish', TIME_ZONE, Date.now());
  const stray = strayRecords(window);
  await publishStrayRecords(broker.bootstrap, TOPIC, PARTITIONS, stray);
  strays = stray.length;
  produced = await publishDayWithProducer({ bootstrap: broker.bootstrap, topic: TOPIC, partitions: PARTITIONS, timeZone: TIME_ZONE, window, devices: DEVICES, seed: 19 });
  // after the day, past its window's end: a reading of the day's noon appended to the topic
  await publishRecords(broker.bootstrap, TOPIC, [replayedRecord(window)]);
  const topicDir = join(dir, 'topic');
  topicRecords = await copyTopic(broker.bootstrap, topicDir);
  // the copy keeps the broker's partitions and offsets: where the replayed record landed, and where the run's read ends
  replay.partition = partitionOf(REPLAYED_DEVICE, PARTITIONS);
  let offset = 0;
  LocalTopic.scanRaw(topicDir, replay.partition, (buf, timestamp, keyStart, keyLength) => {
    if (replay.endOffset < 0 && timestamp >= window.endMs + LATENESS_MS) replay.endOffset = offset;
    if (buf.toString('utf8', keyStart, keyStart + keyLength) === REPLAYED_DEVICE) replay.offset = offset;
    offset++;
  });

  // the embedded engine: the same state machine, local jobs, s3rver
  s3 = await startLocalS3(['silver', 'gold', 'bootstrap']);
  await s3.writer('bootstrap').put(REGISTRY_KEY, registryText(REGISTRY), 'application/json');
  const pool = await PredictPool.start(2);
  let ingest: IngestResult | null = null;
  let predict: PredictResult | null = null;
  let embeddedPredictRequest: JobRunRequest | null = null;
  try {
    await runLocally(definition(), { date: DATE }, {
      runWindow: (p) => runWindowHandler(p),
      ingest: async (req: JobRunRequest) => {
        ingest = await runIngest(req.JobDriver.SparkSubmit.EntryPointArguments, topicDir, PARTITIONS, s3!.writer, false, 2);
        return { State: 'SUCCESS' };
      },
      predict: async (req: JobRunRequest) => {
        embeddedPredictRequest = req;
        predict = await runPredict(req.JobDriver.SparkSubmit.EntryPointArguments, (b) => new S3Store(s3!.client, b), s3!.writer, pool, false);
        return { State: 'SUCCESS' };
      },
      notify,
    }, { executionName: 'embedded-day', retryPauseMs: 0, waitPauseMs: 0 });
  } finally {
    await pool.close();
  }
  embedded = { ingest: ingest!, predict: predict!, tables: await tablesOf((b) => new S3Store(s3!.client, b)) };

  // Spark: the same definition, its StartJobRun requests run by spark-submit against the broker
  const folders = localFolders(String(definition().ModelVersion), join(dir, 'spark'));
  writeLocalRegistry(join(dir, 'spark'), REGISTRY);
  const job = (req: JobRunRequest) => runSparkJob(req, { env, folders, conf: localSparkConf(join(dir, 'spark-tmp')), logFile: join(dir, 'spark.log') });
  let sparkIngest: Record<string, unknown> = {};
  let sparkPredict: Record<string, unknown> = {};
  let sparkPredictRequest: JobRunRequest | null = null;
  await runLocally(definition(), { date: DATE }, {
    runWindow: (p) => runWindowHandler(p),
    ingest: async (req) => ((sparkIngest = await job(req)), { State: 'SUCCESS' }),
    predict: async (req) => ((sparkPredictRequest = req), (sparkPredict = await job(req)), { State: 'SUCCESS' }),
    notify,
  }, { executionName: 'spark-day', retryPauseMs: 0, waitPauseMs: 0 });
  const sparkStore = (b: string) => new FolderStore(join(dir, 'spark', b));
  spark = { ingest: sparkIngest, predict: sparkPredict, tables: await tablesOf(sparkStore) };

  // the next day: each engine's silver of DATE committed again as NEXT_DATE's, then its predict job alone
  const s3Store = (b: string) => new S3Store(s3!.client, b);
  await recommit(s3Store('silver'), (key, body) => s3!.writer('silver').put(key, body, 'application/octet-stream'), 'silver_device_day', DATE, NEXT_DATE);
  await recommit(sparkStore('silver'), async (key, body) => {
    mkdirSync(dirname(join(dir, 'spark', 'silver', key)), { recursive: true });
    writeFileSync(join(dir, 'spark', 'silver', key), body);
  }, 'silver_device_day', DATE, NEXT_DATE);
  const nextPool = await PredictPool.start(2);
  let nextPredict: PredictResult;
  try {
    nextPredict = await runPredict(forDay(embeddedPredictRequest!, NEXT_DATE, 'embedded-next-day').JobDriver.SparkSubmit.EntryPointArguments, s3Store, s3!.writer, nextPool, false);
  } finally {
    await nextPool.close();
  }
  const nextSpark = await job(forDay(sparkPredictRequest!, NEXT_DATE, 'spark-next-day'));
  next = {
    embedded: { predict: nextPredict, tables: await tablesOf(s3Store, NEXT_DATE, NEXT_TABLES) },
    spark: { predict: nextSpark, tables: await tablesOf(sparkStore, NEXT_DATE, NEXT_TABLES) },
  };
}, 20 * 60_000);

afterAll(async () => {
  await s3?.stop();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('a simulated day through the real producer, Kafka and Spark, against the embedded engine', () => {
  it('publishes the day through the real broker: every reading the producer accepted is on the topic', () => {
    // a day is 4,320 readings a device, less what the simulated sensors drop
    expect(produced.published).toBeGreaterThan(DEVICES * 3000);
    expect(produced.dropped).toEqual({});
    expect(topicRecords).toBe(produced.published + strays + 1);
  });

  it('reads neither engine a record stored past the end offset of the window, though its timestamp is in the day', () => {
    // stored after the first record stamped at or after the window's end: beyond the run's read
    expect(replay.endOffset).toBeGreaterThanOrEqual(0);
    expect(replay.offset).toBeGreaterThan(replay.endOffset);
    for (const t of [embedded.tables, spark.tables]) {
      expect(t.silver_device_day!.rows.filter((r) => r.deviceId === REPLAYED_DEVICE)).toEqual([]);
      expect(t.silver_quarantine!.rows.filter((r) => r.deviceId === REPLAYED_DEVICE)).toEqual([]);
    }
    expect([embedded.ingest.devices, (spark.ingest as { devices: number }).devices]).toEqual([DEVICES, DEVICES]);
  });

  it('reads the same records in both engines and accounts for every one', () => {
    const e = embedded.ingest;
    const s = spark.ingest as { recordsRead: number; observed: number; duplicates: number; adjacentDay: number; quarantined: Record<string, number>; devices: number };
    const quarantined = (q: Record<string, number | undefined>) => Object.values(q).reduce((a: number, n) => a + (n ?? 0), 0);
    for (const r of [e, s]) expect(r.observed + r.duplicates + quarantined(r.quarantined) + r.adjacentDay).toBe(r.recordsRead);
    expect({ recordsRead: s.recordsRead, observed: s.observed, duplicates: s.duplicates, adjacentDay: s.adjacentDay, devices: s.devices }).toEqual({ recordsRead: e.recordsRead, observed: e.observed, duplicates: e.duplicates, adjacentDay: e.adjacentDay, devices: e.devices });
    expect(Object.fromEntries(Object.entries(s.quarantined).filter(([, n]) => n > 0))).toEqual(Object.fromEntries(Object.entries(e.quarantined).filter(([, n]) => n! > 0)));
    // the day has what the simulator makes: late and duplicated readings, and some set aside
    expect(e.duplicates).toBeGreaterThan(0);
    expect(Object.keys(e.quarantined).sort()).toEqual(['bad_device_id', 'key_mismatch', 'malformed', 'other_day', 'out_of_range', 'too_late']);
    expect(e.devices).toBe(DEVICES);
  });

  it.each(TABLE_NAMES)('commits %s with a valid marker whose files hold its rows, in both engines', (table) => {
    for (const t of [embedded.tables[table]!, spark.tables[table]!]) {
      expect(t.marker.table).toBe(table);
      expect(t.marker.date).toBe(DATE);
      expect(t.marker.rows).toBe(t.rows.length);
    }
    expect(spark.tables[table]!.marker.rows).toBe(embedded.tables[table]!.marker.rows);
  });

  it.each(TABLE_NAMES)('writes %s identically: every column of the contract, floats within 1e-5', (table) => {
    expect(tableDifferences(table, spark.tables[table]!.rows, embedded.tables[table]!.rows, 1e-5)).toEqual([]);
  });

  it("names each device's design in gold from the day's registry in both engines, and a device it lacks as the default", () => {
    const registered = new Set(REGISTRY.map((r) => r.deviceId));
    for (const t of [embedded.tables, spark.tables]) {
      expect(t.silver_device_registry!.rows.map((r) => r.deviceId)).toEqual(REGISTRY.map((r) => r.deviceId));
      const daily = t.gold_daily!.rows;
      expect(daily).toHaveLength(DEVICES);
      for (const r of daily) expect([r.deviceId, r.design, r.designSource]).toEqual([r.deviceId, r.deviceId === 'PV-000001' ? CDTE : DEFAULT_DESIGN_NAME, registered.has(String(r.deviceId)) ? 'registry' : 'default']);
      // the CdTe row's shapes went through the ingest into silver as the registry gave them
      expect(Array.from(t.silver_device_registry!.rows[0]!.voltageShape as ArrayLike<number>)).toEqual(Array.from(REGISTRY[0]!.voltageShape!));
      expect(daily.filter((r) => r.designSource === 'default')).toHaveLength(1);
    }
    expect(embedded.predict.registry).toEqual({ devices: DEVICES - 1, defaulted: 1 });
    expect(spark.predict.registry).toEqual(embedded.predict.registry);
    expect(spark.ingest.registryDevices).toBe(embedded.ingest.registryDevices);
  });

  it('writes the same day baseline in both engines: every device, its ratio, gain and verdict', () => {
    const [e, k] = [embedded.tables.device_baseline!.rows, spark.tables.device_baseline!.rows];
    const ids = (rows: Record<string, unknown>[]) => rows.map((r) => String(r.deviceId)).sort();
    expect(ids(k)).toEqual(ids(e));
    expect(e).toHaveLength(DEVICES);
    const byId = new Map(k.map((r) => [String(r.deviceId), r]));
    for (const r of e) {
      const o = byId.get(String(r.deviceId))!;
      expect(o.dayVerdict).toBe(r.dayVerdict);
      // how its alarm stood at the day's end (alarms.carry): sums of log-ratios of the two engines' probabilities, which agree within 1e-5 (the tables' float tolerance)
      if (r.dayAlarmStanding === null) expect(o.dayAlarmStanding).toBeNull();
      else expect(Math.abs((o.dayAlarmStanding as number) - (r.dayAlarmStanding as number))).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(r.dayAlarmStanding as number)));
      // q is float32 in the table: within a relative 1e-6 (the ratios' sums differ in their last bits)
      if (r.dayRatio === null) expect(o.dayRatio).toBeNull();
      else expect(Math.abs((o.dayRatio as number) - (r.dayRatio as number))).toBeLessThanOrEqual(1e-6 * Math.abs(r.dayRatio as number));
      if (r.gain === null) expect(o.gain).toBeNull();
      else expect(Math.abs((o.gain as number) - (r.gain as number))).toBeLessThanOrEqual(1e-6);
    }
    // a first day: nobody had history, most devices are healthy with a ratio
    expect(embedded.predict.baseline).toEqual({ readFrom: null, devicesWithHistory: 0, written: DEVICES, alarmsCarried: 0, alarmsRecurring: 0, alarmsContinued: 0 });
    expect(spark.predict.baseline).toEqual(embedded.predict.baseline);
    expect(e.filter((r) => r.gain !== null).length).toBeGreaterThan(DEVICES / 2);
  });

  it('judges the next day against each device\'s own baseline in both engines, identically', () => {
    const withGain = embedded.tables.device_baseline!.rows.filter((r) => r.gain !== null).length;
    // the first day's alarms that still stood at its end are carried into the next (alarms.carry)
    const carried = embedded.tables.device_baseline!.rows.filter((r) => passedOn(r.dayVerdict as string | null, r.dayAlarmStanding as number | null)).length;
    // and its shadows re-armed where they were, its arcs all day (alarms.recur)
    const recurring = embedded.tables.device_baseline!.rows.filter((r) => recurrenceAfter(r.dayVerdict as string | null, r.dayAlarmOnsetMs as number | null, r.dayAlarmRaisedMs as number | null)).length;
    expect(next.embedded.predict.baseline).toEqual({ readFrom: DATE, devicesWithHistory: withGain, written: DEVICES, alarmsCarried: carried, alarmsRecurring: recurring, alarmsContinued: expect.any(Number) });
    expect(next.spark.predict.baseline).toEqual(next.embedded.predict.baseline);
    const daily = next.embedded.tables.gold_daily!.rows;
    // the own path for real: gains recorded, the days behind them, and gains other than 1
    expect(daily.filter((r) => r.baselineGain !== null)).toHaveLength(withGain);
    expect(daily.every((r) => (r.baselineGain === null) === (r.baselineDays === 0))).toBe(true);
    expect(daily.some((r) => r.baselineGain !== null && Math.abs((r.baselineGain as number) - 1) > 1e-3)).toBe(true);
    // the next baseline holds two days for a device healthy twice
    expect(next.embedded.tables.device_baseline!.rows.some((r) => (r.ratios as ArrayLike<number>).length === 2)).toBe(true);
    // each day's baseline records since when its alarms are open (its gold_daily alarmSinceMs); an alarm the next day
    // continues is open since the first day's (the tables' comparison below holds Spark's the same)
    const firstSince = new Map(embedded.tables.gold_daily!.rows.map((r) => [String(r.deviceId), r.alarmSinceMs]));
    for (const r of embedded.tables.device_baseline!.rows) expect(r.dayAlarmSinceMs).toBe(firstSince.get(String(r.deviceId)) ?? null);
    // and its alarms' onset and raise, which the next day re-arms a shadow by
    const first = new Map(embedded.tables.gold_daily!.rows.map((r) => [String(r.deviceId), [r.alarmOnsetMs, r.alarmRaisedMs]]));
    for (const r of embedded.tables.device_baseline!.rows) expect([r.dayAlarmOnsetMs, r.dayAlarmRaisedMs]).toEqual(first.get(String(r.deviceId)) ?? [null, null]);
    const continued = daily.filter((r) => r.alarmSinceMs !== null && r.alarmSinceMs !== r.alarmOnsetMs);
    for (const r of continued) expect([r.deviceId, r.alarmSinceMs]).toEqual([r.deviceId, firstSince.get(String(r.deviceId))]);
    expect(continued.length).toBeGreaterThan(0);
    expect(continued.length).toBeLessThanOrEqual(carried);
    // both summaries count them (the equality above holds Spark's the same)
    expect(next.embedded.predict.baseline.alarmsContinued).toBe(continued.length);
    for (const table of NEXT_TABLES) {
      expect(next.spark.tables[table]!.marker.rows).toBe(next.embedded.tables[table]!.marker.rows);
      expect(tableDifferences(table, next.spark.tables[table]!.rows, next.embedded.tables[table]!.rows, 1e-5)).toEqual([]);
    }
  });

  it("serves Spark's gold through the prediction API as it serves the embedded engine's", async () => {
    const fromSpark = createHandler({ store: new FolderStore(join(dir, 'spark', 'gold')), timeZone: TIME_ZONE });
    const fromEmbedded = createHandler({ store: new S3Store(s3!.client, 'gold'), timeZone: TIME_ZONE });
    const deviceId = String(embedded.tables.gold_daily!.rows[0]!.deviceId);
    for (const event of [{ rawPath: '/faults', queryStringParameters: { date: DATE } }, { rawPath: `/devices/${deviceId}/predictions`, queryStringParameters: { date: DATE } }]) {
      const [a, b] = [await fromSpark(event), await fromEmbedded(event)];
      expect(a.statusCode).toBe(200);
      expect(b.statusCode).toBe(200);
      // the API rounds probabilities to 4 decimals: values within 1e-5 may round one step apart
      expect(jsonDifferences(JSON.parse(a.body), JSON.parse(b.body), 1.01e-4)).toEqual([]);
    }
  });
});

/**
 * The producer service against a real broker that is stopped and kept down for a while
 * mid-run (issue 19): idempotent sends with acks from all in-sync replicas, retried by
 * kafkajs and by the service on the same producer (same producer id and sequence
 * numbers), so the topic holds each acknowledged reading exactly once — none lost, none
 * written twice — and each device's readings in the order they were sent. Measured on
 * the topic itself against what the broker acknowledged.
 *
 * The broker is stopped right after it appended a batch whose acknowledgement the producer
 * never got (lostAckProxy.ts), so every run takes the path on which a batch could be written
 * twice: the producer retries it against the restarted broker, which must recognise it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { resolveRunWindow } from '../../functions/run-window/window';
import { startKafkaBroker, type KafkaBroker } from '../../local/kafkaBroker';
import { freePort } from '../../local/ports';
import { publishDayWithProducer, type ProducerDayResult } from '../../local/producerDay';
import { LostAckProxy, type LostAcknowledgement } from './lostAckProxy';

const TOPIC = 'pv-readings';
const PARTITIONS = 3;
// Down longer than a bare restart: past the 5 kafkajs retries (~9 s of backoff) this service
// had before, within today's 10 (~2 min), so kafkajs's own retries carry the batch over it.
const EXTRA_DOWN_MS = 10_000;

let dir: string;
let broker: KafkaBroker | null = null;
let produced: ProducerDayResult;
let restarts = 0;
let proxy: LostAckProxy;
let lostAck: LostAcknowledgement;
const run = { start: 0, end: 0 };
const outage = { down: 0, up: 0 };
/** per device, the records in the order sent (acknowledged) and in the order they are on the topic */
const sent = new Map<string, string[]>();
const onTopic = new Map<string, string[]>();
let acknowledged = 0;
let read = 0;

/** One record as text: its value, its key and its CreateTime (what the consumer sees of it). */
function recordText(m: { key?: Buffer | string | null; value: Buffer | string | null; timestamp?: string }): string {
  const value = m.value === null ? '' : Buffer.from(m.value).toString('hex');
  return `${m.timestamp}:${value}`;
}

function push(map: Map<string, string[]>, key: string, text: string): void {
  const list = map.get(key);
  if (list) list.push(text);
  else map.set(key, [text]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'producer-restart-'));
  const ports = { broker: await freePort(), controller: await freePort() };
  // every client reaches the broker through the proxy: the broker tells them its port
  proxy = await LostAckProxy.start(ports.broker);
  broker = await startKafkaBroker({ dir: join(dir, 'kafka'), ports, advertisedPort: proxy.port });
  // Yesterday, not a fixed day: the broker judges a producer's age by its records' timestamps (kafkaBroker.ts,
  // producer.id.expiration.ms), and production's are recent. A day months back is forgotten on restart.
  const window = resolveRunWindow({ scheduledTime: new Date().toISOString() }, 'restart', 'Europe/Madrid', Date.now());
  // a third into the day (real time), the broker appends a batch whose acknowledgement is lost; it goes away,
  // stays down a while, then comes back on the same ports and data
  const restarted = new Promise<void>((resolve, reject) => {
    setTimeout(() => {
      const b = broker!;
      proxy
        .loseNextAcknowledgement(30_000)
        .then((lost) => {
          lostAck = lost;
          outage.down = Date.now();
          return b.stop();
        })
        // the old broker is gone: from now on clients find the port closed, as they would without the proxy
        .then(() => proxy.resume())
        .then(() => new Promise((r) => setTimeout(r, EXTRA_DOWN_MS)))
        .then(() => startKafkaBroker({ dir: b.dir, ports: b.ports, advertisedPort: proxy.port }))
        .then((again) => {
          outage.up = Date.now();
          broker = again;
          restarts++;
          resolve();
        }, reject);
    }, 15_000);
  });
  run.start = Date.now();
  const onAcknowledged = (messages: readonly Message[]) => {
    for (const m of messages) push(sent, String(m.key), recordText(m));
    acknowledged += messages.length;
  };
  produced = await publishDayWithProducer({ bootstrap: proxy.bootstrap, topic: TOPIC, partitions: PARTITIONS, timeZone: 'Europe/Madrid', window, devices: 10, seed: 8, onAcknowledged });
  run.end = Date.now();
  await restarted;

  const kafka = new Kafka({ clientId: 'count', brokers: [proxy.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(TOPIC)).map((o) => [o.partition, Number(o.high)]));
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: 'count' });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const next = new Map([...ends.keys()].map((p) => [p, 0]));
  await new Promise<void>((resolve, reject) => {
    const done = () => [...ends].every(([p, end]) => next.get(p)! >= end);
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            // a batch the consumer is handed again (a rebalance) is the same records: count each offset once
            if (Number(m.offset) < next.get(batch.partition)!) continue;
            push(onTopic, m.key!.toString('utf8'), recordText(m));
            next.set(batch.partition, Number(m.offset) + 1);
            read++;
          }
          if (done()) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  // the counts of this run, for the record (docs/producer.md quotes them)
  console.log(`producer restart (${new Date(window.startMs).toISOString()}): published ${produced.published}, acknowledged ${acknowledged}, on the topic ${read}, broker down ${outage.up - outage.down} ms, lost acknowledgement of a batch in partitions ${lostAck.partitions.map((p) => `${p.partition}@${p.baseOffset}`).join(', ')}`);
}, 10 * 60_000);

afterAll(async () => {
  await broker?.stop();
  await proxy?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** The records of `a` that `b` lacks, as a multiset difference (a record sent twice on purpose counts twice). */
function missingFrom(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const t of b) left.set(t, (left.get(t) ?? 0) + 1);
  const out: string[] = [];
  for (const t of a) {
    const n = left.get(t) ?? 0;
    if (n === 0) out.push(t);
    else left.set(t, n - 1);
  }
  return out;
}

describe('the producer against a broker stopped and restarted mid-run', () => {
  it('stopped the broker while the producer was publishing, for longer than a bare restart', () => {
    expect(restarts).toBe(1);
    expect(produced.published).toBeGreaterThan(10 * 3000);
    expect(run.start).toBeLessThan(outage.down);
    expect(outage.up).toBeLessThan(run.end);
    expect(outage.up - outage.down).toBeGreaterThanOrEqual(EXTRA_DOWN_MS);
  });

  it('lost the acknowledgement of a batch the broker had appended, just before the broker stopped', () => {
    expect(proxy.lost).toHaveLength(1);
    expect(lostAck.partitions.length).toBeGreaterThan(0);
    expect(lostAck.partitions.map((p) => p.errorCode)).toEqual(lostAck.partitions.map(() => 0));
  });

  it('drops nothing and counts as published exactly what the broker acknowledged', () => {
    expect(produced.dropped).toEqual({});
    expect(acknowledged).toBe(produced.published);
  });

  it('writes every acknowledged reading to the topic exactly once: none lost, none twice', () => {
    const keys = [...new Set([...sent.keys(), ...onTopic.keys()])].sort();
    expect(keys).toHaveLength(10);
    const lost = keys.flatMap((k) => missingFrom(sent.get(k) ?? [], onTopic.get(k) ?? []).map((t) => `${k} ${t}`));
    const twice = keys.flatMap((k) => missingFrom(onTopic.get(k) ?? [], sent.get(k) ?? []).map((t) => `${k} ${t}`));
    expect({ lost, twice }).toEqual({ lost: [], twice: [] });
    expect(read).toBe(produced.published);
  });

  it("keeps each device's readings on the topic in the order they were sent", () => {
    for (const [key, records] of sent) {
      const topic = onTopic.get(key) ?? [];
      const first = records.findIndex((t, i) => topic[i] !== t);
      expect({ key, firstDifference: first }).toEqual({ key, firstDifference: -1 });
    }
  });
});

/**
 * The producer service against a real broker that is stopped and restarted mid-run
 * (issue 19 item 8): idempotent sends with acks from all in-sync replicas, so no
 * reading vanishes and each device's readings stay in the order they were read; the
 * one batch in flight at the restart may land twice. Measured on the topic itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { resolveRunWindow } from '../../functions/run-window/window';
import { startKafkaBroker, type KafkaBroker } from '../../local/kafkaBroker';
import { publishDayWithProducer, type ProducerDayResult } from '../../local/producerDay';

const TOPIC = 'pv-readings';
const PARTITIONS = 3;

let dir: string;
let broker: KafkaBroker | null = null;
let produced: ProducerDayResult;
let restarts = 0;
const run = { start: 0, end: 0 };
const outage = { down: 0, up: 0 };
const perKey = new Map<string, number[]>();
let onTopic = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'producer-restart-'));
  broker = await startKafkaBroker({ dir: join(dir, 'kafka') });
  const window = resolveRunWindow({ date: '2026-06-21' }, 'restart', 'Europe/Madrid', Date.now());
  // a third into the day (real time), the broker goes away for its whole restart, then comes back on the same ports and data
  const restarted = new Promise<void>((resolve, reject) => {
    setTimeout(() => {
      const b = broker!;
      outage.down = Date.now();
      b.stop()
        .then(() => startKafkaBroker({ dir: b.dir, ports: b.ports }))
        .then((again) => {
          outage.up = Date.now();
          broker = again;
          restarts++;
          resolve();
        }, reject);
    }, 15_000);
  });
  run.start = Date.now();
  produced = await publishDayWithProducer({ bootstrap: broker.bootstrap, topic: TOPIC, partitions: PARTITIONS, timeZone: 'Europe/Madrid', window, devices: 10, seed: 8 });
  run.end = Date.now();
  await restarted;

  const kafka = new Kafka({ clientId: 'count', brokers: [broker!.bootstrap], logLevel: logLevel.NOTHING });
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
            const key = m.key!.toString('utf8');
            perKey.set(key, [...(perKey.get(key) ?? []), Number(m.timestamp)]);
            next.set(batch.partition, Number(m.offset) + 1);
            onTopic++;
          }
          if (done()) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
}, 10 * 60_000);

afterAll(async () => {
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the producer against a broker restarted mid-run', () => {
  it('restarted the broker while the producer was publishing', () => {
    expect(restarts).toBe(1);
    expect(produced.published).toBeGreaterThan(10 * 3000);
    // the broker was down and back between the producer's start and its stop (kafkajs's own retries carried the sends over it)
    expect(run.start).toBeLessThan(outage.down);
    expect(outage.up).toBeLessThan(run.end);
  });

  // Measured: kafkajs's idempotence covers its own retries, not the service's retry of a send whose acknowledgement
  // the restart lost (a new send, new sequence numbers): that batch can land twice (8 of 48,033 readings in one CI run).
  // Delivery across a restart is at least once; the ingest counts such copies as duplicates (docs/producer.md).
  it('loses no reading, and writes at most the batch in flight at the restart twice', () => {
    expect(produced.dropped).toEqual({});
    expect(onTopic).toBeGreaterThanOrEqual(produced.published);
    expect(onTopic - produced.published).toBeLessThanOrEqual(produced.batchMaxMessages);
  });

  it("keeps each device's readings in the order they were read", () => {
    expect(perKey.size).toBe(10);
    for (const [key, stamps] of perKey) {
      const disorder = stamps.findIndex((t, i) => i > 0 && t < stamps[i - 1]!);
      expect({ key, disorder }).toEqual({ key, disorder: -1 });
    }
  });
});

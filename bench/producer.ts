/**
 * npm run bench:producer -- [--readings 1000000] [--runs 5] [--no-broker]
 *
 * The producer's per-reading work on one core (the service is one Node thread):
 *   1. validate against the reading contract + encode raw Avro (prepareReading);
 *   2. end to end through the service — poll → validate → encode → bounded queue →
 *      batches of 5,000 → an in-process producer that only counts (no network, no
 *      gzip: the broker's cost is not ours to measure here).
 *   3. the same against a real Apache Kafka broker (KRaft, loopback, local/kafkaBroker.ts):
 *      kafkajs with acks from all in-sync replicas, idempotence and the service's
 *      compression (gzip), the readings counted back from the topic's offsets; the
 *      ratio to run 2 is what the network path and the broker cost (--no-broker skips it).
 * Readings are simulated plant readings (a June day, sensor faults included), so
 * the invalid ones take the validation's error path as in production.
 * Goal (issue 10): ≥ 100k readings/s validated and encoded; 100k devices need 5k/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, type ProducerRecord, type RecordMetadata } from 'kafkajs';
import { runCommand, UsageError } from '../detector/commandLine';
import { plantConfig, simulatePlantDay } from '../detector/simulator/plant';
import { systemClock } from '../functions/producer/clock';
import { parseProducerConfig } from '../functions/producer/config';
import { prepareReading } from '../functions/producer/encode';
import { createLogger } from '../functions/producer/log';
import { Metrics } from '../functions/producer/metrics';
import { createKafkaClients } from '../functions/producer/kafka';
import { ProducerService } from '../functions/producer/service';
import { startKafkaBroker } from '../local/kafkaBroker';
import type { ScadaSource } from '../functions/producer/sources/types';

function simulatedReadings(n: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const day = simulatePlantDay(plantConfig({ date: '2026-06-21', devices: Math.ceil(n / 4000) + 1, seed: 7 }));
  for (const d of day.devices()) {
    const r = d.readings;
    for (let k = 0; k < r.count && out.length < n; k++) {
      out.push({ deviceId: d.deviceId, timestamp: r.timestamp[k], voltage: r.voltage[k], current: r.current[k], temperature: r.temperature[k], irradiance: r.irradiance[k] });
    }
    if (out.length >= n) break;
  }
  return out;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A real broker's address and the topic to publish to, or none: a producer that only counts. */
interface BrokerTarget {
  bootstrap: string;
  topic: string;
}

async function endToEnd(readings: Record<string, unknown>[], pollSize: number, broker?: BrokerTarget): Promise<{ seconds: number; published: number; invalid: number }> {
  let published = 0;
  const counting = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: async (record: ProducerRecord): Promise<RecordMetadata[]> => {
      published += record.messages.length;
      return [];
    },
  };
  const admin = { connect: async () => undefined, disconnect: async () => undefined, listTopics: async () => [], createTopics: async () => true, fetchTopicMetadata: async () => ({ topics: [] }) };
  const polls: unknown[][] = [];
  for (let i = 0; i < readings.length; i += pollSize) polls.push(readings.slice(i, i + pollSize));
  const source: ScadaSource = { kind: 'bench', start: async () => undefined, poll: async () => polls.shift() ?? [], close: async () => undefined };
  const config = parseProducerConfig({
    SOURCE: 'simulator',
    KAFKA_BOOTSTRAP_SERVERS: broker?.bootstrap ?? 'bench:9098',
    KAFKA_TOPIC: broker?.topic ?? 'pv-readings',
    KAFKA_PARTITIONS: '6',
    KAFKA_AUTH: 'plaintext',
    KAFKA_CREATE_TOPIC: broker ? 'true' : 'false',
    BATCH_MAX_MESSAGES: '5000',
    BATCH_LINGER_MS: '0',
    QUEUE_MAX_MESSAGES: '100000',
    POLL_INTERVAL_MS: '100',
  });
  const metrics = new Metrics('bench');
  const logger = createLogger('error', () => undefined);
  const clients = broker ? createKafkaClients(config, logger) : { producer: counting, admin };
  const service = new ProducerService(config, { source, producer: clients.producer, admin: clients.admin, logger, metrics, clock: systemClock });
  const started = process.hrtime.bigint();
  await service.start();
  // polls come back to back: the clock only paces them when a poll is faster than its interval
  while (polls.length > 0) await service.pollOnce();
  await service.stop('bench');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (broker) published = await onTopic(broker);
  return { seconds, published, invalid: metrics.total('ReadingsInvalid') };
}

/** Records on the topic: the sum of its partitions' end offsets (a fresh topic per run). */
async function onTopic(broker: BrokerTarget): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-count', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(broker.topic)).reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { readings: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '5' }, 'no-broker': { type: 'boolean', default: false } }, strict: true });
  const n = Number(values.readings);
  const runs = Number(values.runs);
  if (!Number.isInteger(n) || n < 1000) throw new UsageError(`--readings: ${values.readings} must be an integer ≥ 1000`);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs: ${values.runs} must be a positive integer`);

  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, one thread`);
  const readings = simulatedReadings(n);
  const invalid = readings.filter((r) => !prepareReading(r).ok).length;
  console.log(`${readings.length.toLocaleString('en-US')} simulated readings (${invalid.toLocaleString('en-US')} invalid, ${((100 * invalid) / readings.length).toFixed(2)} %)`);

  // warm-up: let V8 optimise the hot path before it is timed
  for (let i = 0; i < Math.min(readings.length, 200_000); i++) prepareReading(readings[i]);

  const rates: number[] = [];
  let bytes = 0;
  for (let run = 0; run < runs; run++) {
    bytes = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < readings.length; i++) {
      const p = prepareReading(readings[i]);
      if (p.ok) bytes += p.value.length;
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push(readings.length / s);
  }
  console.log(
    `validate + encode: median ${Math.round(median(rates)).toLocaleString('en-US')} readings/s, best ${Math.round(Math.max(...rates)).toLocaleString('en-US')} over ${runs} runs` +
      ` (${(bytes / (readings.length - invalid)).toFixed(1)} Avro bytes per reading)`,
  );

  const e2e: number[] = [];
  for (let run = 0; run < Math.min(runs, 3); run++) {
    const r = await endToEnd(readings, 10_000);
    if (r.published + r.invalid !== readings.length) throw new Error(`end to end: ${r.published} published + ${r.invalid} invalid ≠ ${readings.length}`);
    e2e.push(readings.length / r.seconds);
  }
  console.log(`end to end through the service (fake producer, batches of 5,000): median ${Math.round(median(e2e)).toLocaleString('en-US')} readings/s over ${e2e.length} runs`);

  if (!values['no-broker']) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-producer-'));
    console.log('starting a Kafka broker (KRaft, loopback; local/kafkaBroker.ts) …');
    const broker = await startKafkaBroker({ dir });
    try {
      const real: number[] = [];
      for (let run = 0; run < Math.min(runs, 3); run++) {
        const r = await endToEnd(readings, 10_000, { bootstrap: broker.bootstrap, topic: `bench-${run}` });
        // every valid reading on the topic, once (a fresh topic per run; no restart here, so no resend)
        if (r.published + r.invalid !== readings.length) throw new Error(`real broker: ${r.published} on the topic + ${r.invalid} invalid ≠ ${readings.length}`);
        real.push(readings.length / r.seconds);
      }
      const m = median(real);
      console.log(`end to end to a real Kafka broker (acks all, idempotent, gzip, 6 partitions, batches of 5,000; every valid reading counted back on the topic): median ${Math.round(m).toLocaleString('en-US')} readings/s over ${real.length} runs, ${(median(e2e) / m).toFixed(1)}× slower than the fake producer`);
    } finally {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; goal ≥ 100,000 readings/s validated and encoded (100k devices need 5,000/s)`);
}

runCommand(main, 'usage: npm run bench:producer -- [--readings 1000000] [--runs 5] [--no-broker]');

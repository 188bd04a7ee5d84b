/**
 * A simulated plant day published by the real producer service (functions/producer:
 * simulator source → validation → Avro → kafkajs, idempotent, acks from all in-sync
 * replicas) to a real broker, on a clock that runs `speed` times faster than the wall
 * clock: 27 h of polls (the day, the hour before and its lateness) take under a minute,
 * and each record's Kafka timestamp is the (fast) time it was polled, as in production.
 */
import type { Message } from 'kafkajs';
import { systemClock, type Clock } from '../functions/producer/clock';
import { parseProducerConfig } from '../functions/producer/config';
import { createKafkaClients } from '../functions/producer/kafka';
import { createLogger } from '../functions/producer/log';
import { createSource } from '../functions/producer/main';
import { Metrics } from '../functions/producer/metrics';
import type { KafkaProducerLike } from '../functions/producer/publisher';
import { ProducerService } from '../functions/producer/service';
import type { ScadaSource } from '../functions/producer/sources/types';
import { LATENESS_MS } from '../contracts';

/** Simulated time that starts at `startMs` and runs `speed` times faster than real time, until told otherwise. */
export class FastClock implements Clock {
  private t0 = Date.now();
  private base: number;
  constructor(
    startMs: number,
    private speed: number,
  ) {
    this.base = startMs;
  }

  now(): number {
    return Math.floor(this.base + (Date.now() - this.t0) * this.speed);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms / this.speed, signal);
  }

  /** From now on time runs at this speed (1: real time), continuing from where it is. */
  setSpeed(speed: number): void {
    this.base = this.now();
    this.t0 = Date.now();
    this.speed = speed;
  }
}

export interface ProducerDayOptions {
  bootstrap: string;
  topic: string;
  partitions: number;
  timeZone: string;
  /** the plant-local day, [startMs, endMs) */
  window: { startMs: number; endMs: number };
  devices: number;
  seed: number;
  speed?: number;
  /** the service's log lines (JSON), e.g. to a file; dropped when absent */
  log?: (line: string) => void;
  /** called with the messages of every send the broker acknowledged, in order: what a test compares the topic with */
  onAcknowledged?: (messages: readonly Message[]) => void;
}

export interface ProducerDayResult {
  published: number;
  invalid: Record<string, number>;
  dropped: Record<string, number>;
}

/** The plant time at the end of a published day that runs at SLOW_FINISH_SPEED (see publishDayWithProducer). */
const SLOW_FINISH_MS = 3 * 60_000;
const SLOW_FINISH_SPEED = 40;
/** How long (real time) a published day waits at its end for a poll that began past it. */
const POLL_PAST_UNTIL_MS = 120_000;

export async function publishDayWithProducer(o: ProducerDayOptions): Promise<ProducerDayResult> {
  // from an hour before the day (the day before's late deliveries) to past its lateness
  const from = o.window.startMs - 3_600_000;
  const until = o.window.endMs + LATENESS_MS + 60_000;
  const clock = new FastClock(from, o.speed ?? 2000);
  const config = parseProducerConfig({
    SOURCE: 'simulator',
    SIMULATED_DEVICES: String(o.devices),
    SIMULATOR_TEMPLATES: String(o.devices),
    SIMULATOR_SEED: String(o.seed),
    PLANT_TIME_ZONE: o.timeZone,
    KAFKA_BOOTSTRAP_SERVERS: o.bootstrap,
    KAFKA_AUTH: 'plaintext',
    KAFKA_TOPIC: o.topic,
    KAFKA_PARTITIONS: String(o.partitions),
    KAFKA_REPLICATION_FACTOR: '1',
    LOG_LEVEL: 'info',
    METRICS_INTERVAL_MS: '3600000',
    SHUTDOWN_TIMEOUT_MS: '120000',
  });
  const logger = createLogger(config.logLevel, o.log ?? (() => undefined), () => clock.now());
  const metrics = new Metrics(config.metrics.namespace);
  const clients = createKafkaClients(config, logger);
  const { admin } = clients;
  const observe = o.onAcknowledged;
  const producer: KafkaProducerLike = observe
    ? {
        connect: () => clients.producer.connect(),
        disconnect: () => clients.producer.disconnect(),
        send: async (record) => {
          const meta = await clients.producer.send(record);
          observe(record.messages);
          return meta;
        },
      }
    : clients.producer;
  // the plant time each completed poll began at: the day is published once a poll has begun at or after `until`
  const scada = createSource(config, logger, metrics, clock);
  let polledThrough = -Infinity;
  const source: ScadaSource = {
    kind: scada.kind,
    start: () => scada.start(),
    poll: async (signal) => {
      const at = clock.now();
      const out = await scada.poll(signal);
      polledThrough = Math.max(polledThrough, at);
      return out;
    },
    close: () => scada.close(),
  };
  const service = new ProducerService(config, { source, producer, admin, logger, metrics, clock });
  await service.start();
  try {
    // the day's last readings (past its lateness, which lets the stream close the day) are polled only if a poll
    // runs in the last plant minute: at full speed one is 30 ms of real time, which a loaded machine's
    // scheduler can skip. So the last minutes run 40× slower (a poll every 0.5 s, the last minute 1.5 s).
    const slowFrom = until - SLOW_FINISH_MS;
    while (clock.now() < slowFrom) await systemClock.sleep(50);
    clock.setSpeed(SLOW_FINISH_SPEED);
    while (clock.now() < until) await systemClock.sleep(50);
    // The poll that crossed midnight simulates the next plant day before it returns (seconds of CPU,
    // more on a loaded or slow machine), and stopping the service lets only the poll in progress
    // finish: the next day's first hours, which let a stream close the day, would not be published.
    // So wait (in real time, the clock still at the slow speed) for a poll that began past `until`.
    const deadline = Date.now() + POLL_PAST_UNTIL_MS;
    while (polledThrough < until && Date.now() < deadline) await systemClock.sleep(50);
    if (polledThrough < until) {
      throw new Error(`publishDayWithProducer: no poll began past ${new Date(until).toISOString()} within ${POLL_PAST_UNTIL_MS / 1000} s: the day's last readings would be missing`);
    }
  } finally {
    // real time for the stop: its flush deadline (SHUTDOWN_TIMEOUT_MS) must not pass 2000× faster
    clock.setSpeed(1);
    await service.stop('day published');
  }
  return { published: metrics.total('ReadingsPublished'), invalid: Object.fromEntries(metrics.invalidTotals), dropped: Object.fromEntries(metrics.droppedTotals) };
}

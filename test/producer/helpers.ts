/** Test doubles for the producer: an in-process Kafka, a hand-driven clock, a capturing logger. */
import type { Message, ProducerRecord, RecordMetadata, ITopicConfig } from 'kafkajs';
import type { Clock } from '../../functions/producer/clock';
import { parseProducerConfig, type ProducerConfig } from '../../functions/producer/config';
import { createLogger, type Logger } from '../../functions/producer/log';
import type { KafkaAdminLike, KafkaProducerLike } from '../../functions/producer/publisher';
import type { ScadaSource } from '../../functions/producer/sources/types';

/** Lets pending promise callbacks run (several turns: chains of awaits). */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A clock whose time moves only when the test says so. */
export class ManualClock implements Clock {
  private timers: { at: number; resolve: () => void }[] = [];
  constructor(public t = Date.UTC(2026, 5, 21, 10, 0, 0)) {}

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = { at: this.t + Math.max(0, ms), resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((x) => x !== timer);
          resolve();
        },
        { once: true },
      );
    });
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward, firing the timers due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.resolve();
    }
    this.t = end;
    await settle();
  }

  /** Fires timers one by one until the condition holds (or fails after `limit` steps). */
  async runUntil(condition: () => boolean, limit = 1000): Promise<void> {
    for (let i = 0; i < limit; i++) {
      await settle();
      if (condition()) return;
      const next = this.timers.slice().sort((a, b) => a.at - b.at)[0];
      if (!next) continue;
      await this.advance(next.at - this.t);
    }
    throw new Error('runUntil: condition not reached');
  }
}

export interface SentBatch {
  record: ProducerRecord;
  messages: Message[];
}

type SendBehaviour = (record: ProducerRecord, call: number) => Promise<void> | void;

/** The kafkajs Producer and Admin calls the service makes, in memory. */
export class FakeKafka {
  readonly topics = new Map<string, number>();
  readonly calls: string[] = [];
  /** every send call, successful or not */
  readonly attempts: SentBatch[] = [];
  /** the sends that succeeded, in order */
  readonly delivered: SentBatch[] = [];
  connected = false;
  behaviour: SendBehaviour = () => undefined;
  createdWith: ITopicConfig[] = [];

  get deliveredMessages(): Message[] {
    return this.delivered.flatMap((b) => b.messages);
  }

  readonly producer: KafkaProducerLike = {
    connect: async () => {
      this.calls.push('producer.connect');
      this.connected = true;
    },
    disconnect: async () => {
      this.calls.push('producer.disconnect');
      this.connected = false;
    },
    send: async (record: ProducerRecord): Promise<RecordMetadata[]> => {
      if (!this.connected) throw new Error('send before connect');
      const batch = { record, messages: record.messages.slice() };
      this.attempts.push(batch);
      await this.behaviour(record, this.attempts.length);
      this.delivered.push(batch);
      return [{ topicName: record.topic, partition: 0, errorCode: 0 }];
    },
  };

  readonly admin: KafkaAdminLike = {
    connect: async () => {
      this.calls.push('admin.connect');
    },
    disconnect: async () => {
      this.calls.push('admin.disconnect');
    },
    listTopics: async () => {
      this.calls.push('admin.listTopics');
      return [...this.topics.keys()];
    },
    createTopics: async ({ topics }) => {
      this.calls.push('admin.createTopics');
      this.createdWith.push(...topics);
      let created = false;
      for (const t of topics) {
        if (this.topics.has(t.topic)) continue;
        this.topics.set(t.topic, t.numPartitions ?? 1);
        created = true;
      }
      return created;
    },
    fetchTopicMetadata: async (options) => {
      this.calls.push('admin.fetchTopicMetadata');
      return {
        topics: (options?.topics ?? []).filter((t) => this.topics.has(t)).map((name) => ({
          name,
          partitions: Array.from({ length: this.topics.get(name)! }, (_, p) => ({ partitionErrorCode: 0, partitionId: p, leader: 1, replicas: [1], isr: [1] })),
        })),
      };
    },
  };
}

/** A source that returns what the test queued for each poll. */
export class ScriptedSource implements ScadaSource {
  readonly kind = 'scripted';
  polls: unknown[][] = [];
  pollCount = 0;
  closed = false;

  async start(): Promise<void> {}

  async poll(): Promise<unknown[]> {
    this.pollCount++;
    return this.polls.shift() ?? [];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export interface CapturedLog {
  logger: Logger;
  lines: Record<string, unknown>[];
  messages(level?: string): string[];
}

export function captureLog(clock?: Clock): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', (l) => lines.push(JSON.parse(l) as Record<string, unknown>), clock ? () => clock.now() : undefined);
  return { logger, lines, messages: (level) => lines.filter((l) => level === undefined || l.level === level).map((l) => String(l.msg)) };
}

export function testConfig(env: Record<string, string> = {}): ProducerConfig {
  return parseProducerConfig({ SOURCE: 'simulator', KAFKA_BOOTSTRAP_SERVERS: 'b-1.example:9098', AWS_REGION: 'eu-west-1', BATCH_LINGER_MS: '0', ...env });
}

/** A valid reading of device `id` at `t`. */
export function reading(id: string, t: number, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { deviceId: id, timestamp: t, voltage: 410.5, current: 7.25, temperature: 31.5, irradiance: 812, ...patch };
}

/**
 * The sending half: batches from the bounded queue to Kafka, keyed by device id,
 * acks from all in-sync replicas, with bounded retries. kafkajs already retries
 * each request (KAFKA_RETRIES, enough to carry a broker restart); this layer retries
 * a whole batch when kafkajs gives up on a transient error, then drops it with a
 * count rather than hold the queue forever.
 *
 * Exactly once across those retries: the batch is resent through the same idempotent
 * producer, never a new one. kafkajs takes back the sequence numbers of a produce
 * request that failed (kafkajs 2.2 producer/sendMessages.js), so the resend carries the
 * producer id and sequence numbers of the request whose acknowledgement was lost, and
 * the broker answers a batch it already holds with its first offsets instead of
 * appending it again. Re-creating the producer would get a new producer id and give
 * that up; nothing here does.
 */
import { CompressionTypes, type Admin, type Producer } from 'kafkajs';
import type { Clock } from './clock';
import type { ProducerConfig } from './config';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import type { BoundedQueue } from './queue';

/** The part of kafkajs's Producer the service uses (the tests' fake implements it). */
export type KafkaProducerLike = Pick<Producer, 'connect' | 'disconnect' | 'send'>;
/** The part of kafkajs's Admin the service uses. */
export type KafkaAdminLike = Pick<Admin, 'connect' | 'disconnect' | 'listTopics' | 'createTopics' | 'fetchTopicMetadata'>;

export interface OutMessage {
  /** device id (Kafka key, UTF-8) */
  key: string;
  /** raw Avro binary of the reading */
  value: Buffer;
  /** when the producer read it (epoch ms): the record's CreateTime, the same on every retry */
  readAtMs: number;
}

const TRANSIENT_NAMES = new Set([
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSLockTimeout',
]);

/**
 * Whether trying the batch again may succeed. kafkajs marks protocol errors
 * retriable or not; once its own retries run out it wraps the last error in
 * KafkaJSNumberOfRetriesExceeded (not retriable itself), which is transient here.
 */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { retriable?: boolean; cause?: unknown };
  if (e.retriable === true || TRANSIENT_NAMES.has(e.name)) return true;
  return e.cause !== undefined && e.cause !== err && isTransient(e.cause);
}

export interface SendState {
  lastSuccessMs: number | null;
  /** start of the current run of failed attempts; null after a success */
  failingSinceMs: number | null;
  /**
   * when the send in progress started (null between sends): kafkajs retries a request for
   * ~2 min before it reports a failure, and /health must see a broker that is down meanwhile
   */
  sendingSinceMs: number | null;
}

export class Publisher {
  readonly state: SendState = { lastSuccessMs: null, failingSinceMs: null, sendingSinceMs: null };
  private readonly compression: CompressionTypes;

  constructor(
    private readonly producer: KafkaProducerLike,
    private readonly queue: BoundedQueue<OutMessage>,
    private readonly config: Pick<ProducerConfig, 'kafka' | 'send' | 'batch'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly random: () => number = Math.random,
  ) {
    this.compression = config.kafka.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  /**
   * Sends until the queue is closed and drained. `giveUp` aborts the backoff waits
   * at the shutdown deadline: the batch in hand is then dropped and counted.
   */
  async run(giveUp: AbortSignal): Promise<void> {
    for (;;) {
      const batch = await this.queue.takeBatch(this.config.batch.maxMessages, this.config.batch.lingerMs, this.clock);
      if (batch.length === 0) return;
      try {
        await this.sendBatch(batch, giveUp);
      } finally {
        this.queue.release(batch.length);
      }
    }
  }

  private async sendBatch(batch: OutMessage[], giveUp: AbortSignal): Promise<void> {
    const { attempts, backoffMs, backoffMaxMs } = this.config.send;
    const messages = batch.map((m) => ({ key: m.key, value: m.value, timestamp: String(m.readAtMs) }));
    for (let attempt = 1; ; attempt++) {
      this.state.sendingSinceMs = this.clock.now();
      try {
        await this.producer.send({ topic: this.config.kafka.topic, messages, acks: -1, compression: this.compression });
        this.state.sendingSinceMs = null;
        this.metrics.add('ReadingsPublished', batch.length);
        this.metrics.add('BatchesSent');
        this.state.lastSuccessMs = this.clock.now();
        this.state.failingSinceMs = null;
        return;
      } catch (err) {
        this.state.sendingSinceMs = null;
        this.metrics.add('SendErrors');
        this.state.failingSinceMs ??= this.clock.now();
        const transient = isTransient(err);
        const last = !transient || attempt >= attempts || giveUp.aborted;
        if (last) {
          const reason = !transient ? 'send_rejected' : giveUp.aborted ? 'shutdown_timeout' : 'send_failed';
          this.metrics.droppedReadings(reason, batch.length);
          this.logger.error('batch dropped', { reason, readings: batch.length, attempts: attempt, error: err });
          return;
        }
        const ceiling = Math.min(backoffMaxMs, backoffMs * 2 ** (attempt - 1));
        // half fixed, half random: tasks restarting together do not retry in step
        const wait = Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
        this.metrics.add('SendRetries');
        this.logger.warn('send failed, retrying the batch', { attempt, of: attempts, waitMs: wait, readings: batch.length, error: err });
        await this.clock.sleep(wait, giveUp);
      }
    }
  }
}

/**
 * Creates the topic when it is absent. listTopics first, so a role without
 * kafka-cluster:CreateTopic still starts against a topic the infrastructure made.
 */
export async function ensureTopic(admin: KafkaAdminLike, kafka: ProducerConfig['kafka'], logger: Logger): Promise<{ created: boolean; partitions: number }> {
  await admin.connect();
  try {
    const { topic, partitions, replicationFactor } = kafka;
    let created = false;
    if (!(await admin.listTopics()).includes(topic)) {
      // false: someone else created it meanwhile, which is just as good
      created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor }], waitForLeaders: true });
      logger.info(created ? 'topic created' : 'topic created concurrently by another client', { topic, partitions, replicationFactor });
    }
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const actual = meta.topics.find((t) => t.name === topic)?.partitions.length ?? 0;
    if (actual === 0) throw new Error(`topic ${topic}: no partitions in its metadata`);
    if (!created && actual !== partitions) {
      // not fatal: keys still map to one partition each; the ingest reads them all
      logger.warn('the topic has another partition count than configured', { topic, configured: partitions, actual });
    }
    return { created, partitions: actual };
  } finally {
    await admin.disconnect();
  }
}

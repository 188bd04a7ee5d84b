/**
 * The producer service: poll the source → validate and encode → bounded queue →
 * Kafka. Backpressure policy: when the queue is full the poller waits, so a slow
 * broker delays the next poll (counted as PollsSkipped) instead of growing memory;
 * nothing already read is dropped for lack of room. Readings are dropped only when
 * the broker rejects them, keeps failing past SEND_ATTEMPTS, or the shutdown
 * deadline passes — always counted in ReadingsDropped by reason.
 */
import type { Clock } from './clock';
import type { ProducerConfig } from './config';
import { prepareReading } from './encode';
import type { HealthReport } from './health';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import { ensureTopic, Publisher, type KafkaAdminLike, type KafkaProducerLike, type OutMessage } from './publisher';
import { BoundedQueue, QueueClosedError } from './queue';
import type { ScadaSource } from './sources/types';

export interface ServiceDeps {
  source: ScadaSource;
  producer: KafkaProducerLike;
  admin: KafkaAdminLike;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  random?: () => number;
}

type Phase = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Invalid readings logged one by one per metrics interval; the rest only counted. */
const INVALID_LOGS_PER_INTERVAL = 20;

export class ProducerService {
  readonly queue: BoundedQueue<OutMessage>;
  readonly publisher: Publisher;
  private phase: Phase = 'created';
  private readonly stopPolling = new AbortController();
  private readonly giveUp = new AbortController();
  private readonly stopMetrics = new AbortController();
  private pollLoop: Promise<void> = Promise.resolve();
  private senderLoop: Promise<void> = Promise.resolve();
  private metricsLoop: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | null = null;
  private invalidLogged = 0;

  constructor(
    private readonly config: ProducerConfig,
    private readonly deps: ServiceDeps,
  ) {
    this.queue = new BoundedQueue<OutMessage>(config.queueMaxMessages);
    this.publisher = new Publisher(deps.producer, this.queue, config, deps.clock, deps.logger, deps.metrics, deps.random);
  }

  get status(): Phase {
    return this.phase;
  }

  async start(): Promise<void> {
    if (this.phase !== 'created') throw new Error(`start: the service is ${this.phase}`);
    const { logger, source, producer, admin } = this.deps;
    this.phase = 'starting';
    logger.info('starting', { source: source.kind, topic: this.config.kafka.topic, brokers: this.config.kafka.brokers });
    await source.start();
    if (this.config.kafka.createTopic) await ensureTopic(admin, this.config.kafka, logger);
    await producer.connect();
    this.senderLoop = this.publisher.run(this.giveUp.signal).catch((err: unknown) => {
      logger.error('sender stopped', { error: err });
    });
    this.metricsLoop = this.runMetrics();
    this.pollLoop = this.runPolls();
    this.phase = 'running';
    logger.info('running', { pollIntervalMs: this.config.pollIntervalMs, queueMaxMessages: this.config.queueMaxMessages });
  }

  /** One poll of the source, its readings validated, encoded and queued (waiting for room). */
  async pollOnce(): Promise<void> {
    const { source, clock, metrics, logger } = this.deps;
    const started = clock.now();
    let polled: unknown[];
    try {
      polled = await source.poll(this.stopPolling.signal);
    } catch (err) {
      metrics.add('PollErrors');
      logger.error('poll failed', { source: source.kind, error: err });
      return;
    }
    metrics.add('ReadingsPolled', polled.length);
    const readAtMs = clock.now();
    let queued = 0;
    try {
      for (const input of polled) {
        const p = prepareReading(input);
        if (!p.ok) {
          metrics.invalidReading(p.issues.map((i) => i.reason));
          if (this.invalidLogged++ < INVALID_LOGS_PER_INTERVAL) {
            const deviceId = typeof input === 'object' && input !== null ? (input as { deviceId?: unknown }).deviceId : undefined;
            logger.warn('invalid reading not published', { deviceId, reasons: p.issues.map((i) => i.reason), issues: p.issues.map((i) => i.message) });
          }
          continue;
        }
        const message: OutMessage = { key: p.key, value: p.value, readAtMs };
        if (!this.queue.tryPut(message)) await this.queue.put(message);
        queued++;
      }
    } catch (err) {
      if (!(err instanceof QueueClosedError)) throw err;
      // the shutdown deadline closed the queue under us
      const lost = polled.length - queued;
      metrics.droppedReadings('shutdown_timeout', lost);
    } finally {
      metrics.add('ReadingsQueued', queued);
      metrics.set('PollDurationMs', clock.now() - started);
    }
  }

  private async runPolls(): Promise<void> {
    const { clock, metrics, logger } = this.deps;
    const interval = this.config.pollIntervalMs;
    let nextAt = clock.now();
    while (!this.stopPolling.signal.aborted) {
      try {
        await this.pollOnce();
      } catch (err) {
        metrics.add('PollErrors');
        logger.error('poll failed', { error: err });
      }
      const now = clock.now();
      nextAt += interval;
      if (nextAt <= now) {
        // the poll overran (a slow source or a full queue): skip the missed slots rather than catch up in a burst
        const missed = Math.floor((now - nextAt) / interval) + 1;
        metrics.add('PollsSkipped', missed);
        nextAt += missed * interval;
      }
      await clock.sleep(nextAt - now, this.stopPolling.signal);
    }
  }

  private async runMetrics(): Promise<void> {
    const { clock } = this.deps;
    while (!this.stopMetrics.signal.aborted) {
      await clock.sleep(this.config.metrics.intervalMs, this.stopMetrics.signal);
      this.emitMetrics();
    }
  }

  emitMetrics(): void {
    const { metrics, clock, logger } = this.deps;
    metrics.set('QueueDepth', this.queue.held);
    for (const line of metrics.flush(clock.now())) logger.raw(line);
    this.invalidLogged = 0;
  }

  /**
   * Graceful stop (SIGTERM): stop polling, let the poll in progress finish, send
   * everything read, disconnect. Past SHUTDOWN_TIMEOUT_MS what is left is dropped
   * and counted, so ECS's SIGKILL never comes first.
   */
  stop(reason = 'stop'): Promise<void> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  private async shutdown(reason: string): Promise<void> {
    const { logger, clock, metrics, source, producer } = this.deps;
    const wasRunning = this.phase === 'running';
    this.phase = 'stopping';
    logger.info('stopping: flushing what was read', { reason, held: this.queue.held });
    const deadline = new AbortController();
    const timedOut = clock.sleep(this.config.shutdownTimeoutMs, deadline.signal).then(() => !deadline.signal.aborted);
    this.stopPolling.abort();
    const drained = (async () => {
      await this.pollLoop;
      this.queue.close();
      await this.senderLoop;
      return false;
    })();
    const late = await Promise.race([drained, timedOut]);
    deadline.abort();
    if (late) {
      this.giveUp.abort();
      this.queue.close();
      const discarded = this.queue.discard();
      metrics.droppedReadings('shutdown_timeout', discarded);
      logger.error('shutdown deadline passed: readings not published', { discarded, inFlight: this.queue.held });
    }
    this.stopMetrics.abort();
    await this.metricsLoop;
    try {
      await source.close();
    } catch (err) {
      logger.warn('closing the source failed', { error: err });
    }
    if (wasRunning) {
      try {
        await producer.disconnect();
      } catch (err) {
        logger.warn('disconnecting the producer failed', { error: err });
      }
    }
    this.emitMetrics();
    this.phase = 'stopped';
    logger.info('stopped', { published: metrics.total('ReadingsPublished'), dropped: metrics.total('ReadingsDropped'), invalid: metrics.total('ReadingsInvalid') });
  }

  health(): HealthReport {
    const { clock, metrics, source } = this.deps;
    const now = clock.now();
    const { failingSinceMs, lastSuccessMs, sendingSinceMs } = this.publisher.state;
    // failing: since the first failed attempt of this run of failures, or since a send still in kafkajs's retries began
    const troubleSince = Math.min(failingSinceMs ?? Infinity, sendingSinceMs ?? Infinity);
    const kafkaDown = now - troubleSince > this.config.health.maxSendFailureMs;
    return {
      healthy: this.phase === 'running' && !kafkaDown,
      status: this.phase === 'running' && kafkaDown ? 'kafka_unavailable' : this.phase,
      source: source.kind,
      queue: { held: this.queue.held, capacity: this.queue.capacity },
      lastSendMs: lastSuccessMs,
      failingSinceMs,
      totals: Object.fromEntries(metrics.totals),
      invalid: Object.fromEntries(metrics.invalidTotals),
      dropped: Object.fromEntries(metrics.droppedTotals),
    };
  }
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as avro from 'avsc';
import { CompressionTypes, KafkaJSError, KafkaJSNonRetriableError, KafkaJSProtocolError, Partitioners } from 'kafkajs';
import { decodeReading, READING_AVRO_TYPE } from '../../contracts/reading';
import { partitionOf } from '../../local/topic';
import { Metrics } from '../../functions/producer/metrics';
import { ensureTopic, isTransient } from '../../functions/producer/publisher';
import { ProducerService } from '../../functions/producer/service';
import { captureLog, FakeKafka, ManualClock, reading, ScriptedSource, settle, testConfig } from './helpers';

// the schema file itself, not the contract module: the bytes must decode for any reader of reading.avsc (Spark's from_avro)
const schemaType = avro.Type.forSchema(JSON.parse(readFileSync(join(__dirname, '../../contracts/reading.avsc'), 'utf8')) as avro.Schema);

function setup(env: Record<string, string> = {}) {
  const clock = new ManualClock();
  const kafka = new FakeKafka();
  const source = new ScriptedSource();
  const log = captureLog(clock);
  const config = testConfig(env);
  const metrics = new Metrics(config.metrics.namespace);
  const service = new ProducerService(config, { source, producer: kafka.producer, admin: kafka.admin, logger: log.logger, metrics, clock, random: () => 0.5 });
  return { clock, kafka, source, log, config, metrics, service };
}

function devices(n: number, t: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => reading(`PV-${String(i + 1).padStart(6, '0')}`, t + i));
}

describe('producer service', () => {
  it('publishes each valid reading keyed by device id, as the raw Avro the local topic and Spark read', async () => {
    const { clock, kafka, source, service, metrics } = setup();
    const polled = [reading('PV-000001', 1_782_000_000_000), reading('inv-7.string_2', 1_782_000_000_123, { voltage: -1.5, current: -0.25, irradiance: -3 })];
    source.polls.push(polled);
    await service.start();
    await clock.runUntil(() => kafka.deliveredMessages.length === 2);
    const [first] = kafka.delivered;
    expect(first!.record).toMatchObject({ topic: 'pv-readings', acks: -1, compression: CompressionTypes.GZIP });
    kafka.deliveredMessages.forEach((m, i) => {
      const expected = polled[i]!;
      expect(m.key).toBe(expected.deviceId);
      const value = m.value as Buffer;
      // byte-identical to what the local pipeline publishes
      expect(value.equals(READING_AVRO_TYPE.toBuffer(expected))).toBe(true);
      // plain Avro binary: decodes with the schema from its first byte, no registry header, nothing left over
      const decoded = schemaType.fromBuffer(value) as Record<string, unknown>;
      expect(decoded).toEqual(expected);
      expect(decodeReading(value)).toEqual(expected);
      expect(m.timestamp).toBe(String(clock.now()));
    });
    expect(metrics.total('ReadingsPublished')).toBe(2);
    await service.stop('test');
  });

  it('uses the same key → partition mapping as the local topic (Java murmur2)', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 12 }, (_, p) => ({ partitionId: p, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    for (const key of ['PV-000001', 'PV-000002', 'PV-123456', 'inv-7.string_2', 'a']) {
      expect(partitioner({ topic: 't', partitionMetadata, message: { key, value: null } })).toBe(partitionOf(key, 12));
    }
  });

  it('batches up to BATCH_MAX_MESSAGES readings per send', async () => {
    const { clock, kafka, source, service } = setup({ BATCH_MAX_MESSAGES: '50', BATCH_LINGER_MS: '100' });
    source.polls.push(devices(120, 1_782_000_000_000));
    await service.start();
    await clock.runUntil(() => kafka.deliveredMessages.length === 120);
    expect(kafka.delivered.map((b) => b.messages.length)).toEqual([50, 50, 20]);
    expect(kafka.deliveredMessages.map((m) => m.key)).toEqual(devices(120, 0).map((r) => r.deviceId));
    await service.stop('test');
  });

  it('lingers for a batch to fill rather than sending each reading alone', async () => {
    const { clock, kafka, source, service } = setup({ BATCH_MAX_MESSAGES: '10', BATCH_LINGER_MS: '500' });
    await service.start();
    source.polls.push(devices(3, 1_782_000_000_000));
    await clock.advance(20_000); // the second poll
    await clock.runUntil(() => kafka.deliveredMessages.length === 3);
    expect(kafka.delivered.map((b) => b.messages.length)).toEqual([3]);
    await service.stop('test');
  });

  it('retries a batch after transient (retriable) errors and publishes it once', async () => {
    const { clock, kafka, source, service, metrics } = setup({ SEND_ATTEMPTS: '4' });
    kafka.behaviour = (_record, call) => {
      if (call === 1) throw new KafkaJSProtocolError({ name: 'KafkaJSProtocolError', message: 'There is no leader for this topic-partition', type: 'LEADER_NOT_AVAILABLE', code: 5, retriable: true } as unknown as Error);
      if (call === 2) throw new KafkaJSError('Connection timeout', { retriable: true });
    };
    source.polls.push(devices(5, 1_782_000_000_000));
    await service.start();
    await clock.runUntil(() => kafka.delivered.length === 1);
    expect(kafka.attempts).toHaveLength(3);
    // the same messages each time: kafkajs resends them with the batch's sequence numbers
    expect(kafka.attempts.map((a) => a.messages.map((m) => m.key))).toEqual(Array(3).fill(devices(5, 0).map((r) => r.deviceId)));
    expect(metrics.total('ReadingsPublished')).toBe(5);
    expect(metrics.total('SendRetries')).toBe(2);
    expect(metrics.total('ReadingsDropped')).toBe(0);
    expect(service.publisher.state.failingSinceMs).toBeNull();
    await service.stop('test');
  });

  it('drops a batch (counted) after SEND_ATTEMPTS transient failures, and /health turns unhealthy', async () => {
    const { clock, kafka, source, service, metrics, log } = setup({ SEND_ATTEMPTS: '3', SEND_BACKOFF_MS: '1000', HEALTH_MAX_SEND_FAILURE_MS: '1000' });
    kafka.behaviour = () => {
      throw new KafkaJSError('Connection error: ECONNREFUSED', { retriable: true });
    };
    source.polls.push(devices(4, 1_782_000_000_000));
    await service.start();
    expect(service.health().healthy).toBe(true);
    await clock.runUntil(() => metrics.total('ReadingsDropped') === 4);
    expect(kafka.attempts).toHaveLength(3);
    expect(metrics.droppedTotals.get('send_failed')).toBe(4);
    expect(log.messages('error')).toContain('batch dropped');
    expect(service.health()).toMatchObject({ healthy: false, status: 'kafka_unavailable' });
    // the queue's room is given back: the service goes on with the next poll
    expect(service.queue.held).toBe(0);
    await service.stop('test');
  });

  it('turns /health unhealthy while one send is still in kafkajs\'s retries past HEALTH_MAX_SEND_FAILURE_MS, healthy once it lands', async () => {
    const { clock, kafka, source, service } = setup({ HEALTH_MAX_SEND_FAILURE_MS: '1000' });
    // kafkajs retrying a request inside one send: no failure reaches the service until it gives up
    let land: () => void = () => undefined;
    kafka.behaviour = () => new Promise<void>((resolve) => (land = resolve));
    source.polls.push(devices(2, 1_782_000_000_000));
    await service.start();
    await clock.runUntil(() => kafka.attempts.length === 1);
    expect(service.health().healthy).toBe(true);
    await clock.advance(1500);
    expect(service.health()).toMatchObject({ healthy: false, status: 'kafka_unavailable' });
    land();
    await clock.runUntil(() => kafka.delivered.length === 1);
    expect(service.health()).toMatchObject({ healthy: true, status: 'running' });
    await service.stop('test');
  });

  it('does not retry what the broker rejects for good', async () => {
    const { clock, kafka, source, service, metrics } = setup({ SEND_ATTEMPTS: '5' });
    kafka.behaviour = () => {
      throw new KafkaJSNonRetriableError('Topic authorization failed');
    };
    source.polls.push(devices(2, 1_782_000_000_000));
    await service.start();
    await clock.runUntil(() => metrics.total('ReadingsDropped') === 2);
    expect(kafka.attempts).toHaveLength(1);
    expect(metrics.droppedTotals.get('send_rejected')).toBe(2);
    await service.stop('test');
  });

  it('classifies kafkajs errors as transient or not', () => {
    expect(isTransient(new KafkaJSError('x', { retriable: true }))).toBe(true);
    expect(isTransient(new KafkaJSNonRetriableError('x'))).toBe(false);
    const exhausted = Object.assign(new Error('retries exhausted'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false });
    expect(isTransient(exhausted)).toBe(true);
    expect(isTransient(Object.assign(new Error('wrapped'), { cause: new KafkaJSError('y', { retriable: true }) }))).toBe(true);
    expect(isTransient('not an error')).toBe(false);
  });

  it('counts invalid readings by reason, logs them, and never publishes them', async () => {
    const { clock, kafka, source, service, metrics, log } = setup();
    const t = 1_782_000_000_000;
    source.polls.push([
      reading('PV-000001', t),
      reading('PV-000002', t, { voltage: 2000 }),
      reading('PV-000003', t, { current: Number.NaN }),
      reading('bad id!', t),
      reading('PV-000005', t, { temperature: undefined }),
      reading('PV-000006', t, { voltage: 9999, irradiance: Number.POSITIVE_INFINITY }),
      'garbage',
      reading('PV-000007', t),
    ]);
    await service.start();
    await clock.runUntil(() => kafka.deliveredMessages.length === 2);
    await clock.advance(1000);
    expect(kafka.deliveredMessages.map((m) => m.key)).toEqual(['PV-000001', 'PV-000007']);
    expect(metrics.total('ReadingsInvalid')).toBe(6);
    expect(Object.fromEntries(metrics.invalidTotals)).toEqual({ out_of_range: 2, non_finite: 2, bad_device_id: 1, missing_field: 1, malformed: 1 });
    const warnings = log.lines.filter((l) => l.msg === 'invalid reading not published');
    expect(warnings).toHaveLength(6);
    expect(warnings[0]).toMatchObject({ deviceId: 'PV-000002', reasons: ['out_of_range'] });
    await service.stop('test');
  });

  it('holds at most QUEUE_MAX_MESSAGES readings with a slow broker: the poller waits, nothing read is lost', async () => {
    const { clock, kafka, source, service, metrics } = setup({ QUEUE_MAX_MESSAGES: '100', BATCH_MAX_MESSAGES: '10' });
    const gates: (() => void)[] = [];
    kafka.behaviour = () => new Promise<void>((resolve) => gates.push(resolve));
    source.polls.push(devices(1000, 1_782_000_000_000));
    await service.start();
    await settle();
    // the broker has taken one batch and answers nothing: the queue is full and the poll is stuck in it
    expect(gates).toHaveLength(1);
    expect(service.queue.held).toBe(100);
    expect(metrics.total('ReadingsQueued')).toBe(0); // the poll has not finished
    // release the broker slowly, one batch at a time
    while (kafka.deliveredMessages.length < 1000) {
      gates.shift()?.();
      await settle();
      expect(service.queue.held).toBeLessThanOrEqual(100);
    }
    expect(service.queue.highWater).toBe(100);
    expect(kafka.deliveredMessages.map((m) => m.key)).toEqual(devices(1000, 0).map((r) => r.deviceId));
    expect(metrics.total('ReadingsQueued')).toBe(1000);
    // the poll took longer than its interval: the missed slots are skipped, not made up in a burst
    await clock.advance(20_000);
    expect(source.pollCount).toBe(2);
    await service.stop('test');
  });

  it('counts poll slots skipped while the poller waited', async () => {
    const { clock, kafka, source, service, metrics } = setup({ QUEUE_MAX_MESSAGES: '10', BATCH_MAX_MESSAGES: '10', POLL_INTERVAL_MS: '20000' });
    const gates: (() => void)[] = [];
    kafka.behaviour = () => new Promise<void>((resolve) => gates.push(resolve));
    source.polls.push(devices(30, 1_782_000_000_000));
    await service.start();
    await settle();
    await clock.advance(65_000); // the broker is stuck for more than three poll intervals
    expect(source.pollCount).toBe(1);
    while (kafka.deliveredMessages.length < 30) {
      gates.shift()?.();
      await settle();
    }
    await settle();
    expect(metrics.total('PollsSkipped')).toBe(3);
    await service.stop('test');
  });

  it('on stop (SIGTERM) stops polling and flushes everything read before disconnecting', async () => {
    const { clock, kafka, source, service } = setup({ BATCH_MAX_MESSAGES: '7', BATCH_LINGER_MS: '1000' });
    const gates: (() => void)[] = [];
    kafka.behaviour = () => new Promise<void>((resolve) => gates.push(resolve));
    source.polls.push(devices(30, 1_782_000_000_000), devices(5, 1_782_000_100_000));
    await service.start();
    await settle();
    const stopped = service.stop('SIGTERM');
    expect(service.health()).toMatchObject({ healthy: false, status: 'stopping' });
    let done = false;
    void stopped.then(() => (done = true));
    while (gates.length > 0 || !done) {
      gates.shift()?.();
      await clock.advance(10);
      if (done) break;
    }
    await stopped;
    expect(kafka.deliveredMessages).toHaveLength(30);
    expect(source.pollCount).toBe(1); // the second poll never happened
    expect(source.closed).toBe(true);
    expect(kafka.calls.at(-1)).toBe('producer.disconnect');
    expect(service.status).toBe('stopped');
  });

  it('gives up at SHUTDOWN_TIMEOUT_MS when the broker does not answer, counting what it drops', async () => {
    const { clock, kafka, source, service, metrics, log } = setup({ BATCH_MAX_MESSAGES: '10', SHUTDOWN_TIMEOUT_MS: '5000', SEND_BACKOFF_MS: '60000', SEND_BACKOFF_MAX_MS: '60000' });
    kafka.behaviour = () => {
      throw new KafkaJSError('Request timed out', { retriable: true });
    };
    source.polls.push(devices(25, 1_782_000_000_000));
    await service.start();
    await settle();
    const stopped = service.stop('SIGTERM');
    await clock.advance(5000);
    await stopped;
    expect(metrics.droppedTotals.get('shutdown_timeout')).toBe(25);
    expect(log.messages('error')).toContain('shutdown deadline passed: readings not published');
    expect(kafka.deliveredMessages).toHaveLength(0);
  });

  it('emits throughput and error metrics as CloudWatch embedded-metric log lines', async () => {
    const { clock, kafka, source, service, log } = setup({ METRICS_INTERVAL_MS: '60000' });
    source.polls.push([...devices(3, 1_782_000_000_000), reading('PV-9', 1, {})]);
    await service.start();
    await clock.runUntil(() => kafka.deliveredMessages.length === 3);
    await clock.advance(60_000);
    const emf = log.lines.filter((l) => '_aws' in l);
    const main = emf.find((l) => !('Reason' in l))!;
    const meta = (main._aws as { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] }).CloudWatchMetrics[0]!;
    expect(meta.Namespace).toBe('PvFault/Producer');
    expect(meta.Dimensions).toEqual([['Service']]);
    // every declared metric has its value at the top level, as EMF requires
    for (const m of meta.Metrics) expect(typeof main[m.Name]).toBe('number');
    expect(main).toMatchObject({ Service: 'pv-producer', ReadingsPolled: 4, ReadingsPublished: 3, ReadingsInvalid: 1, BatchesSent: 1 });
    const byReason = emf.find((l) => l.Reason === 'out_of_range');
    expect(byReason).toMatchObject({ ReadingsInvalid: 1 });
    // counters are per interval
    await clock.advance(60_000);
    const next = log.lines.filter((l) => '_aws' in l && !('Reason' in l)).at(-1)!;
    expect(next).toMatchObject({ ReadingsPublished: 0, ReadingsPolled: 0 });
    await service.stop('test');
  });
});

describe('topic creation at start', () => {
  it('creates an absent topic with the configured partitions and replication factor', async () => {
    const { kafka, service, log } = setup({ KAFKA_PARTITIONS: '24', KAFKA_REPLICATION_FACTOR: '-1' });
    await service.start();
    expect(kafka.createdWith).toEqual([{ topic: 'pv-readings', numPartitions: 24, replicationFactor: -1 }]);
    expect(kafka.topics.get('pv-readings')).toBe(24);
    expect(log.messages('info')).toContain('topic created');
    // the admin connection is not kept open beside the producer's
    expect(kafka.calls.slice(0, 5)).toEqual(['admin.connect', 'admin.listTopics', 'admin.createTopics', 'admin.fetchTopicMetadata', 'admin.disconnect']);
    await service.stop('test');
  });

  it('leaves an existing topic alone (no CreateTopic call) and warns when its partitions differ', async () => {
    const kafka = new FakeKafka();
    kafka.topics.set('pv-readings', 6);
    const { logger, messages } = captureLog();
    const result = await ensureTopic(kafka.admin, testConfig({ KAFKA_PARTITIONS: '12' }).kafka, logger);
    expect(result).toEqual({ created: false, partitions: 6 });
    expect(kafka.calls).not.toContain('admin.createTopics');
    expect(messages('warn')).toContain('the topic has another partition count than configured');
  });

  it('does not create the topic when KAFKA_CREATE_TOPIC=false', async () => {
    const { kafka, service } = setup({ KAFKA_CREATE_TOPIC: 'false' });
    await service.start();
    expect(kafka.calls.filter((c) => c.startsWith('admin.'))).toEqual([]);
    await service.stop('test');
  });

  it('fails the start when the topic cannot be created', async () => {
    const { kafka, service } = setup();
    kafka.admin.createTopics = async () => {
      throw new KafkaJSNonRetriableError('Cluster authorization failed');
    };
    await expect(service.start()).rejects.toThrow('Cluster authorization failed');
    expect(kafka.calls).toContain('admin.disconnect');
    expect(kafka.connected).toBe(false);
  });
});

describe('health endpoint', () => {
  it('answers GET /health with 503 until running, 200 while running, 503 when stopping', async () => {
    const { startHealthServer } = await import('../../functions/producer/health');
    const { service, clock } = setup();
    const health = await startHealthServer(0, () => service.health(), '127.0.0.1');
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${health.port}${path}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    try {
      expect(await get('/health')).toMatchObject({ status: 503, body: { healthy: false, status: 'created' } });
      await service.start();
      expect(await get('/health')).toMatchObject({ status: 200, body: { healthy: true, status: 'running', source: 'scripted', queue: { held: 0, capacity: 100_000 } } });
      expect((await get('/nope')).status).toBe(404);
      const stopped = service.stop('test');
      await clock.advance(100);
      await stopped;
      expect(await get('/health')).toMatchObject({ status: 503, body: { status: 'stopped' } });
    } finally {
      await health.close();
    }
  });
});

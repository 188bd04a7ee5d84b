/**
 * The producer's configuration: environment variables only, set by the ECS task
 * definition. PRODUCER_ENV is the one description of them (the infrastructure and
 * the docs read it); parseProducerConfig validates them all at start and reports
 * every problem at once, each naming its variable.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_DESIGN_NAME, DesignError, defaultDesign, parseDesign, type Design } from '../../contracts/design';
import { parseRegisterMap, type RegisterMap } from './registerMap';

export type SourceKind = 'simulator' | 'modbus';
export type KafkaAuth = 'iam' | 'plaintext';
export type Compression = 'gzip' | 'none';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ProducerEnvVar {
  readonly name: string;
  /** the value used when the variable is unset; null = required (or only needed in some modes, see `when`) */
  readonly default: string | null;
  /** set only in this mode; ignored otherwise */
  readonly when?: string;
  readonly description: string;
}

export const PRODUCER_ENV = [
  { name: 'SOURCE', default: null, description: 'where readings come from: simulator (demos, load tests) or modbus (a plant)' },
  { name: 'KAFKA_BOOTSTRAP_SERVERS', default: null, description: 'comma-separated host:port list (MSK Serverless IAM bootstrap string, port 9098)' },
  { name: 'KAFKA_TOPIC', default: 'pv-readings', description: 'topic the readings are published to (Pulumi pv-fault:kafkaTopic)' },
  { name: 'KAFKA_PARTITIONS', default: '12', description: 'partitions of the topic when the producer creates it (Pulumi pv-fault:kafkaPartitions)' },
  { name: 'KAFKA_REPLICATION_FACTOR', default: '-1', description: 'replication factor when creating the topic; -1 = the cluster default (MSK Serverless fixes it itself)' },
  { name: 'KAFKA_CREATE_TOPIC', default: 'true', description: 'create the topic at start when it does not exist' },
  { name: 'KAFKA_AUTH', default: 'iam', description: 'iam = TLS + SASL OAUTHBEARER with MSK IAM tokens; plaintext = no TLS, no auth (a local broker)' },
  { name: 'AWS_REGION', default: null, when: 'KAFKA_AUTH=iam', description: 'region the MSK IAM tokens are signed for (AWS_DEFAULT_REGION is accepted too)' },
  { name: 'KAFKA_CLIENT_ID', default: 'pv-producer', description: 'Kafka client id (broker logs, quotas)' },
  { name: 'KAFKA_COMPRESSION', default: 'gzip', description: 'gzip or none (the codecs kafkajs ships with)' },
  { name: 'KAFKA_RETRIES', default: '10', description: 'kafkajs retries of one request, with its exponential backoff (300 ms doubling to 30 s: 10 retries wait about 2 min, enough to carry a broker restart inside kafkajs)' },
  { name: 'KAFKA_REQUEST_TIMEOUT_MS', default: '30000', description: 'kafkajs request timeout' },
  { name: 'KAFKA_CONNECTION_TIMEOUT_MS', default: '10000', description: 'kafkajs connection timeout' },
  { name: 'SEND_ATTEMPTS', default: '4', description: 'attempts of one batch on the same producer (same producer id and sequence numbers) after kafkajs gave up on a transient error; the batch is then dropped and counted' },
  { name: 'SEND_BACKOFF_MS', default: '1000', description: 'first wait between batch attempts (doubles, with jitter)' },
  { name: 'SEND_BACKOFF_MAX_MS', default: '30000', description: 'longest wait between batch attempts' },
  { name: 'BATCH_MAX_MESSAGES', default: '5000', description: 'readings per producer.send call' },
  { name: 'BATCH_LINGER_MS', default: '200', description: 'how long a batch waits to fill before it is sent' },
  { name: 'QUEUE_MAX_MESSAGES', default: '100000', description: 'readings held in memory (queued + in flight); a full queue makes the poller wait' },
  { name: 'POLL_INTERVAL_MS', default: '20000', description: 'time between two polls of the source (the readings are every 20 s)' },
  { name: 'SIMULATED_DEVICES', default: '100', when: 'SOURCE=simulator', description: 'number of simulated arrays' },
  { name: 'SIMULATOR_TEMPLATES', default: '100', when: 'SOURCE=simulator', description: 'distinct simulated device-days; device i replays template i mod T' },
  { name: 'SIMULATOR_SEED', default: '1', when: 'SOURCE=simulator', description: 'seed of the simulated plant' },
  { name: 'SIMULATOR_DESIGN', default: DEFAULT_DESIGN_NAME, when: 'SOURCE=simulator', description: 'the simulated arrays\' design: a name of contracts/designs.json or a design as JSON text (docs/simulator.md, Array designs)' },
  { name: 'PLANT_TIME_ZONE', default: 'Europe/Madrid', when: 'SOURCE=simulator', description: 'IANA time zone of the plant (the simulated day is its local day)' },
  { name: 'MODBUS_REGISTER_MAP', default: null, when: 'SOURCE=modbus', description: 'the register map: JSON text, or the path of a JSON file (docs/producer.md)' },
  { name: 'MODBUS_TIMEOUT_MS', default: '2000', when: 'SOURCE=modbus', description: 'per-device answer timeout unless the map sets timeoutMs' },
  { name: 'MODBUS_CONCURRENCY', default: '16', when: 'SOURCE=modbus', description: 'Modbus TCP endpoints polled at the same time (one connection each)' },
  { name: 'HEALTH_PORT', default: '8080', description: 'port of GET /health (container health check)' },
  { name: 'HEALTH_MAX_SEND_FAILURE_MS', default: '120000', description: '/health answers 503 once sending has failed continuously this long' },
  { name: 'METRICS_INTERVAL_MS', default: '60000', description: 'period of the CloudWatch embedded-metric log line' },
  { name: 'METRICS_NAMESPACE', default: 'PvFault/Producer', description: 'CloudWatch namespace of the metrics' },
  { name: 'SHUTDOWN_TIMEOUT_MS', default: '25000', description: 'longest flush on SIGTERM; keep it below the task stopTimeout (30 s by default)' },
  { name: 'LOG_LEVEL', default: 'info', description: 'debug, info, warn or error' },
] as const satisfies readonly ProducerEnvVar[];

export type ProducerEnvName = (typeof PRODUCER_ENV)[number]['name'];

export interface ProducerConfig {
  source:
    | { kind: 'simulator'; devices: number; templates: number; seed: number; timeZone: string; design: Design }
    | { kind: 'modbus'; registerMap: RegisterMap; defaultTimeoutMs: number; concurrency: number };
  kafka: {
    brokers: string[];
    topic: string;
    partitions: number;
    replicationFactor: number;
    createTopic: boolean;
    auth: { kind: 'iam'; region: string } | { kind: 'plaintext' };
    clientId: string;
    compression: Compression;
    retries: number;
    requestTimeoutMs: number;
    connectionTimeoutMs: number;
  };
  send: { attempts: number; backoffMs: number; backoffMaxMs: number };
  batch: { maxMessages: number; lingerMs: number };
  queueMaxMessages: number;
  pollIntervalMs: number;
  health: { port: number; maxSendFailureMs: number };
  metrics: { intervalMs: number; namespace: string };
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
}

export class ProducerConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid producer configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ProducerConfigError';
  }
}

const DEFAULTS: Record<string, string | null> = Object.fromEntries(PRODUCER_ENV.map((v) => [v.name, v.default]));

/** The value a variable takes when the task definition does not set it (null: required or mode-specific). */
export function envDefault(name: ProducerEnvName): string | null {
  return DEFAULTS[name]!;
}
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/;

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads a JSON file for MODBUS_REGISTER_MAP when the value is a path; injectable for tests. */
export type ReadText = (path: string) => string;

/** SIMULATOR_DESIGN: a named design, or a design as JSON text; a problem names the design's key. */
function simulatorDesign(text: string, problems: string[]): Design {
  try {
    return parseDesign(text.startsWith('{') ? (JSON.parse(text) as unknown) : text, 'SIMULATOR_DESIGN');
  } catch (err) {
    problems.push(err instanceof DesignError ? err.message : `SIMULATOR_DESIGN: not JSON (${(err as Error).message})`);
    return defaultDesign();
  }
}

export function parseProducerConfig(env: Env, readText: ReadText = (p) => readFileSync(p, 'utf8')): ProducerConfig {
  const problems: string[] = [];
  const raw = (name: ProducerEnvName): string | null => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? envDefault(name) : v;
  };
  const oneOf = <T extends string>(name: ProducerEnvName, allowed: readonly T[]): T => {
    const v = raw(name);
    if (v === null) {
      problems.push(`${name}: required (one of ${allowed.join(', ')})`);
      return allowed[0]!;
    }
    if (!(allowed as readonly string[]).includes(v)) {
      problems.push(`${name}: ${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
      return allowed[0]!;
    }
    return v as T;
  };
  const int = (name: ProducerEnvName, min: number, max: number): number => {
    const v = raw(name) ?? '';
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`${name}: ${JSON.stringify(v)} must be an integer in ${min}..${max}`);
      return min;
    }
    return Number(v);
  };
  const bool = (name: ProducerEnvName): boolean => {
    const v = (raw(name) ?? '').toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    problems.push(`${name}: ${JSON.stringify(v)} must be true or false`);
    return false;
  };

  const sourceKind = oneOf<SourceKind>('SOURCE', ['simulator', 'modbus']);
  const brokersRaw = raw('KAFKA_BOOTSTRAP_SERVERS');
  const brokers = (brokersRaw ?? '').split(',').map((b) => b.trim()).filter((b) => b !== '');
  if (brokersRaw === null) problems.push('KAFKA_BOOTSTRAP_SERVERS: required (comma-separated host:port list)');
  else {
    const bad = brokers.filter((b) => !BROKER.test(b));
    if (brokers.length === 0 || bad.length > 0) problems.push(`KAFKA_BOOTSTRAP_SERVERS: ${JSON.stringify(bad[0] ?? brokersRaw)} is not a host:port`);
  }
  const topic = raw('KAFKA_TOPIC')!;
  if (!TOPIC.test(topic) || topic === '.' || topic === '..') problems.push(`KAFKA_TOPIC: ${JSON.stringify(topic)} is not a Kafka topic name`);
  const replicationFactor = int('KAFKA_REPLICATION_FACTOR', -1, 32);
  if (replicationFactor === 0) problems.push('KAFKA_REPLICATION_FACTOR: 0 is not a replication factor (-1 for the cluster default)');

  const authKind = oneOf<KafkaAuth>('KAFKA_AUTH', ['iam', 'plaintext']);
  let auth: ProducerConfig['kafka']['auth'] = { kind: 'plaintext' };
  if (authKind === 'iam') {
    const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || '';
    if (region === '') problems.push('AWS_REGION: required with KAFKA_AUTH=iam (the region MSK IAM tokens are signed for)');
    else if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) problems.push(`AWS_REGION: ${JSON.stringify(region)} is not an AWS region like eu-west-1`);
    auth = { kind: 'iam', region };
  }
  const clientId = raw('KAFKA_CLIENT_ID')!;
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(clientId)) problems.push(`KAFKA_CLIENT_ID: ${JSON.stringify(clientId)} may hold letters, digits, '.', '_' and '-' only`);

  const kafka: ProducerConfig['kafka'] = {
    brokers,
    topic,
    partitions: int('KAFKA_PARTITIONS', 1, 1000),
    replicationFactor,
    createTopic: bool('KAFKA_CREATE_TOPIC'),
    auth,
    clientId,
    compression: oneOf<Compression>('KAFKA_COMPRESSION', ['gzip', 'none']),
    retries: int('KAFKA_RETRIES', 1, 100),
    requestTimeoutMs: int('KAFKA_REQUEST_TIMEOUT_MS', 1000, 600_000),
    connectionTimeoutMs: int('KAFKA_CONNECTION_TIMEOUT_MS', 1000, 600_000),
  };
  const send = { attempts: int('SEND_ATTEMPTS', 1, 100), backoffMs: int('SEND_BACKOFF_MS', 1, 600_000), backoffMaxMs: int('SEND_BACKOFF_MAX_MS', 1, 3_600_000) };
  if (send.backoffMaxMs < send.backoffMs) problems.push(`SEND_BACKOFF_MAX_MS: ${send.backoffMaxMs} is below SEND_BACKOFF_MS (${send.backoffMs})`);
  const batch = { maxMessages: int('BATCH_MAX_MESSAGES', 1, 100_000), lingerMs: int('BATCH_LINGER_MS', 0, 60_000) };
  const queueMaxMessages = int('QUEUE_MAX_MESSAGES', 1, 10_000_000);
  if (queueMaxMessages < batch.maxMessages) {
    problems.push(`QUEUE_MAX_MESSAGES: ${queueMaxMessages} is below BATCH_MAX_MESSAGES (${batch.maxMessages}); a batch could never fill`);
  }

  let source: ProducerConfig['source'];
  if (sourceKind === 'simulator') {
    const timeZone = raw('PLANT_TIME_ZONE')!;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
    } catch {
      problems.push(`PLANT_TIME_ZONE: ${JSON.stringify(timeZone)} is not an IANA time zone`);
    }
    source = {
      kind: 'simulator',
      devices: int('SIMULATED_DEVICES', 1, 1_000_000),
      templates: int('SIMULATOR_TEMPLATES', 1, 10_000),
      seed: int('SIMULATOR_SEED', 1, 2 ** 31 - 1),
      timeZone,
      design: simulatorDesign(raw('SIMULATOR_DESIGN')!, problems),
    };
  } else {
    const defaultTimeoutMs = int('MODBUS_TIMEOUT_MS', 10, 600_000);
    let registerMap: RegisterMap = { devices: [] };
    const mapRaw = raw('MODBUS_REGISTER_MAP');
    if (mapRaw === null) problems.push('MODBUS_REGISTER_MAP: required with SOURCE=modbus (JSON text or the path of a JSON file)');
    else {
      let text = mapRaw;
      let where = 'MODBUS_REGISTER_MAP';
      if (!mapRaw.startsWith('{')) {
        where = `MODBUS_REGISTER_MAP (${mapRaw})`;
        try {
          text = readText(mapRaw);
        } catch (err) {
          problems.push(`${where}: cannot read the file: ${(err as Error).message}`);
          text = '';
        }
      }
      if (text !== '') {
        try {
          registerMap = parseRegisterMap(JSON.parse(text), defaultTimeoutMs);
        } catch (err) {
          problems.push(`${where}: ${err instanceof SyntaxError ? `not valid JSON: ${err.message}` : (err as Error).message}`);
        }
      }
    }
    source = { kind: 'modbus', registerMap, defaultTimeoutMs, concurrency: int('MODBUS_CONCURRENCY', 1, 1024) };
  }

  const config: ProducerConfig = {
    source,
    kafka,
    send,
    batch,
    queueMaxMessages,
    pollIntervalMs: int('POLL_INTERVAL_MS', 100, 3_600_000),
    health: { port: int('HEALTH_PORT', 1, 65535), maxSendFailureMs: int('HEALTH_MAX_SEND_FAILURE_MS', 1000, 86_400_000) },
    metrics: { intervalMs: int('METRICS_INTERVAL_MS', 1000, 3_600_000), namespace: raw('METRICS_NAMESPACE')! },
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 1000, 600_000),
    logLevel: oneOf<LogLevel>('LOG_LEVEL', ['debug', 'info', 'warn', 'error']),
  };
  if (!/^[A-Za-z0-9./#:_-]{1,255}$/.test(config.metrics.namespace)) {
    problems.push(`METRICS_NAMESPACE: ${JSON.stringify(config.metrics.namespace)} is not a CloudWatch namespace`);
  }
  if (problems.length > 0) throw new ProducerConfigError(problems);
  return config;
}

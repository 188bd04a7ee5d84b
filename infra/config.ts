/**
 * The stack configuration: read once, validated, handed to components as typed args.
 * parseStackConfig is pure (tests feed it the YAML files); loadStackConfig reads
 * Pulumi's config at deploy time. Every error names the offending key.
 */
import { DEFAULT_DESIGN_NAME, DesignError, defaultDesign, parseDesign, type Design } from '../contracts/design';
import { isTimeZone, SUPERSEDED_GRACE_MS } from '../contracts';
import { dailyStartMinute, earlyStartProblem } from './schedule';

/** A job may read its input for at most the grace a rerun keeps the superseded run's files (contracts/tables.json storage). */
const MAX_JOB_MINUTES = SUPERSEDED_GRACE_MS / 60_000;

export const CONFIG_NAMESPACE = 'pv-fault';

export type Stage = 'dev' | 'prod';

/** How many workers to keep warm; their size is the jobs' own (infra/sparkJobs.ts sparkWorkers), not a setting. */
export interface WorkerCount {
  count: number;
}

export interface StackConfig {
  stage: Stage;
  region: string;
  /** deletion protection on stateful resources; buckets keep their data on destroy */
  protect: boolean;
  plantTimeZone: string;
  vpcCidr: string;
  /** private subnets, one per zone: EMR Serverless and MSK Serverless need two at least */
  availabilityZones: number;
  kafka: { topic: string; partitions: number };
  emr: {
    releaseLabel: string;
    /** what the release ships, pinned so that spark/'s connector jars are checked against it */
    sparkVersion: string;
    scalaVersion: string;
    maxCpu: string;
    maxMemory: string;
    maxDisk: string;
    idleTimeoutMinutes: number;
    jobTimeoutMinutes: number;
    /** pre-initialized capacity (warm pool); null = none */
    preInitialized: { driver: WorkerCount; executor: WorkerCount } | null;
  };
  schedule: { enabled: boolean; cron: string };
  /** noncurrentDays: how long silver and gold keep a replaced or deleted object's old version */
  retention: { silverDays: number; quarantineDays: number; goldDays: number | null; logsDays: number; noncurrentDays: number };
  /** reservedConcurrency: the lookup Lambda's reserved (and so maximum) concurrent executions */
  api: { throttleRatePerSecond: number; throttleBurst: number; reservedConcurrency: number };
  /** a customer managed KMS key for the data buckets, the notification topic and the log groups */
  kmsEncryption: boolean;
  producer: {
    desiredCount: number;
    cpu: number;
    memory: number;
    source: 'simulator' | 'modbus';
    simulatedDevices: number;
    /** Modbus only: the register map file (relative to the repository) and the plant network it reaches */
    registerMapFile: string | null;
    scadaCidr: string | null;
  };
  alarmEmail: string | null;
  /** the arrays' design (contracts/designs.json; absent: the default design), validated by contracts/design.ts; `setting` is what the producer's simulator source gets (SIMULATOR_DESIGN): the design's name or its JSON */
  design: { value: Design; setting: string };
  /** the plant's own device registry file (relative to the repository, or absolute); null: the registry is pv-fault:design on every array the producer polls (infra/registryObject.ts) */
  registryFile: string | null;
  /** the operator's dashboard behind CloudFront with a Cognito sign-in (infra/webDashboard.ts); null: not deployed */
  webDashboard: WebDashboardConfig | null;
  /** the streaming job (spark/jobs/stream_alarms.py) as an EMR Serverless streaming job run (infra/streaming.ts); null: not run */
  streaming: StreamingConfig | null;
}

export interface StreamingConfig {
  /** micro-batch interval of the Structured Streaming query */
  triggerSeconds: number;
  /** records per micro-batch at most (0: no limit): bounds a catch-up after an outage */
  maxOffsetsPerTrigger: number;
  /** EMR Serverless restarts a failed streaming run from its checkpoint, up to this many times an hour */
  maxFailedAttemptsPerHour: number;
  /** the lag alarm: the stream's latest reading older than this (minutes of wall time), or no lag reported at all */
  lagAlarmMinutes: number;
  /** the early alarms (each window scored the moment it ends; stream_alarm_early) beside the final, batch-equal ones; true unless set false */
  earlyAlarms: boolean;
}

/** MFA of the dashboard's user pool: off, optional (each user may enrol a TOTP app) or required. */
export type MfaSetting = 'off' | 'optional' | 'required';

export interface WebDashboardConfig {
  mfa: MfaSetting;
  /** the Cognito hosted UI's domain prefix (https://<prefix>.auth.<region>.amazoncognito.com): unique in the region */
  authDomainPrefix: string;
  /** how long a sign-in lasts before the hosted UI asks again (the refresh token's validity) */
  sessionHours: number;
}

export class ConfigError extends Error {
  constructor(key: string, problem: string) {
    super(`stack config ${key}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Raw values by fully qualified key ("aws:region", "pv-fault:emr"), as Pulumi or YAML gives them. */
export type RawConfig = Readonly<Record<string, unknown>>;

class Reader {
  constructor(
    private readonly raw: Readonly<Record<string, unknown>>,
    private readonly path: string,
  ) {}

  key(name: string): string {
    return this.path.endsWith(':') ? `${this.path}${name}` : `${this.path}.${name}`;
  }

  private value(name: string, required: boolean): unknown {
    const v = this.raw[name];
    if ((v === undefined || v === null) && required) throw new ConfigError(this.key(name), 'is required but not set');
    return v;
  }

  string(name: string, pattern?: RegExp, hint?: string): string {
    const v = this.value(name, true);
    if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(this.key(name), `expected a non-empty string, got ${JSON.stringify(v)}`);
    if (pattern && !pattern.test(v)) throw new ConfigError(this.key(name), `${JSON.stringify(v)} is not ${hint ?? `of the form ${pattern.source}`}`);
    return v;
  }

  optionalString(name: string, pattern?: RegExp, hint?: string): string | null {
    return this.raw[name] === undefined || this.raw[name] === null ? null : this.string(name, pattern, hint);
  }

  int(name: string, min: number, max: number): number {
    const v = this.value(name, true);
    const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(this.key(name), `expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
    }
    return n;
  }

  optionalInt(name: string, min: number, max: number): number | null {
    return this.raw[name] === undefined || this.raw[name] === null ? null : this.int(name, min, max);
  }

  bool(name: string): boolean {
    const v = this.value(name, true);
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    throw new ConfigError(this.key(name), `expected true or false, got ${JSON.stringify(v)}`);
  }

  oneOf<T extends string>(name: string, choices: readonly T[]): T {
    const v = this.value(name, true);
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
      throw new ConfigError(this.key(name), `expected one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
    }
    return v as T;
  }

  object(name: string): Reader {
    let v = this.value(name, true);
    if (typeof v === 'string') {
      // `pulumi config set --path` and Config.get give JSON text for structured values
      try {
        v = JSON.parse(v);
      } catch {
        throw new ConfigError(this.key(name), 'expected an object, got a string that is not JSON');
      }
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(this.key(name), `expected an object, got ${JSON.stringify(v)}`);
    return new Reader(v as Record<string, unknown>, this.key(name));
  }

  /** Fails on keys nobody reads: a typo must not silently fall back to a default. */
  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  only(...names: string[]): this {
    for (const k of Object.keys(this.raw)) {
      if (!names.includes(k)) throw new ConfigError(this.key(k), `is not a known setting (known: ${names.join(', ')})`);
    }
    return this;
  }
}

const CPU = /^\d+(\.\d+)? vCPU$/;
const MEMORY = /^\d+(\.\d+)? GB$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(1[6-9]|2[0-4])$/;
const ANY_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** Long enough to undo a bad rerun noticed after a week-end, short enough not to double silver's bill. */
export const DEFAULT_NONCURRENT_DAYS = 7;

function cidr(r: Reader, name: string, pattern: RegExp, hint: string): string {
  const v = r.string(name, pattern, hint);
  if (v.split('/')[0]!.split('.').some((o) => Number(o) > 255)) throw new ConfigError(r.key(name), `${v} has an octet above 255`);
  return v;
}

function workerCount(r: Reader): WorkerCount {
  for (const sized of ['cpu', 'memory']) {
    if (r.has(sized)) throw new ConfigError(r.key(sized), 'is not a setting: pre-initialized workers have the size the jobs ask for (spark/submit-parameters.json), so that none sits idle');
  }
  r.only('count');
  return { count: r.int('count', 1, 100) };
}

/** The daily run's cron expression: one time of day, late enough for the day before's late readings (infra/schedule.ts). */
function scheduleCron(own: Reader, plantTimeZone: string): string {
  const cron = own.string('scheduleCron');
  const minute = dailyStartMinute(cron);
  if (minute === null) throw new ConfigError(own.key('scheduleCron'), `${JSON.stringify(cron)} is not one daily time like cron(30 4 * * ? *) (minutes and hours single numbers, in the plant time zone)`);
  const problem = earlyStartProblem(cron, minute, plantTimeZone, new Date().getUTCFullYear());
  if (problem) throw new ConfigError(own.key('scheduleCron'), problem);
  return cron;
}

export function parseStackConfig(raw: RawConfig): StackConfig {
  const aws = new Reader(
    Object.fromEntries(Object.entries(raw).filter(([k]) => k.startsWith('aws:')).map(([k, v]) => [k.slice(4), v])),
    'aws:',
  );
  const ownEntries = Object.entries(raw).filter(([k]) => k.startsWith(`${CONFIG_NAMESPACE}:`));
  const own = new Reader(Object.fromEntries(ownEntries.map(([k, v]) => [k.slice(CONFIG_NAMESPACE.length + 1), v])), `${CONFIG_NAMESPACE}:`);
  own.only('stage', 'protect', 'plantTimeZone', 'vpcCidr', 'availabilityZones', 'kafkaTopic', 'kafkaPartitions', 'emrReleaseLabel', 'sparkVersion', 'scalaVersion', 'emr', 'scheduleCron', 'schedule', 'retention', 'api', 'producer', 'alarmEmail', 'kmsEncryption', 'webDashboard', 'design', 'registryFile', 'streaming');

  const plantTimeZone = own.string('plantTimeZone');
  if (!isTimeZone(plantTimeZone)) throw new ConfigError(`${CONFIG_NAMESPACE}:plantTimeZone`, `${JSON.stringify(plantTimeZone)} is not an IANA time zone`);
  const vpcCidr = cidr(own, 'vpcCidr', CIDR, 'an IPv4 CIDR block between /16 and /24');

  const emr = own.object('emr');
  emr.only('maxCpu', 'maxMemory', 'maxDisk', 'idleTimeoutMinutes', 'jobTimeoutMinutes', 'preInitialized', 'driver', 'executor');
  const preInitialized = emr.bool('preInitialized') ? { driver: workerCount(emr.object('driver')), executor: workerCount(emr.object('executor')) } : null;

  const schedule = own.object('schedule').only('enabled');
  const retention = own.object('retention').only('silverDays', 'quarantineDays', 'goldDays', 'logsDays', 'noncurrentDays');
  const api = own.object('api').only('throttleRatePerSecond', 'throttleBurst', 'reservedConcurrency');
  const producer = own.object('producer').only('desiredCount', 'cpu', 'memory', 'source', 'simulatedDevices', 'registerMapFile', 'scadaCidr');
  const source = producer.oneOf('source', ['simulator', 'modbus'] as const);

  return {
    stage: own.oneOf('stage', ['dev', 'prod'] as const),
    region: aws.string('region', REGION, 'an AWS region like eu-west-1'),
    protect: own.bool('protect'),
    plantTimeZone,
    vpcCidr,
    availabilityZones: own.int('availabilityZones', 2, 6),
    kafka: { topic: own.string('kafkaTopic', /^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name'), partitions: own.int('kafkaPartitions', 1, 1000) },
    emr: {
      releaseLabel: own.string('emrReleaseLabel', /^emr-7\.\d+\.\d+$/, 'an EMR 7.x release label like emr-7.9.0'),
      sparkVersion: own.string('sparkVersion', /^3\.5\.\d+$/, 'a Spark 3.5.x version (what EMR 7 ships)'),
      scalaVersion: own.string('scalaVersion', /^2\.1[23]$/, 'a Scala binary version like 2.12'),
      maxCpu: emr.string('maxCpu', CPU, 'a CPU size like "16 vCPU"'),
      maxMemory: emr.string('maxMemory', MEMORY, 'a memory size like "64 GB"'),
      maxDisk: emr.string('maxDisk', MEMORY, 'a disk size like "200 GB"'),
      idleTimeoutMinutes: emr.int('idleTimeoutMinutes', 1, 10080),
      jobTimeoutMinutes: emr.int('jobTimeoutMinutes', 5, MAX_JOB_MINUTES),
      preInitialized,
    },
    schedule: { enabled: schedule.bool('enabled'), cron: scheduleCron(own, plantTimeZone) },
    retention: {
      silverDays: retention.int('silverDays', 1, 3650),
      quarantineDays: retention.int('quarantineDays', 1, 3650),
      goldDays: retention.optionalInt('goldDays', 1, 36500),
      logsDays: retention.int('logsDays', 1, 3650),
      noncurrentDays: retention.optionalInt('noncurrentDays', 1, 3650) ?? DEFAULT_NONCURRENT_DAYS,
    },
    api: {
      throttleRatePerSecond: api.int('throttleRatePerSecond', 1, 10000),
      throttleBurst: api.int('throttleBurst', 1, 5000),
      // 0 would stop the function; AWS also keeps 100 of the account's concurrency unreserved.
      reservedConcurrency: api.int('reservedConcurrency', 1, 1000),
    },
    kmsEncryption: own.bool('kmsEncryption'),
    producer: {
      // One producer polls every device: a second would publish every reading twice.
      desiredCount: producer.int('desiredCount', 0, 1),
      cpu: producer.int('cpu', 256, 16384),
      memory: producer.int('memory', 512, 122880),
      source,
      simulatedDevices: source === 'simulator' ? producer.int('simulatedDevices', 1, 1_000_000) : 0,
      registerMapFile: source === 'modbus' ? producer.string('registerMapFile', /^[^\0]+\.json$/, 'the path of a JSON register map') : null,
      scadaCidr: source === 'modbus' ? cidr(producer, 'scadaCidr', ANY_CIDR, 'an IPv4 CIDR block of the plant network') : null,
    },
    alarmEmail: own.optionalString('alarmEmail', EMAIL, 'an e-mail address'),
    design: stackDesign(raw[`${CONFIG_NAMESPACE}:design`]),
    registryFile: own.optionalString('registryFile', /^[^\0]+\.json$/, 'the path of a JSON device registry'),
    webDashboard: webDashboard(own.object('webDashboard')),
    streaming: own.has('streaming') ? streaming(own.object('streaming')) : null,
  };
}

/** pv-fault:streaming: off (enabled: false, nothing else) or the streaming job's settings. */
function streaming(r: Reader): StreamingConfig | null {
  if (!r.bool('enabled')) {
    r.only('enabled');
    return null;
  }
  r.only('enabled', 'triggerSeconds', 'maxOffsetsPerTrigger', 'maxFailedAttemptsPerHour', 'lagAlarmMinutes', 'earlyAlarms');
  const triggerSeconds = r.int('triggerSeconds', 10, 3600);
  const lagAlarmMinutes = r.int('lagAlarmMinutes', 5, 1440);
  // the lag is reported once a micro-batch: an alarm sooner than two of them would fire on a healthy stream
  if (lagAlarmMinutes * 60 < 2 * triggerSeconds) throw new ConfigError(r.key('lagAlarmMinutes'), `${lagAlarmMinutes} min is less than two micro-batches of triggerSeconds ${triggerSeconds}`);
  return {
    triggerSeconds,
    maxOffsetsPerTrigger: r.int('maxOffsetsPerTrigger', 0, 100_000_000),
    // EMR Serverless' own range for a streaming run's retry policy
    maxFailedAttemptsPerHour: r.int('maxFailedAttemptsPerHour', 1, 10),
    lagAlarmMinutes,
    earlyAlarms: r.has('earlyAlarms') ? r.bool('earlyAlarms') : true,
  };
}

/**
 * pv-fault:design: a design's name, or a design object (YAML, or JSON text as `pulumi config set --path` gives it),
 * checked by the same validator as npm start's --design, its errors naming the key under pv-fault:design.
 */
function stackDesign(v: unknown): StackConfig['design'] {
  const key = `${CONFIG_NAMESPACE}:design`;
  if (v === undefined || v === null) return { value: defaultDesign(), setting: DEFAULT_DESIGN_NAME };
  let value = v;
  if (typeof v === 'string' && v.trim().startsWith('{')) {
    try {
      value = JSON.parse(v);
    } catch {
      throw new ConfigError(key, 'expected a design name or a design object, got a string that is not JSON');
    }
  }
  try {
    const design = parseDesign(value, key);
    return { value: design, setting: typeof value === 'string' ? value : JSON.stringify(value) };
  } catch (err) {
    if (!(err instanceof DesignError)) throw err;
    // the design's message starts with its key path (pv-fault:design.modulesPerString: …)
    const at = err.message.indexOf(': ');
    throw new ConfigError(err.message.slice(0, at), err.message.slice(at + 2));
  }
}

/** Cognito's rule for a domain prefix: lower-case letters, digits and hyphens, no "aws", "amazon" or "cognito". */
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function webDashboard(r: Reader): WebDashboardConfig | null {
  if (!r.bool('enabled')) {
    r.only('enabled');
    return null;
  }
  r.only('enabled', 'mfa', 'authDomainPrefix', 'sessionHours');
  const authDomainPrefix = r.string('authDomainPrefix', DOMAIN_PREFIX, 'a Cognito domain prefix (lower-case letters, digits and hyphens, at most 63)');
  if (/aws|amazon|cognito/.test(authDomainPrefix)) throw new ConfigError(r.key('authDomainPrefix'), `${JSON.stringify(authDomainPrefix)} contains "aws", "amazon" or "cognito", which Cognito refuses in a domain prefix`);
  return {
    mfa: r.oneOf('mfa', ['off', 'optional', 'required'] as const),
    authDomainPrefix,
    // Cognito's refresh tokens last 1 h to 10 years; an operator's shift is the useful range.
    sessionHours: r.int('sessionHours', 1, 720),
  };
}

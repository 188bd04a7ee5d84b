/**
 * A real Apache Kafka broker on loopback: one node in KRaft mode (broker and controller),
 * run from Maven Central jars only (local/kafka/pom.xml pins the version; resolve.sh copies
 * the classpath into .cache/engines/). For the real-engine tests and `--engine spark`.
 *
 * Retention is unlimited: readings carry their measurement time as the Kafka timestamp,
 * so with a time limit a past day would be deleted as soon as it was written.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './ports';

const REPO_ROOT = join(__dirname, '..');
const RESOLVE = join(REPO_ROOT, 'local', 'kafka', 'resolve.sh');

export interface KafkaBroker {
  /** host:port of the PLAINTEXT listener */
  bootstrap: string;
  dir: string;
  ports: { broker: number; controller: number };
  /** stops the broker and waits for its process to exit; its data stay in dir (a restart keeps the topic) */
  stop(): Promise<void>;
}

export interface KafkaBrokerOptions {
  /** folder for the broker's data, config and log */
  dir: string;
  /** bound on formatting + startup, after which the broker is killed and the start fails */
  startupTimeoutMs?: number;
  /** reuse these ports (a restart of the same broker); free loopback ports otherwise */
  ports?: { broker: number; controller: number };
  /** the port clients are told to connect to (a proxy in front of the broker); the broker's own port otherwise */
  advertisedPort?: number;
  heapMb?: number;
}

/** The broker's classpath folder, resolved from Maven Central on first use; a clear error if Java or Maven is missing. */
export function kafkaClasspath(): string {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error('the Kafka broker needs Java 17 (java on PATH): apt-get install openjdk-17-jre-headless');
  }
  try {
    return execFileSync(RESOLVE, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    throw new Error(`could not resolve the Kafka broker from Maven Central (${RESOLVE}): ${String((err as { stderr?: string }).stderr ?? err).trim()}`);
  }
}

function serverProperties(dir: string, ports: { broker: number; controller: number }, advertisedPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${ports.controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${ports.broker},CONTROLLER://127.0.0.1:${ports.controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${advertisedPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    // one node: every internal topic has one replica, and acks=all means this broker
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'min.insync.replicas=1',
    // unlimited retention (see the module comment); no size limit either
    'log.retention.ms=-1',
    'log.retention.bytes=-1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    // The broker forgets an idempotent producer whose last record is older than this, judged by the records'
    // own timestamps, and does so when it loads its state after a restart. Production's records are stamped when
    // read (now), so the default day holds; the tests publish past days on a fast clock, stamped up to two days
    // back, so a default broker would forget the producer on restart and append a retried batch again.
    `producer.id.expiration.ms=${7 * 24 * 3_600_000}`,
    '',
  ].join('\n');
}

const LOG4J = ['log4j.rootLogger=WARN, file', 'log4j.appender.file=org.apache.log4j.FileAppender', 'log4j.appender.file.File=${kafka.logs.dir}/broker.log', 'log4j.appender.file.layout=org.apache.log4j.PatternLayout', 'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n', 'log4j.logger.kafka.server.KafkaServer=INFO', 'log4j.logger.kafka.server.BrokerServer=INFO', ''].join('\n');

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** how many earlier starts' logs a broker folder keeps beside the current one */
export const EARLIER_LOGS_KEPT = 3;

/**
 * Moves the log of an earlier start in the same folder aside (broker.log -> broker.log.1, .2, ...: the first free
 * number past the highest kept) and returns where it went; of the logs set aside, only the EARLIER_LOGS_KEPT newest
 * stay. Why: log4j appends, and a start's failure is read from the log's tail, which then held an earlier start's
 * lines too: an earlier bind error could make a later failure of another kind look like one (and be retried), and a
 * restart's error showed the first start's lines. The newest earlier logs are kept for diagnosis; older ones are
 * removed so that a folder started again and again (the same --out of `npm start -- --engine spark`, a bench) does
 * not gather one file per start.
 */
export function setAsideLog(log: string): string | undefined {
  if (!existsSync(log)) return undefined;
  const name = basename(log);
  const numbers = readdirSync(dirname(log))
    .map((f) => (f.startsWith(`${name}.`) ? Number(f.slice(name.length + 1)) : NaN))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b);
  const next = (numbers.at(-1) ?? 0) + 1;
  renameSync(log, `${log}.${next}`);
  for (const n of numbers.slice(0, Math.max(0, numbers.length + 1 - EARLIER_LOGS_KEPT))) rmSync(`${log}.${n}`, { force: true });
  return `${log}.${next}`;
}

/** the broker's log says it could not bind a listener */
const BIND_FAILED = /BindException|Address already in use/;

/**
 * Starts the broker (formatting its storage on first start) and resolves once it answers a metadata request.
 * With ports of its own choosing, a bind that fails (a port taken between freePort and the broker's bind, by a
 * process outside this one) is retried on fresh ports, twice; ports given by the caller are never changed.
 */
export async function startKafkaBroker(o: KafkaBrokerOptions): Promise<KafkaBroker> {
  if (o.ports) return startOnce(o, o.ports);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(o, { broker: await freePort(), controller: await freePort() });
    } catch (err) {
      if (attempt >= 3 || !BIND_FAILED.test((err as Error).message)) throw err;
    }
  }
}

async function startOnce(o: KafkaBrokerOptions, ports: { broker: number; controller: number }): Promise<KafkaBroker> {
  const timeoutMs = o.startupTimeoutMs ?? 90_000;
  const classpath = `${kafkaClasspath()}/*`;
  mkdirSync(o.dir, { recursive: true });
  const config = join(o.dir, 'server.properties');
  writeFileSync(config, serverProperties(o.dir, ports, o.advertisedPort ?? ports.broker));
  writeFileSync(join(o.dir, 'log4j.properties'), LOG4J);
  const log = join(o.dir, 'broker.log');
  setAsideLog(log);
  const jvm = [`-Xmx${o.heapMb ?? 512}m`, `-Dlog4j.configuration=file:${join(o.dir, 'log4j.properties')}`, `-Dkafka.logs.dir=${o.dir}`, '-cp', classpath];
  // --ignore-formatted: a restart keeps the data of the first start
  // a fixed cluster id (a base64 UUID, Kafka's own documentation example): nothing outside this folder refers to it
  const clusterId = 'MkU3OEVBNTcwNTJENDM2Qg';
  try {
    execFileSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '--ignore-formatted', '-t', clusterId, '-c', config], { stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs });
  } catch (err) {
    throw new Error(`could not format the Kafka broker's storage in ${o.dir} within ${timeoutMs / 1000} s: ${String((err as { stderr?: Buffer }).stderr ?? '').trim() || (err as Error).message}`);
  }
  const child = spawn('java', [...jvm, 'kafka.Kafka', config], { stdio: 'ignore', detached: false });
  const bootstrap = `127.0.0.1:${ports.broker}`;
  const stop = async () => {
    if (!child.kill('SIGTERM') || !(await exited(child, 30_000))) {
      child.kill('SIGKILL');
      await exited(child, 10_000);
    }
  };

  const admin = new Kafka({ clientId: 'broker-probe', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 }).admin();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Kafka broker exited with code ${child.exitCode} while starting; ${log}:\n${tail(log)}`);
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.disconnect();
      if (cluster.brokers.length > 0) break;
    } catch {
      await admin.disconnect().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Kafka broker did not answer on ${bootstrap} within ${timeoutMs / 1000} s; ${log}:\n${tail(log)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { bootstrap, dir: o.dir, ports, stop };
}

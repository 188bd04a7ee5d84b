/**
 * `npm start -- --engine spark`: the day through the production engines on this machine.
 * The real producer service (simulator source) publishes the day to a real Kafka broker
 * (<out>/kafka, fresh each run), and the real state machine definition runs the Spark
 * jobs with spark-submit (local/sparkJobs.ts); silver and gold land in <out>/spark/.
 * Everything it needs is checked first, and a missing piece is named with its install.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { handler as runWindowHandler } from '../functions/run-window/handler';
import { resolveRunWindow } from '../functions/run-window/window';
import { localDefinitionValues, runLocally, type JobRunRequest, type Notification } from '../statemachine/local';
import { kafkaClasspath, startKafkaBroker } from './kafkaBroker';
import { publishDayWithProducer } from './producerDay';
import { acquireRunLock } from './runLock';
import { localFolders, localSparkConf, runSparkJob, sparkEnvironment, writeLocalRegistry } from './sparkJobs';
import type { SilverDeviceRegistryRow } from '../contracts';
import { plantConfig } from '../detector/simulator/plant';
import { deviceRegistry } from '../detector/simulator/registry';
import { stageClock, type StageClock } from './stages';

export interface SparkDayOptions {
  date: string;
  timeZone: string;
  devices: number;
  seed: number;
  out: string;
  log: (line: string) => void;
}

export interface SparkDayResult {
  published: number;
  /** the jobs' summary lines (their JSON on stdout) */
  ingest: Record<string, unknown>;
  predict: Record<string, unknown>;
  stageSeconds: Record<string, number>;
  /** the gold bucket as a folder, for the API */
  goldDir: string;
}

export const TOPIC = 'pv-readings';
export const PARTITIONS = 6;

export async function runSparkDay(o: SparkDayOptions): Promise<SparkDayResult> {
  sparkEnvironment(); // Java, the venv and the jars, checked before the broker starts
  kafkaClasspath(); // Java and the broker's jars (Maven Central on first use), before anything starts
  mkdirSync(o.out, { recursive: true });
  const lock = acquireRunLock(o.out, o.date);
  const { stageSeconds, timed } = stageClock();
  // a fresh topic: the day's records once, as the embedded engine's topic is reset
  rmSync(join(o.out, 'kafka'), { recursive: true, force: true });
  const broker = await timed('start Kafka', () => startKafkaBroker({ dir: join(o.out, 'kafka') }));
  try {
    const window = resolveRunWindow({ date: o.date }, 'publish', o.timeZone, Date.now());
    o.log(`Publishing ${o.date} through the producer service to Kafka on ${broker.bootstrap} (a simulated clock, 2000× real time)…`);
    const produced = await timed('simulate + publish', () => publishDayWithProducer({ bootstrap: broker.bootstrap, topic: TOPIC, partitions: PARTITIONS, timeZone: o.timeZone, window, devices: o.devices, seed: o.seed }));
    // the producer's simulator source simulates the default design: its registry says so
    const registry = deviceRegistry(plantConfig({ date: o.date, devices: o.devices }));
    const { ingest, predict, goldDir } = await runSparkStateMachine({ date: o.date, timeZone: o.timeZone, bootstrap: broker.bootstrap, topic: TOPIC, out: o.out, log: o.log, timed, registry });
    return { published: produced.published, ingest, predict, stageSeconds, goldDir };
  } finally {
    await broker.stop();
    lock.release();
  }
}

export interface SparkStateMachineOptions {
  date: string;
  timeZone: string;
  bootstrap: string;
  topic: string;
  /** silver and gold land in <out>/spark/, Spark's log in <out>/spark.log */
  out: string;
  log: (line: string) => void;
  timed: StageClock['timed'];
  /** told each job's spark-submit pid as it starts, with the job's name (bench:spark measures its process tree) */
  onSpawn?: (job: 'ingest' | 'predict', pid: number) => void;
  /** the plant's device registry, which the ingest reads (written where localFolders maps s3://bootstrap/registry) */
  registry: readonly SilverDeviceRegistryRow[];
}

/** The real state machine definition over a topic on a running broker, its two EMR tasks run by spark-submit: stages "ingest (Spark)" and "predict (Spark)". */
export async function runSparkStateMachine(o: SparkStateMachineOptions): Promise<{ ingest: Record<string, unknown>; predict: Record<string, unknown>; goldDir: string }> {
  const env = sparkEnvironment();
  process.env.PLANT_TIME_ZONE = o.timeZone;
  const values = localDefinitionValues({ PlantTimeZone: o.timeZone, KafkaBootstrapServers: o.bootstrap, KafkaTopic: o.topic });
  const data = join(o.out, 'spark');
  writeLocalRegistry(data, o.registry);
  const run = (job: 'ingest' | 'predict', req: JobRunRequest) => {
    o.log(`spark-submit ${req.Name} (log: ${join(o.out, 'spark.log')})`);
    return runSparkJob(req, { env, folders: localFolders(String(values.ModelVersion), data), conf: localSparkConf(join(o.out, 'spark-tmp')), logFile: join(o.out, 'spark.log'), onSpawn: (pid) => o.onSpawn?.(job, pid) });
  };
  let ingest: Record<string, unknown> = {};
  let predict: Record<string, unknown> = {};
  await o.timed('state machine', () =>
    runLocally(
      values,
      { date: o.date },
      {
        runWindow: (p) => runWindowHandler(p),
        ingest: async (req) => ((ingest = await o.timed('ingest (Spark)', () => run('ingest', req))), { State: 'SUCCESS' }),
        predict: async (req) => ((predict = await o.timed('predict (Spark)', () => run('predict', req))), { State: 'SUCCESS' }),
        notify: async (n: Notification) => o.log(`[SNS] ${n.Subject}\n${n.Message.replace(/^/gm, '      ')}`),
      },
      { executionName: `spark-${o.date}-${Date.now().toString(36)}`, waitPauseMs: 0 },
    ),
  );
  return { ingest, predict, goldDir: join(data, 'gold') };
}

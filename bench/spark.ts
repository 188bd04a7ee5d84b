/**
 * npm run bench:spark -- [--devices 1000] [--date 2026-06-21] [--keep]
 *
 * One simulated plant day through both engines on this machine's cores, one after the
 * other (never at once): the embedded engine (npm start's jobs, local/pipeline.ts), then
 * the production Spark jobs (spark-submit --master local[2], local/sparkDay.ts) reading
 * the same records from a real Kafka broker. Per stage (ingest, predict): wall time, CPU
 * seconds and peak memory of each engine and the ratio Spark/embedded; the peak Python
 * memory per Spark task, against spark/submit-parameters.json; and what a day would cost
 * on EMR Serverless for 10k and 100k devices (bench/emrServerlessCost.ts).
 *
 * How it measures (bench/processTree.ts), every 250 ms from /proc: each process's own CPU
 * (utime + stime, all threads), summed over every process seen below the root, and the
 * tree's proportional set size (PSS, so the pyspark daemon's forks do not count their
 * shared pages twice). Embedded: this Node
 * process with its worker threads and s3rver. Spark: spark-submit's JVM (driver and
 * executor in one, local mode), the Python driver, the pyspark daemon and its workers.
 * The Kafka broker serves Spark's reads and is counted in neither, as the embedded
 * engine's topic files need no server.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { DEFAULT_FAULT_MIX, plantConfig } from '../detector/simulator/plant';
import { deviceRegistry } from '../detector/simulator/registry';
import { Progress } from '../detector/progress';
import { confOf, jobWorkers, pysparkMemoryFor, PYTHON_WORKER_PEAK_MIB, readSparkSubmitParameters, SUBMIT_PARAMETERS_PATH } from '../infra/sparkJobs';
import { kafkaClasspath, startKafkaBroker } from '../local/kafkaBroker';
import { runLocalPipeline } from '../local/pipeline';
import { PARTITIONS, runSparkStateMachine, TOPIC } from '../local/sparkDay';
import { sparkEnvironment } from '../local/sparkJobs';
import { stageClock } from '../local/stages';
import { LocalTopic, partitionFile } from '../local/topic';
import { EMR_SERVERLESS_PRICES, emrServerlessJobCost } from './emrServerlessCost';
import { ProcessTreeSampler } from './processTree';

const MIB = 2 ** 20;
const TIME_ZONE = 'Europe/Madrid';
/** a Kafka produce request stays under the broker's 1 MiB default message.max.bytes */
const RECORDS_PER_SEND = 5000;
/** the cores Spark runs on here: local[2] (local/sparkJobs.ts) */
const SPARK_LOCAL_CORES = 2;

interface StageFigures {
  wallSeconds: number;
  cpuSeconds: number;
  peakBytes: number;
}

interface SparkJobFigures extends StageFigures {
  workerPeakRssBytes: number;
  workerPeakVirtualBytes: number;
  workers: number;
}

/**
 * The embedded day's topic, partition by partition in offset order, into the broker: the
 * same records, keys and partitions, and the timestamps in Kafka's whole milliseconds (the
 * simulator's publication times carry fractions of one).
 */
async function copyTopicToKafka(topicDir: string, bootstrap: string, total: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-spark', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const bar = new Progress('copy topic to Kafka', total, 'records');
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      if (!existsSync(partitionFile(topicDir, p))) continue;
      const records: { key: Buffer; value: Buffer; timestamp: string; partition: number }[] = [];
      LocalTopic.scanRaw(topicDir, p, (buf, timestamp, keyStart, keyLength, valueStart, valueLength) => {
        records.push({ key: Buffer.from(buf.subarray(keyStart, keyStart + keyLength)), value: Buffer.from(buf.subarray(valueStart, valueStart + valueLength)), timestamp: String(Math.floor(timestamp)), partition: p });
      });
      for (let i = 0; i < records.length; i += RECORDS_PER_SEND) {
        const messages = records.slice(i, i + RECORDS_PER_SEND);
        await producer.send({ topic: TOPIC, acks: -1, messages });
        bar.tick(messages.length);
      }
    }
  } finally {
    await producer.disconnect();
  }
  bar.finish();
}

const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}×` : '–');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { devices: { type: 'string', default: '1000' }, date: { type: 'string', default: '2026-06-21' }, keep: { type: 'boolean', default: false } } });
  const devices = Number(values.devices);
  if (!Number.isInteger(devices) || devices < 1) throw new Error(`--devices must be a whole number of devices ≥ 1 (got ${JSON.stringify(values.devices)})`);
  const date = values.date!;
  // what Spark needs is checked before the embedded run spends minutes
  sparkEnvironment();
  kafkaClasspath();
  const params = readSparkSubmitParameters();
  const out = mkdtempSync(join(tmpdir(), 'bench-spark-'));
  const log = (line: string) => process.stderr.write(`${line}\n`);

  try {
    // 1. the embedded engine
    log(`embedded engine: ${devices.toLocaleString('en-US')} devices, ${date}`);
    const embeddedSampler = new ProcessTreeSampler(process.pid);
    const embedded = await runLocalPipeline({ date, devices, seed: 1, faultMix: DEFAULT_FAULT_MIX, timeZone: TIME_ZONE, out: join(out, 'embedded'), partitions: PARTITIONS, progress: true, log: () => undefined });
    embeddedSampler.stop();
    const embeddedStage = (name: string): StageFigures => {
      const [from, to] = embedded.stageSpans[name]!;
      return { wallSeconds: (to - from) / 1000, cpuSeconds: embeddedSampler.cpuSecondsBetween(from, to) ?? NaN, peakBytes: embeddedSampler.peakBytes(from, to) };
    };

    // 2. the Spark jobs, on the same records from a real broker
    const broker = await startKafkaBroker({ dir: join(out, 'kafka') });
    const spark: Partial<Record<'ingest' | 'predict', SparkJobFigures>> = {};
    let summaries: { ingest: Record<string, unknown>; predict: Record<string, unknown> };
    try {
      await copyTopicToKafka(join(out, 'embedded', 'topic'), broker.bootstrap, embedded.readingsPublished);
      let sampler: ProcessTreeSampler | null = null;
      const { timed } = stageClock();
      summaries = await runSparkStateMachine({
        date,
        timeZone: TIME_ZONE,
        // the registry the embedded run read (its default design)
        registry: deviceRegistry(plantConfig({ date, devices })),
        bootstrap: broker.bootstrap,
        topic: TOPIC,
        out: join(out, 'spark'),
        log,
        onSpawn: (_job, pid) => (sampler = new ProcessTreeSampler(pid)),
        timed: async (name, f) => {
          const job = name === 'ingest (Spark)' ? 'ingest' : name === 'predict (Spark)' ? 'predict' : null;
          if (!job) return timed(name, f);
          const started = Date.now();
          // a job runs for minutes: say how far it is every 15 s
          const ticker = setInterval(() => {
            const last = sampler?.samples.at(-1);
            if (last) log(`${name}: ${((Date.now() - started) / 1000).toFixed(0)} s, ${last.cpuSeconds.toFixed(0)} CPU s, ${mib(last.pssBytes)}`);
          }, 15_000);
          try {
            return await timed(name, f);
          } finally {
            clearInterval(ticker);
            const s = sampler as ProcessTreeSampler | null;
            s?.stop();
            const workers = s?.peakOf('python-worker');
            spark[job] = {
              wallSeconds: (Date.now() - started) / 1000,
              cpuSeconds: s?.samples.at(-1)?.cpuSeconds ?? NaN,
              peakBytes: s?.peakBytes() ?? 0,
              workerPeakRssBytes: workers?.rssBytes ?? 0,
              workerPeakVirtualBytes: workers?.virtualBytes ?? 0,
              workers: workers?.processes ?? 0,
            };
            sampler = null;
          }
        },
      });
    } finally {
      await broker.stop();
    }

    // 3. the figures
    const cores = cpus().length;
    console.log(`\nSpark vs embedded · ${devices.toLocaleString('en-US')} devices · ${embedded.readingsPublished.toLocaleString('en-US')} readings · ${date} · ${cores} cores (${cpus()[0]?.model ?? ''}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB · ${new Date().toISOString().slice(0, 10)}`);
    console.log(`records read: embedded ${embedded.ingest.recordsRead.toLocaleString('en-US')}, Spark ${Number(summaries.ingest.recordsRead ?? NaN).toLocaleString('en-US')}`);
    console.log('stage     engine      wall s    CPU s   busy   peak memory');
    const row = (stage: string, engine: string, f: StageFigures) => console.log(`${stage.padEnd(9)} ${engine.padEnd(9)} ${f.wallSeconds.toFixed(1).padStart(8)} ${f.cpuSeconds.toFixed(1).padStart(8)} ${((100 * f.cpuSeconds) / (f.wallSeconds * cores)).toFixed(0).padStart(4)} %   ${mib(f.peakBytes).padStart(9)}`);
    for (const job of ['ingest', 'predict'] as const) {
      const e = embeddedStage(job);
      const s = spark[job]!;
      row(job, 'embedded', e);
      row(job, 'Spark', s);
      console.log(`${''.padEnd(9)} ${'Spark/emb'.padEnd(9)} ${ratio(s.wallSeconds, e.wallSeconds).padStart(8)} ${ratio(s.cpuSeconds, e.cpuSeconds).padStart(8)}          ${ratio(s.peakBytes, e.peakBytes).padStart(9)}`);
    }
    console.log("(embedded: this process with its threads and s3rver; Spark: spark-submit's JVM and Python processes, without the broker; CPU: each process's own, all threads; memory: PSS)");

    console.log('\nPython memory per Spark task (each pyspark worker runs one task at a time; peak of any worker):');
    for (const job of ['ingest', 'predict'] as const) {
      const s = spark[job]!;
      const conf = confOf(params[job]);
      const perWorkerLimit = conf.has('spark.executor.pyspark.memory') ? `${conf.get('spark.executor.pyspark.memory')} ÷ ${conf.get('spark.executor.cores')} cores per worker` : 'unset';
      const fromThisRun = pysparkMemoryFor(Number(conf.get('spark.executor.cores')), s.workerPeakVirtualBytes / MIB);
      console.log(`  ${job.padEnd(8)} ${s.workers} workers · peak RSS ${mib(s.workerPeakRssBytes)} · peak address space ${mib(s.workerPeakVirtualBytes)} · spark.executor.pyspark.memory ${perWorkerLimit} (an address-space limit); this run's peak gives ${fromThisRun}`);
    }
    console.log(`  (infra/sparkJobs.ts PYTHON_WORKER_PEAK_MIB = ${PYTHON_WORKER_PEAK_MIB} sizes the jobs: update it when a run's peak exceeds it)`);

    console.log(`\nEMR Serverless, one day (${EMR_SERVERLESS_PRICES.region}, ${EMR_SERVERLESS_PRICES.architecture}: $${EMR_SERVERLESS_PRICES.perVcpuHour}/vCPU-h, $${EMR_SERVERLESS_PRICES.perGbHour}/GB-h; ${EMR_SERVERLESS_PRICES.source}, read ${EMR_SERVERLESS_PRICES.read})`);
    console.log('assumes: work linear in device-days (fixed costs too: an over-estimate); workers as spark/submit-parameters.json sizes them, maxExecutors side by side, one driver, a minute minimum each; executors either fully busy (CPU time billed) or as busy as local[2] was here (wall × cores)');
    for (const fleet of [10_000, 100_000]) {
      for (const busy of ['fully busy', 'as here'] as const) {
        const parts = (['ingest', 'predict'] as const).map((job) => {
          const s = spark[job]!;
          const workers = jobWorkers(params[job], `${SUBMIT_PARAMETERS_PATH} "${job}"`);
          const maxExecutors = Number(confOf(params[job]).get('spark.dynamicAllocation.maxExecutors') ?? 1);
          const wallSeconds = busy === 'fully busy' ? s.cpuSeconds / SPARK_LOCAL_CORES : s.wallSeconds;
          return { job, cost: emrServerlessJobCost({ devices, cpuSeconds: s.cpuSeconds, wallSeconds, cores: SPARK_LOCAL_CORES }, { ...workers, maxExecutors }, fleet) };
        });
        const total = parts.reduce((sum, p) => sum + p.cost.usd, 0);
        console.log(`  ${fleet.toLocaleString('en-US').padStart(7)} devices, ${busy.padEnd(10)}: ${parts.map((p) => `${p.job} $${p.cost.usd.toFixed(2)} (${p.cost.executorVcpuHours.toFixed(1)} executor vCPU-h, ${p.cost.executorGbHours.toFixed(0)} GB-h, driver ${(p.cost.driverSeconds / 60).toFixed(1)} min)`).join(' + ')} = $${total.toFixed(2)} a day`);
      }
    }
  } finally {
    if (values.keep) log(`kept ${out}`);
    else rmSync(out, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

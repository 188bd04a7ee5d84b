/**
 * What the infrastructure needs to know of the Spark jobs: their submit parameters
 * (kept with the jobs in spark/submit-parameters.json) and the consumer-group names
 * the Kafka source uses, which the job role's IAM policy names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bootstrapContent';

export const SUBMIT_PARAMETERS_PATH = join(REPO_ROOT, 'spark', 'submit-parameters.json');
/** Spark's Kafka source names the groups of a batch query spark-kafka-relation-<uuid>-…; ingest_data.py sets no other prefix. */
export const SPARK_KAFKA_GROUP_PATTERN = 'spark-kafka-relation-*';

export interface SparkSubmitParameters {
  ingest: string;
  predict: string;
}

/** Anything that would make a job fetch from the internet at start: the VPC has no NAT. */
const FETCHES = /--packages\b|spark\.jars\.packages|spark\.jars\.repositories|https?:\/\//;

export function parseSparkSubmitParameters(text: string, source = SUBMIT_PARAMETERS_PATH): SparkSubmitParameters {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${source}: expected an object with "ingest" and "predict"`);
  const record = raw as Record<string, unknown>;
  const out = {} as SparkSubmitParameters;
  for (const job of ['ingest', 'predict'] as const) {
    const v = record[job];
    if (typeof v !== 'string' || v.trim() === '') throw new Error(`${source}: "${job}" must be a non-empty string of spark-submit parameters`);
    if (FETCHES.test(v)) throw new Error(`${source}: "${job}" fetches packages at job start (${FETCHES.exec(v)![0]}); the VPC has no NAT: bake jars into the image`);
    out[job] = v.trim();
  }
  return out;
}

export function readSparkSubmitParameters(path = SUBMIT_PARAMETERS_PATH): SparkSubmitParameters {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the Spark submit parameters: ${(err as Error).message}`);
  }
  return parseSparkSubmitParameters(text, path);
}

/**
 * The peak address space of one pyspark worker (one task at a time), measured by
 * npm run bench:spark (2026-12-02, 1,000 devices, June 21, and 50 devices: the same):
 * 358 MiB in predict (a device-day's windows, CWT and model), 328 MiB in ingest. Flat in
 * the fleet, as a task holds one device-day or one Arrow batch at a time.
 */
export const PYTHON_WORKER_PEAK_MIB = 358;

/**
 * spark.executor.pyspark.memory for executors of `cores` cores: Spark gives each Python
 * worker an equal share and pyspark sets it as the worker's RLIMIT_AS (address space, not
 * resident memory), so a share under a worker's peak fails its tasks with MemoryError.
 * Twice the measured peak per worker (an EMR executor has 4 vCPUs where the benchmark had
 * 2, so numpy's BLAS starts more threads, each with its stack and buffers), in 256 MiB steps.
 */
export function pysparkMemoryFor(cores: number, peakMib = PYTHON_WORKER_PEAK_MIB): string {
  const perWorker = Math.ceil((2 * peakMib) / 256) * 256;
  const total = perWorker * cores;
  return total % 1024 === 0 ? `${total / 1024}g` : `${total}m`;
}

/** An EMR Serverless worker: what a Spark driver or executor container asks for. */
export interface SparkWorker {
  cpu: string;
  memory: string;
}

const MIB = 1024 * 1024;

/** Spark's size strings ("4g", "512m", "8192k", "1t") in bytes; a bare number is MiB, as Spark reads memory settings. */
function bytesOf(value: string, key: string, source: string): number {
  const m = /^(\d+)([kmgt]?)b?$/i.exec(value.trim());
  if (!m) throw new Error(`${source}: ${key}=${value} is not a Spark memory size like 4g or 512m`);
  const unit = { '': MIB, k: 1024, m: MIB, g: 1024 * MIB, t: 1024 * 1024 * MIB }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Number(m[1]) * unit;
}

/** The --conf pairs of a SparkSubmitParameters string. */
export function confOf(parameters: string): Map<string, string> {
  const tokens = parameters.split(/\s+/).filter(Boolean);
  const conf = new Map<string, string>();
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === '--conf' && tokens[i + 1]?.includes('=')) {
      const [k, ...v] = tokens[++i]!.split('=');
      conf.set(k!, v.join('='));
    }
  }
  return conf;
}

/**
 * The container a job's driver and executors ask EMR Serverless for, from its Spark
 * settings: cores, and memory + memoryOverhead (Spark's default: 10 %, at least 384 MiB)
 * + spark.executor.pyspark.memory, rounded up to whole GB (EMR's worker sizes).
 */
export function jobWorkers(parameters: string, source: string): { driver: SparkWorker; executor: SparkWorker } {
  const conf = confOf(parameters);
  const worker = (role: 'driver' | 'executor'): SparkWorker => {
    const need = (key: string) => {
      const v = conf.get(key);
      if (v === undefined) throw new Error(`${source}: ${key} is not set; pre-initialized workers are sized from it`);
      return v;
    };
    const cores = Number(need(`spark.${role}.cores`));
    const memory = bytesOf(need(`spark.${role}.memory`), `spark.${role}.memory`, source);
    const overheadSet = conf.get(`spark.${role}.memoryOverhead`);
    const overhead = overheadSet !== undefined ? bytesOf(overheadSet, `spark.${role}.memoryOverhead`, source) : Math.max(0.1 * memory, 384 * MIB);
    const python = role === 'executor' && conf.has('spark.executor.pyspark.memory') ? bytesOf(conf.get('spark.executor.pyspark.memory')!, 'spark.executor.pyspark.memory', source) : 0;
    return { cpu: `${cores} vCPU`, memory: `${Math.ceil((memory + overhead + python) / (1024 * MIB))} GB` };
  };
  return { driver: worker('driver'), executor: worker('executor') };
}

/**
 * The pre-initialized workers of the application: the jobs' own sizes. A warm worker
 * of another size than a job asks for sits idle while the job starts new ones, and is
 * paid for; so both jobs must ask for the same driver and the same executor.
 */
export function sparkWorkers(params: SparkSubmitParameters, source = SUBMIT_PARAMETERS_PATH): { driver: SparkWorker; executor: SparkWorker } {
  const ingest = jobWorkers(params.ingest, `${source} "ingest"`);
  const predict = jobWorkers(params.predict, `${source} "predict"`);
  for (const role of ['driver', 'executor'] as const) {
    if (ingest[role].cpu !== predict[role].cpu || ingest[role].memory !== predict[role].memory) {
      throw new Error(`${source}: the ${role}s of ingest (${ingest[role].cpu}, ${ingest[role].memory}) and predict (${predict[role].cpu}, ${predict[role].memory}) differ; the application's pre-initialized ${role}s can have one size only`);
    }
  }
  return ingest;
}

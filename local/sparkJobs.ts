/**
 * The production Spark jobs (spark/jobs/) run by spark-submit on this machine, in place
 * of EMR Serverless: the StartJobRun request the state machine built is run as is, its
 * entry point and arguments unchanged but for the s3:// URIs, which name local folders
 * (the table keys below them are the same). What differs from EMR is Spark config only:
 * local[2], the connector jars of the EMR image (spark/dev/jars.sh), and a plaintext Kafka
 * listener (spark.pvfault.kafka.securityProtocol, spark/jobs/ingest_data.py).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SilverDeviceRegistryRow } from '../contracts';
import { REGISTRY_KEY, registryText } from '../contracts/registry';
import type { JobRunRequest } from '../statemachine/local';

const REPO_ROOT = join(__dirname, '..');
const VENV = join(REPO_ROOT, '.venv-spark');

export interface SparkEnvironment {
  python: string;
  sparkSubmit: string;
  /** comma-separated connector jars for --jars */
  jars: string;
}

/** What a local Spark run needs, checked up front: each missing piece named with how to install it. */
export function sparkEnvironment(venv = VENV): SparkEnvironment {
  const missing: string[] = [];
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    missing.push('Java 17 (java on PATH): apt-get install openjdk-17-jre-headless');
  }
  const python = join(venv, 'bin', 'python');
  const sparkSubmit = join(venv, 'bin', 'spark-submit');
  if (!existsSync(python) || !existsSync(sparkSubmit)) missing.push(`the Spark Python environment ${venv} (PySpark at the EMR release's Spark, numpy, pandas, pyarrow, PyWavelets): spark/dev/venv.sh`);
  let jars = '';
  if (missing.length === 0) {
    try {
      jars = execFileSync(join(REPO_ROOT, 'spark', 'dev', 'jars.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (err) {
      missing.push(`the connector jars of the EMR image (spark/dev/jars.sh failed: ${String((err as { stderr?: string }).stderr ?? err).trim()})`);
    }
  }
  if (missing.length > 0) throw new Error(`the Spark engine cannot run here; missing:\n  - ${missing.join('\n  - ')}`);
  return { python, sparkSubmit, jars };
}

/**
 * The local path of an s3:// URI of the request: the longest prefix of `folders` it
 * starts with, replaced by that folder. An URI no prefix maps is refused, naming it.
 */
export function localPath(uri: string, folders: Record<string, string>): string {
  const prefix = Object.keys(folders)
    .filter((p) => uri === p || uri.startsWith(p.endsWith('/') ? p : `${p}/`))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) throw new Error(`${JSON.stringify(uri)} has no local folder (known: ${Object.keys(folders).join(', ')})`);
  return join(folders[prefix]!, uri.slice(prefix.length));
}

export interface SparkJobOptions {
  env: SparkEnvironment;
  /** s3:// prefix → local folder, for the entry point and every s3:// argument */
  folders: Record<string, string>;
  /** Spark config for this machine (on top of local[2] and the jars) */
  conf?: Record<string, string>;
  /** file that receives spark-submit's stderr (Spark's log) */
  logFile: string;
  /** told spark-submit's pid once it started (bench:spark measures the process tree below it) */
  onSpawn?: (pid: number) => void;
}

/**
 * The s3:// prefixes of the local definition's requests and the folders they name:
 * the job files and the model from the repository, silver and gold under `dataDir`.
 */
export function localFolders(modelVersion: string, dataDir: string): Record<string, string> {
  return {
    's3://bootstrap/spark/jobs': join(REPO_ROOT, 'spark', 'jobs'),
    [`s3://bootstrap/model/${modelVersion}`]: join(REPO_ROOT, 'detector', 'model', 'artifacts'),
    // the plant's device registry (writeLocalRegistry), which Pulumi writes to the bootstrap bucket on AWS
    's3://bootstrap/registry': join(dataDir, 'bootstrap', 'registry'),
    's3://silver': join(dataDir, 'silver'),
    's3://gold': join(dataDir, 'gold'),
  };
}

/** Writes the plant's registry where localFolders maps the ingest's --registry-uri (s3://bootstrap/REGISTRY_KEY). */
export function writeLocalRegistry(dataDir: string, rows: readonly SilverDeviceRegistryRow[]): void {
  const path = join(dataDir, 'bootstrap', REGISTRY_KEY);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, registryText(rows));
}

/** The Spark config of a local run against a plaintext loopback broker. */
export function localSparkConf(tmpDir: string): Record<string, string> {
  return { 'spark.pvfault.kafka.securityProtocol': 'PLAINTEXT', 'spark.local.dir': tmpDir };
}

/** Runs one job of the request with spark-submit; resolves to the job's summary (its last stdout line, JSON). */
export async function runSparkJob(request: JobRunRequest, o: SparkJobOptions): Promise<Record<string, unknown>> {
  const { EntryPoint, EntryPointArguments } = request.JobDriver.SparkSubmit;
  const entry = localPath(EntryPoint, o.folders);
  const args = EntryPointArguments.map((a) => (a.startsWith('s3://') ? localPath(a, o.folders) : a));
  const conf: Record<string, string> = {
    'spark.ui.enabled': 'false',
    // the machine has 2 cores: a handful of shuffle partitions, not EMR's hundreds
    'spark.sql.shuffle.partitions': '8',
    'spark.driver.memory': '1g',
    ...o.conf,
  };
  const argv = ['--master', 'local[2]', '--jars', o.env.jars, ...Object.entries(conf).flatMap(([k, v]) => ['--conf', `${k}=${v}`]), entry, ...args];
  mkdirSync(join(o.logFile, '..'), { recursive: true });
  const log = openSync(o.logFile, 'a');
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(o.env.sparkSubmit, argv, {
        // the same interpreter on the driver and the Python workers; pvfault importable by both
        env: { ...process.env, PYSPARK_PYTHON: o.env.python, PYSPARK_DRIVER_PYTHON: o.env.python, PYTHONPATH: join(REPO_ROOT, 'spark') },
        stdio: ['ignore', 'pipe', log],
      });
      if (child.pid !== undefined) o.onSpawn?.(child.pid);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.once('error', reject);
      child.once('exit', (code) => {
        if (code === 0) resolve(out);
        else reject(new Error(`spark-submit ${request.Name} exited with ${code}; from ${o.logFile}:\n${failureExcerpt(o.logFile)}`));
      });
    });
    const last = stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(last) as Record<string, unknown>;
    } catch {
      throw new Error(`spark-submit ${request.Name} printed no summary line; its stdout ended with ${JSON.stringify(last.slice(-200))}`);
    }
  } finally {
    closeSync(log);
  }
}

/** The first error Spark logged (a Python traceback or a Java exception) and what follows it, else the log's end. */
function failureExcerpt(file: string): string {
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  } catch {
    return '(no log)';
  }
  const first = lines.findIndex((l) => /^Traceback|^\S*(Error|Exception)\b|^\s*raise |Error: /.test(l) && !/ INFO /.test(l));
  return (first >= 0 ? lines.slice(first, first + 20) : lines.slice(-20)).join('\n');
}

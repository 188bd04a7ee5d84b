/**
 * spark/jobs/stream_alarms.py run by spark-submit on this machine (local[2], the connector
 * jars of the EMR image, a plaintext loopback broker), as local/sparkJobs.ts runs the daily
 * jobs. Its micro-batch summaries (one JSON line each on stdout) are handed over as they
 * come; the process can be killed mid-way (SIGKILL of its process group: the JVM and the
 * Python driver, as a lost EMR worker would die) and started again on the same checkpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import type { SparkEnvironment } from './sparkJobs';
import { quantile } from '../detector/eval/summary';
import type { SkipReason } from '../contracts';

const REPO_ROOT = join(__dirname, '..');

export interface StreamBatch {
  job: 'stream_alarms';
  batch: number;
  records: number;
  maxEventMs: number | null;
  watermarkMs: number | null;
  openDays: string[];
  closedDays: string[];
  windowsScored: number;
  alarms: StreamBatchAlarm[];
  /** the early tier (absent with --no-early-alarms): its watermark, windows scored as of their end, alarms raised */
  earlyWatermarkMs?: number | null;
  earlyWindowsScored?: number;
  earlyAlarms?: StreamBatchAlarm[];
  /** early alarms published as their group by an earlier micro-batch that the day's decision labelled in this one (published again, pv-fault-early-label) */
  earlyLabels?: { deviceId: string; date: string; label: string; raisedAs: string | null; labelledMs: number; detectedMs: number }[];
  /** wall milliseconds of the micro-batch's phases in the driver (validate, read, score, write_<tier>, decide_<tier>, publish, compact, progress) */
  phasesMs?: Record<string, number>;
  /** Python CPU milliseconds inside the scoring tasks: the silver rows, each tier's windows */
  scoringCpuMs?: Record<string, number>;
  /** device-days with readings so far, and those rebuilt and scored (a window of theirs newly ready in some tier) */
  devicesSeen?: number;
  devicesScored?: number;
  /** per tier, the open days whose alarms were decided (a window of the day scored, or its plant gate moved, since the last decision) */
  daysDecided?: Record<string, number>;
  /** state folders (micro-batches' and compacted runs, pvfault.streamstate) the micro-batch read, and the runs it wrote */
  stateFoldersRead?: number;
  stateRunsWritten?: number;
}

export interface StreamBatchAlarm {
  deviceId: string;
  date: string;
  label: string;
  onsetMs: number;
  raisedMs: number;
  detectedMs: number;
}

/** The stream's two alarms of a device-day (spark/pvfault/stream.py TIERS): early (windows scored as each ends) and final (the batch's). */
export type StreamTier = 'early' | 'final';
/** Its alarm tables: a tier's alarms, and the labels the day gave early alarms published as their group (early_label). */
export type StreamAlarmTable = StreamTier | 'early_label';
/** Where the job writes each alarm table in the gold bucket (stream_alarms.py ALARM_FOLDERS; test/local/streamJob.test.ts holds the two equal). */
export const ALARM_FOLDERS: Record<StreamAlarmTable, string> = { final: 'stream_alarm', early: 'stream_alarm_early', early_label: 'stream_alarm_early_label' };

export interface StreamJobOptions {
  env: SparkEnvironment;
  timeZone: string;
  bootstrap: string;
  topic: string;
  /** folders: the gold bucket (baselines read, stream_alarm written), the stream's state, the notification files */
  goldDir: string;
  /** the plant's device registry (a file: the local bootstrap bucket's REGISTRY_KEY), as the ingest reads it */
  registryUri: string;
  stateDir: string;
  notifyDir: string;
  modelDir?: string;
  maxOffsetsPerTrigger: number;
  /** --compact-after: a day's state folders kept before they are written into one run (the job's default when absent; 0: never) */
  compactAfter?: number;
  /** --progress-kept: micro-batches whose progress records the job keeps (the job's default, 16, when absent) */
  progressKept?: number;
  logFile: string;
  tmpDir: string;
  /** told of each micro-batch as its summary line arrives */
  onBatch?: (b: StreamBatch) => void;
}

export interface StreamRun {
  child: ChildProcess;
  /** resolves with the micro-batches seen when the job exits (its exit code, or the signal that killed it) */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; batches: StreamBatch[] }>;
  /** SIGKILL of the whole process group */
  kill(): void;
}

/** Starts the streaming job replaying the topic (trigger availableNow: it stops once it has read what is there). */
export function startStreamJob(o: StreamJobOptions): StreamRun {
  const entry = join(REPO_ROOT, 'spark', 'jobs', 'stream_alarms.py');
  const conf: Record<string, string> = {
    'spark.ui.enabled': 'false',
    'spark.sql.shuffle.partitions': '4',
    'spark.driver.memory': '1g',
    'spark.pvfault.kafka.securityProtocol': 'PLAINTEXT',
    'spark.local.dir': o.tmpDir,
  };
  const args = [
    '--time-zone', o.timeZone, '--bootstrap-servers', o.bootstrap, '--topic', o.topic,
    '--gold-uri', o.goldDir, '--registry-uri', o.registryUri, '--model-uri', o.modelDir ?? join(REPO_ROOT, 'detector', 'model', 'artifacts'),
    '--state-uri', o.stateDir, '--notify', o.notifyDir,
    '--trigger', 'availableNow', '--starting-offsets', 'earliest', '--max-offsets-per-trigger', String(o.maxOffsetsPerTrigger),
    ...(o.compactAfter === undefined ? [] : ['--compact-after', String(o.compactAfter)]),
    ...(o.progressKept === undefined ? [] : ['--progress-kept', String(o.progressKept)]),
  ];
  const argv = ['--master', 'local[2]', '--jars', o.env.jars, ...Object.entries(conf).flatMap(([k, v]) => ['--conf', `${k}=${v}`]), entry, ...args];
  mkdirSync(join(o.logFile, '..'), { recursive: true });
  const log = openSync(o.logFile, 'a');
  const child = spawn(o.env.sparkSubmit, argv, {
    env: { ...process.env, PYSPARK_PYTHON: o.env.python, PYSPARK_DRIVER_PYTHON: o.env.python, PYTHONPATH: join(REPO_ROOT, 'spark') },
    stdio: ['ignore', 'pipe', log],
    // its own process group: a kill reaches the Python driver spark-submit started, not only the JVM
    detached: true,
  });
  const batches: StreamBatch[] = [];
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    pending += d.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      const parsed = JSON.parse(line) as Partial<StreamBatch>;
      if (parsed.job === 'stream_alarms' && typeof parsed.batch === 'number') {
        batches.push(parsed as StreamBatch);
        o.onBatch?.(parsed as StreamBatch);
      }
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; batches: StreamBatch[] }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      closeSync(log);
      resolve({ code, signal, batches });
    });
  });
  return {
    child,
    done,
    kill: () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    },
  };
}

/** The last lines of the job's log, for a failure message. */
export function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A row of a gold alarms table: the alarm a micro-batch summary names, the micro-batch that raised it and its file. */
export interface StreamAlarmRow extends StreamBatchAlarm {
  /** the group it was raised as before the day's decision labelled it, and when it did (null: not labelled; contracts/detector.json alarms.raise) */
  raisedAs: string | null;
  labelledMs: number | null;
  batchId: number;
  file: string;
}

/** The rows of every Parquet file under `root` (none when it does not exist), each with its file's path. */
async function parquetRowsUnder(root: string, columns?: string[]): Promise<{ row: Record<string, unknown>; path: string }[]> {
  if (!existsSync(root)) return [];
  const out: { row: Record<string, unknown>; path: string }[] = [];
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.parquet'))) {
    const path = join(e.parentPath, e.name);
    const b = readFileSync(path);
    const rows = await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, ...(columns ? { columns } : {}) });
    for (const row of rows) out.push({ row, path });
  }
  return out;
}

/** Every row of a gold alarms table the stream wrote (<gold>/stream_alarm/date=…/batch=…/part-*.parquet; the early tier's: stream_alarm_early/…; its labels: stream_alarm_early_label/…). */
export async function streamAlarmRows(goldDir: string, table: StreamAlarmTable = 'final'): Promise<StreamAlarmRow[]> {
  const out = (await parquetRowsUnder(join(goldDir, ALARM_FOLDERS[table]))).map(({ row: r, path }) => ({
    deviceId: String(r.deviceId), date: String(r.date), label: String(r.label),
    onsetMs: Number(r.onsetMs), raisedMs: Number(r.raisedMs), detectedMs: Number(r.detectedMs),
    // a file of a stream that ran before tables contract 10 has not the two columns
    raisedAs: r.raisedAs === null || r.raisedAs === undefined ? null : String(r.raisedAs),
    labelledMs: r.labelledMs === null || r.labelledMs === undefined ? null : Number(r.labelledMs),
    batchId: Number(r.batchId), file: path,
  }));
  return out.sort((a, b) => a.deviceId.localeCompare(b.deviceId));
}

/** Where the job keeps each tier's window state (stream_alarms.py WINDOW_FOLDERS; held equal as ALARM_FOLDERS is). */
export const WINDOW_FOLDERS: Record<StreamTier, string> = { final: 'windows', early: 'early_windows' };

/**
 * The windows of a day the stream scored in a tier, from its state (<state>/windows/date=<day>/…,
 * per micro-batch or compacted into runs; spark/jobs/stream_alarms.py): device, span and skip
 * reason (null: predicted). A window may appear twice while a compaction's folders are both there.
 */
export async function streamWindowRows(stateDir: string, date: string, tier: StreamTier = 'final'): Promise<{ deviceId: string; startMs: number; endMs: number; skipReason: SkipReason | null }[]> {
  const rows = await parquetRowsUnder(join(stateDir, WINDOW_FOLDERS[tier], `date=${date}`), ['deviceId', 'startMs', 'endMs', 'status', 'skipReason']);
  return rows.map(({ row: r }) => ({ deviceId: String(r.deviceId), startMs: Number(r.startMs), endMs: Number(r.endMs), skipReason: r.status === 'predicted' ? null : (String(r.skipReason) as SkipReason) }));
}

/** Median and 90th percentile (nearest rank) of values; null without any. */
export function medianP90(values: number[]): { median: number; p90: number } | null {
  if (values.length === 0) return null;
  // nearest rank, as npm run eval's delays (detector/eval/summary.ts): one definition of a latency's percentiles
  const s = [...values].sort((a, b) => a - b);
  return { median: quantile(s, 0.5)!, p90: quantile(s, 0.9)! };
}

/**
 * The micro-batches' phases summed (wall seconds in the driver, Python CPU seconds in the scoring tasks), largest
 * first: where a stream's time goes. Micro-batches without the figures (a job before they were reported) add nothing.
 */
export function phaseTotals(batches: readonly Pick<StreamBatch, 'phasesMs' | 'scoringCpuMs' | 'devicesSeen' | 'devicesScored' | 'daysDecided' | 'stateFoldersRead' | 'stateRunsWritten'>[]): {
  wall: [string, number][];
  scoringCpu: [string, number][];
  devices: { seen: number; scored: number };
  daysDecided: Record<string, number>;
  /** state folders read: over all micro-batches and the most one read; compacted runs written */
  state: { foldersRead: number; mostRead: number; runsWritten: number };
} {
  const sum = (pick: (b: Pick<StreamBatch, 'phasesMs' | 'scoringCpuMs'>) => Record<string, number> | undefined): [string, number][] => {
    const totals = new Map<string, number>();
    for (const b of batches) for (const [k, ms] of Object.entries(pick(b) ?? {})) totals.set(k, (totals.get(k) ?? 0) + ms / 1000);
    return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  };
  const devices = { seen: 0, scored: 0 };
  const daysDecided: Record<string, number> = {};
  const state = { foldersRead: 0, mostRead: 0, runsWritten: 0 };
  for (const b of batches) {
    state.foldersRead += b.stateFoldersRead ?? 0;
    state.mostRead = Math.max(state.mostRead, b.stateFoldersRead ?? 0);
    state.runsWritten += b.stateRunsWritten ?? 0;
    devices.seen += b.devicesSeen ?? 0;
    devices.scored += b.devicesScored ?? 0;
    for (const [tier, n] of Object.entries(b.daysDecided ?? {})) daysDecided[tier] = (daysDecided[tier] ?? 0) + n;
  }
  return { wall: sum((b) => b.phasesMs), scoringCpu: sum((b) => b.scoringCpuMs), devices, daysDecided, state };
}

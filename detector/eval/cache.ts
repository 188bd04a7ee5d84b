/**
 * The evaluation's cache: a plant-day's records (evidence and truth) in a file under
 * out/eval/cache/<model version>/, keyed by the plant-day's spec and a digest of the
 * code that produced them (simulator, silver, windows, CWT, model runtime, gold: detector/
 * but the modules listed in SKIP, e.g. eval/ where decisions and metrics live;
 * contracts/ (without their doc strings, detector.json without its alarms: recordShapingContent); the predict job's device predictor), so trying another
 * decision or metric re-reads instead of re-simulating and re-predicting, and a
 * change of the simulator or the pipeline never reads stale records. The baselines
 * the devices were judged against are part of the key: other thresholds raise other
 * alarms, which change the next days' baselines and so their records.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DeviceReference } from '../baseline';
import type { WindowScoring } from '../../local/jobs/devicePredictor';
import type { PlantDaySpec } from './plantDays';
import type { DeviceDayRecord } from './records';

const REPO = join(__dirname, '..', '..');
/** 3: records' truth lists the conditions that acted (records.ts) */
/** 4: records carry the windows' measured means (gold_window meanVoltage…) */
export const CACHE_FORMAT = 4;
const FORMAT = CACHE_FORMAT;
/** What the cached records depend on besides the model's weights. */
const SOURCES = [join(REPO, 'detector'), join(REPO, 'contracts'), join(REPO, 'local', 'jobs', 'devicePredictor.ts')];
/** What does not shape the records (reports, training, command lines): a change there keeps the cache. Anything new counts until listed here. */
const SKIP = new Set(
  [
    ['detector', 'eval'],
    ['detector', 'model', 'artifacts'],
    ['detector', 'model', 'report.ts'],
    ['detector', 'model', 'card.ts'],
    ['detector', 'model', 'cardSection.ts'],
    ['detector', 'model', 'train.ts'],
    ['detector', 'model', 'metrics.ts'],
    ['detector', 'plots'],
    // npm run sim:realism reads the simulator; nothing of it reaches the records
    ['detector', 'realism'],
    ['detector', 'progress.ts'],
    ['detector', 'commandLine.ts'],
    ['detector', 'simulator', 'cli.ts'],
    ['detector', 'simulator', 'plots.ts'],
    // the day's alarm is decided from the records, never stored in them
    ['detector', 'alarms.ts'],
    ['detector', 'alarmCalibration.ts'],
    // what a plant event was is told from the records' window means, never stored in them
    ['detector', 'plantConditions.ts'],
    // rendered from the contract files (hashed themselves, detector.json without its alarms) by
    // contracts/codegen.ts (hashed); test/contracts/tables.test.ts holds it equal to them
    ['contracts', 'generated.ts'],
  ].map((parts) => join(REPO, ...parts)),
);

function sourceFiles(path: string): string[] {
  if (SKIP.has(path)) return [];
  if (statSync(path).isDirectory()) return readdirSync(path).sort().flatMap((name) => sourceFiles(join(path, name)));
  return /\.(ts|json)$/.test(path) ? [path] : [];
}

let digest: string | null = null;

const CONTRACTS_DIR = join(REPO, 'contracts');
const DETECTOR_CONTRACT_FILE = join(CONTRACTS_DIR, 'detector.json');

/** The value without its `doc` strings, at any depth: prose, which never shapes a record. */
function withoutDocs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDocs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'doc').map(([k, v]) => [k, withoutDocs(v)]));
}

/**
 * What of a source file the records depend on: all of it, but a contract file's `doc`
 * strings, and contracts/detector.json's `alarms`, the decision's rules, which like
 * alarms.ts (skipped above) decide from the records and never shape them (the baselines
 * other alarms leave are in the key).
 */
export function recordShapingContent(file: string): Buffer | string {
  if (!(file.startsWith(CONTRACTS_DIR) && file.endsWith('.json'))) return readFileSync(file);
  const contract = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (file === DETECTOR_CONTRACT_FILE) delete contract.alarms;
  return JSON.stringify(withoutDocs(contract));
}

/** sha-256 over the sources the records depend on (paths and contents). */
export function sourceDigest(): string {
  if (digest === null) {
    const h = createHash('sha256');
    for (const file of SOURCES.flatMap(sourceFiles)) h.update(relative(REPO, file)).update('\0').update(recordShapingContent(file)).update('\0');
    digest = h.digest('hex');
  }
  return digest;
}

/** The plant-day's name in reports and cache files. */
export function plantDayKey(spec: PlantDaySpec): string {
  return `${spec.date} ${spec.sky}${spec.condition ? ` ${spec.condition.kind}` : ''}${spec.design ? ` ${spec.design}` : ''}${spec.twinOf ? ` default as ${spec.twinOf}'s twin` : ''}${spec.layoutTwinOf ? ` default module as ${spec.layoutTwinOf}'s layout twin` : ''} (plant ${spec.plant + 1}, ${spec.scored ? '' : 'warm-up '}day ${spec.day + 1})`;
}

/** `references`: the baselines the plant-day's devices were judged against (they shape its probabilities). */
export function cachePath(dir: string, modelVersion: string, spec: PlantDaySpec, references: ReadonlyMap<string, DeviceReference>, scoring: WindowScoring = 'batch'): string {
  // what each device was judged against: its baseline, and its design's per-unit reference (the design plants' are their own)
  const judged = [...references].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, r]) => [id, r.gain, r.days, r.perUnit.vmpStcV, r.perUnit.impStcA, r.perUnit.vmpDropPerKelvin, r.perUnit.voltageShape, r.perUnit.currentShape]);
  // the batch's key has no scoring: its plant-days stay cached as they were
  const key = createHash('sha256').update(JSON.stringify({ FORMAT, spec, code: sourceDigest(), judged, ...(scoring === 'batch' ? {} : { scoring }) })).digest('hex').slice(0, 16);
  return join(dir, 'cache', modelVersion, `${spec.date}-p${spec.plant + 1}${spec.twinOf ? 't' : ''}${spec.layoutTwinOf ? 'l' : ''}d${spec.day + 1}-${key}.json`);
}

interface CachedRecord extends Omit<DeviceDayRecord, 'evidence'> {
  evidence: Omit<DeviceDayRecord['evidence'], 'probs' | 'means'> & { probs: string; means?: string };
}

/** The cached records, or null when there are none; throws naming the file when it is unreadable. */
export function readCache(path: string): DeviceDayRecord[] | null {
  if (!existsSync(path)) return null;
  let cached: { format: number; records: CachedRecord[] };
  try {
    cached = JSON.parse(readFileSync(path, 'utf8')) as typeof cached;
  } catch (err) {
    throw new Error(`${path}: unreadable evaluation cache (${(err as Error).message}); delete it or run with --fresh`);
  }
  if (cached.format !== FORMAT || !Array.isArray(cached.records)) throw new Error(`${path}: not an evaluation cache of format ${FORMAT}; delete it or run with --fresh`);
  return cached.records.map((r) => {
    const bytes = Buffer.from(r.evidence.probs, 'base64');
    // probabilities as float32 bytes: exactly what the model gave, a quarter of their JSON
    const probs = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const { means: meanText, ...evidence } = r.evidence;
    if (meanText === undefined) return { ...r, evidence: { ...evidence, probs } };
    const m = Buffer.from(meanText, 'base64');
    return { ...r, evidence: { ...evidence, probs, means: new Float64Array(m.buffer.slice(m.byteOffset, m.byteOffset + m.byteLength)) } };
  });
}

/** Writes through a temporary file: an interrupted run leaves no half-written cache. */
export function writeCache(path: string, records: readonly DeviceDayRecord[]): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const base64 = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  const out: CachedRecord[] = records.map((r) => {
    const { means, ...evidence } = r.evidence;
    return { ...r, evidence: { ...evidence, probs: base64(r.evidence.probs), ...(means ? { means: base64(means) } : {}) } };
  });
  writeFileSync(`${path}.tmp`, JSON.stringify({ format: FORMAT, records: out }));
  renameSync(`${path}.tmp`, path);
}

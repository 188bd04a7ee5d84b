/**
 * The evaluation: every plant-day of a plan collected (from the cache, or simulated
 * and predicted), each device-day decided in its plant's day order (a decision sees
 * the device's earlier days), judged against the truth and summarised.
 */
import { readModelVersion } from '../model/manifest';
import { Progress } from '../progress';
import { cachePath, plantDayKey, readCache, writeCache } from './cache';
import { collectPlantDay, type DevicePredictorPool } from './collect';
import { checkAlarm, type Decision, type DeviceDayEvidence } from './decision';
import { outcomeOf, type Outcome } from './outcome';
import { plantDaySpecs, type EvalPlan } from './plantDays';
import { withTruthWindows, type DeviceDayRecord } from './records';
import { summarize, type Summary } from './summary';

/** Whose window probabilities the decision reads: the model's, or a perfect window classifier's (the decision's ceiling). */
export type WindowSource = 'model' | 'truth';

export interface EvalOptions {
  plan: EvalPlan;
  decision: Decision;
  windows: WindowSource;
  /** where the cache lives (cache/ below it) */
  out: string;
  /** recompute every plant-day, ignoring the cache */
  fresh: boolean;
  /** starts the predict workers when some plant-day is not cached */
  startPool: () => Promise<DevicePredictorPool & { close(): Promise<void> }>;
  progress: boolean;
  log: (line: string) => void;
}

export interface EvalReport extends Summary {
  modelVersion: string;
  decision: { name: string; description: string };
  windows: WindowSource;
  plan: EvalPlan;
  plantDays: string[];
  /** every device-day's outcome, for other cuts than the summary's */
  outcomes: Outcome[];
}

export interface EvalRun {
  report: EvalReport;
  /** plant-days read from the cache and computed now */
  cached: number;
  computed: number;
}

/** Every plant-day of the plan's records, from the cache or simulated and predicted now (and cached). */
export async function collectAll(o: Pick<EvalOptions, 'plan' | 'out' | 'fresh' | 'startPool' | 'progress' | 'log'>, modelVersion: string): Promise<{ records: DeviceDayRecord[][]; cached: number }> {
  const specs = plantDaySpecs(o.plan);
  const paths = specs.map((s) => cachePath(o.out, modelVersion, s));
  const records: (DeviceDayRecord[] | null)[] = paths.map((p) => (o.fresh ? null : readCache(p)));
  const missing = specs.filter((_, i) => records[i] === null);
  const cached = specs.length - missing.length;
  if (cached > 0) o.log(`${cached} of ${specs.length} plant-days from the cache (${o.out}/cache/${modelVersion}/)`);
  if (missing.length === 0) return { records: records as DeviceDayRecord[][], cached };
  const pool = await o.startPool();
  try {
    if (pool.modelVersion !== modelVersion) throw new Error(`the predict workers loaded model ${pool.modelVersion}, the artifacts say ${modelVersion}`);
    const bar = o.progress ? new Progress('simulate + predict', missing.reduce((n, s) => n + s.devices, 0), 'device-days') : null;
    for (let i = 0; i < specs.length; i++) {
      if (records[i] !== null) continue;
      records[i] = await collectPlantDay(specs[i]!, pool, () => bar?.tick());
      writeCache(paths[i]!, records[i]!);
    }
    bar?.finish(`${missing.length} plant-days`);
  } finally {
    await pool.close();
  }
  return { records: records as DeviceDayRecord[][], cached };
}

export async function runEval(o: EvalOptions): Promise<EvalRun> {
  const modelVersion = readModelVersion();
  const specs = plantDaySpecs(o.plan);
  const { records, cached } = await collectAll(o, modelVersion);
  const outcomes: Outcome[] = [];
  // a device's earlier days in its plant's run (reset at each plant's first day)
  let history = new Map<string, DeviceDayEvidence[]>();
  specs.forEach((spec, i) => {
    if (spec.day === 0) history = new Map();
    for (const stored of records[i]!) {
      const record = o.windows === 'truth' ? withTruthWindows(stored) : stored;
      const before = history.get(record.evidence.deviceId) ?? [];
      const { alarm } = o.decision.decide(record.evidence, before);
      if (alarm) checkAlarm(alarm, o.decision.name, record.evidence.deviceId);
      outcomes.push(outcomeOf(record, alarm));
      history.set(record.evidence.deviceId, [...before, record.evidence]);
    }
  });
  const report: EvalReport = {
    modelVersion,
    decision: { name: o.decision.name, description: o.decision.description },
    windows: o.windows,
    plan: o.plan,
    plantDays: specs.map(plantDayKey),
    ...summarize(outcomes),
    outcomes,
  };
  return { report, cached, computed: specs.length - cached };
}

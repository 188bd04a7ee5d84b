/**
 * The evaluation: every plant-day of a plan collected (from the cache, or simulated
 * and predicted), each device-day decided in its plant's day order (a decision sees
 * the device's earlier days), judged against the truth and summarised.
 */
import { readModelVersion } from '../model/manifest';
import { Progress } from '../progress';
import { cachePath, plantDayKey, readCache, writeCache } from './cache';
import type { DeviceBaselineRow } from '../../contracts';
import { nextBaseline, referenceOf } from '../baseline';
import { plantContextOf, productAlarmDecision } from './alarmDecision';
import { baselineFit, type BaselineFit } from './baselineFit';
import { collectPlantDay, type DevicePredictorPool } from './collect';
import { checkAlarm, type Alarm, type Decision, type DeviceDayEvidence, type PlantContext } from './decision';
import { outcomeOf, type Outcome } from './outcome';
import { designOfSpec, perUnitOfSpec, plantDaySpecs, type EvalPlan } from './plantDays';
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
  /** how well the arrays' own baselines fit them (counted healthy device-days) */
  baseline: BaselineFit;
  /** per counted plant-day: the condition the plan gave it (null: none) and the plant conditions gold reported (detector/plantConditions.ts) */
  plantConditions?: PlantConditionDay[];
}

export interface PlantConditionDay {
  plantDay: string;
  condition: string | null;
  reported: { kind: string; startMs: number; endMs: number; windows: number }[];
}

export interface EvalRun {
  report: EvalReport;
  /** plant-days read from the cache and computed now */
  cached: number;
  computed: number;
}

/**
 * A device-day's verdict for its baseline (detector/baseline.ts nextBaseline takes
 * verdict normal only, and the next day carries an alarm label in: contracts/detector.json
 * alarms.carry): the product's alarm decision, given the device's verdict the day
 * before, as the predict job does; calibration, which has no thresholds yet, takes the truth.
 */
export type BaselineVerdict = (record: DeviceDayRecord, plant: PlantContext, before: DeviceBaselineRow | undefined) => { verdict: string; standing: number | null };

export const productBaselineVerdict: BaselineVerdict = (r, plant, before) => {
  const alarm = productAlarmDecision.decide(r.evidence, [], plant, before ? { label: before.dayVerdict ?? 'normal', standing: before.dayAlarmStanding } : null).alarm;
  return { verdict: alarm?.label ?? 'normal', standing: alarm?.standing ?? null };
};

/**
 * Every plant-day of the plan's records, from the cache or simulated and predicted
 * now (and cached). A plant's days go in order: each device is judged against the
 * baseline its earlier days give it (as the predict job of the day reads the
 * previous day's baseline table), and the cache is keyed by those references too.
 */
export async function collectAll(o: Pick<EvalOptions, 'plan' | 'out' | 'fresh' | 'startPool' | 'progress' | 'log'> & { baselineVerdict: BaselineVerdict }, modelVersion: string): Promise<{ records: DeviceDayRecord[][]; cached: number }> {
  const specs = plantDaySpecs(o.plan);
  const records: DeviceDayRecord[][] = [];
  let cached = 0;
  let pool: (DevicePredictorPool & { close(): Promise<void> }) | null = null;
  const bar = o.progress ? new Progress('simulate + predict', specs.reduce((n, s) => n + s.devices, 0), 'device-days') : null;
  try {
    let baseline = new Map<string, DeviceBaselineRow>();
    for (const spec of specs) {
      if (spec.day === 0) baseline = new Map();
      const perUnit = perUnitOfSpec(spec);
      const references = new Map([...baseline].map(([id, row]) => [id, referenceOf(row, perUnit)]));
      const path = cachePath(o.out, modelVersion, spec, references);
      let day = o.fresh ? null : readCache(path);
      if (day) {
        cached++;
        for (let d = 0; d < spec.devices; d++) bar?.tick();
      } else {
        if (!pool) {
          pool = await o.startPool();
          if (pool.modelVersion !== modelVersion) throw new Error(`the predict workers loaded model ${pool.modelVersion}, the artifacts say ${modelVersion}`);
        }
        day = await collectPlantDay(spec, pool, references, () => bar?.tick());
        writeCache(path, day);
      }
      records.push(day);
      const plant = plantContextOf(day.map((r) => r.evidence));
      const today = new Map(day.map((r) => [r.evidence.deviceId, { ratio: r.evidence.ratio, ...o.baselineVerdict(r, plant, baseline.get(r.evidence.deviceId)) }]));
      baseline = new Map(nextBaseline(baseline, today, spec.date).map((row) => [row.deviceId, row]));
    }
    bar?.finish(`${specs.length} plant-days, ${cached} of them from the cache (${o.out}/cache/${modelVersion}/)`);
  } finally {
    await pool?.close();
  }
  return { records, cached };
}

export async function runEval(o: EvalOptions): Promise<EvalRun> {
  const modelVersion = readModelVersion();
  const specs = plantDaySpecs(o.plan);
  const { records, cached } = await collectAll({ ...o, baselineVerdict: productBaselineVerdict }, modelVersion);
  const outcomes: Outcome[] = [];
  const conditionDays: PlantConditionDay[] = [];
  // a device's earlier days in its plant's run (reset at each plant's first day)
  let history = new Map<string, DeviceDayEvidence[]>();
  // the decision's alarm on each device's previous day of the run
  let previous = new Map<string, Alarm | null>();
  specs.forEach((spec, i) => {
    if (spec.day === 0) {
      history = new Map();
      previous = new Map();
    }
    const day = records[i]!.map((stored) => (o.windows === 'truth' ? withTruthWindows(stored) : stored));
    const plant = plantContextOf(day.map((r) => r.evidence));
    if (spec.scored) conditionDays.push({ plantDay: plantDayKey(spec), condition: spec.condition?.kind ?? null, reported: plant.conditions.map(({ kind, startMs, endMs, windows }) => ({ kind, startMs, endMs, windows })) });
    for (const record of day) {
      const before = history.get(record.evidence.deviceId) ?? [];
      const { alarm } = o.decision.decide(record.evidence, before, plant, previous.get(record.evidence.deviceId) ?? null);
      previous.set(record.evidence.deviceId, alarm);
      if (alarm) checkAlarm(alarm, o.decision.name, record.evidence.deviceId);
      if (spec.scored) outcomes.push(spec.design ? { ...outcomeOf(record, alarm, designOfSpec(spec)), design: spec.design } : outcomeOf(record, alarm));
      history.set(record.evidence.deviceId, [...before, record.evidence]);
    }
  });
  const report: EvalReport = {
    modelVersion,
    decision: { name: o.decision.name, description: o.decision.description },
    windows: o.windows,
    plan: o.plan,
    plantDays: specs.filter((s) => s.scored).map(plantDayKey),
    ...summarize(outcomes),
    outcomes,
    // the plants of a condition are left out (snow or soiling moves the ratio far more than a leak: it is what the plant gate is for), and those of another design
    baseline: baselineFit(records.filter((_, i) => specs[i]!.scored && !specs[i]!.condition && !specs[i]!.design)),
    plantConditions: conditionDays,
  };
  return { report, cached, computed: specs.length - cached };
}

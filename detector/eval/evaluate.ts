/**
 * The evaluation: every plant-day of a plan collected (from the cache, or simulated
 * and predicted), each device-day decided in its plant's day order (a decision sees
 * the device's earlier days), judged against the truth and summarised.
 */
import { readModelVersion } from '../model/manifest';
import { Progress } from '../progress';
import { cachePath, plantDayKey, readCache, writeCache } from './cache';
import type { DeviceBaselineRow } from '../../contracts';
import { nextBaseline, referenceOf, type DeviceReference } from '../baseline';
import { plantContextOf } from './alarmDecision';
import { agreementOf, agreementSummary, type Agreement, type AgreementSummary } from './agreement';
import { baselineFit, type BaselineFit } from './baselineFit';
import { collectPlantDay, type DevicePredictorPool } from './collect';
import { checkAlarm, type Alarm, type Decision, type DeviceDayEvidence, type PlantContext } from './decision';
import { outcomeOf, shadowDayBefore, type Outcome } from './outcome';
import { healthyByCondition, signalTables, type HealthyConditionRow, type SignalDay, type SignalTable } from './signals';
import { designOfSpec, layoutTwinName, perUnitOfSpec, plantDaySpecs, twinName, type EvalPlan, type PlantDaySpec } from './plantDays';
import { withTruthWindows, type DeviceDayRecord } from './records';
import type { WindowScoring } from '../../local/jobs/devicePredictor';
import { summarize, type Summary } from './summary';
import { RESAMPLES } from './bootstrap';

/** Whose window probabilities the decision reads: the model's, or a perfect window classifier's (the decision's ceiling). */
export type WindowSource = 'model' | 'truth';

export interface EvalOptions {
  plan: EvalPlan;
  decision: Decision;
  windows: WindowSource;
  /** how the counted days' windows are scored (the warm-up days, whose alarms build the baselines, always as the batch does); batch when absent */
  scoring?: WindowScoring;
  /** where the cache lives (cache/ below it) */
  out: string;
  /** recompute every plant-day, ignoring the cache */
  fresh: boolean;
  /** starts the predict workers when some plant-day is not cached */
  startPool: () => Promise<DevicePredictorPool & { close(): Promise<void> }>;
  progress: boolean;
  log: (line: string) => void;
  /** false: the goals without their intervals, for a run whose goals are not reported (the ceiling beside the product's run); true when absent */
  intervals?: boolean;
}

export interface EvalReport extends Summary {
  modelVersion: string;
  decision: { name: string; description: string };
  windows: WindowSource;
  scoring: WindowScoring;
  plan: EvalPlan;
  plantDays: string[];
  /** every device-day's outcome, for other cuts than the summary's */
  outcomes: Outcome[];
  /** how well the arrays' own baselines fit them (counted healthy device-days) */
  baseline: BaselineFit;
  /** with another scoring than the batch's: its alarms against the batch's on the same device-days (agreement.ts) */
  againstBatch?: AgreementSummary;
  /** per counted plant-day: the condition the plan gave it (null: none) and the plant conditions gold reported (detector/plantConditions.ts) */
  plantConditions?: PlantConditionDay[];
  /** per design group ('default': the plan's plants): what each severity of fault left in the model's levels and how the model read its windows (signals.ts); absent in reports before 2026-12-06 */
  signals?: Record<string, SignalTable>;
  /** the default design's healthy bright windows per condition that acted and sky: what the condition left in the model's levels and how the model read them (signals.ts healthyByCondition); absent in reports before 2026-12-06 */
  healthyByCondition?: Record<string, HealthyConditionRow>;
}

export interface PlantConditionDay {
  plantDay: string;
  condition: string | null;
  /** currentRatio and voltageRatio: the run's against the day's reference slots (gold_plant_condition), absent in reports before 2026-12-06 */
  reported: { kind: string; startMs: number; endMs: number; windows: number; currentRatio?: number | null; voltageRatio?: number | null }[];
}

export interface EvalRun {
  report: EvalReport;
  /** plant-days' predictions read from the cache and computed now */
  cached: number;
  computed: number;
}

/**
 * A device-day's verdict for its baseline (detector/baseline.ts nextBaseline takes
 * verdict normal only, and the next day carries an alarm label in: contracts/detector.json
 * alarms.carry): the evaluated decision's alarm (decisionBaselineVerdict; the product's
 * unless --decision names another), given the device's verdict the day before, as the
 * predict job does; calibration, which has no thresholds yet, takes the truth.
 */
export type BaselineVerdict = (record: DeviceDayRecord, plant: PlantContext, before: DeviceBaselineRow | undefined) => { verdict: string; standing: number | null; onsetMs?: number | null; raisedMs?: number | null };

export function decisionBaselineVerdict(decision: Decision): BaselineVerdict {
  return (r, plant, before) => {
    const previous = before ? { label: before.dayVerdict ?? 'normal', standing: before.dayAlarmStanding, onsetMs: before.dayAlarmOnsetMs ?? null, raisedMs: before.dayAlarmRaisedMs ?? null } : null;
    const alarm = decision.decide(r.evidence, [], plant, previous).alarm;
    // a broken alarm stops the run here, before it shapes a baseline
    if (alarm) checkAlarm(alarm, decision.name, r.evidence.deviceId);
    return { verdict: alarm?.label ?? 'normal', standing: alarm?.standing ?? null, onsetMs: alarm?.onsetMs ?? null, raisedMs: alarm?.raisedMs ?? null };
  };
}

/**
 * Every plant-day of the plan's records, from the cache or simulated and predicted
 * now (and cached). A plant's days go in order: each device is judged against the
 * baseline its earlier days give it (as the predict job of the day reads the
 * previous day's baseline table), and the cache is keyed by those references too.
 */
export async function collectAll(o: Pick<EvalOptions, 'plan' | 'out' | 'fresh' | 'startPool' | 'progress' | 'log'> & { baselineVerdict: BaselineVerdict; scoring?: WindowScoring }, modelVersion: string): Promise<{ records: DeviceDayRecord[][]; batch: DeviceDayRecord[][]; cached: number; predictions: number }> {
  const specs = plantDaySpecs(o.plan);
  const scoring = o.scoring ?? 'batch';
  const records: DeviceDayRecord[][] = [];
  const batch: DeviceDayRecord[][] = [];
  let cached = 0;
  let pool: (DevicePredictorPool & { close(): Promise<void> }) | null = null;
  // another scoring than the batch's predicts the counted days a second time
  const rescored = (s: PlantDaySpec) => scoring !== 'batch' && s.scored;
  const bar = o.progress ? new Progress('simulate + predict', specs.reduce((n, s) => n + s.devices * (rescored(s) ? 2 : 1), 0), 'device-days') : null;
  const startPool = async () => {
    if (!pool) {
      pool = await o.startPool();
      if (pool.modelVersion !== modelVersion) throw new Error(`the predict workers loaded model ${pool.modelVersion}, the artifacts say ${modelVersion}`);
    }
    return pool;
  };
  const collect = async (spec: PlantDaySpec, references: ReadonlyMap<string, DeviceReference>, how: WindowScoring): Promise<DeviceDayRecord[]> => {
    const path = cachePath(o.out, modelVersion, spec, references, how);
    const stored = o.fresh ? null : readCache(path);
    if (stored) {
      cached++;
      for (let d = 0; d < spec.devices; d++) bar?.tick();
      return stored;
    }
    const day = await collectPlantDay(spec, await startPool(), references, () => bar?.tick(), how);
    writeCache(path, day);
    return day;
  };
  try {
    let baseline = new Map<string, DeviceBaselineRow>();
    for (const spec of specs) {
      if (spec.day === 0) baseline = new Map();
      const perUnit = perUnitOfSpec(spec);
      const references = new Map([...baseline].map(([id, row]) => [id, referenceOf(row, perUnit)]));
      // the baselines grow from the batch's alarms, as the stream reads the batch's tables
      const day = await collect(spec, references, 'batch');
      batch.push(day);
      records.push(rescored(spec) ? await collect(spec, references, scoring) : day);
      const plant = plantContextOf(day.map((r) => r.evidence));
      const today = new Map(day.map((r) => [r.evidence.deviceId, { ratio: r.evidence.ratio, ...o.baselineVerdict(r, plant, baseline.get(r.evidence.deviceId)) }]));
      baseline = new Map(nextBaseline(baseline, today, spec.date).map((row) => [row.deviceId, row]));
    }
    bar?.finish(`${specs.length} plant-days${scoring === 'batch' ? '' : ` (the counted ones scored twice: batch, ${scoring})`}, ${cached} predictions from the cache (${o.out}/cache/${modelVersion}/)`);
  } finally {
    await (pool as (DevicePredictorPool & { close(): Promise<void> }) | null)?.close();
  }
  return { records, batch, cached, predictions: specs.length + specs.filter(rescored).length };
}

/** The name a design plant's or a twin's device-days are grouped under (Outcome.design); undefined for the plan's and the condition plants'. */
function groupOf(spec: PlantDaySpec): string | undefined {
  return spec.design ?? (spec.twinOf ? twinName(spec.twinOf) : spec.layoutTwinOf ? layoutTwinName(spec.layoutTwinOf) : undefined);
}

/** What a run's report will say it measured (the model, the decision, the windows, the plan), known before the run: what an earlier report must share to stand beside it (--before, markdown.ts beforeProblem). */
export type RunIdentity = Pick<EvalReport, 'modelVersion' | 'decision' | 'windows' | 'plan'>;

export function runIdentity(o: Pick<EvalOptions, 'decision' | 'windows' | 'plan'>, modelVersion: string): RunIdentity {
  return { modelVersion, decision: { name: o.decision.name, description: o.decision.description }, windows: o.windows, plan: o.plan };
}

export async function runEval(o: EvalOptions): Promise<EvalRun> {
  const modelVersion = readModelVersion();
  const specs = plantDaySpecs(o.plan);
  // the baselines grow from the evaluated decision's alarms, as they would were it the product's (a day it alarms is not a healthy day of the baseline)
  const { records, batch, cached, predictions } = await collectAll({ ...o, baselineVerdict: decisionBaselineVerdict(o.decision) }, modelVersion);
  const outcomes: Outcome[] = [];
  // per counted device-day scored otherwise than by the batch: how its alarm stands to the batch's
  const agreement: Agreement[] = [];
  const conditionDays: PlantConditionDay[] = [];
  // the counted plant-days, for what each fault (plants without a condition) and each condition (the default design's plants) left in the model's inputs (signals.ts)
  const signalDays: (SignalDay & { condition: boolean })[] = [];
  // a device's earlier days in its plant's run (reset at each plant's first day)
  let history = new Map<string, DeviceDayEvidence[]>();
  // the decision's alarm on each device's previous day of the run, and that day's outcome
  let previous = new Map<string, Alarm | null>();
  let previousOutcome = new Map<string, Outcome>();
  specs.forEach((spec, i) => {
    if (spec.day === 0) {
      history = new Map();
      previous = new Map();
      previousOutcome = new Map();
    }
    const day = records[i]!.map((stored) => (o.windows === 'truth' ? withTruthWindows(stored) : stored));
    const plant = plantContextOf(day.map((r) => r.evidence));
    // the batch's day, which the next day's carry and the history follow (the stream reads the batch's tables)
    const batchDay = batch[i] === records[i] ? day : batch[i]!;
    const batchPlant = batchDay === day ? plant : plantContextOf(batchDay.map((r) => r.evidence));
    if (spec.scored) signalDays.push({ group: groupOf(spec) ?? 'default', perUnit: perUnitOfSpec(spec), records: day, condition: !!spec.condition });
    if (spec.scored) conditionDays.push({ plantDay: plantDayKey(spec), condition: spec.condition?.kind ?? null, reported: plant.conditions.map(({ kind, startMs, endMs, windows, currentRatio, voltageRatio }) => ({ kind, startMs, endMs, windows, currentRatio, voltageRatio })) });
    day.forEach((record, d) => {
      const id = record.evidence.deviceId;
      const batchRecord = batchDay[d]!;
      if (batchRecord.evidence.deviceId !== id) throw new Error(`${plantDayKey(spec)}: device ${d} is ${id} in one scoring and ${batchRecord.evidence.deviceId} in the batch's`);
      const before = history.get(id) ?? [];
      const carried = previous.get(id) ?? null;
      const design = designOfSpec(spec);
      const batchDecided = o.decision.decide(batchRecord.evidence, before, batchPlant, carried, design);
      const batchAlarm = batchDecided.alarm;
      const decided = batchDay === day ? batchDecided : o.decision.decide(record.evidence, before, plant, carried, design);
      const alarm = decided.alarm;
      previous.set(id, batchAlarm);
      if (alarm) checkAlarm(alarm, o.decision.name, id);
      // every day's outcome, the warm-up days' too: a shadow's is read by the next day's (shadowDayBefore)
      // a design plant's and a twin's device-days are grouped by name, apart from the plan's
      const group = groupOf(spec);
      const outcome: Outcome = group ? { ...outcomeOf(record, alarm, design), design: group } : outcomeOf(record, alarm);
      if (outcome.fault === 'partial_shading') {
        outcome.shadowDayBefore = shadowDayBefore(previousOutcome.get(id));
        outcome.shadowEvidence = decided.peaks?.partial_shading ?? null;
      }
      previousOutcome.set(id, outcome);
      if (spec.scored) {
        outcomes.push(outcome);
        if (batchDay !== day) agreement.push(agreementOf(alarm, batchAlarm));
      }
      history.set(id, [...before, batchRecord.evidence]);
    });
  });
  const report: EvalReport = {
    ...runIdentity(o, modelVersion),
    scoring: o.scoring ?? 'batch',
    plantDays: specs.filter((s) => s.scored).map(plantDayKey),
    ...summarize(outcomes, o.intervals === false ? 0 : RESAMPLES),
    outcomes,
    // the plants of a condition are left out (snow or soiling moves the ratio far more than a leak: it is what the plant gate is for), and the design plants and their twins
    baseline: baselineFit(records.filter((_, i) => specs[i]!.scored && !specs[i]!.condition && !groupOf(specs[i]!))),
    plantConditions: conditionDays,
    signals: signalTables(signalDays.filter((d) => !d.condition)),
    healthyByCondition: healthyByCondition(signalDays.filter((d) => d.group === 'default')),
    ...(agreement.length ? { againstBatch: agreementSummary(agreement) } : {}),
  };
  return { report, cached, computed: predictions - cached };
}

/**
 * npm run eval — the detector as users see it, per device-day, on held-out plant-days:
 *   npm run eval                                    6 plants (2026, every two months) × 3 counted days after 4 warm-up days × 400 devices, the product's decision
 *   npm run eval -- --devices 100 --dates 2026-06-15 --skies clear --no-docs
 *   npm run eval -- --windows truth                 the decision fed a perfect window classifier (its ceiling)
 *   npm run eval -- --scoring end-hold              the counted days' windows scored the moment each ends, as a stream would
 *   npm run eval -- --decision alarms-one-stage --no-docs  the product's decision without its second stage (a blocked string raised only once the day's decision names it)
 *   npm run eval -- --decision alarms-no-design-groups --no-docs  the product's decision keeping line_line where a short of one module blocks its string (before 2026-12-06)
 *   npm run eval -- --conditions none               without the plants of conditions that are not faults (frost, snow, …: one plant each by default, 3 counted days: --condition-days)
 * Prints the tables, writes out/eval/report-<model>-<decision>.json and the model
 * card's device-day section. Simulated and predicted plant-days are cached under
 * out/eval/cache/, so another decision or metric re-reads them in seconds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isValidDate } from '../../contracts';
import { DEFAULT_DESIGN_NAME, DESIGN_NAMES } from '../../contracts/design';
import { WINDOW_SCORINGS, type WindowScoring } from '../../local/jobs/devicePredictor';
import { PredictPool } from '../../local/jobs/predictPool';
import { intFlag, runCommand, UsageError } from '../commandLine';
import { modelCardPath, writeEvalSection } from '../model/cardSection';
import { readModelVersion } from '../model/manifest';
import { parseFaultMix } from '../simulator/cli';
import { CONDITION_KINDS, type ConditionKind } from '../simulator/conditions';
import { DEFAULT_FAULT_MIX } from '../simulator/plant';
import { SKY_TYPES, type SkyType } from '../simulator/weather';
import { DECISIONS, PRODUCT_DECISION } from './decisions';
import { runEval, runIdentity, type EvalOptions, type WindowSource } from './evaluate';
import { beforeAfterTables, beforeProblem, cardSection, ceilingLine, reportTables, runLine } from './markdown';
import { readReport } from './reportFile';
import { DEFAULT_EVAL_CONDITIONS, DEFAULT_EVAL_DATES, DEFAULT_EVAL_SKIES, EVAL_SEED_BASE, planPlants, seedRangeProblem, type EvalPlan } from './plantDays';

const USAGE = `usage: npm run eval -- [--devices N] [--dates YYYY-MM-DD,...] [--skies clear,broken,mostly_cloudy,overcast] [--days N] [--warmup N]
                       [--seed N] [--fault-mix normal=70,arc_fault=6,...] [--decision ${Object.keys(DECISIONS).join('|')}]
                       [--conditions ${CONDITION_KINDS.join(',')}|none] [--condition-days N] [--designs NAME,...|none] [--windows model|truth] [--scoring ${WINDOW_SCORINGS.join('|')}] [--workers N] [--out DIR] [--fresh] [--no-docs]
                       [--before out/eval/report-<earlier model>-<decision>.json (an earlier model on the same flags: before/after tables)]`;

const WINDOW_SOURCES: readonly WindowSource[] = ['model', 'truth'];

function list(name: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`--${name}: ${JSON.stringify(text)} has an empty item; give a comma-separated list`);
  return items;
}

/** --dates (plants' first days, each once) and --skies, as the evaluation and the calibration take them. */
export function plantDaysFlags(values: { dates?: string; skies?: string }): { dates: string[]; skies: SkyType[] } {
  const dates = list('dates', values.dates!);
  for (const d of dates) if (!isValidDate(d)) throw new UsageError(`--dates: ${JSON.stringify(d)} is not a calendar date in YYYY-MM-DD form`);
  if (new Set(dates).size !== dates.length) throw new UsageError(`--dates: ${values.dates} names a date twice; each plant needs its own first day`);
  const skies = list('skies', values.skies!);
  for (const s of skies) if (!SKY_TYPES.includes(s as SkyType)) throw new UsageError(`--skies: expected ${SKY_TYPES.join(', ')}, got ${JSON.stringify(s)}`);
  return { dates, skies: skies as SkyType[] };
}

function warmupFlag(text: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) > 366) throw new UsageError(`--warmup: ${JSON.stringify(text)} must be an integer in 0..366`);
  return Number(text);
}

/** --conditions: kinds, each once, or none. */
export function conditionsFlag(text: string): ConditionKind[] {
  if (text === 'none') return [];
  const kinds = list('conditions', text);
  for (const k of kinds) if (!CONDITION_KINDS.includes(k as ConditionKind)) throw new UsageError(`--conditions: unknown condition ${JSON.stringify(k)} (conditions: ${CONDITION_KINDS.join(', ')}, or none)`);
  if (new Set(kinds).size !== kinds.length) throw new UsageError(`--conditions: ${text} names a condition twice`);
  return kinds as ConditionKind[];
}

/** The held-out designs a default evaluation runs: every named design of contracts/designs.json but the default (its plants are the plan's own). */
export const HELD_OUT_DESIGNS: readonly string[] = DESIGN_NAMES.filter((d) => d !== DEFAULT_DESIGN_NAME);

/**
 * --designs: named designs of contracts/designs.json, each once, or none. By default
 * HELD_OUT_DESIGNS: one plant of each, which issue 20's goal judges (within 2 points
 * of the default design), its twin of the default design on the same plant-days and its
 * layout twin (its layout of the default design's module, plantDays.ts). Not the default
 * design: its plants are the plan's own.
 */
export function designsFlag(text: string): string[] {
  if (text === 'none') return [];
  const names = list('designs', text);
  for (const n of names) {
    if (!DESIGN_NAMES.includes(n)) throw new UsageError(`--designs: unknown design ${JSON.stringify(n)} (contracts/designs.json: ${DESIGN_NAMES.filter((d) => d !== DEFAULT_DESIGN_NAME).join(', ')}, or none)`);
    if (n === DEFAULT_DESIGN_NAME) throw new UsageError(`--designs: ${n} is the default design, which the plan's plants already have`);
  }
  if (new Set(names).size !== names.length) throw new UsageError(`--designs: ${text} names a design twice`);
  return names;
}

/**
 * Counted days of each condition plant: a budget of 0.5 % is ~1.4 false alarms on one
 * plant-day of ~280 healthy arrays, so one day cannot tell a condition's share from
 * chance; three give each condition ~850 healthy device-days.
 */
export const DEFAULT_CONDITION_DAYS = 3;

/** Days each plant runs before its counted ones, so that most of its arrays have their own baseline (a plant in operation). */
export const DEFAULT_WARMUP_DAYS = 4;

export function parseEvalArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      devices: { type: 'string', default: '400' },
      dates: { type: 'string', default: DEFAULT_EVAL_DATES.join(',') },
      skies: { type: 'string', default: DEFAULT_EVAL_SKIES.join(',') },
      days: { type: 'string', default: '3' },
      warmup: { type: 'string', default: String(DEFAULT_WARMUP_DAYS) },
      seed: { type: 'string', default: String(EVAL_SEED_BASE) },
      'fault-mix': { type: 'string' },
      conditions: { type: 'string', default: DEFAULT_EVAL_CONDITIONS.join(',') },
      'condition-days': { type: 'string', default: String(DEFAULT_CONDITION_DAYS) },
      designs: { type: 'string', default: HELD_OUT_DESIGNS.join(',') },
      decision: { type: 'string', default: PRODUCT_DECISION },
      windows: { type: 'string', default: 'model' },
      scoring: { type: 'string', default: 'batch' },
      workers: { type: 'string', default: '2' },
      out: { type: 'string', default: join('out', 'eval') },
      fresh: { type: 'boolean', default: false },
      'no-docs': { type: 'boolean', default: false },
      before: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const { dates, skies } = plantDaysFlags(values);
  const conditions = conditionsFlag(values.conditions!);
  const designs = designsFlag(values.designs!);
  const plants = planPlants({ firstDates: dates, conditions, designs });
  const seedBase = intFlag('seed', values.seed!, 2 ** 31 - 1 - plants);
  const seedProblem = seedRangeProblem(seedBase, plants);
  if (seedProblem) throw new UsageError(`--seed: ${seedProblem}`);
  const decision = DECISIONS[values.decision!];
  if (!decision) throw new UsageError(`--decision: expected ${Object.keys(DECISIONS).join(', ')}, got ${JSON.stringify(values.decision)}`);
  if (!WINDOW_SOURCES.includes(values.windows as WindowSource)) throw new UsageError(`--windows: expected ${WINDOW_SOURCES.join(' or ')}, got ${JSON.stringify(values.windows)}`);
  if (!WINDOW_SCORINGS.includes(values.scoring as WindowScoring)) throw new UsageError(`--scoring: expected ${WINDOW_SCORINGS.join(', ')}, got ${JSON.stringify(values.scoring)}`);
  if (values.scoring !== 'batch' && values.windows === 'truth') throw new UsageError('--scoring: a perfect window classifier (--windows truth) reads no scalogram; leave --scoring out');
  const plan: EvalPlan = {
    firstDates: dates,
    skies,
    days: intFlag('days', values.days!, 366),
    warmupDays: warmupFlag(values.warmup!),
    devices: intFlag('devices', values.devices!, 100_000),
    seedBase,
    faultMix: values['fault-mix'] ? parseFaultMix(values['fault-mix']) : DEFAULT_FAULT_MIX,
    conditions,
    conditionDays: intFlag('condition-days', values['condition-days']!, 366),
    ...(designs.length ? { designs } : {}),
  };
  return {
    help: values.help!,
    plan,
    decision,
    windows: values.windows as WindowSource,
    scoring: values.scoring as WindowScoring,
    workers: intFlag('workers', values.workers!, 64),
    out: values.out!,
    fresh: values.fresh!,
    before: values.before,
    // the ceiling run (--windows truth) and the stream's scoring are not the daily product: they never replace the card's figures
    docs: !values['no-docs'] && values.windows === 'model' && values.scoring === 'batch',
  };
}

/** The report's file: one per model, decision and window source. */
export function reportPath(out: string, r: { modelVersion: string; decision: { name: string }; windows: WindowSource; scoring?: WindowScoring }): string {
  return join(out, `report-${r.modelVersion}-${r.decision.name}${r.windows === 'truth' ? '-truth-windows' : ''}${r.scoring && r.scoring !== 'batch' ? `-scored-${r.scoring}` : ''}.json`);
}

async function main(): Promise<void> {
  const args = parseEvalArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const options: EvalOptions = { ...args, startPool: () => PredictPool.start(args.workers, { uncalibrated: true }), progress: true, log: (l) => console.log(l) };
  // an earlier model's report to stand beside this one: read and matched before the long run, so that a wrong one fails at once
  const before = args.before === undefined ? undefined : readReport(args.before);
  if (before) {
    const problem = beforeProblem(before, runIdentity(args, readModelVersion()));
    if (problem) throw new UsageError(`--before ${args.before}: ${problem}; run the earlier model with the same flags`);
  }
  const { report } = await runEval(options);
  console.log(`\n${runLine(report)}\n`);
  console.log(reportTables(report).join('\n'));
  mkdirSync(args.out, { recursive: true });
  const path = reportPath(args.out, report);
  writeFileSync(path, `${JSON.stringify(report, null, 1)}\n`);
  console.log(`\nReport: ${path}`);
  // the decision's ceiling on the same records: read back from the cache, no model needed
  const ceiling = args.windows === 'model' && args.scoring === 'batch' ? (await runEval({ ...options, windows: 'truth', fresh: false, intervals: false, log: () => undefined, startPool: () => Promise.reject(new Error('the plant-days just evaluated are not in the cache')) })).report : undefined;
  if (ceiling) console.log(`\n${ceilingLine(ceiling)}`);
  if (before) console.log(`\n${beforeAfterTables(before, report).join('\n')}`);
  if (args.docs) {
    writeEvalSection(cardSection(report, ceiling, before));
    console.log(`Model card: ${modelCardPath()} (its device-day section)`);
  }
}

if (require.main === module) runCommand(main, USAGE);

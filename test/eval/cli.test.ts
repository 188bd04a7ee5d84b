/** npm run eval's flags: defaults, and every bad value refused with a message naming it. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseEvalArgs } from '../../detector/eval/cli';
import { readReport } from '../../detector/eval/reportFile';
import { runIdentity } from '../../detector/eval/evaluate';
import { readModelVersion } from '../../detector/model/manifest';
import { DEFAULT_EVAL_DATES, plantDaySpecs, seedRangeProblem } from '../../detector/eval/plantDays';
import { REPO_ROOT } from '../helpers/stackFiles';

/** `npm run eval` itself, in a child process; the timeout stops a run that a refusal should have prevented. */
const runCli = (args: string[]) => spawnSync(process.execPath, ['-r', '@swc-node/register', join(REPO_ROOT, 'detector', 'eval', 'cli.ts'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });

describe('npm run eval flags', () => {
  it('defaults to six held-out plants of 2026, three counted days each after four warm-up days, 400 devices, every sky, seeds above training, the product decision', () => {
    const a = parseEvalArgs([]);
    expect(a.plan).toMatchObject({ firstDates: DEFAULT_EVAL_DATES, days: 3, warmupDays: 4, devices: 400, seedBase: 5000 });
    expect(a.decision.name).toBe('alarms');
    expect([a.windows, a.workers, a.docs, a.fresh]).toEqual(['model', 2, true, false]);
    const specs = plantDaySpecs(a.plan);
    const counted = specs.filter((s) => s.scored);
    expect(specs.filter((s) => s.day === 4 && !s.condition && !s.design && !s.twinOf && !s.layoutTwinOf).map((s) => [s.date, s.scored])).toEqual(['2026-02-15', '2026-04-15', '2026-06-15', '2026-08-15', '2026-10-15', '2026-12-15'].map((d) => [d, true]));
    expect(specs.filter((s) => s.day === 0 && !s.condition && !s.design && !s.twinOf && !s.layoutTwinOf).map((s) => [s.date, s.scored])).toEqual(['2026-02-11', '2026-04-11', '2026-06-11', '2026-08-11', '2026-10-11', '2026-12-11'].map((d) => [d, false]));
    // and one plant per condition that is not a fault: its warm-up days, then three counted days; and one per held-out design, as a plan plant
    expect(a.plan.designs).toEqual(['cdte-4x4-fs-6385', 'poly-16x2-cs6p-250p']);
    // each held-out design's plant, its twin (the default design on the same plant-days) and its layout twin (its layout of the default module)
    expect(specs).toHaveLength(42 + 7 * 7 + 2 * 3 * 7);
    expect(counted).toHaveLength(18 + 7 * 3 + 2 * 3 * 3);
    expect(new Set(counted.map((s) => s.sky))).toEqual(new Set(['clear', 'broken', 'mostly_cloudy', 'overcast']));
    expect(specs.find((s) => s.date === '2026-06-15')!.sky).toBe('clear');
    expect(new Set(specs.map((s) => s.seed)).size).toBe(15);
    expect(Math.min(...specs.filter((s) => s.condition).map((s) => s.seed))).toBe(5006);
  });

  it('adds a plant per condition that is not a fault: warm-up days without it, the counted day with it forced (soiling: building up over the days)', () => {
    const specs = plantDaySpecs(parseEvalArgs(['--dates', '2026-02-27', '--days', '1', '--warmup', '2', '--conditions', 'snow,soiling', '--condition-days', '1', '--designs', 'none']).plan);
    expect(specs.map((s) => [s.plant, s.date, s.scored, s.seed, s.condition?.kind, s.condition?.config.force])).toEqual([
      [0, '2026-02-25', false, 5000, undefined, undefined],
      [0, '2026-02-26', false, 5000, undefined, undefined],
      [0, '2026-02-27', true, 5000, undefined, undefined],
      [1, '2026-01-25', false, 5001, 'snow', []],
      [1, '2026-01-26', false, 5001, 'snow', []],
      [1, '2026-01-27', true, 5001, 'snow', ['snow']],
      [2, '2026-07-18', false, 5002, 'soiling', []],
      [2, '2026-07-19', false, 5002, 'soiling', []],
      [2, '2026-07-20', true, 5002, 'soiling', []],
    ]);
    expect(specs.find((s) => s.scored && s.condition?.kind === 'snow')!.sky).toBe('overcast');
    expect(specs.filter((s) => s.condition?.kind === 'soiling').every((s) => s.condition!.config.rates.soilingPerDay[1] > 0)).toBe(true);
    expect(() => parseEvalArgs(['--conditions', 'hail'])).toThrow('--conditions: unknown condition "hail"');
    expect(parseEvalArgs(['--conditions', 'none']).plan.conditions).toEqual([]);
  });

  it('counts --condition-days days of each condition plant (default 3), forced on each; soiling and standby cycling the skies, the others on the sky they need', () => {
    const specs = plantDaySpecs(parseEvalArgs(['--dates', '2026-02-27', '--days', '1', '--warmup', '1', '--conditions', 'frost,soiling']).plan);
    expect(specs.filter((s) => s.condition).map((s) => [s.date, s.scored, s.sky, s.condition?.kind, s.condition?.config.force])).toEqual([
      ['2026-01-19', false, 'broken', 'frost', []],
      ['2026-01-20', true, 'clear', 'frost', ['frost']],
      ['2026-01-21', true, 'clear', 'frost', ['frost']],
      ['2026-01-22', true, 'clear', 'frost', ['frost']],
      ['2026-07-19', false, 'broken', 'soiling', []],
      ['2026-07-20', true, 'broken', 'soiling', []],
      ['2026-07-21', true, 'clear', 'soiling', []],
      ['2026-07-22', true, 'overcast', 'soiling', []],
    ]);
    expect(() => parseEvalArgs(['--condition-days', '0'])).toThrow('--condition-days');
  });

  it('makes a plant a run of consecutive days, the warm-up ones first, the skies cycling over its days', () => {
    const specs = plantDaySpecs({ ...parseEvalArgs(['--dates', '2026-02-27', '--days', '3', '--warmup', '2', '--skies', 'clear,overcast', '--conditions', 'none', '--designs', 'none']).plan });
    expect(specs.map((s) => [s.date, s.day, s.scored, s.sky, s.seed])).toEqual([
      ['2026-02-25', 0, false, 'clear', 5000],
      ['2026-02-26', 1, false, 'overcast', 5000],
      ['2026-02-27', 2, true, 'clear', 5000],
      ['2026-02-28', 3, true, 'overcast', 5000],
      ['2026-03-01', 4, true, 'clear', 5000],
    ]);
    expect(plantDaySpecs(parseEvalArgs(['--dates', '2026-02-27', '--days', '2', '--warmup', '0', '--conditions', 'none', '--designs', 'none']).plan).map((s) => [s.date, s.scored])).toEqual([
      ['2026-02-27', true],
      ['2026-02-28', true],
    ]);
  });

  it('never writes the card from the ceiling run', () => {
    expect(parseEvalArgs(['--windows', 'truth']).docs).toBe(false);
    expect(parseEvalArgs(['--no-docs']).docs).toBe(false);
    // nor from the stream's scoring: the card's figures are the daily product's
    expect(parseEvalArgs(['--scoring', 'end-reflect']).docs).toBe(false);
    expect(parseEvalArgs([]).scoring).toBe('batch');
  });

  it.each([
    [['--devices', '0'], '--devices: "0" must be an integer in 1..100,000'],
    [['--days', 'two'], '--days: "two" must be an integer in 1..366'],
    [['--warmup', '1.5'], '--warmup: "1.5" must be an integer in 0..366'],
    [['--dates', '2026-02-30'], '--dates: "2026-02-30" is not a calendar date'],
    [['--dates', '2026-02-01,,2026-03-01'], '--dates: "2026-02-01,,2026-03-01" has an empty item'],
    [['--dates', '2026-02-01,2026-02-01'], 'names a date twice'],
    [['--skies', 'clear,foggy'], '--skies: expected clear, broken, mostly_cloudy, overcast, got "foggy"'],
    [['--seed', '3000'], '--seed: seeds 3000..3014 overlap the seeds training uses (below 4000'],
    [['--decision', 'vote'], '--decision: expected alarms, verdict, alarms-one-stage, alarms-no-recurrence, alarms-no-design-groups, got "vote"'],
    [['--windows', 'oracle'], '--windows: expected model or truth, got "oracle"'],
    [['--workers', '0'], '--workers: "0" must be an integer in 1..64'],
    [['--scoring', 'end-mirror'], '--scoring: expected batch, end-zero, end-hold, end-reflect, got "end-mirror"'],
    [['--scoring', 'end-hold', '--windows', 'truth'], '--scoring: a perfect window classifier (--windows truth) reads no scalogram'],
    [['--fault-mix', 'normal=1,ground=2'], '--fault-mix: unknown class "ground"'],
  ])('rejects %j', (args, message) => {
    expect(() => parseEvalArgs(args)).toThrow(message);
  });

  it('takes an earlier model\'s report to set beside this run (--before), refusing a file that is none with its path', () => {
    expect(parseEvalArgs(['--before', 'out/eval/report-old-alarms.json']).before).toBe('out/eval/report-old-alarms.json');
    expect(parseEvalArgs([]).before).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'eval-before-'));
    expect(() => readReport(join(dir, 'missing.json'))).toThrow(`--before ${join(dir, 'missing.json')}: cannot read it`);
    writeFileSync(join(dir, 'bad.json'), '{"plan": 1');
    expect(() => readReport(join(dir, 'bad.json'))).toThrow('not a report of npm run eval');
    writeFileSync(join(dir, 'other.json'), '{"rows": []}');
    expect(() => readReport(join(dir, 'other.json'))).toThrow('not a report of npm run eval (not an eval report)');
  });

  it('refuses a --before that cannot stand beside the run before simulating anything (the run would take minutes to hours)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-before-'));
    const args = parseEvalArgs(['--no-docs', '--out', dir]);
    // what this run's report will say it measured: the committed model under the same flags
    const own = { ...runIdentity(args, readModelVersion()), goals: [] };
    writeFileSync(join(dir, 'own.json'), JSON.stringify(own));
    const run = runCli(['--no-docs', '--out', dir, '--before', join(dir, 'own.json')]);
    expect(run.stderr).toContain(`--before ${join(dir, 'own.json')}: it is this model's own report (${own.modelVersion}) with the same decision`);
    expect(run.status).toBe(2);
    expect(run.stdout).not.toContain('simulate + predict');
    expect(readdirSync(dir)).toEqual(['own.json']);
  }, 90_000);

  it('holds seeds out from 4000', () => {
    expect(seedRangeProblem(3999, 1)).toMatch(/overlap/);
    expect(seedRangeProblem(4000, 6)).toBeNull();
  });

  it('exits 2 with the usage on a bad flag', () => {
    const bad = runCli(['--devices', 'many']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--devices: "many" must be an integer');
    expect(bad.stderr).toContain('usage: npm run eval');
    expect(runCli(['--bogus']).status).toBe(2);
  });
});

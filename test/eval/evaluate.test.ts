/**
 * npm run eval end to end on a tiny plan (2 plant-days × 6 devices, the real model in
 * a predict worker): the report's structure and identities (counts add up), the cache,
 * and decisions that break the alarm contract. Never the model's quality.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_CLASSES } from '../../contracts';
import type { Decision } from '../../detector/eval/decision';
import { runEval, type EvalOptions, type EvalReport } from '../../detector/eval/evaluate';
import { beforeAfterTables, beforeProblem, cardSection, ceilingLine, reportTables } from '../../detector/eval/markdown';
import { verdictDecision } from '../../detector/eval/verdictDecision';
import { PredictPool } from '../../local/jobs/predictPool';

const out = mkdtempSync(join(tmpdir(), 'eval-'));
let pools = 0;
const options: EvalOptions = {
  plan: { firstDates: ['2026-06-15', '2026-12-15'], skies: ['clear', 'overcast'], days: 1, warmupDays: 1, devices: 6, seedBase: 5000, faultMix: { normal: 2, arc_fault: 1, open_circuit: 1, partial_shading: 1 } },
  decision: verdictDecision,
  windows: 'model',
  out,
  fresh: false,
  startPool: () => {
    pools++;
    return PredictPool.start(1);
  },
  progress: false,
  log: () => undefined,
};
const noPool = () => Promise.reject(new Error('the cache should have served every plant-day'));
let first: EvalReport;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function expectIdentities(r: EvalReport): void {
  const c = r.counts;
  expect(r.outcomes).toHaveLength(12);
  expect(c.deviceDays).toBe(12);
  expect(c.healthy + c.faulty).toBe(c.deviceDays);
  expect(c.visible + c.notVisible).toBe(c.faulty);
  expect(r.notVisible.faulty).toBe(c.notVisible);
  expect(r.falseAlarms.overall.healthy).toBe(c.healthy);
  expect(sum(Object.values(r.falseAlarms.bySky).map((f) => f.healthy))).toBe(c.healthy);
  expect(sum(Object.values(r.falseAlarms.byPlantDay).map((f) => f.alarmed))).toBe(r.falseAlarms.overall.alarmed);
  expect(sum(Object.values(r.falseAlarms.overall.byLabel))).toBe(r.falseAlarms.overall.alarmed);
  for (const cut of [r.faults.byClass, r.faults.bySeverity, r.faults.bySky]) {
    expect(sum(Object.values(cut).map((x) => x.visible))).toBe(c.visible);
    expect(sum(Object.values(cut).map((x) => x.named))).toBe(r.faults.overall.named);
  }
  for (const [fault, row] of Object.entries(r.calledAs)) expect(sum(Object.values(row))).toBe(r.faults.byClass[fault]!.visible);
  expect(r.faults.overall.ownClass).toBeLessThanOrEqual(r.faults.overall.named);
  expect(r.outcomes.filter((o) => o.named).every((o) => o.delayMin !== null && o.delayMin >= 0)).toBe(true);
  expect(r.goals).toHaveLength(8);
  for (const g of r.goals) expect(g.pass === null ? g.measured === null : typeof g.pass === 'boolean').toBe(true);
}

describe('npm run eval, end to end', () => {
  it('simulates and predicts every plant-day once and reports device-days whose counts add up', async () => {
    const run = await runEval(options);
    first = run.report;
    // a warm-up day before each counted one: run (its alarms build the baselines), not counted
    expect([run.computed, run.cached, pools]).toEqual([4, 0, 1]);
    expect(first.plantDays).toEqual(['2026-06-15 clear (plant 1, day 2)', '2026-12-15 overcast (plant 2, day 2)']);
    expect(first.outcomes.map((o) => o.sky)).toEqual([...Array(6).fill('clear'), ...Array(6).fill('overcast')]);
    expect(first.outcomes.every((o) => FAULT_CLASSES.includes(o.fault))).toBe(true);
    // the tiny plan has both kinds of device-day, so the identities below are not vacuous
    expect(first.counts.healthy).toBeGreaterThan(0);
    expect(first.counts.visible).toBeGreaterThan(0);
    expectIdentities(first);
    const section = cardSection(first);
    expect(section).toMatch(/^<!-- eval:start -->\n## Device-days/);
    expect(section).toContain(reportTables(first).join('\n'));
  }, 240_000);

  it('reads the plant-days back from the cache, the same to the last bit, unless told to start fresh', async () => {
    const again = await runEval({ ...options, startPool: noPool });
    expect([again.computed, again.cached]).toEqual([0, 4]);
    expect(again.report).toEqual(first);
    await expect(runEval({ ...options, fresh: true, startPool: noPool })).rejects.toThrow('the cache should have served every plant-day');
  });

  it('feeds the decision a perfect window classifier on request: no healthy device-day can then be alarmed', async () => {
    const ceiling = (await runEval({ ...options, windows: 'truth', startPool: noPool })).report;
    expectIdentities(ceiling);
    expect(ceiling.falseAlarms.overall.alarmed).toBe(0);
    expect(cardSection(first, ceiling)).toContain(ceilingLine(ceiling));
  });

  it('sets an earlier model beside this one only on the same plan, decision and windows (--before)', async () => {
    const truth = (await runEval({ ...options, windows: 'truth', startPool: noPool })).report;
    // an earlier model: the same run under another version
    const earlier: EvalReport = { ...first, modelVersion: 'lenet5c-earlier' };
    expect(beforeProblem(earlier, first)).toBeNull();
    // the held-out design plants may differ (they come last, and the tables leave them out); any other plant may not
    expect(beforeProblem({ ...earlier, plan: { ...earlier.plan, designs: ['cdte-4x4-fs-6385'] } }, first)).toBeNull();
    expect(beforeProblem({ ...earlier, plan: { ...earlier.plan, devices: earlier.plan.devices + 1 } }, first)).toMatch(/its plan/);
    const tables = beforeAfterTables(earlier, first);
    expect(tables[0]).toContain('the product as it was — model lenet5c-earlier, its calibrated thresholds, the verdict decision as above — against the product now');
    // every goal row carries both models' figures, here equal, so their difference is 0 on every resample (a share's) or has nothing to measure
    for (const g of first.goals) expect(tables.some((l) => l.startsWith(`| ${g.goal} |`) && (l.endsWith('| 0.0 to 0.0 points |') || l.endsWith('| 0.0 to 0.0 min |') || l.endsWith('| – |')))).toBe(true);
    expect(cardSection(first, undefined, earlier)).toContain(tables.join('\n'));
    expect(beforeProblem(first, first)).toMatch(/this model's own report .* with the same decision/);
    // the same model under the product's decision as it was (its description) is a before
    expect(beforeProblem({ ...first, decision: { ...first.decision, description: 'as it was' } }, first)).toBeNull();
    expect([truth.windows, earlier.windows, first.windows]).toEqual(['truth', 'model', 'model']);
    expect(beforeProblem(earlier, truth)).toMatch(/its windows are model/);
    expect(beforeProblem({ ...earlier, plan: { ...earlier.plan, devices: earlier.plan.devices + 1 } }, first)).toMatch(/its plan .* differs/);
    expect(beforeProblem({ ...earlier, decision: { ...earlier.decision, name: 'other' } }, first)).toMatch(/its decision is other/);
  });

  it('scores the counted days again as a stream would (--scoring), the baselines and carry still the batch\'s, and sets their alarms beside the batch\'s', async () => {
    const run = await runEval({ ...options, scoring: 'end-reflect' });
    // the warm-up days and the batch's counted days come from the cache; the counted days are predicted again
    expect([run.computed, run.cached]).toEqual([2, 4]);
    const r = run.report;
    expect(r.scoring).toBe('end-reflect');
    expectIdentities(r);
    const a = r.againstBatch!;
    expect(a.deviceDays).toBe(12);
    expect(sum(Object.values(a.kinds))).toBe(12);
    expect(a.kinds.neither).toBe(r.outcomes.filter((o) => o.alarm === null).length - a.kinds['only-batch']);
    expect(first.againstBatch).toBeUndefined();
    expect(reportTables(r).join('\n')).toContain('Alarms scored end-reflect against the batch\'s on the same 12 counted device-days');
    // the same scoring again: all from the cache
    expect((await runEval({ ...options, scoring: 'end-reflect', startPool: noPool })).report).toEqual(r);
  }, 240_000);

  it('stops with a message naming the decision and the device when an alarm breaks the contract', async () => {
    const broken = (alarm: object): Decision => ({ name: 'broken', description: 'test', decide: () => ({ alarm: alarm as never }) });
    const base = { candidates: ['arc_fault'], onsetMs: 0, raisedMs: 1, confidence: 1 };
    await expect(runEval({ ...options, startPool: noPool, decision: broken({ ...base, label: 'ground' }) })).rejects.toThrow('decision broken, PV-000001: alarm label "ground" is neither a fault class');
    await expect(runEval({ ...options, startPool: noPool, decision: broken({ ...base, label: 'string_blocked' }) })).rejects.toThrow('alarm string_blocked must list candidates line_line, line_ground, open_circuit');
    await expect(runEval({ ...options, startPool: noPool, decision: broken({ ...base, label: 'arc_fault', raisedMs: NaN }) })).rejects.toThrow('alarm raisedMs NaN is not a finite number');
  });
});

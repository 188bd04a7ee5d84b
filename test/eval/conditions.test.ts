/** npm run eval's section on conditions that are not faults: which device-days count under a condition, their false alarms and named faults, the condition plants' simulation. */
import { FAULT_CLASSES, type FaultClass } from '../../contracts';
import type { Alarm, EvidenceWindow } from '../../detector/eval/decision';
import { conditionTables, plantConditionTable } from '../../detector/eval/markdown';
import type { EvalReport } from '../../detector/eval/evaluate';
import { outcomeOf } from '../../detector/eval/outcome';
import { plantDaySpecs, simulateEvalDay, type EvalPlan } from '../../detector/eval/plantDays';
import { conditionsIn, type DeviceDayRecord } from '../../detector/eval/records';
import { summarize } from '../../detector/eval/summary';
import type { ConditionKind } from '../../detector/simulator/conditions';

const W = 1_280_000;
const windows = (pattern: string): EvidenceWindow[] => [...pattern].map((c, i) => ({ startMs: i * W, endMs: (i + 1) * W, skipReason: c === '.' ? 'low_irradiance' : null }));

function record(fault: FaultClass, conditions: ConditionKind[]): DeviceDayRecord {
  const ws = windows('.oooo.');
  return {
    plantDay: 'p',
    evidence: { deviceId: 'PV-000001', date: '2026-01-20', windows: ws, probs: new Float32Array(4 * FAULT_CLASSES.length), baselineDays: 3, baselineGain: 1, ratio: 1 },
    truth: { fault, onsetMs: fault === 'normal' ? null : 0, severity: {}, severityGroup: 'persistent', intermittent: false, sky: 'clear', activeSlots: fault === 'normal' ? [0, 0, 0, 0, 0, 0] : [0, 64, 64, 64, 64, 0], conditions },
  };
}
const alarm = (label: string): Alarm => ({ label, candidates: [label as FaultClass], onsetMs: 0, raisedMs: 2 * W, confidence: 1 });

describe('conditions in the evaluation', () => {
  it('a device-day counts under a condition that acted in one of its windows (skipped ones too: standby acts in low light), each kind once', () => {
    const ws = windows('.oo.');
    expect(conditionsIn([{ kind: 'standby', startMs: 0, endMs: W / 2 }], ws)).toEqual(['standby']);
    expect(conditionsIn([{ kind: 'snow', startMs: 4 * W, endMs: 5 * W }], ws)).toEqual([]);
    expect(conditionsIn([{ kind: 'standby', startMs: 0, endMs: W + 1 }, { kind: 'standby', startMs: 3 * W - 5, endMs: 4 * W }, { kind: 'frost', startMs: W, endMs: 2 * W }], ws)).toEqual(['standby', 'frost']);
  });

  it('per condition: false alarms among its healthy device-days, faults named among its faulty ones, and a goal on all of them', () => {
    const outcomes = [
      outcomeOf(record('normal', ['snow']), null),
      outcomeOf(record('normal', ['snow', 'standby']), alarm('open_circuit')),
      outcomeOf(record('normal', []), alarm('arc_fault')),
      outcomeOf(record('open_circuit', ['snow']), alarm('open_circuit')),
      outcomeOf(record('arc_fault', ['frost']), null),
    ];
    const s = summarize(outcomes);
    expect(Object.keys(s.byCondition)).toEqual(['frost', 'snow', 'standby', 'any']);
    expect(s.byCondition.snow!.falseAlarms).toMatchObject({ healthy: 2, alarmed: 1, rate: 0.5, byLabel: { open_circuit: 1 } });
    expect(s.byCondition.snow!.faults).toMatchObject({ visible: 1, named: 1 });
    expect(s.byCondition.frost!.falseAlarms.healthy).toBe(0);
    expect(s.byCondition.frost!.faults).toMatchObject({ visible: 1, named: 0 });
    expect(s.byCondition.any!.falseAlarms).toMatchObject({ healthy: 2, alarmed: 1 });
    // the overall false-alarm row counts the healthy device-days without a condition; the per-plant-day table every one
    expect(s.falseAlarms.overall).toMatchObject({ healthy: 1, alarmed: 1 });
    expect(Object.values(s.falseAlarms.byPlantDay).reduce((n, r) => n + r.healthy, 0)).toBe(3);
    expect(s.counts).toMatchObject({ withCondition: s.counts.deviceDays - s.counts.healthy - s.counts.faulty });
    // and recall, like the goals, leaves out the faults under a condition (both faulty device-days here)
    expect([s.counts.withCondition, s.faults.overall.visible]).toEqual([4, 0]);
    const goal = s.goals.find((g) => g.goal.startsWith('false alarms on healthy device-days with a condition that is not a fault'))!;
    expect([goal.measured, goal.pass]).toEqual([0.5, false]);
    const lines = conditionTables({ ...s, byCondition: s.byCondition } as Parameters<typeof conditionTables>[0]);
    expect(lines.some((l) => l.startsWith('| snow | 2 | 1 | 50.0 % | open_circuit 1 | 1 | 100.0 % |'))).toBe(true);
  });

  it("a condition plant's counted day has its condition acting on every array, healthy ones labelled normal", () => {
    const plan: EvalPlan = { firstDates: [], skies: ['clear'], days: 1, warmupDays: 1, devices: 3, seedBase: 5000, faultMix: { normal: 1 }, conditions: ['frost', 'snow'] };
    const specs = plantDaySpecs(plan);
    expect(specs.map((s) => [s.seed, s.scored, s.condition!.kind])).toEqual([
      [5000, false, 'frost'],
      [5000, true, 'frost'],
      [5001, false, 'snow'],
      [5001, true, 'snow'],
    ]);
    for (const spec of specs) {
      const days = [...simulateEvalDay(spec).devices()];
      for (const d of days) {
        expect(d.truth.fault).toBe('normal');
        expect(d.truth.conditions.some((c) => c.kind === spec.condition!.kind)).toBe(spec.scored);
      }
    }
  });
});

describe('the plant gate\'s events in the card (plantConditionTable)', () => {
  const run = (kind: string, windows: number, currentRatio?: number | null, voltageRatio?: number | null) => ({ kind, startMs: 0, endMs: windows * W, windows, ...(currentRatio !== undefined ? { currentRatio, voltageRatio } : {}) });
  const report = (days: NonNullable<EvalReport['plantConditions']>) => ({ plantConditions: days }) as EvalReport;

  it('counts the slots reported as the condition\'s kind and shows what the longest run was told by', () => {
    const md = plantConditionTable(
      report([
        { plantDay: 'clipping day', condition: 'clipping', reported: [run('power_limit', 3, 0.864, 1.093), run('unknown', 1, 0.99, 1.01)] },
        { plantDay: 'soiled day', condition: 'soiling', reported: [run('unknown', 30, 1.232, 1.042)] },
        { plantDay: 'quiet day', condition: null, reported: [] },
        { plantDay: 'old report', condition: 'snow', reported: [run('snow', 2)] },
      ]),
    ).join('\n');
    // clipping's 3 of 4 and snow's 2 of 2; soiling's slots have no kind to count against
    expect(md).toContain('5 of 6 set-aside window slots (83.3 %)');
    expect(md).toContain('| clipping day | clipping | power_limit 3, unknown 1 | 3 of 4 | 0.86 / 1.09 |');
    // soiling has no kind to be reported as
    expect(md).toContain('| soiled day | soiling | unknown 30 | – | 1.23 / 1.04 |');
    // a report written before the readings were kept
    expect(md).toContain('| old report | snow | snow 2 | 2 of 2 | – |');
    expect(md).not.toContain('quiet day');
    expect(md).toContain('the 1 plant-days without a condition reported 0 set-aside window slots');
  });

  it('writes nothing for a report without the gate\'s events', () => {
    expect(plantConditionTable(report([]))).toEqual([]);
  });
});

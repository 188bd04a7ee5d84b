/**
 * What a plant event was (detector/plantConditions.ts, contracts/detector.json
 * alarms.plantGate.conditions), and its shared fixture
 * (test/fixtures/contracts/plant-condition-cases.json, replayed by
 * test/python/test_plant_conditions.py).
 */
import { readFileSync } from 'node:fs';
import { DETECTOR_CONTRACT } from '../../contracts';
import { PlantSlots } from '../../detector/alarms';
import { conditionKind, plantConditions } from '../../detector/plantConditions';
import { WINDOW_MS } from '../../detector/windows';
import { build, FIXTURE, REWRITE } from '../fixtures/contracts/plant-condition-cases';

const RULES = DETECTOR_CONTRACT.alarms.plantGate.conditions;

it('test/fixtures/contracts/plant-condition-cases.json is what detector/plantConditions.ts makes now', () => {
  const committed = JSON.stringify(JSON.parse(readFileSync(FIXTURE, 'utf8')));
  expect(committed === JSON.stringify(build()) ? 'current' : `stale: rewrite it with ${REWRITE}`).toBe('current');
});

it('the fixture names every kind, and runs of one slot and of many', () => {
  const conditions = build().cases.flatMap((c) => c.conditions);
  expect(new Set(conditions.map((c) => c.kind))).toEqual(new Set(RULES.kinds));
  expect(conditions.some((c) => c.windows === 1)).toBe(true);
  expect(conditions.some((c) => c.windows > 4)).toBe(true);
  // a day with two runs of the same kind, split by a slot too few devices predicted
  expect(build().cases.some((c) => c.conditions.length === 2 && c.conditions[0]!.kind === c.conditions[1]!.kind)).toBe(true);
});

describe('the rules, first that holds', () => {
  const f = { currentRatio: 0.8, voltageRatio: 1, temperature: 20, dawn: false, dusk: false, share: 0.2, hasReference: true };
  const up = RULES.powerLimitVoltageAbove + 0.005;
  it('a raised voltage with less current per irradiance: a power limit, or standby at the day edges', () => {
    expect(conditionKind({ ...f, voltageRatio: up })).toBe('power_limit');
    expect(conditionKind({ ...f, voltageRatio: up, dawn: true })).toBe('standby');
    expect(conditionKind({ ...f, voltageRatio: up, dusk: true })).toBe('standby');
    expect(conditionKind({ ...f, voltageRatio: RULES.powerLimitVoltageAbove - 0.005 })).toBe('unknown');
    // a raised voltage with as much current per irradiance as the reference or more is no limit (a plant soiled all day, at its noon)
    expect(conditionKind({ ...f, voltageRatio: up, currentRatio: RULES.powerLimitCurrentBelow })).toBe('unknown');
    expect(conditionKind({ ...f, voltageRatio: up, currentRatio: 1.23 })).toBe('unknown');
    expect(conditionKind({ ...f, voltageRatio: up, currentRatio: 1.23, dawn: true })).toBe('standby');
  });
  it('almost no current: standby wherever it is', () => {
    expect(conditionKind({ ...f, currentRatio: RULES.standbyCurrentBelow - 0.01 })).toBe('standby');
    expect(conditionKind({ ...f, currentRatio: RULES.standbyCurrentBelow })).toBe('unknown');
  });
  it('cold: snow when it is most of the day or all of it, frost in a morning, else unknown', () => {
    const cold = RULES.snowTemperatureBelow - 0.5;
    expect(conditionKind({ ...f, temperature: cold, share: RULES.snowShareAtLeast })).toBe('snow');
    expect(conditionKind({ ...f, temperature: cold, currentRatio: null, voltageRatio: null, hasReference: false, share: 1 })).toBe('snow');
    expect(conditionKind({ ...f, temperature: cold, dawn: true })).toBe('frost');
    expect(conditionKind({ ...f, temperature: cold })).toBe('unknown');
    expect(conditionKind({ ...f, temperature: RULES.frostTemperatureBelow, dawn: true })).toBe('dew');
    expect(conditionKind({ ...f, temperature: cold, dawn: true, dusk: true, share: 0.4 })).toBe('unknown');
  });
});

it('reads the window means PlantSlots summed: a run per consecutive event slots, each ending a window after its last start', () => {
  const slots = new PlantSlots();
  const starts = [0, 1, 2, 3, 4, 5].map((k) => k * WINDOW_MS);
  for (let d = 0; d < 25; d++) {
    const probs = new Float32Array(starts.length * 6);
    const means = new Float64Array(starts.length * 4);
    starts.forEach((_, k) => {
      const curtailed = k === 2 || k === 3;
      probs[k * 6] = curtailed ? 0.1 : 0.9;
      probs[k * 6 + 2] = curtailed ? 0.9 : 0.1;
      means.set([curtailed ? 290 : 262, curtailed ? 4 : 5.6, 30, 700], k * 4);
    });
    slots.add({ startMs: starts, endMs: starts.map((s) => s + WINDOW_MS), probs, means });
  }
  const events = slots.plantEvents();
  expect([...events]).toEqual([starts[2], starts[3]]);
  const [c, ...rest] = plantConditions(slots.slots, events);
  expect(rest).toEqual([]);
  expect(c).toMatchObject({ kind: 'power_limit', startMs: starts[2], endMs: starts[3]! + WINDOW_MS, windows: 2, devices: 25, temperature: 30 });
  expect(c!.currentRatio).toBeCloseTo(4 / 5.6, 12);
  expect(c!.voltageRatio).toBeCloseTo(290 / 262, 12);
  // windows without their means (gold of an older day) count in the gate, not in the sums
  const bare = new PlantSlots().add({ startMs: starts, endMs: starts, probs: new Float32Array(starts.length * 6) });
  expect(bare.slots.get(0)).toEqual({ devices: 1, offNormal: 1, measured: 0, sums: [0, 0, 0, 0] });
});

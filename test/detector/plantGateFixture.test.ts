/**
 * The plant gate's shared fixture (test/fixtures/contracts/plant-gate-cases.json): it is
 * what detector/alarms.ts and detector/gold.ts make now (test/python/test_plant_gate.py
 * replays it on the Spark side), and it covers the gate's edges.
 */
import { readFileSync } from 'node:fs';
import { DETECTOR_CONTRACT } from '../../contracts';
import { build, FIXTURE, REWRITE } from '../fixtures/contracts/plant-gate-cases';

const GATE = DETECTOR_CONTRACT.alarms.plantGate;

it('test/fixtures/contracts/plant-gate-cases.json is what detector/alarms.ts and detector/gold.ts make now', () => {
  const committed = JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown;
  const now = JSON.parse(JSON.stringify(build())) as unknown;
  // logarithms of V8 (the evidence) are the same on every machine that builds it: compared exactly
  expect(JSON.stringify(committed) === JSON.stringify(now) ? 'current' : `stale: rewrite it with ${REWRITE}`).toBe('current');
});

it('the fixture covers the cases the Python side must meet', () => {
  const f = build();
  const cases = f.cases;
  const byDevice = (c: (typeof cases)[number]) => c.daily.map((d, i) => ({ gated: d, ungated: c.ungated[i]! }));
  // 25-30 devices a day, 12 windows each
  for (const c of cases) expect(c.devices.length).toBeGreaterThanOrEqual(25);
  // a day without a plant event, and days with
  expect(cases.some((c) => c.plantEvents.length === 0)).toBe(true);
  expect(cases.filter((c) => c.plantEvents.length > 0).length).toBeGreaterThanOrEqual(3);
  const slots = cases.flatMap((c) => c.slots.map((s) => ({ ...s, event: c.plantEvents.includes(s.startMs) })));
  // minShare at its boundary: exactly the share is an event, one device fewer is not
  expect(slots.some((s) => s.event && s.devices >= GATE.minDevices && s.offNormal === GATE.minShare * s.devices)).toBe(true);
  expect(slots.some((s) => !s.event && s.devices >= GATE.minDevices && s.offNormal === GATE.minShare * s.devices - 1)).toBe(true);
  // a share times an odd count: 13 of 25 is an event
  expect(slots.some((s) => s.event && !Number.isInteger(GATE.minShare * s.devices))).toBe(true);
  // minDevices: exactly as many is an event, fewer all off normal is not
  expect(slots.some((s) => s.event && s.devices === GATE.minDevices)).toBe(true);
  expect(slots.some((s) => !s.event && s.devices < GATE.minDevices && s.offNormal === s.devices)).toBe(true);
  // a window at exactly normalBelow is not off normal
  expect(cases.some((c) => c.devices.some((d) => d.probs.some((p) => p[0] === GATE.normalBelow)))).toBe(true);
  const pairs = cases.flatMap(byDevice);
  // the gate moves an alarm's onset, changes its confidence, removes alarms, and adds one (a run it no longer breaks)
  expect(pairs.some(({ gated, ungated }) => gated.verdict === ungated.verdict && gated.verdict !== 'normal' && gated.alarmOnsetMs !== ungated.alarmOnsetMs && gated.alarmConfidence !== ungated.alarmConfidence)).toBe(true);
  expect(pairs.filter(({ gated, ungated }) => ungated.verdict !== 'normal' && gated.verdict === 'normal').length).toBeGreaterThanOrEqual(2);
  expect(pairs.some(({ gated, ungated }) => ungated.verdict === 'normal' && gated.verdict !== 'normal')).toBe(true);
  // and leaves alarms where it sets aside nothing of the device, or too little
  expect(pairs.some(({ gated, ungated }) => gated.plantEventWindows === 0 && ungated.verdict !== 'normal' && gated.verdict === ungated.verdict)).toBe(true);
  expect(pairs.some(({ gated, ungated }) => gated.plantEventWindows > 0 && ungated.verdict !== 'normal' && gated.alarmOnsetMs === ungated.alarmOnsetMs)).toBe(true);
  // devices that skipped a plant event's window count fewer windows set aside
  expect(new Set(pairs.map(({ gated }) => gated.plantEventWindows)).size).toBeGreaterThanOrEqual(4);
});

/**
 * What a plant event was. The plant gate (alarms.ts PlantSlots) sets aside the window
 * slots where the whole plant departs from normal at once, and the classifier has no
 * class for why: snow, frost and a converter's power limit all look like faults to it.
 * The plant's own readings tell them apart where one array's window cannot: how much
 * current the plant makes per irradiance against the rest of its day, whether its
 * voltage rose (a tracker pushed off its maximum power point) or not, how cold the
 * modules are, and whether the event belongs to the morning. The rules and their
 * thresholds are contracts/detector.json alarms.plantGate.conditions, and
 * spark/pvfault/alarms.py plant_conditions is the same function
 * (test/fixtures/contracts/plant-condition-cases.json holds the two equal).
 */
import { DETECTOR_CONTRACT, type GoldPlantConditionRow } from '../contracts';
import type { PlantSlot } from './alarms';
import { WINDOW_MS } from './windows';

const GATE = DETECTOR_CONTRACT.alarms.plantGate;
const RULES = GATE.conditions;
export type PlantConditionKind = (typeof RULES.kinds)[number];
export type PlantCondition = Omit<GoldPlantConditionRow, 'modelVersion'> & { kind: PlantConditionKind };

const V = 0;
const I = 1;
const T = 2;
const G = 3;

interface Totals {
  measured: number;
  sums: [number, number, number, number];
}

function total(slots: readonly PlantSlot[]): Totals {
  const t: Totals = { measured: 0, sums: [0, 0, 0, 0] };
  for (const s of slots) {
    t.measured += s.measured;
    for (let c = 0; c < 4; c++) t.sums[c]! += s.sums[c]!;
  }
  return t;
}

/** The kind by the contract's rules, first that holds. */
export function conditionKind(f: { currentRatio: number | null; voltageRatio: number | null; temperature: number; dawn: boolean; dusk: boolean; share: number; hasReference: boolean }): PlantConditionKind {
  const raised = f.voltageRatio !== null && f.voltageRatio >= RULES.powerLimitVoltageAbove;
  // a tracker off its maximum power point at the day's edges is a converter waking or going to sleep
  if ((f.currentRatio !== null && f.currentRatio < RULES.standbyCurrentBelow) || (raised && (f.dawn || f.dusk))) return 'standby';
  // a limited converter takes less current per irradiance; a plant soiled all day reads more at its bright noon than in its dim reference hours
  if (raised && f.currentRatio !== null && f.currentRatio < RULES.powerLimitCurrentBelow) return 'power_limit';
  if (f.temperature < RULES.snowTemperatureBelow && (!f.hasReference || f.share >= RULES.snowShareAtLeast)) return 'snow';
  if (f.dawn && !f.dusk && f.temperature < RULES.frostTemperatureBelow) return 'frost';
  if (f.dawn && !f.dusk) return 'dew';
  return 'unknown';
}

/**
 * The plant-day's conditions: one per run of consecutive event slots (adjacent among
 * the slots the plant predicted, in start order), in time order. `slots`: every slot of
 * the plant-day (PlantSlots.slots); `events`: PlantSlots.plantEvents().
 */
export function plantConditions(slots: ReadonlyMap<number, PlantSlot>, events: ReadonlySet<number>): PlantCondition[] {
  if (events.size === 0) return [];
  const starts = [...slots.keys()].sort((a, b) => a - b);
  const counted = starts.filter((s) => slots.get(s)!.devices >= GATE.minDevices);
  const first = counted[0];
  const last = counted[counted.length - 1];
  const reference = total(
    counted.filter((s) => {
      const slot = slots.get(s)!;
      return !events.has(s) && slot.measured > 0 && slot.sums[G] / slot.measured >= RULES.referenceIrradiance;
    }).map((s) => slots.get(s)!),
  );
  const hasReference = reference.measured > 0 && reference.sums[G] > 0;
  const runs: number[][] = [];
  starts.forEach((s, i) => {
    if (!events.has(s)) return;
    if (i > 0 && events.has(starts[i - 1]!)) runs[runs.length - 1]!.push(s);
    else runs.push([s]);
  });
  return runs.map((run) => {
    const inRun = run.map((s) => slots.get(s)!);
    const t = total(inRun);
    const temperature = t.measured > 0 ? t.sums[T] / t.measured : NaN;
    let currentRatio: number | null = null;
    let voltageRatio: number | null = null;
    if (hasReference && t.measured > 0) {
      currentRatio = t.sums[G] > 0 ? t.sums[I] / t.sums[G] / (reference.sums[I] / reference.sums[G]) : 0;
      const referenceTemperature = reference.sums[T] / reference.measured;
      const expected = (reference.sums[V] / reference.measured) * (1 + RULES.voltagePerKelvin * (temperature - referenceTemperature));
      voltageRatio = t.sums[V] / t.measured / expected;
    }
    const f = {
      currentRatio,
      voltageRatio,
      temperature,
      dawn: run.includes(first!),
      dusk: run.includes(last!),
      share: counted.length ? run.length / counted.length : 1,
      hasReference,
    };
    return {
      startMs: run[0]!,
      endMs: run[run.length - 1]! + WINDOW_MS,
      windows: run.length,
      kind: Number.isFinite(temperature) ? conditionKind(f) : 'unknown',
      devices: Math.max(...inRun.map((s) => s.devices)),
      temperature: Number.isFinite(temperature) ? temperature : null,
      currentRatio,
      voltageRatio,
    } as PlantCondition;
  });
}

/**
 * The held-out plant-days of the evaluation: plants, each a run of consecutive days
 * from its first date, with its own seed above every seed training has used
 * (dataset.ts SPLIT_SEEDS_END) and a forced sky per day so that clear, broken and
 * overcast days are all measured.
 */
import { addDays } from '../../contracts';
import { SPLIT_SEEDS_END } from '../dataset';
import { parseDesign, type Design } from '../../contracts/design';
import { DEFAULT_PER_UNIT, type PerUnitReference } from '../perUnit';
import { perUnitOfDesign } from '../simulator/registry';
import { NO_CONDITIONS, type ConditionKind, type ConditionsConfig } from '../simulator/conditions';
import type { FaultMix } from '../simulator/faults';
import { DEFAULT_DESIGN, plantConfig, simulatePlantDay, type PlantDay } from '../simulator/plant';
import type { SkyType } from '../simulator/weather';

/** Plant p of an evaluation draws from seed EVAL_SEED_BASE + p unless told otherwise. */
export const EVAL_SEED_BASE = 5000;
/** One plant every two months of 2026 (training saw 2025 weather, its test split other seeds). */
export const DEFAULT_EVAL_DATES: readonly string[] = ['2026-02-15', '2026-04-15', '2026-06-15', '2026-08-15', '2026-10-15', '2026-12-15'];
/** Cycled over the plant-days: with the default dates and 3 counted days each sky 4–5 times, the June plant's first day clear (the worst case). */
export const DEFAULT_EVAL_SKIES: readonly SkyType[] = ['broken', 'overcast', 'clear', 'mostly_cloudy'];
/** Conditions that are not faults, each measured on a plant of its own (after the plan's plants). */
export const DEFAULT_EVAL_CONDITIONS: readonly ConditionKind[] = ['frost', 'dew', 'snow', 'soiling', 'standby', 'curtailment', 'clipping'];
/**
 * A condition plant's counted day: frost, dew and snow in winter (the day is made cold,
 * and overcast after the snowfall); the others in June, when power is highest.
 */
export const CONDITION_EVAL_DATES: Record<ConditionKind, string> = {
  frost: '2026-01-20',
  dew: '2026-03-20',
  snow: '2026-01-27',
  soiling: '2026-07-20',
  standby: '2026-06-20',
  curtailment: '2026-06-27',
  clipping: '2026-05-20',
};
/**
 * The condition plants' counted skies, cycled over their counted days: clear where the
 * condition needs light (frost, dew, clipping, curtailment), the snowfall's overcast;
 * soiling and standby act under any sky, so their days take each sky in turn (one
 * broken day alone cannot tell the condition's false alarms from the sky's).
 */
export const CONDITION_SKIES: Record<ConditionKind, readonly SkyType[]> = {
  frost: ['clear'],
  dew: ['clear'],
  snow: ['overcast'],
  soiling: ['broken', 'clear', 'overcast', 'mostly_cloudy'],
  standby: ['broken', 'clear', 'overcast', 'mostly_cloudy'],
  curtailment: ['clear'],
  clipping: ['clear'],
};
/** Soiling builds up over the plant's days (0.05–0.3 %/day, no rain): the arrays' baselines follow it as they would in the field. */
const SOILING_RATES: ConditionsConfig = { ...NO_CONDITIONS, rates: { ...NO_CONDITIONS.rates, soilingPerDay: [0.0005, 0.003] } };

export interface PlantDaySpec {
  /** the plant's number in this evaluation (0-based) and the day's number in its run (warm-up days first) */
  plant: number;
  day: number;
  /** false for a warm-up day: run (its alarms build the baselines) but not counted */
  scored: boolean;
  seed: number;
  date: string;
  sky: SkyType;
  devices: number;
  faultMix: FaultMix;
  /** a condition plant's: its kind, the conditions of its days (forced on its counted days); absent: none */
  condition?: { kind: ConditionKind; config: ConditionsConfig };
  /** a design plant's: every array of this named design (contracts/designs.json); absent: the default design */
  design?: string;
  /**
   * a twin plant's: the held-out design whose plant it repeats (the same seed, dates and
   * skies, so the same weather) with the default design's arrays, so that the design is
   * set against the trained design on the same plant-days, not on the plan's other
   * seasons and skies; absent: not a twin
   */
  twinOf?: string;
  /**
   * a layout twin's: the held-out design whose plant it repeats with that design's own
   * layout (modules per string, strings, diodes) built of the default design's module,
   * the one the model was trained on. Its arrays get the same faults (drawn from the
   * layout), modules' spread, sensors and weather as the design plant's, so the two
   * differ only by the module's technology: what the mapping of a new technology to
   * per-unit inputs costs, apart from what the layout's physics leaves to see (a short
   * of 1 of 16 modules takes a sixteenth of its string's voltage whatever the module).
   * Absent: not a layout twin
   */
  layoutTwinOf?: string;
}

export interface EvalPlan {
  firstDates: readonly string[];
  skies: readonly SkyType[];
  /** consecutive days per plant that are counted */
  days: number;
  /**
   * days run before them, not counted: a plant in operation has history, so its
   * arrays are judged against their own baselines (detector/baseline.ts); without
   * warm-up every array of the first day would be judged against the fleet
   */
  warmupDays: number;
  devices: number;
  seedBase: number;
  faultMix: FaultMix;
  /**
   * one more plant per kind (seeds after the plan's plants'): warm-up days, then
   * `conditionDays` counted days on which the condition acts, from CONDITION_EVAL_DATES;
   * absent: none
   */
  conditions?: readonly ConditionKind[];
  /** counted days of each condition plant (absent: 1, as reports before it was a flag) */
  conditionDays?: number;
  /**
   * one more plant per named design (contracts/designs.json), after the condition
   * plants: the held-out designs of issue 20, every array of the plant of that design,
   * its days as a plan plant's from DESIGN_EVAL_DATE; absent: none
   */
  designs?: readonly string[];
}

/** The name under which a twin plant's device-days are grouped (Outcome.design): the default design on that design's plant-days. */
export const twinName = (design: string): string => `default on ${design}'s days`;

/** The name under which a layout twin's device-days are grouped (Outcome.design): the design's layout of the default design's module. */
export const layoutTwinName = (design: string): string => `default module on ${design}'s layout`;

/** Whether a byDesign group is a twin of either kind (twinName, layoutTwinName) of one of `designs`, not a held-out design itself. */
export const isTwinName = (group: string, designs: readonly string[]): boolean => designs.some((d) => twinName(d) === group || layoutTwinName(d) === group);

/** Plants of a plan: its dates', its conditions' and its designs' (a design's twin shares its plant number). */
export const planPlants = (plan: Pick<EvalPlan, 'firstDates' | 'conditions' | 'designs'>): number => plan.firstDates.length + (plan.conditions?.length ?? 0) + (plan.designs?.length ?? 0);

/** A design plant's first counted day: mid-June, the plan's clear-sky season (its skies cycle as a plan plant's). */
export const DESIGN_EVAL_DATE = '2026-06-15';

/**
 * Every plant-day of a plan, plant by plant and each plant's days in order (a day may
 * read its plant's earlier days): warmupDays before the plant's first date, then its
 * `days` counted ones from it. Skies cycle so that the counted days keep the same
 * skies whatever the warm-up.
 */
export function plantDaySpecs(plan: EvalPlan): PlantDaySpec[] {
  const specs: PlantDaySpec[] = [];
  const n = plan.skies.length;
  plan.firstDates.forEach((first, plant) => {
    let date = addDays(first, -plan.warmupDays);
    for (let day = 0; day < plan.warmupDays + plan.days; day++) {
      const counted = day - plan.warmupDays;
      specs.push({ plant, day, scored: counted >= 0, seed: plan.seedBase + plant, date, sky: plan.skies[(((plant + counted) % n) + n) % n]!, devices: plan.devices, faultMix: plan.faultMix });
      date = addDays(date, 1);
    }
  });
  const conditionDays = plan.conditionDays ?? 1;
  (plan.conditions ?? []).forEach((kind, j) => {
    const plant = plan.firstDates.length + j;
    const first = CONDITION_EVAL_DATES[kind];
    for (let day = 0; day < plan.warmupDays + conditionDays; day++) {
      const counted = day - plan.warmupDays;
      const scored = counted >= 0;
      const base = kind === 'soiling' ? SOILING_RATES : NO_CONDITIONS;
      const config: ConditionsConfig = scored && kind !== 'soiling' ? { ...base, force: [kind] } : base;
      const skies = CONDITION_SKIES[kind];
      specs.push({ plant, day, scored, seed: plan.seedBase + plant, date: addDays(first, counted), sky: scored ? skies[counted % skies.length]! : plan.skies[day % n]!, devices: plan.devices, faultMix: plan.faultMix, condition: { kind, config } });
    }
  });
  (plan.designs ?? []).forEach((design, j) => {
    const plant = plan.firstDates.length + (plan.conditions?.length ?? 0) + j;
    // the design's plant, its twin of the default design and its layout twin (the same plant number: the same seed and skies)
    for (const which of [{ design }, { twinOf: design }, { layoutTwinOf: design }]) {
      let date = addDays(DESIGN_EVAL_DATE, -plan.warmupDays);
      for (let day = 0; day < plan.warmupDays + plan.days; day++) {
        const counted = day - plan.warmupDays;
        specs.push({ plant, day, scored: counted >= 0, seed: plan.seedBase + plant, date, sky: plan.skies[(((plant + counted) % n) + n) % n]!, devices: plan.devices, faultMix: plan.faultMix, ...which });
        date = addDays(date, 1);
      }
    }
  });
  return specs;
}

// a named design parsed once: its days are simulated, judged and their shorts counted against the same object
const DESIGNS = new Map<string, Design>();

/** A plant-day's arrays' design: its design plant's named design, its layout twin's (layoutTwinDesign), or the default design. */
export function designOfSpec(spec: Pick<PlantDaySpec, 'design' | 'layoutTwinOf'>): Design {
  const name = spec.design ?? spec.layoutTwinOf;
  if (!name) return DEFAULT_DESIGN;
  const key = spec.design ? name : layoutTwinName(name);
  let d = DESIGNS.get(key);
  if (!d) DESIGNS.set(key, (d = spec.design ? parseDesign(name, '--designs') : layoutTwinDesign(designOfSpec({ design: name }))));
  return d;
}

/** `design`'s layout (modules per string, strings, bypass and blocking diodes) built of the default design's module. */
export function layoutTwinDesign(design: Design): Design {
  const { layout } = design;
  return parseDesign(
    {
      modulesPerString: design.modulesPerString,
      strings: design.strings,
      module: DEFAULT_DESIGN.module.name,
      bypassDiodes: { perModule: layout.bypassDiodes ?? 1, forwardVoltage: layout.vBypass },
      blockingDiodes: { perString: layout.vBlock > 0, forwardVoltage: layout.vBlock },
    },
    `${design.name}'s layout twin`,
    layoutTwinName(design.name),
  );
}

/** What the model divides a plant-day's voltage and current by: its design's (the registry's row, as the predict job reads it). */
export function perUnitOfSpec(spec: Pick<PlantDaySpec, 'design' | 'layoutTwinOf'>): PerUnitReference {
  return spec.design || spec.layoutTwinOf ? perUnitOfDesign(designOfSpec(spec)) : DEFAULT_PER_UNIT;
}

/** Why a seed range cannot be held out, or null: training, validation and test used every seed below SPLIT_SEEDS_END. */
export function seedRangeProblem(seedBase: number, plants: number): string | null {
  return seedBase < SPLIT_SEEDS_END ? `seeds ${seedBase}..${seedBase + plants - 1} overlap the seeds training uses (below ${SPLIT_SEEDS_END}, detector/dataset.ts SPLIT_SEEDS); held-out plant-days need seeds from ${SPLIT_SEEDS_END}` : null;
}

/**
 * The simulated plant-day of a spec: day `spec.day` of its plant, whose arrays keep
 * their modules, sensors and faults from the plant's first day (detector/simulator/history.ts).
 */
export function simulateEvalDay(spec: PlantDaySpec): PlantDay {
  return simulatePlantDay(plantConfig({ date: spec.date, firstDate: addDays(spec.date, -spec.day), seed: spec.seed, devices: spec.devices, faultMix: spec.faultMix, sky: spec.sky, conditions: spec.condition?.config ?? NO_CONDITIONS, design: designOfSpec(spec) }));
}

/**
 * A plant's day, device by device: the streaming generator behind the CLI, the
 * local pipeline and the training data. Memory stays flat in the number of
 * devices: one device-day is built at a time and handed over.
 * A plant is (seed, first date): its days follow one another, the same arrays with
 * the same modules and sensors, and faults that last until repaired. Every device
 * draws from two streams of its own: (seed, device index) for what it is and the
 * faults it has over the plant's days, and (seed, device index, date) for the day's
 * noise, sensor issues and fault episodes. So a device-day does not depend on how
 * devices are split across workers, nor on which other days are simulated.
 */
import type { FaultClass } from '../../contracts/faultClasses';
import { addDays, plantDayWindow, type DayWindow } from '../../contracts/plantDay';
import type { ArrayLayout } from './array';
import { PlantCalendar } from './calendar';
import { simulateDevice, type DeviceDay } from './device';
import type { FaultMix } from './faults';
import { episodeOn, faultToday } from './history';
import { conditionedWeather, conditionsOff, deviceConditions, NO_CONDITIONS, planConditions, plantConditions, skyOfPlan, type ConditionsConfig, type PlantConditions } from './conditions';
import { drawProfile } from './profile';
import { Rng } from './random';
import { calibrationAfter, DEFAULT_SENSOR_RATES, type SensorRates } from './sensors';
import type { ModuleParams } from './singleDiode';
import { defaultDesign, designOf, type Design, type DesignPlan } from '../../contracts/design';
import { plantWeather, type PlantWeather, type Site, type SkyType } from './weather';

/**
 * The default design (contracts/designs.json): 5 modules in series, 3 strings of the
 * Canadian Solar CS5P-220M (96 cells, 220 W; De Soto reference parameters of the CEC
 * database as pvlib's tests use them), Schottky bypass and blocking diodes.
 */
export const DEFAULT_DESIGN: Design = defaultDesign();
/** The default design's module. */
export const DEFAULT_MODULE: ModuleParams = DEFAULT_DESIGN.module;
/** The default design's array. */
export const DEFAULT_LAYOUT: ArrayLayout = DEFAULT_DESIGN.layout;

/** A plant near Seville (Europe/Madrid), modules tilted 30° to the south. */
export const DEFAULT_SITE: Site = { latitude: 37.39, longitude: -5.98, tilt: 30, azimuth: 180, albedo: 0.2, annualMeanTemp: 19.2, annualTempAmplitude: 8.5 };

export interface PlantConfig {
  /** the day to simulate */
  date: string;
  /** the plant's first day: its devices' fault histories start there, their sensors' drift counts from there */
  firstDate: string;
  timeZone: string;
  site: Site;
  devices: number;
  seed: number;
  /** relative weights of the fault classes (e.g. {normal: 70, arc_fault: 6, …}): the share of each on any day */
  faultMix: FaultMix;
  /** a fault is repaired this many days after its onset, drawn uniformly (whole days) */
  repairDays: [number, number];
  /** force the day's sky; random per (seed, date) otherwise */
  sky?: SkyType;
  /** the arrays' design: one for all, or a plan of device ranges (a plant of mixed designs) */
  design: Design | DesignPlan;
  sensorRates: SensorRates;
  /** sensor noise multiplier range, drawn per device */
  noiseLevel: [number, number];
  deviceIdPrefix: string;
  /** keep the noise-free grid series of every device (tests, plots, training) */
  keepSeries: boolean;
  /** conditions that are not faults (conditions.ts): rates, forced kinds, cleaning dates, converter rating, mounting; NO_CONDITIONS by default */
  conditions: ConditionsConfig;
}

/** The default mix of a simulated fleet: mostly healthy, every fault present. */
export const DEFAULT_FAULT_MIX: FaultMix = { normal: 70, line_line: 6, line_ground: 6, open_circuit: 6, partial_shading: 6, arc_fault: 6 };

export function plantConfig(overrides: Partial<PlantConfig> & Pick<PlantConfig, 'date'>): PlantConfig {
  return {
    firstDate: overrides.date,
    timeZone: 'Europe/Madrid',
    site: DEFAULT_SITE,
    devices: 100,
    seed: 1,
    faultMix: DEFAULT_FAULT_MIX,
    repairDays: [1, 10],
    design: DEFAULT_DESIGN,
    sensorRates: DEFAULT_SENSOR_RATES,
    noiseLevel: [0.5, 2],
    deviceIdPrefix: 'PV-',
    keepSeries: false,
    conditions: NO_CONDITIONS,
    ...overrides,
  };
}

export function deviceId(config: Pick<PlantConfig, 'deviceIdPrefix'>, index: number): string {
  return `${config.deviceIdPrefix}${String(index + 1).padStart(6, '0')}`;
}

/** The design of device `index` (a single design holds for every device). */
export function designAt(config: Pick<PlantConfig, 'design'>, index: number): Design {
  return 'parts' in config.design ? designOf(config.design, index) : config.design;
}

export interface PlantDay {
  window: DayWindow;
  weather: PlantWeather;
  /** the day's index in its plant (0 on the first date) */
  day: number;
  /** device-days for device indices [from, to) */
  devices(from?: number, to?: number): Generator<DeviceDay>;
}

export function simulatePlantDay(config: PlantConfig): PlantDay {
  if (!Number.isInteger(config.devices) || config.devices < 1) throw new Error(`devices: ${config.devices} is not a positive integer`);
  const [minRepair, maxRepair] = config.repairDays;
  if (!Number.isInteger(minRepair) || !Number.isInteger(maxRepair) || minRepair < 1 || maxRepair < minRepair) {
    throw new Error(`repairDays: ${JSON.stringify(config.repairDays)} must be whole days [min, max] with 1 ≤ min ≤ max`);
  }
  if ('parts' in config.design) {
    const covered = config.design.parts[config.design.parts.length - 1]?.to ?? 0;
    if (covered < config.devices) throw new Error(`design: the plan's arrays cover devices 0..${covered}, the plant has ${config.devices}`);
  }
  const window = plantDayWindow(config.date, config.timeZone);
  const calendar = new PlantCalendar(config.firstDate, config.timeZone, config.site);
  const day = calendar.dayOf(config.date);
  // conditions draw from their own streams: with all of them off, nothing here changes
  const plan = conditionsOff(config.conditions) ? null : planConditions(config.conditions, config.seed, config.site, config.date);
  const drawn = plantWeather(config.site, window, new Rng(config.seed, `weather:${config.date}`), config.sky ?? (plan ? skyOfPlan(plan) : undefined));
  const weather = plan ? conditionedWeather(plan, drawn) : drawn;
  // the plant-wide conditions depend on the array's design (its STC power rates the converter): one per design
  const sharedByDesign = new Map<Design, PlantConditions>();
  const shared = (design: Design): PlantConditions | null => {
    if (!plan) return null;
    let pc = sharedByDesign.get(design);
    if (!pc) sharedByDesign.set(design, (pc = plantConditions(plan, config.seed, day, calendar, weather, design.layout, design.module.pStc)));
    return pc;
  };
  function* devices(from = 0, to = config.devices): Generator<DeviceDay> {
    for (let i = from; i < to; i++) {
      const design = designAt(config, i);
      const { layout, module } = design;
      const history = { mix: config.faultMix, repairDays: config.repairDays, nStrings: layout.nStrings, nSeries: layout.nSeries };
      const device = new Rng(config.seed, `device:${i}`);
      const profile = drawProfile(device.fork('profile'), config.noiseLevel);
      const episode = episodeOn(device.fork('history'), day, history);
      const pc = shared(design);
      yield simulateDevice(
        weather,
        {
          deviceId: deviceId(config, i),
          profile,
          calibration: calibrationAfter(profile.sensors, day),
          fault: episode && faultToday(episode, day, calendar, weather),
          module,
          layout,
          sensorRates: config.sensorRates,
          keepSeries: config.keepSeries,
          conditions: pc && deviceConditions(pc, config.seed, i, day, calendar, weather, layout),
        },
        new Rng(config.seed, `device:${i}:${config.date}`),
      );
    }
  }
  return { window, weather, day, devices };
}

/**
 * A device with a fault and its healthy twin (tests, figures): device 0 of the same
 * plant-day, once with only that fault in the mix and once with none, so the weather,
 * the array, its sensors and the day's noise are the same; only the fault differs.
 */
export function faultAndTwin(config: PlantConfig, fault: FaultClass): [DeviceDay, DeviceDay] {
  const first = (faultMix: FaultMix) => simulatePlantDay({ ...config, faultMix }).devices(0, 1).next().value as DeviceDay;
  return [first({ [fault]: 1 }), first({ normal: 1 })];
}

/** `days` consecutive plant-local dates from `from` (a run of a plant's days). */
export function plantDates(from: string, days: number): string[] {
  if (!Number.isInteger(days) || days < 1) throw new Error(`days: ${days} is not a positive integer`);
  return Array.from({ length: days }, (_, d) => addDays(from, d));
}

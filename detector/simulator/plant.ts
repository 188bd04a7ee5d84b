/**
 * A plant's day, device by device: the streaming generator behind the CLI, the
 * local pipeline and the training data. Memory stays flat in the number of
 * devices: one device-day is built at a time and handed over.
 * Every device draws from its own random stream (seed, device index), so the
 * result does not depend on how devices are split across workers.
 */
import { plantDayWindow, type DayWindow } from '../../contracts/plantDay';
import type { ArrayLayout } from './array';
import { simulateDevice, type DeviceDay } from './device';
import { pickFaultClass, type FaultMix } from './faults';
import { Rng } from './random';
import { DEFAULT_SENSOR_RATES, type SensorRates } from './sensors';
import type { ModuleParams } from './singleDiode';
import { plantWeather, type PlantWeather, type Site, type SkyType } from './weather';

/**
 * The default module: De Soto reference parameters of the Canadian Solar CS5P-220M
 * (96 cells, 220 W) as published in the CEC module database and used in pvlib's tests.
 */
export const DEFAULT_MODULE: ModuleParams = {
  cellsInSeries: 96,
  alphaSc: 0.004539,
  aRef: 2.6373,
  iLRef: 5.114,
  iORef: 8.196e-10,
  rShRef: 381.68,
  rS: 1.065,
  egRef: 1.121,
  dEgdT: -0.0002677,
  pStc: 220,
};

/** The design's array: 5 modules in series, 3 strings, Schottky bypass and blocking diodes. */
export const DEFAULT_LAYOUT: ArrayLayout = { nSeries: 5, nStrings: 3, vBypass: 0.45, vBlock: 0.5 };

/** A plant near Seville (Europe/Madrid), modules tilted 30° to the south. */
export const DEFAULT_SITE: Site = { latitude: 37.39, longitude: -5.98, tilt: 30, azimuth: 180, albedo: 0.2, annualMeanTemp: 19.2, annualTempAmplitude: 8.5 };

export interface PlantConfig {
  date: string;
  timeZone: string;
  site: Site;
  devices: number;
  seed: number;
  /** relative weights of the fault classes (e.g. {normal: 70, arc_fault: 6, …}) */
  faultMix: FaultMix;
  /** force the day's sky; random per (seed, date) otherwise */
  sky?: SkyType;
  module: ModuleParams;
  layout: ArrayLayout;
  sensorRates: SensorRates;
  /** sensor noise multiplier range, drawn per device */
  noiseLevel: [number, number];
  deviceIdPrefix: string;
  /** keep the noise-free grid series of every device (tests, plots, training) */
  keepSeries: boolean;
}

/** The default mix of a simulated fleet: mostly healthy, every fault present. */
export const DEFAULT_FAULT_MIX: FaultMix = { normal: 70, line_line: 6, line_ground: 6, open_circuit: 6, partial_shading: 6, arc_fault: 6 };

export function plantConfig(overrides: Partial<PlantConfig> & Pick<PlantConfig, 'date'>): PlantConfig {
  return {
    timeZone: 'Europe/Madrid',
    site: DEFAULT_SITE,
    devices: 100,
    seed: 1,
    faultMix: DEFAULT_FAULT_MIX,
    module: DEFAULT_MODULE,
    layout: DEFAULT_LAYOUT,
    sensorRates: DEFAULT_SENSOR_RATES,
    noiseLevel: [0.5, 2],
    deviceIdPrefix: 'PV-',
    keepSeries: false,
    ...overrides,
  };
}

export function deviceId(config: Pick<PlantConfig, 'deviceIdPrefix'>, index: number): string {
  return `${config.deviceIdPrefix}${String(index + 1).padStart(6, '0')}`;
}

export interface PlantDay {
  window: DayWindow;
  weather: PlantWeather;
  /** device-days for device indices [from, to) */
  devices(from?: number, to?: number): Generator<DeviceDay>;
}

export function simulatePlantDay(config: PlantConfig): PlantDay {
  if (!Number.isInteger(config.devices) || config.devices < 1) throw new Error(`devices: ${config.devices} is not a positive integer`);
  const window = plantDayWindow(config.date, config.timeZone);
  const weather = plantWeather(config.site, window, new Rng(config.seed, `weather:${config.date}`), config.sky);
  function* devices(from = 0, to = config.devices): Generator<DeviceDay> {
    for (let i = from; i < to; i++) {
      const rng = new Rng(config.seed, `device:${i}:${config.date}`);
      const fault = pickFaultClass(rng.fork('class'), config.faultMix);
      yield simulateDevice(
        weather,
        { deviceId: deviceId(config, i), fault, module: config.module, layout: config.layout, sensorRates: config.sensorRates, noiseLevel: config.noiseLevel, keepSeries: config.keepSeries },
        rng,
      );
    }
  }
  return { window, weather, devices };
}

/**
 * What an array is, whatever the day: where it stands in the plant (its lag behind
 * the cloud field, its share of the light), its modules' spread, its sensors'
 * calibration and noise. Drawn once per device from a date-independent stream, so
 * the same array comes back every day of a plant, and only its gains drift.
 */
import type { Rng } from './random';
import { installSensors, type InstalledSensors } from './sensors';
import type { ModuleParams } from './singleDiode';
import { MAX_DEVICE_LAG_MS, type DeviceSky } from './weather';

/** how far a device's irradiance sensor may lead or trail its modules under the cloud field, ms */
export const MAX_SENSOR_OFFSET_MS = 20_000;

export interface DeviceProfile {
  sky: DeviceSky;
  /** module-to-module and soiling spread: photocurrent ×(1 ± 1.5 %), series resistance ×0.95–1.1 */
  photocurrentScale: number;
  seriesResistanceScale: number;
  /** sensor noise multiplier */
  noiseLevel: number;
  sensors: InstalledSensors;
}

export function drawProfile(rng: Rng, noiseLevel: [number, number]): DeviceProfile {
  return {
    sky: {
      lagMs: rng.uniform(0, MAX_DEVICE_LAG_MS - MAX_SENSOR_OFFSET_MS),
      // a sensor 10–100 m from the modules under clouds moving 5–15 m/s
      sensorLagMs: Math.max(-MAX_SENSOR_OFFSET_MS, Math.min(MAX_SENSOR_OFFSET_MS, rng.normal(0, 6_000))),
      diffuseLoss: rng.uniform(0.03, 0.12),
      scale: rng.normal(1, 0.01),
    },
    photocurrentScale: rng.normal(1, 0.015),
    seriesResistanceScale: rng.uniform(0.95, 1.1),
    noiseLevel: rng.uniform(noiseLevel[0], noiseLevel[1]),
    sensors: installSensors(rng.fork('sensors')),
  };
}

/** The device's own modules: the plant's module with the device's spread. */
export function moduleOf(profile: DeviceProfile, module: ModuleParams): ModuleParams {
  return { ...module, iLRef: module.iLRef * profile.photocurrentScale, rS: module.rS * profile.seriesResistanceScale };
}

/**
 * One model for every array design (contracts/detector.json perUnit): the model reads
 * voltage and current per unit of what the device's design makes at its maximum power
 * point, the voltage corrected to the module's temperature, so that a 4 × 4 CdTe array
 * and a 16 × 2 poly-Si one look like the arrays the model learnt normal from.
 *
 * The values come from the device's row of the day's registry (silver_device_registry:
 * detector/simulator/registry.ts computes them from the design's single-diode model);
 * spark/pvfault/windows.py to_per_unit implements the same rule.
 */
import { DETECTOR_CONTRACT, type SilverDeviceRegistryRow } from '../contracts';

export const PER_UNIT = DETECTOR_CONTRACT.perUnit;

/** What the model divides a device's voltage and current by: its registry row's three columns. */
export type PerUnitReference = Pick<SilverDeviceRegistryRow, 'vmpStcV' | 'impStcA' | 'vmpDropPerKelvin'>;

/** The default design's values (the contract's), for a device the registry has no row for. */
export const DEFAULT_PER_UNIT: PerUnitReference = { ...PER_UNIT.default };

/** A registry row's per-unit reference; the default design's without a row. */
export function perUnitOf(row: PerUnitReference | undefined): PerUnitReference {
  return row ? { vmpStcV: row.vmpStcV, impStcA: row.impStcA, vmpDropPerKelvin: row.vmpDropPerKelvin } : DEFAULT_PER_UNIT;
}

const V = DETECTOR_CONTRACT.channels.indexOf('voltage');
const I = DETECTOR_CONTRACT.channels.indexOf('current');
const T = DETECTOR_CONTRACT.channels.indexOf('temperature');

/**
 * Turns gap-filled channels (CHANNELS order) into the model's per-unit ones, in place:
 * voltage ÷ (vmpStcV × max(minFactor, 1 − vmpDropPerKelvin × (T − 25))) slot by slot
 * with the slot's module temperature, current ÷ impStcA. Returns `filled`.
 */
export function toPerUnit(filled: Float64Array[], ref: PerUnitReference): Float64Array[] {
  const v = filled[V]!;
  const i = filled[I]!;
  const t = filled[T]!;
  const { referenceTemperature, minFactor } = PER_UNIT;
  for (let k = 0; k < v.length; k++) {
    const factor = Math.max(minFactor, 1 - ref.vmpDropPerKelvin * (t[k]! - referenceTemperature));
    v[k] = v[k]! / (ref.vmpStcV * factor);
    i[k] = i[k]! / ref.impStcA;
  }
  return filled;
}

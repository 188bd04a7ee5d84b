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

/**
 * What the model divides a device's voltage and current by, and how it maps them onto
 * the default design's at the slot's light and heat: its registry row's columns. The
 * shapes are plain arrays (a row read from Parquet holds Float32Arrays); absent or null
 * (a registry written before tables contract 12, or the default design): no mapping.
 */
export type PerUnitReference = Pick<SilverDeviceRegistryRow, 'vmpStcV' | 'impStcA' | 'vmpDropPerKelvin'> & {
  voltageShape: readonly number[] | null;
  currentShape: readonly number[] | null;
  /**
   * what the alarm reads of the design (contracts/detector.json alarms.designGroups,
   * detector/alarms.ts oneShortBlocks): modules in series and the array's open-circuit
   * voltage at STC; null when not known (no registry row, or one written before tables contract 13)
   */
  modulesPerString: number | null;
  vocStcV: number | null;
};

/** The registry columns a device's per-unit reference is read from (silver_device_registry): what every reader of the registry asks for. */
export const PER_UNIT_COLUMNS = ['vmpStcV', 'impStcA', 'vmpDropPerKelvin', 'voltageShape', 'currentShape', 'modulesPerString', 'vocStcV'] as const;

/** The default design's values (the contract's), for a device the registry has no row for: no shapes, the design's make-up not known. */
export const DEFAULT_PER_UNIT: PerUnitReference = { ...PER_UNIT.default, voltageShape: null, currentShape: null, modulesPerString: null, vocStcV: null };

/** The number of coefficients of a shape (contracts/detector.json perUnit.shape.basis). */
export const SHAPE_TERMS = PER_UNIT.shape.basis.length;

// a shape of zeros maps nothing: kept as null, so the default design's inputs are the division alone
const shapeOf = (v: ArrayLike<number> | null | undefined): number[] | null => (v && Array.prototype.some.call(v, (c: number) => c !== 0) ? Array.from(v) : null);

/** A registry row's per-unit reference (its shapes as plain arrays, null when zero or absent); the default design's without a row. */
export function perUnitOf(
  row: (Pick<SilverDeviceRegistryRow, 'vmpStcV' | 'impStcA' | 'vmpDropPerKelvin'> & { voltageShape?: ArrayLike<number> | null; currentShape?: ArrayLike<number> | null; modulesPerString?: number | null; vocStcV?: number | null }) | undefined,
): PerUnitReference {
  if (!row) return DEFAULT_PER_UNIT;
  return {
    vmpStcV: row.vmpStcV,
    impStcA: row.impStcA,
    vmpDropPerKelvin: row.vmpDropPerKelvin,
    voltageShape: shapeOf(row.voltageShape),
    currentShape: shapeOf(row.currentShape),
    modulesPerString: row.modulesPerString ?? null,
    vocStcV: row.vocStcV ?? null,
  };
}

/** The shape's basis terms at (x, y), in the contract's order (perUnit.shape.basis). */
export function shapeBasis(x: number, y: number): number[] {
  return [x, x * x, x * x * x, y, y * y, x * y, x * x * y, x * y * y];
}

const [G_LO, G_HI] = PER_UNIT.shape.irradianceRange;
const [T_LO, T_HI] = PER_UNIT.shape.temperatureRange;
/** A slot's x: the log of its irradiance over 1000 W/m², clamped to the contract's range. */
const shapeX = (irradiance: number): number => Math.log(Math.min(Math.max(irradiance, G_LO), G_HI) / 1000);
/** A slot's y: its module temperature's distance from 25 °C in 25-K units, clamped to the contract's range. */
const shapeY = (temperature: number): number => (Math.min(Math.max(temperature, T_LO), T_HI) - PER_UNIT.referenceTemperature) / 25;

/** A slot's (x, y) of the shape's basis. */
export function shapeCoordinates(irradiance: number, temperature: number): [number, number] {
  return [shapeX(irradiance), shapeY(temperature)];
}

/** exp(Σ shape[k] · basis[k]): the factor a shape gives a slot (1 for no shape). */
export function shapeFactor(shape: readonly number[] | null | undefined, basis: ArrayLike<number>): number {
  if (!shape) return 1;
  let s = 0;
  for (let k = 0; k < SHAPE_TERMS; k++) s += shape[k]! * basis[k]!;
  return Math.exp(s);
}

const V = DETECTOR_CONTRACT.channels.indexOf('voltage');
const I = DETECTOR_CONTRACT.channels.indexOf('current');
const T = DETECTOR_CONTRACT.channels.indexOf('temperature');
const G = DETECTOR_CONTRACT.channels.indexOf('irradiance');
// shapeBasis's terms, written in place slot by slot
const BASIS = new Float64Array(SHAPE_TERMS);

/**
 * Turns gap-filled channels (CHANNELS order, the baseline gain applied) into the model's
 * per-unit ones, in place: voltage ÷ (vmpStcV × max(minFactor, 1 − vmpDropPerKelvin ×
 * (T − 25))) slot by slot with the slot's module temperature, current ÷ impStcA; then,
 * for a design with shapes, each times its shape's factor at the slot's irradiance and
 * temperature (perUnit.shape). Returns `filled`.
 */
export function toPerUnit(filled: Float64Array[], ref: PerUnitReference): Float64Array[] {
  const v = filled[V]!;
  const i = filled[I]!;
  const t = filled[T]!;
  const g = filled[G]!;
  const { referenceTemperature, minFactor } = PER_UNIT;
  const shaped = Boolean(ref.voltageShape || ref.currentShape);
  for (let k = 0; k < v.length; k++) {
    const factor = Math.max(minFactor, 1 - ref.vmpDropPerKelvin * (t[k]! - referenceTemperature));
    v[k] = v[k]! / (ref.vmpStcV * factor);
    i[k] = i[k]! / ref.impStcA;
    if (shaped) {
      // the basis in place (no array per slot: the predict job maps every slot of every array of another design)
      const x = shapeX(g[k]!);
      const y = shapeY(t[k]!);
      BASIS[0] = x;
      BASIS[1] = x * x;
      BASIS[2] = x * x * x;
      BASIS[3] = y;
      BASIS[4] = y * y;
      BASIS[5] = x * y;
      BASIS[6] = x * x * y;
      BASIS[7] = x * y * y;
      v[k] = v[k]! * shapeFactor(ref.voltageShape, BASIS);
      i[k] = i[k]! * shapeFactor(ref.currentShape, BASIS);
    }
  }
  return filled;
}

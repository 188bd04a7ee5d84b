/**
 * A simulated plant's device registry (contracts/registry.ts; its columns:
 * tables.json silver_device_registry): which design each array has. The local
 * pipeline hands it to the ingest as the plant's registry object; Pulumi writes the
 * same for the stack's simulated devices (infra/registryObject.ts).
 */
import type { SilverDeviceRegistryRow } from '../../contracts';
import { defaultDesign, type Design, type DesignPlan } from '../../contracts/design';
import { PER_UNIT, perUnitOf, SHAPE_TERMS, type PerUnitReference } from '../perUnit';
import { fitShapes, residualModel, type DesignShapes, type ResidualModel } from '../perUnitShape';
import { designAt, deviceId, type PlantConfig } from './plant';
import { calcParamsDesoto, keyPoints } from './singleDiode';

export type DeviceRegistryRow = SilverDeviceRegistryRow;

export function deviceRegistry(config: Pick<PlantConfig, 'design' | 'devices' | 'deviceIdPrefix'>): DeviceRegistryRow[] {
  return Array.from({ length: config.devices }, (_, i) => registryRow(deviceId(config, i), designAt(config, i)));
}

/** The registry of arrays of one design by their ids (a Modbus plant's register map lists its ids, not a plant config). */
export function registryOfDesign(deviceIds: readonly string[], design: Design): DeviceRegistryRow[] {
  return deviceIds.map((id) => registryRow(id, design));
}

/**
 * The registry of arrays by their ids: one design for all, or a plan's designs over the
 * arrays in id order (a plan's device ranges and shares count arrays in that order), as
 * npm run import:csv and npm run registry give them.
 */
export function registryOfIds(deviceIds: readonly string[], design: Design | DesignPlan): DeviceRegistryRow[] {
  const ids = [...deviceIds].sort();
  return 'parts' in design ? ids.map((id, i) => registryRow(id, designAt({ design }, i))) : registryOfDesign(ids, design);
}

/** A module's key points at STC and how its voltage falls with temperature, from its single-diode model. */
export interface ModuleStc {
  pMp: number;
  vMp: number;
  iMp: number;
  vOc: number;
  /** relative fall of Vmp per kelvin from 25 to 50 °C at 1000 W/m² */
  vmpDropPerKelvin: number;
}

// the same for every array of a module (a design's module object is shared by its arrays): one solve each
const STC = new WeakMap<Design['module'], ModuleStc>();

export function moduleStc(module: Design['module']): ModuleStc {
  let m = STC.get(module);
  if (m === undefined) {
    const { referenceTemperature } = PER_UNIT;
    const at = keyPoints(calcParamsDesoto(1000, referenceTemperature, module));
    const warm = keyPoints(calcParamsDesoto(1000, referenceTemperature + 25, module));
    STC.set(module, (m = { pMp: at.pMp, vMp: at.vMp, iMp: at.iMp, vOc: at.vOc, vmpDropPerKelvin: (1 - warm.vMp / at.vMp) / 25 }));
  }
  return m;
}

// the fit runs once per module (a design's module object is shared by its arrays), against the default design's module
const SHAPES = new WeakMap<Design['module'], DesignShapes>();
let reference: { module: Design['module']; model: ResidualModel } | null = null;

/** The registry row's shapes of a design's module (contracts/detector.json perUnit.shape): zeros for the default design's module, else the fit (detector/perUnitShape.ts). */
export function designShapes(module: Design['module']): DesignShapes {
  let shapes = SHAPES.get(module);
  if (shapes) return shapes;
  if (!reference) {
    const m = defaultDesign().module;
    reference = { module: m, model: residualModel(m, moduleStc(m)) };
  }
  // the default module's are zeros by the contract, written as such (a fit of zero targets could give −0)
  if (sameModule(module, reference.module)) shapes = { voltageShape: new Array<number>(SHAPE_TERMS).fill(0), currentShape: new Array<number>(SHAPE_TERMS).fill(0) };
  else shapes = fitShapes(residualModel(module, moduleStc(module)), reference.model);
  SHAPES.set(module, shapes);
  return shapes;
}

// two module objects of the same parameters (a design parsed twice) are the same module
function sameModule(a: Design['module'], b: Design['module']): boolean {
  return (['cellsInSeries', 'alphaSc', 'aRef', 'iLRef', 'iORef', 'rShRef', 'rS', 'egRef', 'dEgdT'] as const).every((k) => a[k] === b[k]);
}

/** A design's registry columns for the model's per-unit inputs (contracts/detector.json perUnit): the STC values, and the shapes (zeros for the default design's module); and what the alarm reads of the design (modulesPerString, vocStcV: alarms.designGroups). */
function perUnitColumns(d: Design): Pick<DeviceRegistryRow, 'vmpStcV' | 'impStcA' | 'vmpDropPerKelvin' | 'voltageShape' | 'currentShape' | 'vocStcV'> {
  const m = moduleStc(d.module);
  const shapes = designShapes(d.module);
  return {
    vmpStcV: d.modulesPerString * m.vMp,
    impStcA: d.strings * m.iMp,
    vmpDropPerKelvin: m.vmpDropPerKelvin,
    voltageShape: Float32Array.from(shapes.voltageShape),
    currentShape: Float32Array.from(shapes.currentShape),
    // tables contract 13: whether a one-module short blocks a string (detector/alarms.ts oneShortBlocks)
    vocStcV: d.modulesPerString * m.vOc,
  };
}

/** What the model divides a design's voltage and current by, and maps them with (contracts/detector.json perUnit): as the predict job reads it from the design's registry row. */
export function perUnitOfDesign(d: Design): PerUnitReference {
  return perUnitOf({ ...perUnitColumns(d), modulesPerString: d.modulesPerString });
}

function registryRow(id: string, d: Design): DeviceRegistryRow {
  const m = moduleStc(d.module);
  return {
    deviceId: id,
    design: d.name,
    modulesPerString: d.modulesPerString,
    strings: d.strings,
    module: d.module.name,
    technology: d.module.technology,
    modulePmpStcW: d.module.pStc,
    arrayPmpStcW: d.modulesPerString * d.strings * m.pMp,
    ...perUnitColumns(d),
  };
}

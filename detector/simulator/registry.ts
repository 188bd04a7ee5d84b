/**
 * A simulated plant's device registry (contracts/registry.ts; its columns:
 * tables.json silver_device_registry): which design each array has. The local
 * pipeline hands it to the ingest as the plant's registry object; Pulumi writes the
 * same for the stack's simulated devices (infra/registryObject.ts).
 */
import type { SilverDeviceRegistryRow } from '../../contracts';
import type { Design } from '../../contracts/design';
import { PER_UNIT, type PerUnitReference } from '../perUnit';
import { designAt, deviceId, type PlantConfig } from './plant';
import { calcParamsDesoto, keyPoints } from './singleDiode';

export type DeviceRegistryRow = SilverDeviceRegistryRow;

export function deviceRegistry(config: Pick<PlantConfig, 'design' | 'devices' | 'deviceIdPrefix'>): DeviceRegistryRow[] {
  const stc = stcPoints();
  return Array.from({ length: config.devices }, (_, i) => registryRow(deviceId(config, i), designAt(config, i), stc));
}

/** The registry of arrays of one design by their ids (a Modbus plant's register map lists its ids, not a plant config). */
export function registryOfDesign(deviceIds: readonly string[], design: Design): DeviceRegistryRow[] {
  const stc = stcPoints();
  return deviceIds.map((id) => registryRow(id, design, stc));
}

/** A module's maximum power point at STC and how its voltage falls with temperature, from its single-diode model. */
interface ModuleStc {
  pMp: number;
  vMp: number;
  iMp: number;
  /** relative fall of Vmp per kelvin from 25 to 50 °C at 1000 W/m² */
  vmpDropPerKelvin: number;
}

function moduleStc(module: Design['module']): ModuleStc {
  const { referenceTemperature } = PER_UNIT;
  const at = keyPoints(calcParamsDesoto(1000, referenceTemperature, module));
  const warm = keyPoints(calcParamsDesoto(1000, referenceTemperature + 25, module));
  return { pMp: at.pMp, vMp: at.vMp, iMp: at.iMp, vmpDropPerKelvin: (1 - warm.vMp / at.vMp) / 25 };
}

/** the same for every device of a module, so one solve each */
function stcPoints(): (module: Design['module']) => ModuleStc {
  const points = new Map<string, ModuleStc>();
  return (module) => {
    let p = points.get(module.name);
    if (p === undefined) points.set(module.name, (p = moduleStc(module)));
    return p;
  };
}

/** What the model divides a design's voltage and current by (contracts/detector.json perUnit). */
export function perUnitOfDesign(d: Design, m: ModuleStc = moduleStc(d.module)): PerUnitReference {
  return { vmpStcV: d.modulesPerString * m.vMp, impStcA: d.strings * m.iMp, vmpDropPerKelvin: m.vmpDropPerKelvin };
}

function registryRow(id: string, d: Design, stc: (module: Design['module']) => ModuleStc): DeviceRegistryRow {
  const m = stc(d.module);
  return {
    deviceId: id,
    design: d.name,
    modulesPerString: d.modulesPerString,
    strings: d.strings,
    module: d.module.name,
    technology: d.module.technology,
    modulePmpStcW: d.module.pStc,
    arrayPmpStcW: d.modulesPerString * d.strings * m.pMp,
    ...perUnitOfDesign(d, m),
  };
}

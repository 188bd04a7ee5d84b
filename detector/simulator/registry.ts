/**
 * A simulated plant's device registry (contracts/registry.ts; its columns:
 * tables.json silver_device_registry): which design each array has. The local
 * pipeline hands it to the ingest as the plant's registry object; Pulumi writes the
 * same for the stack's simulated devices (infra/registryObject.ts).
 */
import type { SilverDeviceRegistryRow } from '../../contracts';
import type { Design } from '../../contracts/design';
import { designAt, deviceId, type PlantConfig } from './plant';
import { calcParamsDesoto, keyPoints } from './singleDiode';

export type DeviceRegistryRow = SilverDeviceRegistryRow;

export function deviceRegistry(config: Pick<PlantConfig, 'design' | 'devices' | 'deviceIdPrefix'>): DeviceRegistryRow[] {
  const stc = stcPower();
  return Array.from({ length: config.devices }, (_, i) => registryRow(deviceId(config, i), designAt(config, i), stc));
}

/** The registry of arrays of one design by their ids (a Modbus plant's register map lists its ids, not a plant config). */
export function registryOfDesign(deviceIds: readonly string[], design: Design): DeviceRegistryRow[] {
  const stc = stcPower();
  return deviceIds.map((id) => registryRow(id, design, stc));
}

/** the module's maximum power at STC from its single-diode model: the same for every device of a module, so one solve each */
function stcPower(): (module: Design['module']) => number {
  const pmp = new Map<string, number>();
  return (module) => {
    let p = pmp.get(module.name);
    if (p === undefined) pmp.set(module.name, (p = keyPoints(calcParamsDesoto(1000, 25, module)).pMp));
    return p;
  };
}

function registryRow(id: string, d: Design, stc: (module: Design['module']) => number): DeviceRegistryRow {
  return {
    deviceId: id,
    design: d.name,
    modulesPerString: d.modulesPerString,
    strings: d.strings,
    module: d.module.name,
    technology: d.module.technology,
    modulePmpStcW: d.module.pStc,
    arrayPmpStcW: d.modulesPerString * d.strings * stc(d.module),
  };
}

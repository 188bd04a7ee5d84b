/**
 * A simulated plant's device registry (contracts/registry.ts; its columns:
 * tables.json silver_device_registry): which design each array has. The local
 * pipeline hands it to the ingest as the plant's registry object; Pulumi writes the
 * same for the stack's simulated devices (infra/registryObject.ts).
 */
import type { SilverDeviceRegistryRow } from '../../contracts';
import { designAt, deviceId, type PlantConfig } from './plant';
import { calcParamsDesoto, keyPoints } from './singleDiode';

export type DeviceRegistryRow = SilverDeviceRegistryRow;

export function deviceRegistry(config: Pick<PlantConfig, 'design' | 'devices' | 'deviceIdPrefix'>): DeviceRegistryRow[] {
  // the array's STC power is the same for every device of a design: one solve per design
  const pmp = new Map<string, number>();
  return Array.from({ length: config.devices }, (_, i) => {
    const d = designAt(config, i);
    let p = pmp.get(d.module.name);
    if (p === undefined) pmp.set(d.module.name, (p = keyPoints(calcParamsDesoto(1000, 25, d.module)).pMp));
    return {
      deviceId: deviceId(config, i),
      design: d.name,
      modulesPerString: d.modulesPerString,
      strings: d.strings,
      module: d.module.name,
      technology: d.module.technology,
      modulePmpStcW: d.module.pStc,
      arrayPmpStcW: d.modulesPerString * d.strings * p,
    };
  });
}

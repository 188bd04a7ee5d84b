/**
 * The device registry (issue 20; its columns: contracts/designs.json deviceRegistry): which design each array of a plant has, so that the
 * design travels with the array's data. Today the local pipeline writes it next to its
 * run (local/pipeline.ts); it is not yet a table of contracts/tables.json (silver,
 * predict and the API do not read it yet).
 */
import { designAt, deviceId, type PlantConfig } from './plant';
import { calcParamsDesoto, keyPoints } from './singleDiode';

export interface DeviceRegistryRow {
  deviceId: string;
  design: string;
  modulesPerString: number;
  strings: number;
  module: string;
  technology: string;
  /** the module's nameplate power at STC (the database's STC column), W */
  modulePmpStcW: number;
  /** the array's maximum power at STC from its single-diode model (no mismatch, no diode drops), W */
  arrayPmpStcW: number;
}

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

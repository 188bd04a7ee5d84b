/**
 * The plant's device registry in the bootstrap bucket (contracts/registry.ts
 * REGISTRY_KEY): the object the state machine names as the ingest's --registry-uri,
 * written at each `pulumi up`. Its source, in order:
 *   1. pv-fault:registryFile, the operator's own registry (a JSON file of the
 *      repository or an absolute path, `{"devices": [...]}` in silver_device_registry's
 *      columns): the way for a plant of several designs, or of real arrays;
 *   2. otherwise pv-fault:design applied to every array the producer polls: the
 *      simulator's devices (PV-000001…), or the Modbus register map's deviceIds.
 * Checked at deploy time with the ingest's own parser, so a registry the ingest would
 * refuse stops `pulumi up` instead of the next day's run.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseRegistry, REGISTRY_KEY, registryText } from '../contracts/registry';
import { plantConfig } from '../detector/simulator/plant';
import { deviceRegistry, registryOfDesign } from '../detector/simulator/registry';
import { parseRegisterMap } from '../functions/producer/registerMap';
import { REPO_ROOT, type BootstrapObject } from './bootstrapContent';
import { ConfigError, CONFIG_NAMESPACE, type StackConfig } from './config';

const KEY = `${CONFIG_NAMESPACE}:registryFile`;

/** The registry object's text, from the stack's config (and the register map, for a Modbus plant without a registry file). */
export function registryObject(config: Pick<StackConfig, 'registryFile' | 'design' | 'producer'>, registerMapJson: string | null, root: string = REPO_ROOT): BootstrapObject {
  return { key: REGISTRY_KEY, text: stackRegistryText(config, registerMapJson, root), contentType: 'application/json' };
}

function stackRegistryText(config: Pick<StackConfig, 'registryFile' | 'design' | 'producer'>, registerMapJson: string | null, root: string): string {
  if (config.registryFile !== null) {
    const file = config.registryFile;
    const path = isAbsolute(file) ? file : join(root, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(KEY, `cannot read ${file} (${(err as Error).message}); write the plant's registry there (docs/contracts.md "Device registry")`);
    }
    try {
      return registryText(parseRegistry(text, file));
    } catch (err) {
      throw new ConfigError(KEY, (err as Error).message);
    }
  }
  if (config.producer.source === 'simulator') {
    // the producer's simulator source names its devices as the simulator does, all of the stack's one design
    return registryText(deviceRegistry(plantConfig({ date: '2026-01-01', devices: config.producer.simulatedDevices, design: config.design.value })));
  }
  if (registerMapJson === null) throw new ConfigError(`${CONFIG_NAMESPACE}:producer.registerMapFile`, 'a Modbus producer needs its register map (the registry lists its devices)');
  const map = parseRegisterMap(JSON.parse(registerMapJson) as unknown, 2000);
  return registryText(registryOfDesign(map.devices.map((d) => d.deviceId), config.design.value));
}

/**
 * The Modbus producer's register map, read from the file the stack config names and
 * validated with the producer's own parser at deploy time: a map the producer would
 * refuse at start stops `pulumi up` instead, before any resource changes.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseRegisterMap } from '../functions/producer/registerMap';
import { REPO_ROOT } from './bootstrapContent';
import { ConfigError, CONFIG_NAMESPACE } from './config';

/** ECS keeps a task definition under 64 KiB: the map travels in one environment variable. */
export const MAX_REGISTER_MAP_BYTES = 32 * 1024;
const KEY = `${CONFIG_NAMESPACE}:producer.registerMapFile`;

/** The map as compact JSON text, or null when the producer is not a Modbus one. */
export function readRegisterMap(file: string | null, root: string = REPO_ROOT): string | null {
  if (file === null) return null;
  const path = isAbsolute(file) ? file : join(root, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(KEY, `cannot read ${file} (${(err as Error).message}); write the plant's register map there (docs/producer.md)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(KEY, `${file} is not valid JSON (${(err as Error).message})`);
  }
  try {
    parseRegisterMap(json, 2000);
  } catch (err) {
    throw new ConfigError(KEY, `${file}: ${(err as Error).message}`);
  }
  const compact = JSON.stringify(json);
  const bytes = Buffer.byteLength(compact);
  if (bytes > MAX_REGISTER_MAP_BYTES) throw new ConfigError(KEY, `${file} is ${bytes} bytes once compacted; at most ${MAX_REGISTER_MAP_BYTES} fit in the task definition`);
  return compact;
}

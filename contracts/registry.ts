/**
 * The device registry (issue 20): which design each array of a plant has, so that the
 * design travels with the array's data. Its rows are the silver_device_registry table
 * of tables.json; the registry object a plant keeps (REGISTRY_KEY in the bootstrap
 * bucket, written by Pulumi from the stack's pv-fault:design or uploaded by the
 * operator: docs/contracts.md "Device registry") is `{"devices": [row, …]}` in the
 * same columns. The ingest checks it with parseRegistry and writes the day's snapshot
 * into silver; the predict job names each device's design in gold_daily (designOf).
 * The Spark side (spark/pvfault/registry.py) gives the same answers and the same
 * messages on test/fixtures/contracts/device-registry-cases.json.
 */
import { DEFAULT_DESIGN_NAME } from './design';
import { DETECTOR_CONTRACT } from './generated';
import type { SilverDeviceRegistryRow } from './generated';
import { DEVICE_ID_PATTERN } from './reading';
import { TABLES } from './tableSpecs';

/** Where a stack keeps its plant's registry, in the bootstrap bucket: the state machine passes s3://<bootstrap>/REGISTRY_KEY as the ingest's --registry-uri. */
export const REGISTRY_KEY = 'registry/device_registry.json';

export type DesignSource = 'registry' | 'default';

export class RegistryError extends Error {
  override name = 'RegistryError';
}

const COLUMNS = TABLES.silver_device_registry.columns;

/** One value of a registry row, checked against its column's type; the error names the row and the column. */
function checkValue(type: string, value: unknown): string | null {
  if (type === 'string') return typeof value === 'string' && value.length > 0 ? null : 'must be a non-empty string';
  if (type === 'int32') return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 2 ** 31 - 1 ? null : 'must be a positive integer';
  // powers in W: a zero or negative power is no module
  if (type === 'float64') return typeof value === 'number' && Number.isFinite(value) && value > 0 ? null : 'must be a positive finite number';
  // the per-unit shapes (contracts/detector.json perUnit.shape): one coefficient per basis term
  if (type === 'float32[]') return Array.isArray(value) && value.length === SHAPE_TERMS && value.every((x) => typeof x === 'number' && Number.isFinite(x)) ? null : `must be a list of ${SHAPE_TERMS} finite numbers`;
  return `has a type (${type}) the registry does not hold`;
}

const SHAPE_TERMS = DETECTOR_CONTRACT.perUnit.shape.basis.length;

/**
 * The registry's rows from its JSON text, sorted by deviceId (the table's order).
 * Refuses, naming the place (`source`, the row, the column): a text that is not a
 * `{"devices": [...]}` object, a row missing a column or carrying one the table does
 * not have, a value of the wrong type, a deviceId the reading contract refuses, a
 * device listed twice. An empty list is a registry: every device then gets the default design.
 */
export function parseRegistry(text: string, source: string): SilverDeviceRegistryRow[] {
  const fail = (where: string, why: string): never => {
    throw new RegistryError(`device registry ${source}: ${where}${where ? ' ' : ''}${why}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return fail('', 'is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('', 'must be an object {"devices": [...]}');
  const keys = Object.keys(doc).filter((k) => !k.startsWith('$'));
  if (keys.some((k) => k !== 'devices')) fail('', `has keys other than devices: ${keys.filter((k) => k !== 'devices').join(', ')}`);
  const devices = (doc as { devices?: unknown }).devices;
  if (!Array.isArray(devices)) return fail('devices', 'must be a list');
  const seen = new Set<string>();
  const rows = devices.map((raw: unknown, i) => {
    const at = `devices[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(at, 'must be an object');
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r)) if (!COLUMNS.some((c) => c.name === k)) fail(`${at}.${k}`, 'is not a column of silver_device_registry');
    for (const c of COLUMNS) {
      // a nullable column (added since the registry's version 6: the per-unit shapes) may be absent or null
      if (c.nullable && (r[c.name] === undefined || r[c.name] === null)) continue;
      if (!(c.name in r)) fail(`${at}.${c.name}`, 'is missing');
      const why = checkValue(c.type, r[c.name]);
      if (why) fail(`${at}.${c.name}`, `${why}, got ${JSON.stringify(r[c.name])}`);
    }
    const id = r.deviceId as string;
    if (!DEVICE_ID_PATTERN.test(id)) fail(`${at}.deviceId`, `${JSON.stringify(id)} does not match ${DEVICE_ID_PATTERN.source}`);
    if (seen.has(id)) fail(`${at}.deviceId`, `${JSON.stringify(id)} is listed twice`);
    seen.add(id);
    return Object.fromEntries(COLUMNS.map((c) => [c.name, c.type === 'float32[]' ? (r[c.name] === null || r[c.name] === undefined ? null : Float32Array.from(r[c.name] as number[])) : r[c.name]])) as unknown as SilverDeviceRegistryRow;
  });
  // by code unit, as the tables sort their string keys
  return rows.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}

/** Why an ingest fails when its --registry-uri names no object: the same words from both engines (spark/pvfault/registry.py). */
export function missingRegistry(uri: string): string {
  return `no device registry at ${uri}: the stack writes it from pv-fault:design at pulumi up, or the operator uploads the plant's own (docs/contracts.md "Device registry"); nothing committed`;
}

/** The registry's text for a list of rows: what Pulumi uploads and the local pipeline writes. */
export function registryText(rows: readonly SilverDeviceRegistryRow[]): string {
  // the shapes as JSON lists (a Float32Array would stringify as an object), each float32 exactly
  return `${JSON.stringify({ devices: rows }, (_, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v), 1)}\n`;
}

/**
 * The design a device is judged as, and whence: its registry row's design, or the
 * default design when the registry has no row for it (a device added to the plant but
 * not to the registry, or a day without a registry). The default is named, and said to
 * be the default (gold_daily designSource), so that a missing row is visible, not guessed.
 */
export function designOf(registry: ReadonlyMap<string, Pick<SilverDeviceRegistryRow, 'design'>>, deviceId: string): { design: string; designSource: DesignSource } {
  const row = registry.get(deviceId);
  return row ? { design: row.design, designSource: 'registry' } : { design: DEFAULT_DESIGN_NAME, designSource: 'default' };
}

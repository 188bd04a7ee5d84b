/**
 * The Modbus register map: which endpoint and unit answers for each device, and
 * where its four measurements sit. Plants differ by inverter and datalogger, so
 * this is configuration (MODBUS_REGISTER_MAP), validated up front with errors
 * that name the JSON path.
 */
import { DEVICE_ID_PATTERN } from '../../contracts/reading';

export const MEASUREMENTS = ['voltage', 'current', 'temperature', 'irradiance'] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

export const REGISTER_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32'] as const;
export type RegisterType = (typeof REGISTER_TYPES)[number];

/** 'big': the high word comes first (Modbus convention); 'little': the low word first (word-swapped devices). */
export type WordOrder = 'big' | 'little';
export type RegisterTable = 'holding' | 'input';

export interface RegisterSpec {
  /** zero-based register address (the protocol address, not the 4xxxx reference) */
  address: number;
  type: RegisterType;
  /** engineering value = raw × scale + offset */
  scale: number;
  offset: number;
  wordOrder: WordOrder;
}

export interface ModbusDevice {
  deviceId: string;
  host: string;
  port: number;
  unitId: number;
  table: RegisterTable;
  timeoutMs: number;
  registers: Record<Measurement, RegisterSpec>;
}

export interface RegisterMap {
  devices: ModbusDevice[];
}

export function registerCount(type: RegisterType): number {
  return type === 'int16' || type === 'uint16' ? 1 : 2;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class MapError extends Error {}

function fail(path: string, problem: string): never {
  throw new MapError(`${path}: ${problem}`);
}

function only(obj: Json, path: string, keys: readonly string[]): void {
  for (const k of Object.keys(obj)) if (!keys.includes(k)) fail(`${path}.${k}`, `unknown key (expected one of ${keys.join(', ')})`);
}

function intIn(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(path, `${JSON.stringify(v)} must be an integer in ${min}..${max}`);
  return v;
}

function finite(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `${JSON.stringify(v)} must be a finite number`);
  return v;
}

function member<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) fail(path, `${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
  return v as T;
}

function registerSpec(v: unknown, inherited: unknown, path: string): RegisterSpec {
  // a device's own spec replaces the default one whole: a half-inherited scale would be silently wrong
  const merged = v !== undefined ? v : inherited;
  if (merged === undefined) fail(path, 'missing (set it on the device or in defaults.registers)');
  if (!isObject(merged)) fail(path, 'must be an object');
  only(merged, path, ['address', 'type', 'scale', 'offset', 'wordOrder']);
  const type = member(merged.type ?? 'uint16', `${path}.type`, REGISTER_TYPES);
  const address = intIn(merged.address, `${path}.address`, 0, 65536 - registerCount(type));
  return {
    address,
    type,
    scale: merged.scale === undefined ? 1 : finite(merged.scale, `${path}.scale`),
    offset: merged.offset === undefined ? 0 : finite(merged.offset, `${path}.offset`),
    wordOrder: member(merged.wordOrder ?? 'big', `${path}.wordOrder`, ['big', 'little'] as const),
  };
}

const DEVICE_KEYS = ['deviceId', 'host', 'port', 'unitId', 'table', 'timeoutMs', 'registers'] as const;

/**
 * Validates a parsed register map. `defaults` supplies any device key but
 * deviceId (a fleet of identical inverters lists only ids, hosts and units).
 */
export function parseRegisterMap(input: unknown, defaultTimeoutMs: number): RegisterMap {
  if (!isObject(input)) fail('$', 'the register map must be a JSON object with "devices"');
  only(input, '$', ['defaults', 'devices']);
  const defaults = input.defaults === undefined ? {} : input.defaults;
  if (!isObject(defaults)) fail('$.defaults', 'must be an object');
  only(defaults, '$.defaults', DEVICE_KEYS.filter((k) => k !== 'deviceId'));
  if (!Array.isArray(input.devices) || input.devices.length === 0) fail('$.devices', 'must be a non-empty array');
  const seen = new Set<string>();
  const devices = input.devices.map((d: unknown, i: number): ModbusDevice => {
    const path = `$.devices[${i}]`;
    if (!isObject(d)) fail(path, 'must be an object');
    only(d, path, DEVICE_KEYS);
    const get = (k: (typeof DEVICE_KEYS)[number]): unknown => (d[k] !== undefined ? d[k] : defaults[k]);
    const deviceId = d.deviceId;
    if (typeof deviceId !== 'string' || !DEVICE_ID_PATTERN.test(deviceId)) {
      fail(`${path}.deviceId`, `${JSON.stringify(deviceId)} does not match the contract's device id pattern ${DEVICE_ID_PATTERN.source}`);
    }
    if (seen.has(deviceId)) fail(`${path}.deviceId`, `${JSON.stringify(deviceId)} appears twice`);
    seen.add(deviceId);
    const host = get('host');
    if (typeof host !== 'string' || host.trim() === '') fail(`${path}.host`, 'missing (a host name or IP address)');
    const registers = get('registers');
    const inherited = defaults.registers;
    if (registers !== undefined && !isObject(registers)) fail(`${path}.registers`, 'must be an object');
    const own = isObject(registers) && registers !== inherited ? registers : {};
    only(own, `${path}.registers`, MEASUREMENTS);
    if (isObject(inherited)) only(inherited, '$.defaults.registers', MEASUREMENTS);
    const specs = Object.fromEntries(
      MEASUREMENTS.map((m) => [m, registerSpec(own[m], isObject(inherited) ? inherited[m] : undefined, `${path}.registers.${m}`)]),
    ) as Record<Measurement, RegisterSpec>;
    return {
      deviceId,
      host: host.trim(),
      port: get('port') === undefined ? 502 : intIn(get('port'), `${path}.port`, 1, 65535),
      unitId: get('unitId') === undefined ? 1 : intIn(get('unitId'), `${path}.unitId`, 0, 255),
      table: member(get('table') ?? 'holding', `${path}.table`, ['holding', 'input'] as const),
      timeoutMs: get('timeoutMs') === undefined ? defaultTimeoutMs : intIn(get('timeoutMs'), `${path}.timeoutMs`, 10, 600_000),
      registers: specs,
    };
  });
  return { devices };
}

/** Engineering value of one measurement from the words read starting at `base`. */
export function decodeRegister(words: Buffer, base: number, spec: RegisterSpec): number {
  const at = (spec.address - base) * 2;
  let raw: number;
  if (spec.type === 'int16') raw = words.readInt16BE(at);
  else if (spec.type === 'uint16') raw = words.readUInt16BE(at);
  else {
    // a 32-bit value in two registers: put the words in big-endian order, then read
    const four = Buffer.allocUnsafe(4);
    if (spec.wordOrder === 'big') words.copy(four, 0, at, at + 4);
    else {
      words.copy(four, 0, at + 2, at + 4);
      words.copy(four, 2, at, at + 2);
    }
    raw = spec.type === 'int32' ? four.readInt32BE(0) : spec.type === 'uint32' ? four.readUInt32BE(0) : four.readFloatBE(0);
  }
  return raw * spec.scale + spec.offset;
}

/**
 * The reading's Avro binary written and read without avsc, for the local topic's
 * bulk paths (publishing a simulated day, the ingest's decode). Byte for byte what
 * avsc writes (the tests compare both); anything out of the ordinary (a timestamp
 * avsc would reject, a record that is not plainly valid) is left to avsc and to
 * validateReading, so verdicts and messages stay theirs.
 */
import { READING_AVRO_TYPE, READING_LIMITS } from '../contracts';
import type { ValidReadings } from '../detector/silver';
import { FRAME_HEADER } from './topic';

/** Avro's zig-zag varint of a safe integer, as avsc writes it. */
function writeLong(out: Uint8Array, at: number, n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 128) {
    out[at++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  out[at++] = z;
  return at;
}

/** A value's bytes beyond its device id, at most: the id's length (≤ 3 bytes), a long (≤ 10), four floats. */
const MAX_FIXED = 3 + 10 + 16;

/**
 * One device's readings as framed topic records (header · key · Avro value), each
 * with its publish time: the bytes LocalTopic.send writes for the same records.
 */
export function frameDeviceReadings(deviceId: string, r: ValidReadings, publishMs: ArrayLike<number>): Buffer {
  const key = Buffer.from(deviceId, 'utf8');
  // long ids need a multi-byte length; rare enough to leave to avsc
  const simple = key.length < 64;
  const out = Buffer.allocUnsafe(r.count * (FRAME_HEADER + 2 * key.length + MAX_FIXED));
  let at = 0;
  for (let k = 0; k < r.count; k++) {
    const ts = r.timestamp[k]!;
    const header = at;
    at += FRAME_HEADER;
    out.writeDoubleLE(publishMs[k]!, header);
    out.writeUInt16LE(key.length, header + 8);
    at += key.copy(out, at);
    const valueStart = at;
    if (simple && Number.isSafeInteger(ts)) {
      out[at++] = key.length * 2;
      at += key.copy(out, at);
      at = writeLong(out, at, ts);
      // Buffer's float writer is the one avsc uses: the same bytes for NaN and ±Infinity too
      at = out.writeFloatLE(r.voltage[k]!, at);
      at = out.writeFloatLE(r.current[k]!, at);
      at = out.writeFloatLE(r.temperature[k]!, at);
      at = out.writeFloatLE(r.irradiance[k]!, at);
    } else {
      const value = READING_AVRO_TYPE.toBuffer({ deviceId, timestamp: ts, voltage: r.voltage[k], current: r.current[k], temperature: r.temperature[k], irradiance: r.irradiance[k] });
      at += value.copy(out, at);
    }
    out.writeUInt32LE(at - valueStart, header + 10);
  }
  return out.subarray(0, at);
}

const TS = READING_LIMITS.timestamp!;
const LIMITS = (['voltage', 'current', 'temperature', 'irradiance'] as const).map((f) => READING_LIMITS[f]!);

/** A reading decoded by the fast path: valid by the contract, its id equal to the key. */
export interface PlainReading {
  timestamp: number;
  voltage: number;
  current: number;
  temperature: number;
  irradiance: number;
}

/**
 * Decodes value bytes [start, end) of `buf` when the record is plainly valid: its
 * device id is byte-equal to the key at [keyStart, keyStart + keyLength) (the caller
 * checks the id against the contract's pattern once per key), the timestamp and
 * the four floats are within the contract's ranges, nothing trails. Returns false
 * otherwise: the caller then takes avsc and validateReading's word for it.
 */
export function decodePlainReading(buf: Uint8Array, keyStart: number, keyLength: number, start: number, end: number, out: PlainReading): boolean {
  let at = start;
  const lenByte = buf[at++]!;
  if (lenByte >= 128 || lenByte & 1 || lenByte >> 1 !== keyLength || keyLength === 0) return false;
  if (at + keyLength > end) return false;
  for (let i = 0; i < keyLength; i++) if (buf[at + i] !== buf[keyStart + i]) return false;
  at += keyLength;
  // a positive timestamp in range takes at most 6 bytes; more is left to avsc
  let z = 0;
  let scale = 1;
  let b: number;
  let bytes = 0;
  do {
    if (at >= end || bytes === 7) return false;
    b = buf[at++]!;
    z += (b & 0x7f) * scale;
    scale *= 128;
    bytes++;
  } while (b & 0x80);
  if (z % 2 !== 0) return false;
  const ts = z / 2;
  if (!(ts >= TS.min && ts <= TS.max)) return false;
  if (at + 16 !== end) return false;
  const view = new DataView(buf.buffer, buf.byteOffset + at, 16);
  const v = view.getFloat32(0, true);
  const i = view.getFloat32(4, true);
  const t = view.getFloat32(8, true);
  const g = view.getFloat32(12, true);
  // NaN fails every comparison, ±Infinity the ranges: both go to the slow path
  if (!(v >= LIMITS[0]!.min && v <= LIMITS[0]!.max)) return false;
  if (!(i >= LIMITS[1]!.min && i <= LIMITS[1]!.max)) return false;
  if (!(t >= LIMITS[2]!.min && t <= LIMITS[2]!.max)) return false;
  if (!(g >= LIMITS[3]!.min && g <= LIMITS[3]!.max)) return false;
  out.timestamp = ts;
  out.voltage = v;
  out.current = i;
  out.temperature = t;
  out.irradiance = g;
  return true;
}

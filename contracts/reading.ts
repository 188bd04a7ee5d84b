/**
 * The SCADA reading contract at run time: Avro encoding (raw binary, no registry
 * header, as Spark's from_avro reads it) and validation against the physical
 * ranges declared in reading.avsc. Producer, local ingest and tests all use this.
 */
import { isUtf8 } from 'node:buffer';
import * as avro from 'avsc';
import { READING_SCHEMA, type Reading } from './generated';
import type { QuarantineReason } from './tableSpecs';

export type { Reading };

export interface ReadingIssue {
  /** quarantine reason code (tables.json quarantineReasons) */
  reason: QuarantineReason;
  /** the offending field, when there is one */
  field: keyof Reading | string | null;
  /** message for humans, naming the field */
  message: string;
}

export type ReadingValidation = { ok: true; reading: Reading } | { ok: false; issues: ReadingIssue[] };

interface FieldSpec {
  name: keyof Reading;
  kind: 'string' | 'long' | 'float';
  unit: string;
  min: number;
  max: number;
}

type SchemaField = (typeof READING_SCHEMA.fields)[number];

function fieldSpec(f: SchemaField): FieldSpec {
  const avroType = typeof f.type === 'string' ? f.type : f.type.type;
  const kind = avroType === 'string' ? 'string' : avroType === 'long' ? 'long' : 'float';
  return {
    name: f.name,
    kind,
    unit: 'unit' in f ? f.unit : '',
    min: 'min' in f ? f.min : -Infinity,
    max: 'max' in f ? f.max : Infinity,
  };
}

export const READING_FIELDS: readonly FieldSpec[] = READING_SCHEMA.fields.map(fieldSpec);
const FIELD_NAMES = new Set<string>(READING_FIELDS.map((f) => f.name));
const deviceIdField = READING_SCHEMA.fields.find((f) => f.name === 'deviceId');
if (!deviceIdField || !('pattern' in deviceIdField)) throw new Error('reading.avsc: deviceId must declare a pattern');
/** The device id pattern, shared with the API's path validation. */
export const DEVICE_ID_PATTERN = new RegExp(deviceIdField.pattern);

/** Physical plausibility ranges by field, from reading.avsc. */
export const READING_LIMITS: Readonly<Record<string, { min: number; max: number; unit: string }>> = Object.fromEntries(
  READING_FIELDS.filter((f) => f.kind !== 'string').map((f) => [f.name, { min: f.min, max: f.max, unit: f.unit }]),
);

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

const MAX_SAFE_LONG = BigInt(Number.MAX_SAFE_INTEGER);

function checkField(spec: FieldSpec, value: unknown, issues: ReadingIssue[]): void {
  const { name } = spec;
  if (value === undefined || value === null) {
    issues.push({ reason: 'missing_field', field: name, message: `${name}: missing (the field is required)` });
    return;
  }
  if (spec.kind === 'string') {
    if (typeof value !== 'string') {
      issues.push({ reason: 'malformed', field: name, message: `${name}: expected a string, got ${describe(value)}` });
    } else if (!DEVICE_ID_PATTERN.test(value)) {
      issues.push({
        reason: 'bad_device_id',
        field: name,
        message: `${name}: ${describe(value)} does not match ${DEVICE_ID_PATTERN.source}`,
      });
    }
    return;
  }
  if (typeof value === 'bigint' && spec.kind === 'long' && (value > MAX_SAFE_LONG || value < -MAX_SAFE_LONG)) {
    // a long past 2^53, kept exact by decodeReading: the right type (an Avro long), outside any range the contract
    // allows, so out_of_range as Spark says; smaller bigints are left to the number check below (no caller makes them)
    const side = value < BigInt(spec.min) ? `below the minimum ${spec.min}` : `above the maximum ${spec.max}`;
    issues.push({ reason: 'out_of_range', field: name, message: `${name}: ${value} ${spec.unit} is ${side} ${spec.unit}` });
    return;
  }
  if (typeof value !== 'number') {
    issues.push({ reason: 'malformed', field: name, message: `${name}: expected a number, got ${describe(value)}` });
    return;
  }
  if (!Number.isFinite(value)) {
    issues.push({ reason: 'non_finite', field: name, message: `${name}: ${value} is not a finite number` });
    return;
  }
  if (spec.kind === 'long' && !Number.isInteger(value)) {
    issues.push({ reason: 'malformed', field: name, message: `${name}: ${value} is not a whole number of ${spec.unit}` });
    return;
  }
  if (value < spec.min || value > spec.max) {
    const side = value < spec.min ? `below the minimum ${spec.min}` : `above the maximum ${spec.max}`;
    issues.push({ reason: 'out_of_range', field: name, message: `${name}: ${value} ${spec.unit} is ${side} ${spec.unit}` });
  }
}

/**
 * Checks an untrusted value against the reading contract and returns every
 * problem found, each naming its field. Never throws.
 */
export function validateReading(input: unknown): ReadingValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ reason: 'malformed', field: null, message: `reading: expected an object, got ${describe(input)}` }] };
  }
  const record = input as Record<string, unknown>;
  const issues: ReadingIssue[] = [];
  for (const spec of READING_FIELDS) checkField(spec, record[spec.name], issues);
  for (const key of Object.keys(record)) {
    if (!FIELD_NAMES.has(key)) {
      issues.push({ reason: 'unknown_field', field: key, message: `${key}: not a field of the reading contract` });
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, reading: record as unknown as Reading };
}

export class InvalidReadingError extends Error {
  constructor(readonly issues: ReadingIssue[]) {
    super(`invalid reading: ${issues.map((i) => i.message).join('; ')}`);
    this.name = 'InvalidReadingError';
  }
}

export class MalformedAvroError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedAvroError';
  }
}

// avsc ignores unknown logical types unless told; timestamps stay plain numbers (epoch ms).
const readingType = avro.Type.forSchema(READING_SCHEMA as unknown as avro.Schema);

/**
 * The Avro type itself, without validation: for files of readings and for putting
 * deliberately bad readings on a topic (simulated sensor faults). Producers use encodeReading.
 */
export const READING_AVRO_TYPE: avro.Type = readingType;

/** Validates, then encodes a reading as raw Avro binary (throws InvalidReadingError). */
export function encodeReading(input: unknown): Buffer {
  const result = validateReading(input);
  if (!result.ok) throw new InvalidReadingError(result.issues);
  return readingType.toBuffer(result.reading);
}

/**
 * The quarantine detail of a value that is no encoding of the reading schema. Generic on
 * purpose: Spark's from_avro (PERMISSIVE) only says "null", so the Spark ingest cannot
 * name avsc's reason, and both ingests must write the same detail (shared vectors:
 * test/fixtures/contracts/undecodable-records.json).
 */
export function undecodableDetail(bytes: number): string {
  return `malformed Avro reading: not a valid encoding of the reading schema (${bytes} bytes)`;
}

/** A Kafka key that is not UTF-8 names no device: the record is malformed, whatever its value. */
export function keyNotUtf8Detail(bytes: number): string {
  return `malformed Kafka record: the key is not valid UTF-8 (${bytes} bytes)`;
}

export const DEVICE_ID_NOT_UTF8 = 'malformed Avro reading: deviceId is not valid UTF-8';

/** The deviceId's bytes (the record's first field: a zigzag varint length, then UTF-8) are valid UTF-8. */
function deviceIdIsUtf8(buf: Buffer): boolean {
  let length = 0;
  let shift = 0;
  let at = 0;
  for (; at < buf.length && at < 10; at++) {
    length += (buf[at]! & 0x7f) * 2 ** shift;
    shift += 7;
    if ((buf[at]! & 0x80) === 0) break;
  }
  length = length % 2 === 0 ? length / 2 : -(length + 1) / 2;
  return length >= 0 && isUtf8(buf.subarray(at + 1, at + 1 + length));
}

/**
 * An Avro long that stays exact past 2^53: a number while it is a safe integer, a bigint
 * beyond. avsc's own long refuses those ("potential precision loss"), which made a
 * well-formed record with an absurd timestamp look malformed, where Spark (a 64-bit long)
 * reads it and finds it out_of_range. Only for decoding what the plain type refused.
 */
const exactLong = avro.types.LongType.__with({
  fromBuffer: (b: Buffer) => {
    const n = b.readBigInt64LE(0);
    return n > MAX_SAFE_LONG || n < -MAX_SAFE_LONG ? n : Number(n);
  },
  toBuffer: (n: number | bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(n));
    return b;
  },
  fromJSON: (n: number | string) => (typeof n === 'string' ? BigInt(n) : n),
  toJSON: (n: number | bigint) => (typeof n === 'bigint' ? n.toString() : n),
  isValid: (n: unknown) => typeof n === 'bigint' || Number.isSafeInteger(n),
  compare: (a: number | bigint, b: number | bigint) => (a < b ? -1 : a > b ? 1 : 0),
});
// avsc takes a registry's long only where the schema says plain "long": the timestamp's logical type
// (which avsc ignores anyway) is left out; the bytes are the same
const exactReadingType = avro.Type.forSchema(
  { ...READING_SCHEMA, fields: READING_SCHEMA.fields.map((f) => (typeof f.type === 'object' && f.type.type === 'long' ? { ...f, type: 'long' } : f)) } as unknown as avro.Schema,
  { registry: { long: exactLong } },
);

/** A decoded reading: as the contract's, but a timestamp past 2^53 is kept exact as a bigint (validateReading: out_of_range). */
export type DecodedReading = Omit<Reading, 'timestamp'> & { timestamp: number | bigint };

/**
 * Decodes raw Avro binary into a reading (throws MalformedAvroError on truncated,
 * oversized or garbage input, and on a deviceId that is not UTF-8, which avsc would
 * turn into U+FFFD silently). The result is not range-checked: run validateReading.
 */
export function decodeReading(bytes: Uint8Array): DecodedReading {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let decoded: { value: unknown; offset: number };
  try {
    decoded = readingType.decode(buf, 0);
  } catch {
    // the plain type refuses a long past 2^53; the exact one reads it (and fails on anything else the plain one did)
    try {
      decoded = exactReadingType.decode(buf, 0);
    } catch {
      throw new MalformedAvroError(undecodableDetail(buf.length));
    }
  }
  if (decoded.offset < 0) throw new MalformedAvroError(undecodableDetail(buf.length));
  if (decoded.offset !== buf.length) {
    throw new MalformedAvroError(`malformed Avro reading: ${buf.length - decoded.offset} trailing bytes after the record`);
  }
  if (!deviceIdIsUtf8(buf)) throw new MalformedAvroError(DEVICE_ID_NOT_UTF8);
  return decoded.value as DecodedReading;
}

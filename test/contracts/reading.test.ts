import {
  decodeReading,
  encodeReading,
  InvalidReadingError,
  MalformedAvroError,
  READING_LIMITS,
  validateReading,
  type Reading,
} from '../../contracts';
import longTimestamps from '../fixtures/contracts/long-timestamp-records.json';
import { readFixture } from '../helpers/fixtures';

interface Case {
  name: string;
  patch?: Record<string, unknown>;
  remove?: string[];
  issues: [string, string][];
}
const cases = readFixture<{ base: Reading; cases: Case[]; notObjects: unknown[] }>('contracts/reading-cases.json');

function buildCase(c: Case): Record<string, unknown> {
  const r: Record<string, unknown> = { ...cases.base, ...c.patch };
  for (const key of c.remove ?? []) delete r[key];
  return r;
}

describe('validateReading (shared vectors with the Python validator)', () => {
  it.each(cases.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = validateReading(buildCase(c));
    if (c.issues.length === 0) {
      expect(result).toEqual({ ok: true, reading: buildCase(c) });
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.reason, i.field])).toEqual(c.issues);
    // every message names its field, so an operator can act on it
    for (const issue of result.issues) expect(issue.message.startsWith(`${issue.field}:`)).toBe(true);
  });

  it.each(cases.notObjects.map((v) => [JSON.stringify(v), v] as const))('rejects a non-object %s', (_n, value) => {
    const result = validateReading(value);
    expect(result).toMatchObject({ ok: false, issues: [{ reason: 'malformed', field: null }] });
  });

  it('says what is wrong with the value, not just that it is wrong', () => {
    const result = validateReading({ ...cases.base, voltage: 2000, current: NaN });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.message)).toEqual([
      'voltage: 2000 V is above the maximum 1500 V',
      'current: NaN is not a finite number',
    ]);
  });

  it('exposes the physical ranges declared in reading.avsc', () => {
    expect(READING_LIMITS.voltage).toEqual({ min: -5, max: 1500, unit: 'V' });
    expect(READING_LIMITS.irradiance).toEqual({ min: -50, max: 2000, unit: 'W/m2' });
    expect(Object.keys(READING_LIMITS)).toEqual(['timestamp', 'voltage', 'current', 'temperature', 'irradiance']);
  });
});

describe('Avro encoding (raw binary, no registry header)', () => {
  const vectors = readFixture<{ vectors: { reading: Reading; avroHex: string }[] }>('contracts/reading-avro.json').vectors;

  it.each(vectors.map((v) => [v.reading.deviceId, v] as const))('encodes %s byte for byte as Apache Avro does', (_id, v) => {
    expect(encodeReading(v.reading).toString('hex')).toBe(v.avroHex);
  });

  it.each(vectors.map((v) => [v.reading.deviceId, v] as const))('decodes Apache Avro bytes of %s', (_id, v) => {
    const decoded = decodeReading(Buffer.from(v.avroHex, 'hex'));
    expect(decoded.deviceId).toBe(v.reading.deviceId);
    expect(decoded.timestamp).toBe(v.reading.timestamp);
    // float fields: exactly the float32 nearest to the input
    for (const f of ['voltage', 'current', 'temperature', 'irradiance'] as const) {
      expect(decoded[f]).toBe(Math.fround(v.reading[f]));
    }
  });

  it('round-trips a reading to within float32 precision and starts with the first field (no header)', () => {
    const reading: Reading = { deviceId: 'PV-42', timestamp: 1763600000000, voltage: 149.87, current: 7.123, temperature: 35.2, irradiance: 640.5 };
    const bytes = encodeReading(reading);
    // Avro string = zig-zag length (5 → 0x0a) then UTF-8: no magic byte, no schema id
    expect(bytes.subarray(0, 6).toString('hex')).toBe('0a50562d3432');
    expect(bytes.length).toBe(1 + 5 + 6 + 16);
    const back = decodeReading(bytes);
    expect(back).toEqual({
      ...reading,
      voltage: Math.fround(reading.voltage),
      current: Math.fround(reading.current),
      temperature: Math.fround(reading.temperature),
      irradiance: Math.fround(reading.irradiance),
    });
  });

  it('refuses to encode an invalid reading and names the field', () => {
    expect(() => encodeReading({ ...vectors[0]!.reading, irradiance: Infinity })).toThrow(InvalidReadingError);
    expect(() => encodeReading({ ...vectors[0]!.reading, irradiance: Infinity })).toThrow('irradiance: Infinity is not a finite number');
    const missing: Record<string, unknown> = { ...vectors[0]!.reading };
    delete missing.temperature;
    expect(() => encodeReading(missing)).toThrow('temperature: missing');
  });

  it('rejects truncated, trailing and garbage bytes with MalformedAvroError', () => {
    const good = Buffer.from(vectors[0]!.avroHex, 'hex');
    expect(() => decodeReading(good.subarray(0, good.length - 3))).toThrow(MalformedAvroError);
    expect(() => decodeReading(Buffer.concat([good, Buffer.from([0])]))).toThrow(/trailing bytes/);
    expect(() => decodeReading(Buffer.alloc(0))).toThrow(MalformedAvroError);
    // a string length far beyond the buffer
    expect(() => decodeReading(Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f, 0x41]))).toThrow(MalformedAvroError);
  });

  it('decodes a timestamp past 2^53 exactly (a bigint) and finds it out_of_range, as the Spark ingest does', () => {
    for (const c of longTimestamps.cases) {
      const decoded = decodeReading(Buffer.from(c.valueHex, 'hex'));
      expect(decoded.timestamp).toBe(BigInt(c.timestamp));
      const result = validateReading(decoded);
      expect(result).toEqual({ ok: false, issues: [{ reason: c.reason, field: c.field, message: c.detail }] });
    }
    // still malformed: the exact decoder takes no more than the plain one but longs past 2^53
    const past = Buffer.from(longTimestamps.cases[0]!.valueHex, 'hex');
    expect(() => decodeReading(past.subarray(0, past.length - 3))).toThrow(MalformedAvroError);
    expect(() => decodeReading(Buffer.concat([past, Buffer.from([0])]))).toThrow(/trailing bytes/);
  });
});

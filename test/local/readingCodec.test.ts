import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeReading, READING_AVRO_TYPE, validateReading } from '../../contracts';
import { decodePlainReading, frameDeviceReadings, type PlainReading } from '../../local/readingCodec';
import { LocalTopic } from '../../local/topic';

// values a sensor or a faulty simulation can produce, the awkward ones included
const FLOATS = [0, -0, 1.5, -3.25, 1e-45, 3.4e38, 1e39, -1e39, Number.NaN, Infinity, -Infinity, 1499.9, 1500, 1500.0001, -5, -5.0001, 0.1, 123.456];
const TIMESTAMPS = [1_763_500_000_000, 946_684_800_000, 946_684_799_999, 4_102_444_800_000, 4_102_444_800_001, 0, 1, -1, 63, 64, 1_073_741_823, 1_073_741_824, -1_073_741_825, 2 ** 52, -(2 ** 52)];

function columns(n: number, seed: number) {
  let s = seed;
  const pick = <T>(xs: readonly T[]): T => xs[(s = (s * 1_103_515_245 + 12_345) % 2 ** 31) % xs.length]!;
  const col = (xs: readonly number[]) => Float64Array.from({ length: n }, () => pick(xs));
  return { count: n, timestamp: col(TIMESTAMPS), voltage: col(FLOATS), current: col(FLOATS), temperature: col(FLOATS), irradiance: col(FLOATS), publishMs: col([1, 2.5, 1_763_500_000_123]) };
}

describe('readingCodec', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it.each(['PV-000001', 'a', 'x'.repeat(63), 'x'.repeat(64), 'x'.repeat(200), 'PV-é'])('frames the bytes avsc and LocalTopic.send write (%s)', (deviceId) => {
    const r = columns(500, deviceId.length);
    const [a, b] = [mkdtempSync(join(tmpdir(), 'codec-')), mkdtempSync(join(tmpdir(), 'codec-'))];
    dirs.push(a, b);
    const one = new LocalTopic(a, 1);
    for (let k = 0; k < r.count; k++) {
      one.send(deviceId, READING_AVRO_TYPE.toBuffer({ deviceId, timestamp: r.timestamp[k], voltage: r.voltage[k], current: r.current[k], temperature: r.temperature[k], irradiance: r.irradiance[k] }), r.publishMs[k]!);
    }
    one.close();
    const bulk = new LocalTopic(b, 1);
    bulk.appendFramed(deviceId, frameDeviceReadings(deviceId, r, r.publishMs), r.count);
    bulk.close();
    expect(readFileSync(join(b, 'partition-0.log')).equals(readFileSync(join(a, 'partition-0.log')))).toBe(true);
    expect(LocalTopic.read(b, 0, -Infinity, Infinity).next().value?.offset).toBe(0);
  });

  it('decodes exactly the plainly valid readings, as avsc and validateReading see them', () => {
    const deviceId = 'PV-000042';
    const r = columns(3000, 7);
    const framed = frameDeviceReadings(deviceId, r, r.publishMs);
    const key = Buffer.from(deviceId);
    let at = 0;
    let plain = 0;
    const out: PlainReading = { timestamp: 0, voltage: 0, current: 0, temperature: 0, irradiance: 0 };
    while (at < framed.length) {
      const keyLength = framed.readUInt16LE(at + 8);
      const valueLength = framed.readUInt32LE(at + 10);
      const valueStart = at + 14 + keyLength;
      const value = framed.subarray(valueStart, valueStart + valueLength);
      const check = validateReading(decodeReading(value));
      const fast = decodePlainReading(framed, at + 14, keyLength, valueStart, valueStart + valueLength, out);
      if (fast) {
        plain++;
        expect(check.ok).toBe(true);
        if (check.ok) expect(out).toEqual({ timestamp: check.reading.timestamp, voltage: check.reading.voltage, current: check.reading.current, temperature: check.reading.temperature, irradiance: check.reading.irradiance });
      } else if (check.ok) {
        throw new Error(`a valid reading was left to the slow path: ${JSON.stringify(check.reading)}`);
      }
      at = valueStart + valueLength;
    }
    expect(plain).toBeGreaterThan(0);
    // another key, or a value cut short, is never taken as plain
    const value = frameDeviceReadings(deviceId, { count: 1, timestamp: [1_763_500_000_000], voltage: [1], current: [1], temperature: [1], irradiance: [1] }, [0]);
    const vs = 14 + key.length;
    expect(decodePlainReading(value, 14, key.length, vs, value.length, out)).toBe(true);
    const other = Buffer.concat([value.subarray(0, 14), Buffer.from('PV-000043'), value.subarray(vs)]);
    expect(decodePlainReading(other, 14, key.length, vs, other.length, out)).toBe(false);
    expect(decodePlainReading(value, 14, key.length, vs, value.length - 1, out)).toBe(false);
  });
});

/**
 * One topic partition of the ingest: read the records of the day's window, decode
 * and validate them, set the bad ones aside, group the rest by device and write
 * the partition's silver part file. A device's readings are all in one partition
 * (keyed by device), so partitions are independent: worker threads take one each.
 * The exception is a record published under another key than its deviceId: it is
 * set aside (key_mismatch, or the first contract violation) and, as in Spark, counts
 * in the row of the device it names. That row is written by the device's own
 * partition (partitionOf its id): a partition hands such strays on (`strays`) and
 * takes those of its devices that other partitions found (`PartitionRequest.strays`).
 *
 * Plainly valid readings of the day (nearly all) are decoded straight from the
 * partition's bytes into typed arrays (readingCodec); any other goes through avsc and
 * validateReading, so every verdict, message and quarantine row is theirs. Every
 * record read ends in a device's readings, in quarantine, or in the adjacent-day count
 * (ingestDays.ts), and a record counts in a device's row only if its deviceId is valid.
 */
import { isUtf8 } from 'node:buffer';
import { DEVICE_ID_PATTERN, decodeReading, keyNotUtf8Detail, MalformedAvroError, validateReading, type QuarantineReason, type SilverDeviceDayRow, type SilverQuarantineRow } from '../../contracts';
import { TableParquetWriter } from '../../contracts/parquet';
import { buildSilverRow, slotOf } from '../../detector/silver';
import { decodePlainReading, type PlainReading } from '../readingCodec';
import { LocalTopic, partitionOf } from '../topic';
import { placementDetail, placeReading, type RunDays } from './ingestDays';

/**
 * A quarantine row as the ingest holds it: a timestamp past 2^53 stays exact as a bigint,
 * as Spark's long keeps it (the Parquet writer turns every int64 into a BigInt anyway).
 */
export type QuarantineRecord = Omit<SilverQuarantineRow, 'timestamp'> & { timestamp: number | bigint | null };

/** Rows per silver row group: a device-day is ~90 KB, so a group is a few MB. */
export const SILVER_ROW_GROUP = 64;

export interface PartitionRequest {
  topicDir: string;
  partition: number;
  /** the topic's partition count: a device's own partition is partitionOf(deviceId, partitions) */
  partitions: number;
  /** the run's day (the topic's time window read is its fromMs..toMs) and its neighbours */
  days: RunDays;
  /** [deviceId, readings]: readings of this partition's devices that other partitions set aside (the strays they returned) */
  strays: [string, number][];
}

export interface PartitionIngest {
  partition: number;
  /** the partition's silver part file */
  silver: Uint8Array;
  rows: number;
  minDeviceId?: string;
  maxDeviceId?: string;
  /** in Kafka order */
  quarantine: QuarantineRecord[];
  quarantined: Partial<Record<QuarantineReason, number>>;
  recordsRead: number;
  /** [deviceId, readings]: readings set aside here that name a device of another partition; they count in its row, not here */
  strays: [string, number][];
  observed: number;
  duplicates: number;
  filled: number;
  missing: number;
  /** valid readings of the day before or after that that day's run takes (ingestDays.ts) */
  adjacentDay: number;
}

/** A device's valid readings in arrival order, in typed arrays that grow by doubling. */
class DeviceReadings {
  count = 0;
  received = 0;
  quarantined = 0;
  timestamp = new Float64Array(4_608);
  // readings are Avro floats: float32 holds them exactly
  voltage = new Float32Array(4_608);
  current = new Float32Array(4_608);
  temperature = new Float32Array(4_608);
  irradiance = new Float32Array(4_608);

  push(r: PlainReading): void {
    if (this.count === this.timestamp.length) this.grow();
    const k = this.count++;
    this.timestamp[k] = r.timestamp;
    this.voltage[k] = r.voltage;
    this.current[k] = r.current;
    this.temperature[k] = r.temperature;
    this.irradiance[k] = r.irradiance;
  }

  private grow(): void {
    const n = this.timestamp.length * 2;
    const more = <T extends Float32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.timestamp = more(this.timestamp, (m) => new Float64Array(m));
    this.voltage = more(this.voltage, (m) => new Float32Array(m));
    this.current = more(this.current, (m) => new Float32Array(m));
    this.temperature = more(this.temperature, (m) => new Float32Array(m));
    this.irradiance = more(this.irradiance, (m) => new Float32Array(m));
  }
}

/**
 * A decoded reading as JSON: non-finite numbers as strings, a bigint timestamp as its exact
 * digits (JSON.stringify refuses bigints). The reading is flat, so this is JSON.stringify's text otherwise.
 */
export function readingJson(reading: Record<string, unknown>): string {
  const value = (v: unknown) => (typeof v === 'bigint' ? v.toString() : JSON.stringify(typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  return `{${Object.entries(reading)
    .map(([k, v]) => `${JSON.stringify(k)}:${value(v)}`)
    .join(',')}}`;
}

export function ingestPartition(q: PartitionRequest): PartitionIngest {
  const { partition } = q;
  const day = q.days.day;
  const quarantine: QuarantineRecord[] = [];
  const quarantined: Partial<Record<QuarantineReason, number>> = {};
  const strays = new Map<string, number>();
  const out: PartitionIngest = { partition, silver: new Uint8Array(0), rows: 0, quarantine, quarantined, recordsRead: 0, strays: [], duplicates: 0, observed: 0, filled: 0, missing: 0, adjacentDay: 0 };
  const byDevice = new Map<string, DeviceReadings>();
  const device = (id: string) => {
    let d = byDevice.get(id);
    if (!d) byDevice.set(id, (d = new DeviceReadings()));
    return d;
  };
  // a device's records mostly come in runs: the last key's bytes, its id if valid, and its readings are kept
  let lastKey = Buffer.alloc(0);
  let lastId: string | null = null;
  let lastDevice: DeviceReadings | null = null;
  const validIds = new Map<string, boolean>();
  const plain: PlainReading = { timestamp: 0, voltage: 0, current: 0, temperature: 0, irradiance: 0 };
  let offset = -1;

  LocalTopic.scanRaw(q.topicDir, partition, (buf, timestamp, keyStart, keyLength, valueStart, valueLength) => {
    offset++;
    // The run reads each partition up to the first record stamped at or after the window's end (Kafka's offset for
    // that time, Spark's endingTimestamp): what is stored after it is not the day's, whatever its timestamp (a replay,
    // a clock that went back), so a rerun reads the same records however much was appended since (docs/operations.md)
    if (timestamp >= day.toMs) return false;
    if (!(timestamp >= day.fromMs)) return;
    out.recordsRead++;
    if (keyLength !== lastKey.length || buf.compare(lastKey, 0, keyLength, keyStart, keyStart + keyLength) !== 0) {
      const key = buf.toString('utf8', keyStart, keyStart + keyLength);
      let ok = validIds.get(key);
      if (ok === undefined) validIds.set(key, (ok = DEVICE_ID_PATTERN.test(key)));
      lastKey = Buffer.from(buf.subarray(keyStart, keyStart + keyLength));
      lastId = ok ? key : null;
      lastDevice = null;
    }
    // another day's reading (rare) is placed by the slow path
    if (lastId !== null && decodePlainReading(buf, keyStart, keyLength, valueStart, valueStart + valueLength, plain) && slotOf(plain.timestamp, day) >= 0) {
      // a device exists from its first accepted or quarantined reading, as in the slow path
      lastDevice ??= device(lastId);
      lastDevice.received++;
      lastDevice.push(plain);
      return;
    }
    slowPath(Buffer.from(buf.subarray(keyStart, keyStart + keyLength)), Buffer.from(buf.subarray(valueStart, valueStart + valueLength)), offset, timestamp);
  });

  /** The record as the ingest always judged it: avsc, then validateReading, then the key. */
  function slowPath(keyBytes: Buffer, value: Buffer, kafkaOffset: number, publishMs: number): void {
    const setAside = (reason: QuarantineReason, field: string | null, detail: string, reading: Record<string, unknown> | null) => {
      quarantined[reason] = (quarantined[reason] ?? 0) + 1;
      quarantine.push({
        deviceId: typeof reading?.deviceId === 'string' ? reading.deviceId : null,
        timestamp: typeof reading?.timestamp === 'bigint' || (typeof reading?.timestamp === 'number' && Number.isFinite(reading.timestamp)) ? reading.timestamp : null,
        reason,
        field,
        detail,
        kafkaPartition: partition,
        kafkaOffset,
        payload: reading ? readingJson(reading) : value.toString('base64'),
      });
      // an id that fails the contract's pattern names no device: it must never get a silver (and so gold) row
      if (typeof reading?.deviceId === 'string' && DEVICE_ID_PATTERN.test(reading.deviceId)) {
        const id = reading.deviceId;
        // under another device's key, the record may be in another partition than the device's own
        if (partitionOf(id, q.partitions) !== partition) {
          strays.set(id, (strays.get(id) ?? 0) + 1);
          return;
        }
        const d = device(id);
        d.quarantined++;
        d.received++;
      }
    };
    let reading;
    try {
      reading = decodeReading(value);
    } catch (err) {
      if (err instanceof MalformedAvroError) {
        setAside('malformed', null, err.message, null);
        return;
      }
      throw err;
    }
    // a key that is not UTF-8 names no device (Spark reads keys as bytes and judges them the same way)
    if (!isUtf8(keyBytes)) {
      setAside('malformed', null, keyNotUtf8Detail(keyBytes.length), null);
      return;
    }
    const key = keyBytes.toString('utf8');
    const check = validateReading(reading);
    if (!check.ok) {
      const first = check.issues[0]!;
      setAside(first.reason, first.field, check.issues.map((i) => i.message).join('; '), reading as unknown as Record<string, unknown>);
      return;
    }
    // valid by the contract from here on: its timestamp is a number in range
    const valid = check.reading;
    if (key !== valid.deviceId) {
      setAside('key_mismatch', 'deviceId', `Kafka key ${JSON.stringify(key)} differs from deviceId ${JSON.stringify(valid.deviceId)}`, valid as unknown as Record<string, unknown>);
      return;
    }
    const place = placeReading(valid.timestamp, publishMs, q.days);
    if (place === 'adjacent') {
      out.adjacentDay++;
      return;
    }
    if (place !== 'day') {
      setAside(place, 'timestamp', placementDetail(place, valid.timestamp, publishMs, q.days), valid as unknown as Record<string, unknown>);
      return;
    }
    const d = device(valid.deviceId);
    d.received++;
    d.push(valid);
  }

  out.strays = [...strays];
  for (const [id, n] of q.strays) {
    if (partitionOf(id, q.partitions) !== partition) throw new Error(`partition ${partition} was handed readings of ${JSON.stringify(id)}, a device of another partition`);
    const d = device(id);
    d.quarantined += n;
    d.received += n;
  }

  const ids = [...byDevice.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const writer = new TableParquetWriter('silver_device_day', SILVER_ROW_GROUP);
  // a row group at a time: the partition's readings are let go as their rows are written
  for (let from = 0; from < ids.length; from += SILVER_ROW_GROUP) {
    const rows: SilverDeviceDayRow[] = ids.slice(from, from + SILVER_ROW_GROUP).map((id) => {
      const d = byDevice.get(id)!;
      byDevice.delete(id);
      const row = buildSilverRow(id, day, d, { received: d.received, quarantined: d.quarantined });
      out.observed += row.observed;
      out.duplicates += row.duplicates;
      out.filled += row.filled;
      out.missing += row.missing;
      return row;
    });
    writer.write(rows as unknown as Record<string, unknown>[]);
  }
  out.silver = new Uint8Array(writer.finish());
  out.rows = ids.length;
  if (ids.length > 0) {
    out.minDeviceId = ids[0]!;
    out.maxDeviceId = ids[ids.length - 1]!;
  }
  return out;
}

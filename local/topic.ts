/**
 * A local stand-in for the MSK topic, enough for the pipeline's purposes: records
 * keyed by device id go to a partition by Kafka's default partitioner (murmur2 of
 * the key), are appended with their timestamp (the producer's publish time) and an
 * offset, and are read back partition by partition for a time window — as the
 * ingest job reads Kafka with startingTimestamp/endingTimestamp. Each partition is
 * an append-only file, so a 10k-device day does not have to fit in memory.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Kafka's murmur2 (the Java client's default partitioner), on the key's bytes. */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const r = 24;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4]! & 0xff) | ((data[i4 + 1]! & 0xff) << 8) | ((data[i4 + 2]! & 0xff) << 16) | ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = length & 3;
  const base = length & ~3;
  if (rest === 3) h ^= (data[base + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[base + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[base]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionOf(key: string | Uint8Array, partitions: number): number {
  return (murmur2(typeof key === 'string' ? Buffer.from(key, 'utf8') : key) & 0x7fffffff) % partitions;
}

export interface TopicRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: string;
  value: Buffer;
}

const FLUSH_BYTES = 1 << 20;
const SCAN_CHUNK = 8 << 20;
/** Frame header of a topic record: timestamp (f64) · key length (u16) · value length (u32). */
export const FRAME_HEADER = 14;
/**
 * The largest value a record may carry: Kafka's default max.message.bytes (a reading is at
 * most 88 bytes). The writer refuses more, so a frame that declares more was corrupted.
 */
export const MAX_VALUE_BYTES = 1 << 20;

/** The file of one partition of the topic in `dir`. */
export function partitionFile(dir: string, partition: number): string {
  return join(dir, `partition-${partition}.log`);
}

/** A partition file that is not a sequence of whole frames: its records from `offset` on cannot be found. */
export class CorruptTopicError extends Error {
  constructor(
    readonly file: string,
    readonly partition: number,
    readonly offset: number,
    readonly position: number,
    problem: string,
  ) {
    super(`local topic partition ${partition} is corrupt at offset ${offset} (byte ${position} of ${file}): ${problem}. The records after it cannot be found, so the partition is not read short: publish the day again`);
    this.name = 'CorruptTopicError';
  }
}

/** Record layout: timestamp (f64) · key length (u16) · value length (u32) · key · value. */
export class LocalTopic {
  private readonly fds: number[];
  private readonly buffers: Buffer[][];
  private readonly pending: number[];
  private readonly counts: number[];

  constructor(
    readonly dir: string,
    readonly partitions: number,
  ) {
    mkdirSync(dir, { recursive: true });
    this.fds = Array.from({ length: partitions }, (_, p) => openSync(partitionFile(dir, p), 'a'));
    this.buffers = Array.from({ length: partitions }, () => []);
    this.pending = new Array<number>(partitions).fill(0);
    // counting also checks the frames: appending to a corrupt partition would hide its damage behind new records
    this.counts = Array.from({ length: partitions }, (_, p) => LocalTopic.countRecords(dir, p));
  }

  /** Deletes the topic's files (a fresh day for the demo). */
  static reset(dir: string): void {
    if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.startsWith('partition-')) rmSync(join(dir, f));
  }

  private static countRecords(dir: string, partition: number): number {
    if (!existsSync(partitionFile(dir, partition))) return 0;
    let n = 0;
    LocalTopic.scanRaw(dir, partition, () => void n++);
    return n;
  }

  /**
   * Visits the records of a partition in offset order, reading its file in chunks so
   * that a partition of any size costs a few MiB. The visitor gets the chunk and the
   * record's byte positions in it (valid only during the call). A frame that declares
   * more than a record can hold, or that the file ends inside, is a CorruptTopicError
   * naming the partition and the offset: a frame's length is the only way to the next
   * record, so skipping the rest quietly would lose every record after it. A visitor that
   * returns false ends the scan there (a read bounded by an offset, as Kafka's consumers read).
   */
  static scanRaw(dir: string, partition: number, visit: (buf: Buffer, timestamp: number, keyStart: number, keyLength: number, valueStart: number, valueLength: number) => boolean | void): void {
    const file = partitionFile(dir, partition);
    const fd = openSync(file, 'r');
    try {
      let buf = Buffer.allocUnsafe(SCAN_CHUNK);
      let filled = 0;
      let at = 0;
      let eof = false;
      let offset = 0;
      let position = 0; // the file position of buf[at]
      while (true) {
        const available = filled - at;
        let size = FRAME_HEADER;
        if (available >= FRAME_HEADER) {
          const valueLength = buf.readUInt32LE(at + 10);
          if (valueLength > MAX_VALUE_BYTES) throw new CorruptTopicError(file, partition, offset, position, `the frame declares a ${valueLength}-byte value, more than a record can hold (${MAX_VALUE_BYTES})`);
          size = FRAME_HEADER + buf.readUInt16LE(at + 8) + valueLength;
        }
        if (available < size) {
          if (eof) {
            if (available === 0) break;
            throw new CorruptTopicError(file, partition, offset, position, `the file ends ${available} bytes into a ${available < FRAME_HEADER ? 'frame header' : `${size}-byte frame`}`);
          }
          // keep the partial record, then fill the rest of the buffer (larger if one record does not fit)
          const next = size > buf.length ? Buffer.allocUnsafe(Math.max(size, 2 * buf.length)) : buf;
          buf.copy(next, 0, at, filled);
          buf = next;
          filled = available;
          at = 0;
          const n = readSync(fd, buf, filled, buf.length - filled, null);
          if (n === 0) eof = true;
          filled += n;
          continue;
        }
        const keyLength = buf.readUInt16LE(at + 8);
        if (visit(buf, buf.readDoubleLE(at), at + FRAME_HEADER, keyLength, at + FRAME_HEADER + keyLength, size - FRAME_HEADER - keyLength) === false) break;
        at += size;
        position += size;
        offset++;
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Appends a record and returns its partition and offset. The key as bytes keeps one that is not UTF-8 (a copy of a real topic). */
  send(key: string | Uint8Array, value: Uint8Array, timestamp: number): { partition: number; offset: number } {
    if (value.length > MAX_VALUE_BYTES) throw new Error(`local topic: a ${value.length}-byte value for key ${JSON.stringify(typeof key === 'string' ? key : Buffer.from(key).toString('hex'))} is larger than a record may be (${MAX_VALUE_BYTES} bytes, Kafka's max.message.bytes)`);
    const partition = partitionOf(key, this.partitions);
    const k = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    const header = Buffer.allocUnsafe(FRAME_HEADER);
    header.writeDoubleLE(timestamp, 0);
    header.writeUInt16LE(k.length, 8);
    header.writeUInt32LE(value.length, 10);
    this.buffers[partition]!.push(header, k, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    this.pending[partition]! += FRAME_HEADER + k.length + value.length;
    if (this.pending[partition]! > FLUSH_BYTES) this.flushPartition(partition);
    return { partition, offset: this.counts[partition]!++ };
  }

  /**
   * Appends records already framed for one key (readingCodec's frameDeviceReadings):
   * the same bytes as sending them one by one, without a call and three buffers per record.
   */
  appendFramed(key: string, framed: Buffer, records: number): void {
    const partition = partitionOf(key, this.partitions);
    this.buffers[partition]!.push(framed);
    this.pending[partition]! += framed.length;
    this.counts[partition]! += records;
    if (this.pending[partition]! > FLUSH_BYTES) this.flushPartition(partition);
  }

  private flushPartition(p: number): void {
    if (this.buffers[p]!.length === 0) return;
    writeSync(this.fds[p]!, Buffer.concat(this.buffers[p]!));
    this.buffers[p] = [];
    this.pending[p] = 0;
  }

  flush(): void {
    for (let p = 0; p < this.partitions; p++) this.flushPartition(p);
  }

  close(): void {
    this.flush();
    for (const fd of this.fds) closeSync(fd);
  }

  /** The records of one partition with startMs ≤ timestamp < endMs, in offset order. */
  static *read(dir: string, partition: number, startMs: number, endMs: number): Generator<TopicRecord> {
    if (!existsSync(partitionFile(dir, partition))) return;
    const records: TopicRecord[] = [];
    let offset = 0;
    // collected before they are handed out: fine for small reads; bulk readers visit records with scanRaw
    LocalTopic.scanRaw(dir, partition, (buf, timestamp, keyStart, keyLength, valueStart, valueLength) => {
      if (timestamp >= startMs && timestamp < endMs) {
        records.push({ partition, offset, timestamp, key: buf.toString('utf8', keyStart, keyStart + keyLength), value: Buffer.from(buf.subarray(valueStart, valueStart + valueLength)) });
      }
      offset++;
    });
    yield* records;
  }
}

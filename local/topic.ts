/**
 * A local stand-in for the MSK topic, enough for the pipeline's purposes: records
 * keyed by device id go to a partition by Kafka's default partitioner (murmur2 of
 * the key), are appended with their timestamp (the producer's publish time) and an
 * offset, and are read back partition by partition for a time window — as the
 * ingest job reads Kafka with startingTimestamp/endingTimestamp. Each partition is
 * an append-only file, so a 10k-device day does not have to fit in memory.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
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

export function partitionOf(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}

export interface TopicRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: string;
  value: Buffer;
}

const FLUSH_BYTES = 1 << 20;

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
    this.fds = Array.from({ length: partitions }, (_, p) => openSync(join(dir, `partition-${p}.log`), 'a'));
    this.buffers = Array.from({ length: partitions }, () => []);
    this.pending = new Array<number>(partitions).fill(0);
    this.counts = Array.from({ length: partitions }, (_, p) => LocalTopic.countRecords(join(dir, `partition-${p}.log`)));
  }

  /** Deletes the topic's files (a fresh day for the demo). */
  static reset(dir: string): void {
    if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.startsWith('partition-')) rmSync(join(dir, f));
  }

  private static countRecords(file: string): number {
    if (!existsSync(file)) return 0;
    let n = 0;
    for (const _ of LocalTopic.scan(file)) n++;
    return n;
  }

  private static *scan(file: string): Generator<{ timestamp: number; key: string; value: Buffer }> {
    const data = readFileSync(file);
    let at = 0;
    while (at + 14 <= data.length) {
      const timestamp = data.readDoubleLE(at);
      const keyLength = data.readUInt16LE(at + 8);
      const valueLength = data.readUInt32LE(at + 10);
      const keyStart = at + 14;
      const valueStart = keyStart + keyLength;
      if (valueStart + valueLength > data.length) break; // a torn tail write is not a record
      yield { timestamp, key: data.toString('utf8', keyStart, valueStart), value: data.subarray(valueStart, valueStart + valueLength) };
      at = valueStart + valueLength;
    }
  }

  /** Appends a record and returns its partition and offset. */
  send(key: string, value: Uint8Array, timestamp: number): { partition: number; offset: number } {
    const partition = partitionOf(key, this.partitions);
    const k = Buffer.from(key, 'utf8');
    const header = Buffer.allocUnsafe(14);
    header.writeDoubleLE(timestamp, 0);
    header.writeUInt16LE(k.length, 8);
    header.writeUInt32LE(value.length, 10);
    this.buffers[partition]!.push(header, k, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    this.pending[partition]! += 14 + k.length + value.length;
    if (this.pending[partition]! > FLUSH_BYTES) this.flushPartition(partition);
    return { partition, offset: this.counts[partition]!++ };
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
    const file = join(dir, `partition-${partition}.log`);
    if (!existsSync(file)) return;
    let offset = 0;
    for (const r of LocalTopic.scan(file)) {
      if (r.timestamp >= startMs && r.timestamp < endMs) yield { partition, offset, ...r };
      offset++;
    }
  }
}

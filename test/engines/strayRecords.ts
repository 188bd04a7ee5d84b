/**
 * Records no producer of ours sends but a topic can hold (another client, a broken
 * gateway, a replay): the producer validates what it publishes, so without these the
 * day would put nothing in quarantine. Published straight to the broker with kafkajs
 * and the Java partitioner, so both engines read them where Spark's consumer does.
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { READING_AVRO_TYPE, encodeReading } from '../../contracts';
import longTimestamps from '../fixtures/contracts/long-timestamp-records.json';
import undecodable from '../fixtures/contracts/undecodable-records.json';

export interface StrayRecord {
  what: string;
  key: Buffer;
  value: Buffer;
  timestamp: number;
}

const HOUR = 3_600_000;

function reading(deviceId: string, timestamp: number, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { deviceId, timestamp, voltage: 410.5, current: 7.25, temperature: 31.5, irradiance: 812, ...patch };
}

/** One record of each kind the ingest sets aside, published at noon of the day [startMs, endMs). */
export function strayRecords(window: { startMs: number; endMs: number }): StrayRecord[] {
  const noon = window.startMs + 12 * HOUR;
  const key = (s: string) => Buffer.from(s, 'utf8');
  // the raw Avro type: encodeReading refuses what the contract refuses, and these must reach the topic
  const raw = (r: Record<string, unknown>) => READING_AVRO_TYPE.toBuffer(r);
  return [
    { what: 'key_mismatch', key: key('PV-000001'), value: encodeReading(reading('PV-000002', noon)), timestamp: noon },
    // the shared vectors of records that name no device: not Avro, truncated, trailing bytes, a deviceId or a key that is not UTF-8
    ...undecodable.cases.map((c) => ({ what: `malformed: ${c.case}`, key: Buffer.from(c.keyHex, 'hex'), value: Buffer.from(c.valueHex, 'hex'), timestamp: noon })),
    { what: 'too_late', key: key('PV-000005'), value: encodeReading(reading('PV-000005', window.startMs - 30 * HOUR)), timestamp: noon },
    { what: 'other_day', key: key('PV-000006'), value: encodeReading(reading('PV-000006', window.endMs + 30 * HOUR)), timestamp: noon },
    { what: 'bad_device_id', key: key('../PV-000007'), value: raw(reading('../PV-000007', noon)), timestamp: noon },
    { what: 'out_of_range', key: key('PV-000008'), value: raw(reading('PV-000008', noon, { voltage: 1e6 })), timestamp: noon },
    // the shared vectors of timestamps past 2^53: out_of_range and exact in both engines, not malformed in one
    ...longTimestamps.cases.map((c) => ({ what: `out_of_range: ${c.case}`, key: Buffer.from(c.keyHex, 'hex'), value: Buffer.from(c.valueHex, 'hex'), timestamp: noon })),
  ];
}

/** The device of the replayed record: no other record names it, so a run that read it would have one device more. */
export const REPLAYED_DEVICE = 'PV-REPLAYED';

/**
 * A reading of the day's noon appended after the day was published (a replay, a producer
 * clock that went back): stored after records stamped past the window's end, so beyond
 * the end offset of the run's read. Neither engine reads it (docs/operations.md).
 */
export function replayedRecord(window: { startMs: number }): StrayRecord {
  const noon = window.startMs + 12 * HOUR;
  return { what: 'replayed after the window end', key: Buffer.from(REPLAYED_DEVICE, 'utf8'), value: encodeReading(reading(REPLAYED_DEVICE, noon)), timestamp: noon };
}

/**
 * Creates the topic and publishes the records first, before the day, so that every one is
 * inside the run's read: each engine reads a partition up to the first record stamped at or
 * after the window's end (docs/operations.md); a record stored after that one is read by neither.
 */
export async function publishStrayRecords(bootstrap: string, topic: string, partitions: number, records: StrayRecord[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'stray', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  await publishRecords(bootstrap, topic, records);
}

/** Appends records to an existing topic, keyed with the Java partitioner (the producer's and Spark's mapping). */
export async function publishRecords(bootstrap: string, topic: string, records: StrayRecord[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'stray', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: records.map((r) => ({ key: r.key, value: r.value, timestamp: String(r.timestamp) })) });
  } finally {
    await producer.disconnect();
  }
}

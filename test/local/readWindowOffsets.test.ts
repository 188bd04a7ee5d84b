/**
 * What the local ingest reads of a partition: the records up to the first one stamped at
 * or after the window's end (end + the lateness), as Spark's offset-bounded read
 * (endingTimestamp) does; a record stored after that one is not the day's, even with a
 * timestamp inside the day (a replay, a producer clock that went back). The real broker
 * holds both engines to it (test/engines/realEngines.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeReading, LATENESS_MS, plantDayWindow } from '../../contracts';
import { runIngest } from '../../local/jobs/ingest';
import { LocalTopic } from '../../local/topic';
import { REGISTRY_ARGS, withRegistry } from '../helpers/registry';

const DATE = '2026-11-19';
const TZ = 'Europe/Madrid';
const day = plantDayWindow(DATE, TZ);
const windowEnd = day.endMs + LATENESS_MS;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'read-window-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reading = (deviceId: string, timestamp: number) => encodeReading({ deviceId, timestamp, voltage: 400, current: 7, temperature: 30, irradiance: 800 });

async function ingest(topicDir: string) {
  const args = ['--date', DATE, '--start-ms', String(day.startMs), '--end-ms', String(day.endMs), '--run-id', 'r1', '--time-zone', TZ, '--bootstrap-servers', 'local:9098', '--topic', 'readings', '--silver-uri', 's3://silver', ...REGISTRY_ARGS];
  return runIngest(args, topicDir, 1, withRegistry({ put: async () => undefined }), false, 1);
}

it('stops at the first record stamped at or after the window end: a day reading stored after it is not read', async () => {
  const topicDir = join(dir, 'bounded');
  const topic = new LocalTopic(topicDir, 1);
  const noon = day.startMs + 12 * 3_600_000;
  for (let s = 0; s < 10; s++) topic.send('PV-000001', reading('PV-000001', noon + s * 20_000), noon + s * 20_000 + 1000);
  // the next day's first reading, published past this window's end: the end offset
  topic.send('PV-000001', reading('PV-000001', day.endMs + 4 * 3_600_000), windowEnd + 1000);
  // appended afterwards with a timestamp inside the day and inside the window
  topic.send('PV-000002', reading('PV-000002', noon), noon + 1000);
  topic.close();
  const result = await ingest(topicDir);
  expect({ recordsRead: result.recordsRead, devices: result.devices, observed: result.observed }).toEqual({ recordsRead: 10, devices: 1, observed: 10 });
});

it('reads to the partition end when nothing is stamped at or after the window end yet', async () => {
  const topicDir = join(dir, 'open');
  const topic = new LocalTopic(topicDir, 1);
  const noon = day.startMs + 12 * 3_600_000;
  for (let s = 0; s < 10; s++) topic.send('PV-000001', reading('PV-000001', noon + s * 20_000), noon + s * 20_000 + 1000);
  // stored after a later-stamped record, but none reaches the window end: still read (Spark: the latest offset)
  topic.send('PV-000002', reading('PV-000002', noon), windowEnd - 1000);
  topic.send('PV-000003', reading('PV-000003', noon), noon + 1000);
  topic.close();
  const result = await ingest(topicDir);
  expect({ recordsRead: result.recordsRead, devices: result.devices }).toEqual({ recordsRead: 12, devices: 3 });
});

/**
 * npm run bench:api -- [--devices 100000] [--lookups 2000]
 *
 * A gold day of N devices (27 daylight windows each) on a local S3 API (s3rver on
 * loopback); random device lookups through the API handler, warm: p50/p99 latency
 * and bytes read per lookup, beside the original design's approach — read the
 * whole partition and filter. Goal (issue 8): p99 ≤ 25 ms warm, ≤ 1 % of the
 * partition's bytes per lookup.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { parquetReadObjects } from 'hyparquet';
import { FAULT_CLASSES, plantDayWindow } from '../contracts';
import { publishSortedChunks } from '../contracts/partition';
import { goldRows } from '../detector/gold';
import type { WindowInfo } from '../detector/windows';
import { Rng } from '../detector/simulator/random';
import { createHandler } from '../functions/api/handler';
import type { ObjectStore } from '../functions/api/tableReader';
import { S3Store } from '../functions/api/s3Store';
import { startLocalS3 } from '../local/localS3';

const DATE = '2026-11-18';
const id = (i: number) => `PV-${String(i).padStart(6, '0')}`;

function* deviceChunks(devices: number, perChunk: number, which: 'window' | 'daily') {
  const { startMs } = plantDayWindow(DATE, 'Europe/Madrid');
  const rng = new Rng(7, 'bench-api');
  const windows: WindowInfo[] = Array.from({ length: 27 }, (_, i) => ({ index: 20 + i, startMs: startMs + (20 + i) * 1_280_000, endMs: startMs + (21 + i) * 1_280_000, skipReason: null, missingFraction: 0, meanIrradiance: 500 }));
  for (let from = 1; from <= devices; from += perChunk) {
    const rows: object[] = [];
    for (let i = from; i < Math.min(devices + 1, from + perChunk); i++) {
      const probs = Float32Array.from({ length: 27 * FAULT_CLASSES.length }, () => rng.next());
      const g = goldRows(id(i), windows, probs, 'bench');
      if (which === 'window') rows.push(...g.windows);
      else rows.push(g.daily);
    }
    yield rows;
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { devices: { type: 'string', default: '100000' }, lookups: { type: 'string', default: '2000' } } });
  const devices = Number(values.devices);
  const lookups = Number(values.lookups);
  // S3's work runs in its own process, as it does on other machines on AWS
  const s3 = await startLocalS3(['gold'], undefined, { separateProcess: true });
  try {
    const t0 = Date.now();
    const writer = s3.writer('gold');
    // files of 10k devices; row groups of 20 devices (window) and 250 devices (daily)
    const win = await publishSortedChunks(writer, 'gold_window', DATE, 'bench', deviceChunks(devices, 10_000, 'window'), { rowGroupSize: 540 });
    const daily = await publishSortedChunks(writer, 'gold_daily', DATE, 'bench', deviceChunks(devices, 100_000, 'daily'), { rowGroupSize: 250 });
    const partitionBytes = win.files.reduce((a, f) => a + f.bytes, 0) + daily.files.reduce((a, f) => a + f.bytes, 0);
    console.log(`API benchmark · ${devices.toLocaleString('en-US')} devices, ${win.rows.toLocaleString('en-US')} window rows in ${win.files.length} files, ${(partitionBytes / 1e6).toFixed(1)} MB · s3rver on loopback (own process) · ${cpus()[0]?.model ?? ''} · ${new Date().toISOString().slice(0, 10)} (gold written in ${((Date.now() - t0) / 1000).toFixed(0)} s)`);

    const s3Store = new S3Store(s3.client, 'gold');
    let bytes = 0;
    let requests = 0;
    const counting: ObjectStore = {
      getText: async (key) => {
        requests++;
        const t = await s3Store.getText(key);
        bytes += t?.length ?? 0;
        return t;
      },
      getRange: async (key, start, end) => {
        requests++;
        bytes += end - start;
        return s3Store.getRange(key, start, end);
      },
    };
    const api = createHandler({ store: counting, timeZone: 'Europe/Madrid', now: () => Date.UTC(2026, 10, 20) });
    const rng = new Rng(1, 'lookups');
    const lookup = async (i: number) => {
      const r = await api({ rawPath: `/devices/${id(i)}/predictions`, queryStringParameters: { date: DATE } });
      if (r.statusCode !== 200) throw new Error(`lookup of ${id(i)}: ${r.statusCode} ${r.body}`);
    };
    // warm: one lookup per file caches the markers and every footer, as a warm Lambda has them
    for (let i = 1; i <= devices; i += 10_000) await lookup(i);
    const footerBytes = bytes;
    bytes = 0;
    requests = 0;
    const latencies: number[] = [];
    for (let n = 0; n < lookups; n++) {
      const t = process.hrtime.bigint();
      await lookup(rng.int(1, devices));
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    latencies.sort((a, b) => a - b);
    const perLookup = bytes / lookups;
    console.log(`cold start (markers + ${win.files.length + daily.files.length} footers, once per warm Lambda): ${(footerBytes / 1024).toFixed(0)} KiB`);
    console.log(`lookup, warm:   p50 ${quantile(latencies, 0.5).toFixed(1)} ms · p99 ${quantile(latencies, 0.99).toFixed(1)} ms · ${(perLookup / 1024).toFixed(1)} KiB and ${(requests / lookups).toFixed(1)} requests per lookup = ${((100 * perLookup) / partitionBytes).toFixed(3)} % of the partition (goals: p99 ≤ 25 ms, ≤ 1 %)`);

    // the original design: read the whole partition and filter in the function
    const whole: number[] = [];
    for (let n = 0; n < 3; n++) {
      const target = id(rng.int(1, devices));
      const t = process.hrtime.bigint();
      let found = 0;
      for (const f of [...win.files, ...daily.files]) {
        const buf = await s3Store.getRange(f.key, 0, f.bytes);
        for (const r of await parquetReadObjects({ file: buf, columns: ['deviceId'] })) if (r.deviceId === target) found++;
      }
      whole.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (found === 0) throw new Error('whole-partition read found nothing');
    }
    whole.sort((a, b) => a - b);
    console.log(`whole-partition read (original design): ${quantile(whole, 0.5).toFixed(0)} ms and ${(partitionBytes / 1024).toFixed(0)} KiB per lookup — ${(quantile(whole, 0.5) / quantile(latencies, 0.5)).toFixed(0)}× slower, ${(partitionBytes / perLookup).toFixed(0)}× the bytes`);
  } finally {
    await s3.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

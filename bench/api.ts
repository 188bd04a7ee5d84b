/**
 * npm run bench:api -- [--devices 100000] [--lookups 2000] [--dir out/bench-api] [--client tuned|default]
 *
 * A gold day of N devices (27 daylight windows each) on a local S3 API (s3rver on
 * loopback); random device lookups through the API handler, warm: p50/p99 latency
 * and bytes read per lookup, beside the original design's approach — read the
 * whole partition and filter. Goal (issue 8): p99 ≤ 25 ms warm, ≤ 1 % of the
 * partition's bytes per lookup.
 *
 * Each lookup's ranged GETs are replayed right after it, in the same way (in
 * parallel), twice: over raw HTTP (s3rver and loopback alone: the emulator's floor)
 * and through the SDK client (the floor plus the SDK), so the report shows which
 * part of the handler's time is the emulated S3, the SDK, and our own work.
 * --dir keeps the written gold day between runs (writing 100k devices takes minutes).
 */
import { request, Agent } from 'node:http';
import { cpus } from 'node:os';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import { commitKey, FAULT_CLASSES, parseCommitMarker, plantDayWindow, type CommitMarker, type TableName } from '../contracts';
import { publishSortedChunks } from '../contracts/partition';
import { ALARM_LABELS, type AlarmRule, type AlarmThresholds } from '../detector/alarms';
import { goldRows } from '../detector/gold';
import type { WindowInfo } from '../detector/windows';
import { Rng } from '../detector/simulator/random';
import { createHandler } from '../functions/api/handler';
import { createS3Client } from '../functions/api/s3Client';
import type { ObjectStore } from '../functions/api/tableReader';
import { S3Store } from '../functions/api/s3Store';
import { startLocalS3 } from '../local/localS3';

const DATE = '2026-11-18';
const id = (i: number) => `PV-${String(i).padStart(6, '0')}`;
/** any rule does: a lookup reads the same bytes whatever the day's alarms */
const RULE: AlarmRule = { thresholds: Object.fromEntries(ALARM_LABELS.map((l) => [l, 5])) as AlarmThresholds, raise: { string_blocked: 3 } };

function* deviceChunks(devices: number, perChunk: number, which: 'window' | 'daily') {
  const { startMs } = plantDayWindow(DATE, 'Europe/Madrid');
  const rng = new Rng(7, 'bench-api');
  const windows: WindowInfo[] = Array.from({ length: 27 }, (_, i) => ({ index: 20 + i, startMs: startMs + (20 + i) * 1_280_000, endMs: startMs + (21 + i) * 1_280_000, skipReason: null, missingFraction: 0, meanIrradiance: 500 }));
  for (let from = 1; from <= devices; from += perChunk) {
    const rows: object[] = [];
    for (let i = from; i < Math.min(devices + 1, from + perChunk); i++) {
      const probs = Float32Array.from({ length: 27 * FAULT_CLASSES.length }, () => rng.next());
      const g = goldRows(id(i), windows, probs, 'bench', RULE);
      if (which === 'window') rows.push(...g.windows);
      else rows.push(g.daily);
    }
    yield rows;
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
function describe(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `p50 ${ms(quantile(sorted, 0.5))} · p99 ${ms(quantile(sorted, 0.99))}`;
}

/** The day's table as written by an earlier run in the same --dir, if it has the expected rows. */
async function existing(store: S3Store, table: TableName, rows: number): Promise<CommitMarker | null> {
  const text = await store.getText(commitKey(table, DATE));
  if (text === null) return null;
  const marker = parseCommitMarker(text, { table, date: DATE });
  return marker.rows === rows ? marker : null;
}

interface Range {
  key: string;
  start: number;
  end: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { devices: { type: 'string', default: '100000' }, lookups: { type: 'string', default: '2000' }, dir: { type: 'string' }, client: { type: 'string', default: 'tuned' } } });
  const devices = Number(values.devices);
  const lookups = Number(values.lookups);
  if (values.client !== 'tuned' && values.client !== 'default') throw new Error('--client is tuned (functions/api/s3Client.ts) or default (the SDK defaults)');
  // S3's work runs in its own process, as it does on other machines on AWS
  const s3 = await startLocalS3(['gold'], values.dir, { separateProcess: true });
  const local = { region: 'us-east-1', endpoint: `http://127.0.0.1:${s3.port}`, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
  const client = values.client === 'tuned' ? createS3Client(local) : new S3Client(local);
  try {
    const t0 = Date.now();
    const s3Store = new S3Store(client, 'gold');
    const writer = s3.writer('gold');
    // files of 10k devices; row groups of 20 devices (window) and 250 devices (daily)
    const win = (await existing(s3Store, 'gold_window', devices * 27)) ?? (await publishSortedChunks(writer, 'gold_window', DATE, 'bench', deviceChunks(devices, 10_000, 'window'), { rowGroupSize: 540 }));
    const daily = (await existing(s3Store, 'gold_daily', devices)) ?? (await publishSortedChunks(writer, 'gold_daily', DATE, 'bench', deviceChunks(devices, 100_000, 'daily'), { rowGroupSize: 250 }));
    const partitionBytes = win.files.reduce((a, f) => a + f.bytes, 0) + daily.files.reduce((a, f) => a + f.bytes, 0);
    console.log(
      `API benchmark · ${devices.toLocaleString('en-US')} devices, ${win.rows.toLocaleString('en-US')} window rows in ${win.files.length} files, ${(partitionBytes / 1e6).toFixed(1)} MB · s3rver on loopback (own process) · ${values.client} S3 client · ${cpus().length} × ${cpus()[0]?.model ?? ''} · node ${process.version} ${process.execArgv.join(' ')} · ${new Date().toISOString().slice(0, 10)} (gold ready in ${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    );

    let bytes = 0;
    let requests = 0;
    let ranges: Range[] = [];
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
        ranges.push({ key, start, end });
        return s3Store.getRange(key, start, end);
      },
      listKeys: (prefix) => {
        requests++;
        return s3Store.listKeys(prefix);
      },
    };
    const api = createHandler({ store: counting, timeZone: 'Europe/Madrid', now: () => Date.UTC(2026, 10, 20) });
    const rng = new Rng(1, 'lookups');
    const lookup = async (i: number) => {
      const r = await api({ rawPath: `/devices/${id(i)}/predictions`, queryStringParameters: { date: DATE } });
      if (r.statusCode !== 200) throw new Error(`lookup of ${id(i)}: ${r.statusCode} ${r.body}`);
    };

    // the floor: the same GET with nothing of ours and no SDK on top (unsigned: s3rver accepts anonymous reads)
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const rawGet = (r: Range) =>
      new Promise<number>((resolve, reject) => {
        const path = `/gold/${r.key.split('/').map(encodeURIComponent).join('/')}`;
        const req = request({ host: '127.0.0.1', port: s3.port, path, agent, headers: { range: `bytes=${r.start}-${r.end - 1}` } }, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => (res.statusCode === 206 && n === r.end - r.start ? resolve(n) : reject(new Error(`raw GET ${path}: ${res.statusCode}, ${n} bytes`))));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
    const timed = async (f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      return performance.now() - t;
    };

    // warm: one lookup per file caches the markers and every footer, as a warm Lambda has them
    for (let i = 1; i <= devices; i += 10_000) await lookup(i);
    for (let i = 0; i < 50; i++) await rawGet({ key: win.files[0]!.key, start: 0, end: 20_000 });
    const footerBytes = bytes;
    bytes = 0;
    requests = 0;

    const pauses: { start: number; end: number }[] = [];
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) pauses.push({ start: e.startTime, end: e.startTime + e.duration });
    });
    gc.observe({ entryTypes: ['gc'] });
    const handler: { start: number; end: number }[] = [];
    const raw: number[] = [];
    const sdk: number[] = [];
    for (let n = 0; n < lookups; n++) {
      ranges = [];
      const start = performance.now();
      await lookup(rng.int(1, devices));
      handler.push({ start, end: performance.now() });
      const mine = ranges;
      raw.push(await timed(() => Promise.all(mine.map(rawGet))));
      sdk.push(await timed(() => Promise.all(mine.map((r) => s3Store.getRange(r.key, r.start, r.end)))));
    }
    // entries are delivered asynchronously: let the last ones arrive
    await new Promise((r) => setTimeout(r, 50));
    gc.disconnect();
    agent.destroy();

    const latencies = handler.map((h) => h.end - h.start);
    const perLookup = bytes / lookups;
    console.log(`cold start (markers + ${win.files.length + daily.files.length} footers, once per warm Lambda): ${(footerBytes / 1024).toFixed(0)} KiB`);
    console.log(`lookup, warm:   ${describe(latencies)} · ${(perLookup / 1024).toFixed(1)} KiB and ${(requests / lookups).toFixed(1)} requests per lookup = ${((100 * perLookup) / partitionBytes).toFixed(3)} % of the partition (goals: p99 ≤ 25 ms, ≤ 1 %)`);
    console.log(`the same GETs:  raw HTTP (s3rver + loopback) ${describe(raw)} · through the SDK client ${describe(sdk)}`);
    const during = pauses.filter((p) => handler.some((h) => p.start < h.end && p.end > h.start));
    const slowest = [...handler].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, Math.max(1, Math.round(lookups / 100)));
    const slowWithGc = slowest.filter((h) => pauses.some((p) => p.start < h.end && p.end > h.start)).length;
    const longest = during.reduce((a, p) => Math.max(a, p.end - p.start), 0);
    console.log(`GC in this process during lookups: ${during.length} pauses, longest ${ms(longest)}; ${slowWithGc} of the ${slowest.length} slowest lookups overlap one`);

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
    const p50 = quantile([...latencies].sort((a, b) => a - b), 0.5);
    console.log(`whole-partition read (original design): ${quantile(whole, 0.5).toFixed(0)} ms and ${(partitionBytes / 1024).toFixed(0)} KiB per lookup — ${(quantile(whole, 0.5) / p50).toFixed(0)}× slower, ${(partitionBytes / perLookup).toFixed(0)}× the bytes`);
  } finally {
    client.destroy();
    await s3.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

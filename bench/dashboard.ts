/**
 * npm run bench:dashboard -- [--devices 10000] [--loads 5]
 *
 * The dashboard's bundle size (goal, issue 21: ≤ 300 KB gzipped; the run fails above
 * it) and the first meaningful paint of a fleet of N devices on loopback: headless
 * Chromium (Debian's /usr/bin/chromium) opens the page served as npm start serves it,
 * over s3rver in its own process holding a gold day of N device summaries; the time is
 * the page's `fleet-drawn` mark (navigation start → the frame after the fleet grid and
 * summary were drawn; dashboard/src/main.ts). The first load finds the API cold (the
 * day's summaries read from Parquet), the next ones warm. Goal: ≤ 1 s for 10k devices.
 */
import { cpus } from 'node:os';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { FAULT_CLASSES, plantDayWindow } from '../contracts';
import { publishPartition } from '../contracts/partition';
import { ALARM_LABELS, type AlarmRule, type AlarmThresholds } from '../detector/alarms';
import { goldRows } from '../detector/gold';
import { Rng } from '../detector/simulator/random';
import type { WindowInfo } from '../detector/windows';
import { buildDashboard } from '../dashboard/build';
import { createHandler } from '../functions/api/handler';
import { S3Store } from '../functions/api/s3Store';
import { createApiServer } from '../local/apiServer';
import { startLocalS3 } from '../local/localS3';

const DATE = '2026-11-18';
const BUNDLE_GOAL_BYTES = 300 * 1024;
const PAINT_GOAL_MS = 1000;
const CHROMIUM = '/usr/bin/chromium';

/** N devices' summaries of a day: windows with random probabilities, so some devices raise alarms of every label. */
function dailyRows(devices: number): object[] {
  const { startMs } = plantDayWindow(DATE, 'Europe/Madrid');
  const rng = new Rng(21, 'bench-dashboard');
  const windows: WindowInfo[] = Array.from({ length: 27 }, (_, i) => ({ index: 20 + i, startMs: startMs + (20 + i) * 1_280_000, endMs: startMs + (21 + i) * 1_280_000, skipReason: null, missingFraction: 0, meanIrradiance: 500 }));
  const rule: AlarmRule = { thresholds: Object.fromEntries(ALARM_LABELS.map((l) => [l, 8])) as AlarmThresholds, raise: { string_blocked: 5 } };
  return Array.from({ length: devices }, (_, i) => {
    const probs = Float32Array.from({ length: 27 * FAULT_CLASSES.length }, () => rng.next() ** 3);
    return goldRows(`PV-${String(i + 1).padStart(6, '0')}`, windows, probs, 'bench', rule).daily;
  });
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { devices: { type: 'string', default: '10000' }, loads: { type: 'string', default: '5' } } });
  const devices = Number(values.devices);
  const loads = Number(values.loads);

  const files = await buildDashboard();
  let gz = 0;
  let local = 0;
  for (const [path, f] of files) {
    const z = gzipSync(f.body, { level: 9 }).length;
    gz += z;
    // chunks/ is what only the deployed page loads on demand (the sign-in and SigV4 signing)
    if (!path.startsWith('/chunks/')) local += z;
    console.log(`  ${path.padEnd(44)} ${kb(f.body.length).padStart(10)} raw  ${kb(z).padStart(9)} gzipped`);
  }
  console.log(`Bundle: ${kb(gz)} gzipped in all (goal ≤ ${kb(BUNDLE_GOAL_BYTES)}); the page without the sign-in's chunks (what npm start loads): ${kb(local)}`);
  if (gz > BUNDLE_GOAL_BYTES) process.exitCode = 1;

  const s3 = await startLocalS3(['gold'], undefined, { separateProcess: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    await publishPartition(s3.writer('gold'), 'gold_daily', DATE, 'bench', dailyRows(devices), { rowGroupSize: 250 });
    const api = createHandler({ store: new S3Store(s3.client, 'gold'), timeZone: 'Europe/Madrid', now: () => Date.UTC(2026, 10, 20) });
    const server = createApiServer(api, files);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    console.log(`First paint of ${devices.toLocaleString('en-US')} devices · Chromium ${browser.version()} headless · ${cpus().length} × ${cpus()[0]?.model ?? ''} · node ${process.version} · ${new Date().toISOString().slice(0, 16)}Z`);
    const times: number[] = [];
    for (let i = 0; i < loads; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${base}/?date=${DATE}`);
      await page.waitForFunction(() => performance.getEntriesByName('fleet-drawn').length > 0, undefined, { timeout: 30_000 });
      const t = await page.evaluate(() => ({ drawn: performance.getEntriesByName('fleet-drawn')[0]!.startTime, fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, summary: document.getElementById('fleet-summary')!.textContent }));
      if (i === 0) console.log(`  ${t.summary}`);
      console.log(`  load ${i + 1} (${i === 0 ? 'API cold' : 'API warm'}): fleet drawn at ${t.drawn.toFixed(0)} ms (first contentful paint ${t.fcp.toFixed(0)} ms)`);
      times.push(t.drawn);
      await page.close();
    }
    const warm = times.slice(1).sort((a, b) => a - b);
    console.log(`Fleet first paint: cold ${times[0]!.toFixed(0)} ms; warm median ${warm.length ? warm[Math.floor(warm.length / 2)]!.toFixed(0) : '–'} ms, max ${warm.length ? warm[warm.length - 1]!.toFixed(0) : '–'} ms (goal ≤ ${PAINT_GOAL_MS} ms)`);
    server.close();
  } finally {
    await browser.close();
    await s3.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * npm run bench:pipeline -- [--devices 10000] [--date 2026-11-19]
 *
 * The whole daily pipeline on this machine (npm start without serving), at the
 * original design's daily volume by default: 10k devices × 4,320 readings. Prints
 * the time and peak memory (RSS, worker threads included) of each stage.
 * Goal (issue 9): ≤ 5 minutes, memory bounded as devices grow.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_FAULT_MIX } from '../detector/simulator/plant';
import { runLocalPipeline } from '../local/pipeline';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { devices: { type: 'string', default: '10000' }, date: { type: 'string', default: '2026-11-19' } } });
  const devices = Number(values.devices);
  const out = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
  const samples: [number, number][] = [];
  const sampler = setInterval(() => samples.push([Date.now(), process.memoryUsage().rss]), 250);
  const started = Date.now();
  try {
    const r = await runLocalPipeline({ date: values.date!, devices, seed: 1, faultMix: DEFAULT_FAULT_MIX, timeZone: 'Europe/Madrid', out, partitions: 6, progress: true, log: () => undefined });
    clearInterval(sampler);
    const total = (Date.now() - started) / 1000;
    const peak = (from: number, to: number) => samples.filter(([t]) => t >= from && t <= to).reduce((m, [, rss]) => Math.max(m, rss), 0) / 2 ** 20;
    console.log(`\npipeline benchmark · ${devices.toLocaleString('en-US')} devices · ${r.readingsPublished.toLocaleString('en-US')} readings · ${values.date} · ${cpus().length} cores (${cpus()[0]?.model ?? ''}) · ${new Date().toISOString().slice(0, 10)}`);
    console.log('stage                 seconds   peak RSS');
    for (const [name, [from, to]] of Object.entries(r.stageSpans)) {
      if (name === 'state machine') continue;
      console.log(`${name.padEnd(20)} ${((to - from) / 1000).toFixed(1).padStart(8)}   ${peak(from, to).toFixed(0).padStart(6)} MiB`);
    }
    console.log(`${'total'.padEnd(20)} ${total.toFixed(1).padStart(8)}   ${peak(started, Date.now()).toFixed(0).padStart(6)} MiB   (goal ≤ 300 s)`);
  } finally {
    clearInterval(sampler);
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

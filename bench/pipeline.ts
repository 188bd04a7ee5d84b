/**
 * npm run bench:pipeline -- [--devices 10000] [--date 2026-11-19]
 *
 * The whole daily pipeline on this machine (npm start without serving), at the
 * original design's daily volume by default: 10k devices × 4,320 readings. Prints
 * the time, CPU (all threads: workers, V8's GC helpers) and peak memory (RSS,
 * worker threads included) of each stage.
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
  // [time, RSS, CPU µs of the whole process so far]
  const samples: [number, number, number][] = [];
  const sample = () => {
    const cpu = process.cpuUsage();
    samples.push([Date.now(), process.memoryUsage().rss, cpu.user + cpu.system]);
  };
  const sampler = setInterval(sample, 250);
  sample();
  const started = Date.now();
  try {
    const r = await runLocalPipeline({ date: values.date!, devices, seed: 1, faultMix: DEFAULT_FAULT_MIX, timeZone: 'Europe/Madrid', out, partitions: 6, progress: true, log: () => undefined });
    clearInterval(sampler);
    sample();
    const total = (Date.now() - started) / 1000;
    const peak = (from: number, to: number) => samples.filter(([t]) => t >= from && t <= to).reduce((m, [, rss]) => Math.max(m, rss), 0) / 2 ** 20;
    // CPU between the samples nearest the stage's ends (250 ms apart): how busy the cores were
    const cpuSeconds = (from: number, to: number) => {
      const inside = samples.filter(([t]) => t >= from && t <= to);
      return inside.length < 2 ? null : { seconds: (inside.at(-1)![2] - inside[0]![2]) / 1e6, wall: (inside.at(-1)![0] - inside[0]![0]) / 1000 };
    };
    const cores = cpus().length;
    const cpuColumn = (from: number, to: number) => {
      const c = cpuSeconds(from, to);
      return c && c.wall > 0 ? `${c.seconds.toFixed(1).padStart(8)}   ${((100 * c.seconds) / (c.wall * cores)).toFixed(0).padStart(3)} %` : `${'–'.padStart(8)}   ${'–'.padStart(5)}`;
    };
    console.log(`\npipeline benchmark · ${devices.toLocaleString('en-US')} devices · ${r.readingsPublished.toLocaleString('en-US')} readings · ${values.date} · ${cpus().length} cores (${cpus()[0]?.model ?? ''}) · ${new Date().toISOString().slice(0, 10)}`);
    console.log(`stage                 seconds   peak RSS    CPU s   of ${cores} cores`);
    for (const [name, [from, to]] of Object.entries(r.stageSpans)) {
      if (name === 'state machine') continue;
      console.log(`${name.padEnd(20)} ${((to - from) / 1000).toFixed(1).padStart(8)}   ${peak(from, to).toFixed(0).padStart(6)} MiB ${cpuColumn(from, to)}`);
    }
    console.log(`${'total'.padEnd(20)} ${total.toFixed(1).padStart(8)}   ${peak(started, Date.now()).toFixed(0).padStart(6)} MiB ${cpuColumn(started, Date.now())}   (goal ≤ 300 s)`);
  } finally {
    clearInterval(sampler);
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

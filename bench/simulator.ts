/**
 * npm run bench:simulator -- [--devices 1000,10000] [--date 2026-11-19] [--workers 2]
 *
 * Simulated readings per second and peak memory for a plant day, on all cores.
 * Each fleet size runs in its own process so that its peak RSS is its own; the
 * device-days are consumed (counted) as they come, as a pipeline would.
 * Goal (issue 5): 10k devices × 1 day (43.2 M readings) in under 2 minutes on
 * 2 cores, memory flat in the number of devices.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { simulatePlantDayParallel } from '../detector/simulator/parallel';
import { plantConfig } from '../detector/simulator/plant';

interface Result {
  devices: number;
  date: string;
  readings: number;
  seconds: number;
  readingsPerSecond: number;
  peakRssMiB: number;
}

async function runOne(devices: number, date: string, workers: number): Promise<Result> {
  const config = plantConfig({ date, devices, seed: 1 });
  const started = process.hrtime.bigint();
  let readings = 0;
  for await (const day of simulatePlantDayParallel(config, { workers })) readings += day.readings.count;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { devices, date, readings, seconds, readingsPerSecond: readings / seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { devices: { type: 'string', default: '1000,10000' }, date: { type: 'string', default: '2026-11-19' }, workers: { type: 'string' }, child: { type: 'boolean', default: false } },
  });
  const workers = Number(values.workers ?? availableParallelism());
  const sizes = values.devices!.split(',').map(Number);
  if (values.child) {
    const result = await runOne(sizes[0]!, values.date!, workers);
    process.stdout.write(JSON.stringify(result));
    return;
  }
  console.log(`simulator benchmark · ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}) · ${workers} workers · node ${process.version} · ${new Date().toISOString().slice(0, 10)}`);
  console.log('devices   date         readings      seconds   readings/s   peak RSS');
  for (const devices of sizes) {
    const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--child', '--devices', String(devices), '--date', values.date!, '--workers', String(workers)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    const r = JSON.parse(out) as Result;
    console.log(
      `${String(r.devices).padStart(7)}   ${r.date}   ${r.readings.toLocaleString('en-US').padStart(12)}   ${r.seconds.toFixed(1).padStart(7)}   ${Math.round(r.readingsPerSecond).toLocaleString('en-US').padStart(10)}   ${r.peakRssMiB.toFixed(0).padStart(5)} MiB`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

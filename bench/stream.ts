/**
 * npm run bench:stream: the streaming job's latency and cost (issue 22).
 *
 * A simulated day is published by the real producer to a local broker, then
 * spark/jobs/stream_alarms.py replays it in accelerated time: micro-batches of --step-minutes
 * of plant time (records per trigger = devices × readings in that time). The latency of an
 * alarm is plant time: the latest reading time the stream had taken when it raised the alarm
 * (detectedMs) less the alarm's onset (the first window of its evidence run); the replay's step
 * adds up to one step to it, a real stream's trigger interval adds what it takes to run a
 * micro-batch. Both tiers are measured: the final alarms (the batch's, after the CWT context
 * and the lateness) and the early ones (each window scored the moment it ends), with how many
 * early alarms are the batch's. Its cost: the stream runs all day, so one driver and at least one executor are
 * billed 24 h, plus whatever the work needs beyond that executor, from the CPU seconds the
 * replay spent (its process tree, without the broker) scaled to the fleet.
 *
 * The state's compaction (--compact-after, the job's default unless given; 0: never) is what keeps
 * each micro-batch's reading of its state from growing with the micro-batches of the day.
 *
 *   npm run bench:stream -- [--devices 16] [--seed 22] [--date 2026-07-14] [--step-minutes 20] [--compact-after N] [--keep]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveRunWindow } from '../functions/run-window/window';
import { jobWorkers, readSparkSubmitParameters, SUBMIT_PARAMETERS_PATH } from '../infra/sparkJobs';
import { startKafkaBroker } from '../local/kafkaBroker';
import { publishDayWithProducer } from '../local/producerDay';
import { sparkEnvironment, writeLocalRegistry } from '../local/sparkJobs';
import { REGISTRY_KEY } from '../contracts/registry';
import { plantConfig } from '../detector/simulator/plant';
import { deviceRegistry } from '../detector/simulator/registry';
import { logTail, medianP90, phaseTotals, startStreamJob, streamAlarmRows } from '../local/streamJob';
import { EMR_SERVERLESS_PRICES } from './emrServerlessCost';
import { ProcessTreeSampler } from './processTree';

const TIME_ZONE = 'Europe/Madrid';
const TOPIC = 'pv-readings';
const PARTITIONS = 4;
const READINGS_PER_MINUTE = 3;
const SPARK_LOCAL_CORES = 2;

/**
 * One day of the stream on EMR Serverless: the driver all day, one executor all day at least,
 * more when the work (CPU seconds, linear in devices, at the executors' `utilisation`) needs them.
 */
export function streamDayCost(cpuSecondsPerDevice: number, devices: number, workers: ReturnType<typeof jobWorkers>, utilisation: number, prices = EMR_SERVERLESS_PRICES) {
  const n = (s: string) => Number.parseFloat(s);
  const day = 24 * 3600;
  const executorSeconds = Math.max(day, (cpuSecondsPerDevice * devices) / utilisation / n(workers.executor.cpu));
  const vcpuHours = (day * n(workers.driver.cpu) + executorSeconds * n(workers.executor.cpu)) / 3600;
  const gbHours = (day * n(workers.driver.memory) + executorSeconds * n(workers.executor.memory)) / 3600;
  return { executors: executorSeconds / day, vcpuHours, gbHours, usd: vcpuHours * prices.perVcpuHour + gbHours * prices.perGbHour };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '16' },
      seed: { type: 'string', default: '22' },
      date: { type: 'string', default: '2026-07-14' },
      'step-minutes': { type: 'string', default: '20' },
      'compact-after': { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const devices = Number(values.devices);
  const step = Number(values['step-minutes']);
  if (values['compact-after'] !== undefined && !/^\d+$/.test(values['compact-after'])) throw new Error(`--compact-after must be a whole number of folders (0: never), not ${values['compact-after']}`);
  const env = sparkEnvironment();
  const out = mkdtempSync(join(tmpdir(), 'bench-stream-'));
  process.env.PLANT_TIME_ZONE = TIME_ZONE;
  const broker = await startKafkaBroker({ dir: join(out, 'kafka') });
  try {
    const window = resolveRunWindow({ date: values.date }, 'publish', TIME_ZONE, Date.now());
    console.error(`publishing ${devices} devices, ${values.date} …`);
    const produced = await publishDayWithProducer({ bootstrap: broker.bootstrap, topic: TOPIC, partitions: PARTITIONS, timeZone: TIME_ZONE, window, devices, seed: Number(values.seed) });
    const goldDir = join(out, 'gold');
    // the plant's registry, as Pulumi puts it in the bootstrap bucket: the stream reads each array's design from it
    writeLocalRegistry(out, deviceRegistry(plantConfig({ date: values.date!, devices, seed: Number(values.seed) })));
    let sampler: ProcessTreeSampler | null = null;
    const started = Date.now();
    let batches = 0;
    const run = startStreamJob({
      env, timeZone: TIME_ZONE, bootstrap: broker.bootstrap, topic: TOPIC, goldDir, registryUri: join(out, 'bootstrap', REGISTRY_KEY), stateDir: join(out, 'state'), notifyDir: join(out, 'notify'),
      maxOffsetsPerTrigger: devices * READINGS_PER_MINUTE * step,
      compactAfter: values['compact-after'] === undefined ? undefined : Number(values['compact-after']),
      logFile: join(out, 'stream.log'), tmpDir: join(out, 'tmp'),
      onBatch: (b) => {
        batches++;
        if (batches % 10 === 0) console.error(`  batch ${b.batch}: plant time ${b.maxEventMs === null ? '-' : new Date(b.maxEventMs).toISOString()}`);
      },
    });
    if (run.child.pid !== undefined) sampler = new ProcessTreeSampler(run.child.pid, 500);
    const done = await run.done;
    const s = sampler as ProcessTreeSampler | null;
    s?.stop();
    if (done.code !== 0) throw new Error(`the stream exited with ${done.code}/${done.signal}:\n${logTail(join(out, 'stream.log'))}`);
    const wallSeconds = (Date.now() - started) / 1000;
    const cpuSeconds = s?.samples.at(-1)?.cpuSeconds ?? NaN;
    const alarms = await streamAlarmRows(goldDir);
    const latency = medianP90(alarms.map((a) => (a.detectedMs - a.onsetMs) / 60_000));
    const afterRaise = medianP90(alarms.map((a) => (a.detectedMs - a.raisedMs) / 60_000));
    const early = await streamAlarmRows(goldDir, 'early');
    const earlyLatency = medianP90(early.map((a) => (a.detectedMs - a.onsetMs) / 60_000));
    const final = new Map(alarms.map((a) => [`${a.date}/${a.deviceId}`, a]));
    // alike the final (the batch's) alarm: the same label, onsets within one window (issue 22's test of the stream against the batch)
    const alike = early.filter((e) => {
      const f = final.get(`${e.date}/${e.deviceId}`);
      return f !== undefined && f.label === e.label && Math.abs(f.onsetMs - e.onsetMs) <= 64 * 20_000;
    });
    const sooner = medianP90(alike.map((e) => (final.get(`${e.date}/${e.deviceId}`)!.detectedMs - e.detectedMs) / 60_000));

    console.log(`\nstream replay · ${devices} devices · ${produced.published.toLocaleString('en-US')} readings · ${values.date} · ${cpus().length} cores (${cpus()[0]?.model ?? ''}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB · ${new Date().toISOString().slice(0, 10)}`);
    console.log(`micro-batches: ${done.batches.length} of ${step} plant minutes (${devices * READINGS_PER_MINUTE * step} records) · wall ${wallSeconds.toFixed(0)} s (${(wallSeconds / done.batches.length).toFixed(1)} s a micro-batch) · CPU ${cpuSeconds.toFixed(0)} s`);
    const phases = phaseTotals(done.batches);
    const seconds = (list: [string, number][]) => list.map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
    console.log(`  where the time went (seconds over all micro-batches): driver wall: ${seconds(phases.wall)}; Python CPU in the scoring tasks: ${seconds(phases.scoringCpu)}`);
    const rebuilt = phases.devices.seen > 0 ? ` (${((100 * phases.devices.scored) / phases.devices.seen).toFixed(0)} %)` : '';
    console.log(`  device-days rebuilt and scored (a window newly ready) over all micro-batches: ${phases.devices.scored.toLocaleString('en-US')} of ${phases.devices.seen.toLocaleString('en-US')} with readings${rebuilt}`);
    const decided = Object.entries(phases.daysDecided).map(([tier, n]) => `${tier} ${n}`).join(', ');
    console.log(`  day-decisions run (a window of the day scored or its plant gate moved; micro-batches: ${done.batches.length}): ${decided || 'none reported'}`);
    const compaction = values['compact-after'] === undefined ? "the job's default" : values['compact-after'] === '0' ? 'off' : `after ${values['compact-after']}`;
    console.log(`  state folders read (compaction ${compaction}): ${phases.state.foldersRead.toLocaleString('en-US')} over all micro-batches, at most ${phases.state.mostRead} in one; runs written ${phases.state.runsWritten}`);
    console.log(`final alarms (the batch's): ${alarms.length}`);
    if (latency && afterRaise) {
      console.log(`  latency onset -> alarm, plant minutes: median ${latency.median.toFixed(0)}, p90 ${latency.p90.toFixed(0)} (goal: median <= 25, p90 <= 45)`);
      console.log(`  of which after the crossing window's end (the CWT context, the lateness, the step): median ${afterRaise.median.toFixed(0)}, p90 ${afterRaise.p90.toFixed(0)}`);
    }
    console.log(`early alarms (each window scored as it ends): ${early.length}, ${alike.length} of them alike a final alarm (same label, onset within one window); final alarms without an early one alike: ${alarms.length - alike.length}`);
    if (earlyLatency) console.log(`  latency onset -> early alarm, plant minutes: median ${earlyLatency.median.toFixed(0)}, p90 ${earlyLatency.p90.toFixed(0)} (goal: median <= 25, p90 <= 45)`);
    if (sooner) console.log(`  the alike ones came before their final alarm by median ${sooner.median.toFixed(0)}, p90 ${sooner.p90.toFixed(0)} plant minutes`);
    const params = readSparkSubmitParameters();
    const workers = jobWorkers(params.predict, `${SUBMIT_PARAMETERS_PATH} "predict"`);
    console.log(`\nEMR Serverless, the stream for one day (${EMR_SERVERLESS_PRICES.region}, ${EMR_SERVERLESS_PRICES.architecture}: $${EMR_SERVERLESS_PRICES.perVcpuHour}/vCPU-h, $${EMR_SERVERLESS_PRICES.perGbHour}/GB-h; ${EMR_SERVERLESS_PRICES.source}, read ${EMR_SERVERLESS_PRICES.read})`);
    console.log(`assumes: the predict job's workers (driver ${workers.driver.cpu}/${workers.driver.memory}, executors ${workers.executor.cpu}/${workers.executor.memory}); driver and one executor all day; work linear in devices; executors busy as local[${SPARK_LOCAL_CORES}] was here or fully`);
    const here = Math.min(1, cpuSeconds / (wallSeconds * SPARK_LOCAL_CORES));
    for (const fleet of [devices, 10_000, 100_000]) {
      for (const [label, u] of [['as here', here], ['fully busy', 1]] as const) {
        const c = streamDayCost(cpuSeconds / devices, fleet, workers, u);
        console.log(`  ${fleet.toLocaleString('en-US').padStart(7)} devices, ${label.padEnd(10)}: $${c.usd.toFixed(2)} a day (${c.executors.toFixed(1)} executors on average, ${c.vcpuHours.toFixed(0)} vCPU-h, ${c.gbHours.toFixed(0)} GB-h)`);
      }
    }
  } finally {
    await broker.stop();
    if (values.keep) console.error(`kept ${out}`);
    else rmSync(out, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

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
 * replay spent (its process tree, without the broker) scaled to the fleet. With several fleet
 * sizes (--devices 16,64) the replays' CPU is split into a part per micro-batch and a part per
 * device (fitStreamCpu), and a fleet's day at the production trigger is costed from that split
 * rather than by scaling one small replay's CPU, most of which is per micro-batch, by devices.
 *
 * The state's compaction (--compact-after, the job's default unless given; 0: never) is what keeps
 * each micro-batch's reading of its state from growing with the micro-batches of the day.
 *
 *   npm run bench:stream -- [--devices 16[,64,...]] [--seed 22] [--date 2026-07-14] [--step-minutes 20] [--compact-after N] [--keep]
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
import { plantDayWindow } from '../contracts';
import { designAt, plantConfig, simulatePlantDay } from '../detector/simulator/plant';
import { deviceRegistry } from '../detector/simulator/registry';
import { logTail, medianP90, phaseTotals, startStreamJob, streamAlarmRows, streamWindowRows } from '../local/streamJob';
import { faultLatencies, latencyLines, type TruthOfDay } from './streamLatency';
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

/** One replay's totals, for the fit across fleet sizes. */
export interface ReplayCpu {
  devices: number;
  batches: number;
  cpuSeconds: number;
}

/**
 * The replays' CPU split into what each micro-batch costs whatever the fleet (Spark's jobs, the
 * state's listings, the driver's decisions: perBatch) and what each device costs over the day
 * (its readings validated and read, its windows scored: perDevice), by least squares of CPU per
 * micro-batch against devices per micro-batch. Needs two fleet sizes at least; a fleet's day at
 * another trigger then costs perBatch × its micro-batches + perDevice × its devices, where a
 * single replay could only scale its whole CPU by devices.
 */
export function fitStreamCpu(runs: readonly ReplayCpu[]): { perBatch: number; perDevice: number } {
  if (new Set(runs.map((r) => r.devices)).size < 2) throw new Error('fitStreamCpu: needs replays of two fleet sizes at least');
  const pts = runs.map((r) => ({ x: r.devices / r.batches, y: r.cpuSeconds / r.batches }));
  const mx = pts.reduce((a, p) => a + p.x, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.y, 0) / pts.length;
  const sxy = pts.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const sxx = pts.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  const perDevice = sxy / sxx;
  return { perBatch: my - perDevice * mx, perDevice };
}

/** Micro-batches a day at a processing-time trigger of `seconds`. */
const batchesPerDay = (seconds: number) => (24 * 3600) / seconds;
const PRODUCTION_TRIGGER_SECONDS = 60;

function parseDevices(text: string): number[] {
  const list = text.split(',').map((t) => t.trim());
  if (list.some((t) => !/^[1-9]\d*$/.test(t))) throw new Error(`--devices must be a whole number of devices or a comma-separated list of them (16,64), not ${text}`);
  return [...new Set(list.map(Number))].sort((a, b) => a - b);
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
  const fleets = parseDevices(values.devices!);
  const step = Number(values['step-minutes']);
  if (values['compact-after'] !== undefined && !/^\d+$/.test(values['compact-after'])) throw new Error(`--compact-after must be a whole number of folders (0: never), not ${values['compact-after']}`);
  const params = readSparkSubmitParameters();
  const workers = jobWorkers(params.predict, `${SUBMIT_PARAMETERS_PATH} "predict"`);
  const runs: (ReplayCpu & { utilisation: number })[] = [];
  // one replay at a time: they share the machine's two cores
  for (const devices of fleets) runs.push(await replay(devices, step, values, workers));
  if (runs.length >= 2) {
    const fit = fitStreamCpu(runs);
    const utilisation = Math.min(...runs.map((r) => r.utilisation));
    console.log(`\nthe replays' CPU split (least squares over ${runs.map((r) => `${r.devices} devices`).join(', ')}, ${step}-min steps): ${fit.perBatch.toFixed(2)} CPU s a micro-batch whatever the fleet, ${fit.perDevice.toFixed(2)} CPU s a device over the day`);
    const batches = batchesPerDay(PRODUCTION_TRIGGER_SECONDS);
    console.log(`a day at the ${PRODUCTION_TRIGGER_SECONDS}-s trigger (${batches} micro-batches), CPU = ${fit.perBatch.toFixed(2)} × ${batches} + ${fit.perDevice.toFixed(2)} × devices; executors busy as the least busy replay here (${(100 * utilisation).toFixed(0)} %) or fully:`);
    for (const fleet of [1_000, 10_000, 100_000]) {
      const cpu = fit.perBatch * batches + fit.perDevice * fleet;
      for (const [label, u] of [['as here', utilisation], ['fully busy', 1]] as const) {
        const c = streamDayCost(cpu / fleet, fleet, workers, u);
        console.log(`  ${fleet.toLocaleString('en-US').padStart(7)} devices, ${label.padEnd(10)}: $${c.usd.toFixed(2)} a day (${(cpu / 3600).toFixed(1)} CPU-h, ${c.executors.toFixed(1)} executors on average)`);
      }
    }
    console.log('assumes each device costs the same at any trigger (its windows are scored once a tier whatever the step) and the rest is per micro-batch; the re-reading of the day so far grows with both, which two fleet sizes at one step cannot separate');
  }
}

async function replay(devices: number, step: number, values: { seed?: string; date?: string; 'compact-after'?: string; keep?: boolean }, workers: ReturnType<typeof jobWorkers>): Promise<ReplayCpu & { utilisation: number }> {
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
    const earlyLabels = await streamAlarmRows(goldDir, 'early_label');
    const earlyLatency = medianP90(early.map((a) => (a.detectedMs - a.onsetMs) / 60_000));
    const earlyAfterRaise = medianP90(early.map((a) => (a.detectedMs - a.raisedMs) / 60_000));
    const final = new Map(alarms.map((a) => [`${a.date}/${a.deviceId}`, a]));
    // alike the final (the batch's) alarm: the same label, or the group the final alarm was raised as before its class was named
    // (the early tier publishes at the raise: contracts/detector.json alarms.raise), onsets within one window (issue 22's test of the stream against the batch)
    const alike = early.filter((e) => {
      const f = final.get(`${e.date}/${e.deviceId}`);
      return f !== undefined && (f.label === e.label || f.raisedAs === e.label) && Math.abs(f.onsetMs - e.onsetMs) <= 64 * 20_000;
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
    console.log(`early alarms (each window scored as it ends): ${early.length}, ${alike.length} of them alike a final alarm (same label, or the group it was raised as; onset within one window); final alarms without an early one alike: ${alarms.length - alike.length}`);
    const hhmm = (ms: number | null | undefined) => (ms === null || ms === undefined ? '-' : new Date(ms).toISOString().slice(11, 16));
    for (const f of alarms) {
      const e = early.find((a) => a.date === f.date && a.deviceId === f.deviceId);
      const l = earlyLabels.find((a) => a.date === f.date && a.deviceId === f.deviceId);
      const later = l ? `, named ${l.label} ${hhmm(l.labelledMs)} (told ${hhmm(l.detectedMs)})` : '';
      console.log(`  ${f.deviceId}: final ${f.label}${f.raisedAs ? ` (raised as ${f.raisedAs} ${hhmm(f.raisedMs)}, named ${hhmm(f.labelledMs)})` : ` raised ${hhmm(f.raisedMs)}`} onset ${hhmm(f.onsetMs)} UTC; early ${e ? `${e.label} raised ${hhmm(e.raisedMs)} onset ${hhmm(e.onsetMs)}${later}` : 'none'}`);
    }
    if (earlyLatency) console.log(`  latency onset -> early alarm, plant minutes: median ${earlyLatency.median.toFixed(0)}, p90 ${earlyLatency.p90.toFixed(0)} (goal: median <= 25, p90 <= 45)`);
    // what the stream itself adds to the decision's delay: the early lateness and the step (the rest is the windows the evidence took)
    if (earlyAfterRaise) console.log(`  of which after the crossing window's end (the early lateness, the step): median ${earlyAfterRaise.median.toFixed(0)}, p90 ${earlyAfterRaise.p90.toFixed(0)}`);
    if (sooner) console.log(`  the alike ones came before their final alarm by median ${sooner.median.toFixed(0)}, p90 ${sooner.p90.toFixed(0)} plant minutes`);
    // the same day as the producer simulated it (its templates are the devices), for the truth the eval counts delays from
    const config = plantConfig({ date: values.date!, timeZone: TIME_ZONE, devices, seed: Number(values.seed) });
    const truths: TruthOfDay[] = [...simulatePlantDay(config).devices()].map((d, i) => ({ deviceId: d.deviceId, design: designAt(config, i), fault: d.truth.fault, onsetMs: d.truth.onsetMs, severity: d.truth.severity, active: d.truth.active }));
    const scored = await streamWindowRows(join(out, 'state'), values.date!);
    const dayStart = plantDayWindow(values.date!, TIME_ZONE).startMs;
    for (const l of latencyLines('final', faultLatencies(truths, scored, alarms, dayStart))) console.log(l);
    // an early alarm of a group is named by its later label (pv-fault-early-label) when that names the fault
    for (const l of latencyLines('early', faultLatencies(truths, scored, early, dayStart, earlyLabels))) console.log(l);
    const healthy = new Set(truths.filter((t) => t.fault === 'normal').map((t) => t.deviceId));
    console.log(`alarms on healthy arrays: final ${alarms.filter((a) => healthy.has(a.deviceId)).length}, early ${early.filter((a) => healthy.has(a.deviceId)).length} of ${healthy.size}`);
    console.log(`\nEMR Serverless, the stream for one day (${EMR_SERVERLESS_PRICES.region}, ${EMR_SERVERLESS_PRICES.architecture}: $${EMR_SERVERLESS_PRICES.perVcpuHour}/vCPU-h, $${EMR_SERVERLESS_PRICES.perGbHour}/GB-h; ${EMR_SERVERLESS_PRICES.source}, read ${EMR_SERVERLESS_PRICES.read})`);
    console.log(`assumes: the predict job's workers (driver ${workers.driver.cpu}/${workers.driver.memory}, executors ${workers.executor.cpu}/${workers.executor.memory}); driver and one executor all day; this replay's whole CPU scaled by devices, at this step's micro-batches; executors busy as local[${SPARK_LOCAL_CORES}] was here or fully`);
    const here = Math.min(1, cpuSeconds / (wallSeconds * SPARK_LOCAL_CORES));
    for (const fleet of [devices, 10_000, 100_000]) {
      for (const [label, u] of [['as here', here], ['fully busy', 1]] as const) {
        const c = streamDayCost(cpuSeconds / devices, fleet, workers, u);
        console.log(`  ${fleet.toLocaleString('en-US').padStart(7)} devices, ${label.padEnd(10)}: $${c.usd.toFixed(2)} a day (${c.executors.toFixed(1)} executors on average, ${c.vcpuHours.toFixed(0)} vCPU-h, ${c.gbHours.toFixed(0)} GB-h)`);
      }
    }
    return { devices, batches: done.batches.length, cpuSeconds, utilisation: here };
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

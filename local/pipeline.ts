/**
 * One plant day through the whole pipeline, on this machine: simulate the plant →
 * publish the readings to the local topic → run the real state machine definition,
 * its EMR tasks mapped to the local ingest and predict jobs and its SNS tasks to the
 * console → buckets in a local S3 API (s3rver) → compare the verdicts with the
 * simulator's ground truth.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAULT_CLASSES, plantDayWindow, type FaultClass, type SilverDeviceRegistryRow } from '../contracts';
import { ALARM_GROUPS } from '../detector/alarms';
import { severityGroup } from '../detector/dataset';
import { outcomeOf, type Outcome } from '../detector/eval/outcome';
import { activeSlotsIn } from '../detector/eval/records';
import { WINDOW_MS } from '../detector/windows';
import type { DeviceTruth } from '../detector/simulator/device';

import { Progress } from '../detector/progress';
import { simulatePlantDayParallel } from '../detector/simulator/parallel';
import { DEFAULT_DESIGN, designAt, deviceId as simulatedDeviceId, plantConfig, simulatePlantDay, type PlantConfig } from '../detector/simulator/plant';
import { deviceRegistry } from '../detector/simulator/registry';
import { REGISTRY_KEY, registryText } from '../contracts/registry';
import type { Design, DesignPlan } from '../contracts/design';
import { NO_CONDITIONS, type ConditionsConfig } from '../detector/simulator/conditions';
import type { FaultMix } from '../detector/simulator/faults';
import { handler as runWindowHandler } from '../functions/run-window/handler';
import { S3Store } from '../functions/api/s3Store';
import { localDefinitionValues, runLocally, type Notification } from '../statemachine/local';
import { runIngest, type IngestResult } from './jobs/ingest';
import { runPredict, type DeviceDayResult, type DevicePredictor, type PredictResult } from './jobs/predict';
import { PredictPool } from './jobs/predictPool';
import { startLocalS3, type LocalS3 } from './localS3';
import { preparePlantStore, type PlantIdentity } from './plantStore';
import { stageClock } from './stages';
import { frameDeviceReadings } from './readingCodec';
import { acquireRunLock } from './runLock';
import { LocalTopic } from './topic';

export interface LocalRunOptions {
  date: string;
  /** the simulated plant's first day (its arrays keep their modules, sensors and faults from then on); default: date */
  firstDate?: string;
  devices: number;
  seed: number;
  faultMix: FaultMix;
  /** conditions that are not faults (detector/simulator/conditions.ts); default none */
  conditions?: ConditionsConfig;
  timeZone: string;
  out: string;
  partitions: number;
  progress: boolean;
  log: (line: string) => void;
  /** keep s3rver running after the run (to serve the API); the caller stops it */
  keepS3?: boolean;
  /** the arrays' design(s) (contracts/design.ts); default: the default design */
  design?: Design | DesignPlan;
  /** the registry the ingest reads; default: the simulated plant's (detector/simulator/registry.ts) */
  registry?: SilverDeviceRegistryRow[];
}

export interface DeviceOutcome {
  /** the device-day judged by the evaluation's definitions (detector/eval/outcome.ts): visible, named, daylight delay */
  judged: Outcome;
  deviceId: string;
  injected: FaultClass;
  onsetMs: number | null;
  /** an alarm label, normal, or null when nothing could be predicted */
  verdict: string | null;
  alarmOnsetMs: number | null;
  alarmRaisedMs: number | null;
}

export interface LocalRunResult {
  date: string;
  /** the plant-local day's first instant (epoch ms) */
  dayStartMs: number;
  devices: number;
  readingsPublished: number;
  stageSeconds: Record<string, number>;
  /** when each stage ran (epoch ms), for benchmarks that attribute memory to stages */
  stageSpans: Record<string, [number, number]>;
  ingest: IngestResult;
  predict: PredictResult;
  outcomes: DeviceOutcome[];
  /** confusion[injected][verdict] over devices (verdicts: classes, alarm groups, "none" when nothing could be predicted) */
  confusion: Record<string, Record<string, number>>;
  notifications: Notification[];
  s3: LocalS3 | null;
  executionName: string;
}

/**
 * A local job run as EMR's .sync integration reports it: its state on success; on
 * failure States.TaskFailed with the job run's state and details as the cause, so that
 * the failure notification reads as it would on AWS.
 */
async function jobRun(jobRunId: string, run: () => Promise<void>): Promise<{ JobRunId: string; State: string }> {
  try {
    await run();
  } catch (err) {
    throw Object.assign(new Error(JSON.stringify({ JobRunId: jobRunId, State: 'FAILED', StateDetails: (err as Error).message })), { name: 'States.TaskFailed' });
  }
  return { JobRunId: jobRunId, State: 'SUCCESS' };
}

/** What of a plant's conditions makes it another plant (its rates, mounting, rating; not a day's forced kinds). */
function plantConditions(c: ConditionsConfig): string {
  return JSON.stringify({ ...c, force: [] });
}

/**
 * What fills a day's topic: the simulator (npm start), or a user's own readings
 * (npm run import:csv, local/csvImport.ts). Either gives the plant's registry and
 * its identity (local/plantStore.ts).
 */
export interface DaySource {
  /** the plant the buckets hold (another plant's days are cleared first) */
  plant: PlantIdentity;
  /** the registry the ingest reads from the bootstrap bucket */
  registry: readonly SilverDeviceRegistryRow[];
  /** simulated devices' designs, which their truth is judged on (a short that blocks its string on one design leaves it conducting on another); absent: the default design */
  designs?: ReadonlyMap<string, Design>;
  /** publishes the day's readings to the fresh topic; the ground truth of simulated devices (none for field data) */
  publish(topic: LocalTopic, progress: boolean): Promise<{ published: number; truth: Map<string, DeviceTruth> }>;
}

export type LocalDayOptions = Pick<LocalRunOptions, 'date' | 'timeZone' | 'out' | 'partitions' | 'progress' | 'log' | 'keepS3'>;

export async function runLocalPipeline(o: LocalRunOptions, predictor?: DevicePredictor & { close?(): Promise<void> }): Promise<LocalRunResult> {
  const config: PlantConfig = plantConfig({ date: o.date, firstDate: o.firstDate ?? o.date, timeZone: o.timeZone, devices: o.devices, seed: o.seed, faultMix: o.faultMix, conditions: o.conditions ?? NO_CONDITIONS, ...(o.design ? { design: o.design } : {}) });
  simulatePlantDay(config); // validates the options before anything starts
  const source: DaySource = {
    plant: { seed: o.seed, devices: o.devices, faultMix: o.faultMix, timeZone: o.timeZone, conditions: plantConditions(o.conditions ?? NO_CONDITIONS) },
    registry: o.registry ?? deviceRegistry(config),
    designs: new Map(Array.from({ length: config.devices }, (_, i) => [simulatedDeviceId(config, i), designAt(config, i)])),
    publish: async (topic, progress) => {
      const truth = new Map<string, DeviceTruth>();
      let published = 0;
      const bar = progress ? new Progress('simulate', o.devices, 'devices') : null;
      for await (const day of simulatePlantDayParallel(config)) {
        const r = day.readings;
        // the producer's bytes as the sensors delivered them, bad values included: the ingest must cope
        topic.appendFramed(day.deviceId, frameDeviceReadings(day.deviceId, r, r.publishMs), r.count);
        published += r.count;
        truth.set(day.deviceId, day.truth);
        bar?.tick();
      }
      bar?.finish(`${published.toLocaleString('en-US')} readings on ${o.partitions} partitions`);
      return { published, truth };
    },
  };
  return runLocalDay(o, source, predictor);
}

/** One day of a plant through the local pipeline, its topic filled by `source`. */
export async function runLocalDay(o: LocalDayOptions, source: DaySource, predictor?: DevicePredictor & { close?(): Promise<void> }): Promise<LocalRunResult> {
  mkdirSync(o.out, { recursive: true });
  // held until the state machine is done: another run into this --out would reset the topic under this one's ingest
  const lock = acquireRunLock(o.out, o.date);
  try {
    return await runDay(o, source, predictor);
  } finally {
    lock.release();
  }
}

async function runDay(o: LocalDayOptions, source: DaySource, predictor?: DevicePredictor & { close?(): Promise<void> }): Promise<LocalRunResult> {
  const { stageSeconds, stageSpans, timed } = stageClock();

  // the plant's device registry (each array's design): the object the ingest reads from the bootstrap bucket, as Pulumi
  // writes it on AWS, and a copy beside the run to read
  const registry = registryText(source.registry);
  writeFileSync(join(o.out, 'device_registry.json'), registry);

  // 1. the day's readings on the local topic (a fresh topic: it holds this day)
  const topicDir = join(o.out, 'topic');
  LocalTopic.reset(topicDir);
  const topic = new LocalTopic(topicDir, o.partitions);
  let truth = new Map<string, DeviceTruth>();
  let readingsPublished = 0;
  await timed('simulate + publish', async () => {
    ({ published: readingsPublished, truth } = await source.publish(topic, o.progress));
    topic.close();
  });

  // 2. the real state machine, with local jobs
  preparePlantStore(join(o.out, 's3'), source.plant, o.log);
  const s3 = await startLocalS3(['silver', 'gold', 'bootstrap'], join(o.out, 's3'));
  await s3.writer('bootstrap').put(REGISTRY_KEY, registry, 'application/json');
  const model = predictor ?? (await timed('load model', () => PredictPool.start()));
  let ingest: IngestResult | null = null;
  let predict: PredictResult | null = null;
  const notifications: Notification[] = [];
  const executionName = `local-${o.date}-${Date.now().toString(36)}`;
  process.env.PLANT_TIME_ZONE = o.timeZone;
  try {
    await timed('state machine', () =>
      runLocally(
        localDefinitionValues({ PlantTimeZone: o.timeZone }),
        { date: o.date },
        {
          runWindow: (payload) => runWindowHandler(payload),
          ingest: (req) =>
            jobRun(`local-ingest-${o.date}`, async () => {
              ingest = await timed('ingest', () => runIngest(req.JobDriver.SparkSubmit.EntryPointArguments, topicDir, o.partitions, s3.writer, o.progress));
            }),
          predict: (req) =>
            jobRun(`local-predict-${o.date}`, async () => {
              predict = await timed('predict', () => runPredict(req.JobDriver.SparkSubmit.EntryPointArguments, (b) => new S3Store(s3.client, b), s3.writer, model, o.progress));
            }),
          notify: async (n) => {
            notifications.push(n);
            o.log(`[SNS] ${n.Subject}\n${n.Message.replace(/^/gm, '      ')}`);
          },
        },
        { executionName },
      ),
    );
  } catch (err) {
    // a failed run has no day to serve, and the caller gets no handle to stop the store
    await s3.stop();
    if (!predictor) await (model as PredictPool).close();
    throw new Error(`the daily run failed: ${(err as Error).message}`);
  }
  if (!predictor) await (model as PredictPool).close();
  if (!ingest || !predict) throw new Error('the state machine finished without running both jobs');
  const p = predict as PredictResult;

  // 3. verdicts against the ground truth
  const outcomes: DeviceOutcome[] = [...truth.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([deviceId, t]) => {
      const d = p.byDevice.get(deviceId);
      return { deviceId, injected: t.fault, onsetMs: t.onsetMs, verdict: d?.verdict ?? null, alarmOnsetMs: d?.alarmOnsetMs ?? null, alarmRaisedMs: d?.alarmRaisedMs ?? null, judged: judge(o.date, deviceId, t, d, source.designs?.get(deviceId) ?? DEFAULT_DESIGN) };
    });
  const confusion: Record<string, Record<string, number>> = {};
  for (const c of FAULT_CLASSES) confusion[c] = Object.fromEntries([...FAULT_CLASSES, ...ALARM_GROUPS, 'none'].map((v) => [v, 0]));
  for (const d of outcomes) confusion[d.injected]![d.verdict ?? 'none']!++;
  if (!o.keepS3) await s3.stop();
  return { date: o.date, dayStartMs: plantDayWindow(o.date, o.timeZone).startMs, devices: p.devices, readingsPublished, stageSeconds, stageSpans, ingest, predict: p, outcomes, confusion, notifications, s3: o.keepS3 ? s3 : null, executionName };
}

/** A device-day's verdict judged as npm run eval judges it, over the windows the predict job classified (its daylight). */
function judge(date: string, deviceId: string, t: DeviceTruth, d: DeviceDayResult | undefined, design: Design): Outcome {
  const windows = Array.from(d?.daylightStartMs ?? [], (startMs) => ({ startMs, endMs: startMs + WINDOW_MS, skipReason: null }));
  // an alarm raised as a group and labelled later names the fault when its label does (outcome.ts namedAtMs): the eval's definition
  const relabelled = d?.alarmRaisedAs && d.alarmLabelledMs !== null ? { raisedAs: { label: d.alarmRaisedAs, labelledMs: d.alarmLabelledMs } } : {};
  const raised = d && d.verdict !== null && d.verdict !== 'normal' && d.alarmRaisedMs !== null ? { label: d.verdict, raisedMs: d.alarmRaisedMs, ...relabelled } : null;
  return outcomeOf(
    {
      plantDay: date,
      evidence: { deviceId, date, windows, probs: new Float32Array(0), baselineDays: d?.baselineDays ?? 0, baselineGain: null, ratio: null },
      truth: { fault: t.fault, onsetMs: t.onsetMs, severity: t.severity, severityGroup: severityGroup(t, design), intermittent: t.intermittent, sky: t.sky, activeSlots: windows.map((w) => activeSlotsIn(t.active, w.startMs, w.endMs)) },
    },
    raised,
    design,
  );
}

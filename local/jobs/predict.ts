/**
 * The local predict job: the contract of spark/jobs/predict_fault.py on this machine.
 * Reads the day's silver partition (through its commit marker) a row group at a
 * time, turns every device into windows (gap fill, CWT, skip reasons,
 * normalisation), classifies them, and writes gold (windows and day summaries) as
 * it goes, by the commit protocol: memory does not grow with the number of devices
 * (but for the devices' baselines, a few numbers each). Each device is judged
 * against its own baseline as of the latest earlier day that has one
 * (detector/baseline.ts), and the day's baseline table is written last.
 */
import { parquetMetadataAsync } from 'hyparquet';
import { FAULT_CLASSES, TABLES, type CommitMarker, type DeviceBaselineRow, type SilverDeviceDayRow, type SilverDeviceRegistryRow } from '../../contracts';
import { commitPartition, publishPartition, putPart, SortedPartsWriter, type EncodedPart, type ObjectWriter } from '../../contracts/partition';
import { baselineDatesBefore, nextBaseline, referenceOf, type DeviceDayBaselineInput, type DeviceReference } from '../../detector/baseline';
import { readRowGroupRows } from '../../contracts/parquetRows';
import { designOf, type DesignSource } from '../../contracts/registry';
import { Progress } from '../../detector/progress';
import { TableReader, type ObjectStore } from '../../functions/api/tableReader';
import { bucketOf, parseJobArgs, PREDICT_FLAGS } from './args';
import type { DeviceGold } from './devicePredictor';
import { alarmStanding, carriedAlarm, isAlarmLabel, PlantSlots, recurringAlarm, type PredictedWindows } from '../../detector/alarms';
import { gatedDaily, predictedWindowsOfRows } from '../../detector/gold';
import { plantConditions, type PlantCondition } from '../../detector/plantConditions';
import { PER_UNIT_COLUMNS, perUnitOf } from '../../detector/perUnit';

/** Turns a silver device-day into gold rows: in-thread with a classifier, or through a PredictPool. */
export interface DevicePredictor {
  readonly modelVersion: string;
  predict(row: SilverDeviceDayRow, reference?: DeviceReference): Promise<DeviceGold>;
}

/** At most this many device-days in flight: enough to keep every worker busy, memory bounded. */
const IN_FLIGHT = 16;
const SILVER_COLUMNS = TABLES.silver_device_day.columns.map((c) => c.name);
/** gold_window row groups of ~20 devices (67 windows each): a one-device lookup reads a few KB */
const GOLD_WINDOW_OPTIONS = { rowGroupSize: 20 * 67 };
const GOLD_DAILY_OPTIONS = { rowGroupSize: 250 };

export interface DeviceDayResult {
  /** the day's verdict: an alarm label, normal, or null (nothing predicted) */
  verdict: string | null;
  alarmOnsetMs: number | null;
  alarmRaisedMs: number | null;
  /** the group the alarm was raised as before the day's decision named it, and when it did (gold_daily alarmRaisedAs, alarmLabelledMs) */
  alarmRaisedAs: string | null;
  alarmLabelledMs: number | null;
  /** healthy days of the baseline the device was judged against (0: the fleet) */
  baselineDays: number;
  /** start of each predicted window (each WINDOW_MS long): the day's daylight, which device-level figures are counted in */
  daylightStartMs: Float64Array;
  /** the design the device was judged as, and whether it is its registry row's or the default for want of one */
  design: string;
  designSource: DesignSource;
}

export interface PredictResult {
  devices: number;
  windows: number;
  predicted: number;
  /** what the day's gold says of each device, for the run's summary */
  byDevice: Map<string, DeviceDayResult>;
  /** starts of the window slots the plant gate set aside (the whole plant off normal at once), in time order */
  plantEventWindows: number[];
  /** what those events were (detector/plantConditions.ts), as gold_plant_condition holds them */
  plantConditions: PlantCondition[];
  modelVersion: string;
  silverRunId: string;
  /** rows of the day's registry (silver_device_registry), and the devices judged as the default design because it has no row for them */
  registry: { devices: number; defaulted: number };
  baseline: {
    /** the day whose baseline table the devices were judged against; null when no earlier day within maxAgeDays has one */
    readFrom: string | null;
    /** devices judged against their own baseline (the others, without history, against the fleet) */
    devicesWithHistory: number;
    /** rows of the day's baseline table */
    written: number;
    /** devices whose alarm of the day before was carried into the day (contracts/detector.json alarms.carry) */
    alarmsCarried: number;
    /** devices whose alarm of the day before re-arms its label (contracts/detector.json alarms.recur: a shadow where it was, an arc all day) */
    alarmsRecurring: number;
    /** the day's alarms that continue the one carried in: open since an earlier day (gold_daily alarmSinceMs other than alarmOnsetMs) */
    alarmsContinued: number;
  };
}

/** The baseline a day's devices are judged against: the newest earlier day's table within maxAgeDays, by device. */
export async function readBaseline(reader: TableReader, date: string): Promise<{ date: string | null; rows: Map<string, DeviceBaselineRow> }> {
  for (const day of baselineDatesBefore(date)) {
    const found = await reader.tableRows('device_baseline', day, TABLES.device_baseline.columns.map((c) => c.name));
    if (found) return { date: day, rows: new Map((found.rows as unknown as DeviceBaselineRow[]).map((r) => [r.deviceId, r])) };
  }
  return { date: null, rows: new Map() };
}

/** What the predict job reads of a device's registry row: its design's name, what the model's per-unit inputs divide by, and their shapes (absent from a registry written before tables contract 12: read as none). */
const REGISTRY_ENTRY_COLUMNS = ['deviceId', 'design', ...PER_UNIT_COLUMNS] as const;
export type RegistryEntry = Pick<SilverDeviceRegistryRow, (typeof REGISTRY_ENTRY_COLUMNS)[number]>;

/**
 * The day's device registry, as the ingest run that wrote the day's silver read it
 * (contracts/registry.ts): deviceId → design, and its per-unit reference (detector/perUnit.ts). A day ingested before the registry
 * existed (tables.json version 6) has none: every device is then the default design.
 * A registry of another run than silver's (a rerun that failed between its two
 * commits) is refused: the designs would not be those of the readings.
 */
export async function readRegistry(reader: TableReader, silver: CommitMarker): Promise<Map<string, RegistryEntry>> {
  const found = await reader.tableRows('silver_device_registry', silver.date, [...REGISTRY_ENTRY_COLUMNS]);
  if (!found) return new Map();
  if (found.marker.runId !== silver.runId) throw new Error(`the ${silver.date} device registry is of ingest run ${found.marker.runId}, its silver of run ${silver.runId}: rerun the day's ingest`);
  return new Map(found.rows.map((r) => [r.deviceId as string, r as unknown as RegistryEntry]));
}

/**
 * The day's silver device-days in device order, a row group at a time: each part
 * file is sorted by device (one per topic partition), so their row groups are
 * merged. One row group per file is in memory, whatever the number of devices.
 */
async function* silverInDeviceOrder(store: ObjectStore, marker: CommitMarker): AsyncGenerator<SilverDeviceDayRow> {
  const cursors = await Promise.all(
    marker.files.map(async (f) => {
      const file = { byteLength: f.bytes, slice: (start: number, end?: number) => store.getRange(f.key, start, end ?? f.bytes) };
      const metadata = await parquetMetadataAsync(file, { initialFetchSize: 64 * 1024 });
      return { file, metadata, group: 0, rows: [] as SilverDeviceDayRow[], at: 0 };
    }),
  );
  type Cursor = (typeof cursors)[number];
  const refill = async (c: Cursor): Promise<void> => {
    while (c.at >= c.rows.length && c.group < c.metadata.row_groups.length) {
      const index = c.group++;
      const group = c.metadata.row_groups[index]!;
      // the row group's column chunks are contiguous: one ranged read for all of them
      let lo = Infinity;
      let hi = 0;
      for (const chunk of group.columns) {
        const m = chunk.meta_data;
        if (!m) continue;
        const first = Number(m.dictionary_page_offset ?? m.data_page_offset);
        lo = Math.min(lo, first, Number(m.data_page_offset));
        hi = Math.max(hi, first + Number(m.total_compressed_size), Number(m.data_page_offset) + Number(m.total_compressed_size));
      }
      const span = hi > lo ? await c.file.slice(lo, hi) : null;
      const file = { byteLength: c.file.byteLength, slice: (start: number, end?: number) => (span && start >= lo && (end ?? c.file.byteLength) <= hi ? span.slice(start - lo, (end ?? c.file.byteLength) - lo) : c.file.slice(start, end)) };
      c.rows = (await readRowGroupRows('silver_device_day', file, c.metadata, index, SILVER_COLUMNS)) as unknown as SilverDeviceDayRow[];
      c.at = 0;
    }
  };
  await Promise.all(cursors.map(refill));
  while (true) {
    let best: Cursor | null = null;
    for (const c of cursors) if (c.at < c.rows.length && (!best || c.rows[c.at]!.deviceId < best.rows[best.at]!.deviceId)) best = c;
    if (!best) return;
    yield best.rows[best.at++]!;
    await refill(best);
  }
}

export async function runPredict(args: readonly string[], storeFor: (bucket: string) => ObjectStore, writerFor: (bucket: string) => ObjectWriter, predictor: DevicePredictor, progress = true): Promise<PredictResult> {
  const a = parseJobArgs(args, PREDICT_FLAGS);
  const date = a['--date'];
  const runId = a['--run-id'];
  const silverStore = storeFor(bucketOf(a['--silver-uri']));
  const silverReader = new TableReader(silverStore);
  const marker = await silverReader.marker('silver_device_day', date);
  if (!marker) throw new Error(`no silver for ${date}: run the ingest first`);
  const registry = await readRegistry(silverReader, marker);
  const previous = await readBaseline(new TableReader(storeFor(bucketOf(a['--gold-uri']))), date);
  const result: PredictResult = { devices: 0, windows: 0, predicted: 0, byDevice: new Map(), plantEventWindows: [], plantConditions: [], modelVersion: predictor.modelVersion, silverRunId: marker.runId, registry: { devices: registry.size, defaulted: 0 }, baseline: { readFrom: previous.date, devicesWithHistory: 0, written: 0, alarmsCarried: 0, alarmsRecurring: 0, alarmsContinued: 0 } };
  const today = new Map<string, DeviceDayBaselineInput>();
  // each device's reference, for its gated summary: the alarm it carries in from the day before, since when it is open, the label it re-arms and its design's reading
  const references = new Map<string, DeviceReference>();
  const bar = progress ? new Progress('predict', marker.rows, 'devices') : null;
  const gold = writerFor(bucketOf(a['--gold-uri']));
  // gold is written as it comes, in device order (the files publishPartition would write); the markers go last
  const tables = {
    gold_window: { parts: new SortedPartsWriter('gold_window', GOLD_WINDOW_OPTIONS), files: [] as CommitMarker['files'] },
    gold_daily: { parts: new SortedPartsWriter('gold_daily', GOLD_DAILY_OPTIONS), files: [] as CommitMarker['files'] },
  };
  const put = async (table: keyof typeof tables, parts: EncodedPart[]) => {
    for (const p of parts) tables[table].files.push(await putPart(gold, table, date, runId, tables[table].files.length, p));
  };
  // device-days finish out of order on the workers; gold takes them in order. Their
  // windows go to gold at once; their summaries wait for the plant gate, which needs
  // every device of the day (detector/alarms.ts PlantSlots): ~2 KB a device
  const queue: Promise<{ deviceId: string; g: DeviceGold }>[] = [];
  const slots = new PlantSlots();
  const pending: { g: DeviceGold; windows: PredictedWindows }[] = [];
  const drain = async (keep: number) => {
    while (queue.length > keep) {
      const { g } = await queue.shift()!;
      result.devices++;
      result.windows += g.windows.length;
      result.predicted += g.predicted;
      const windows = predictedWindowsOfRows(g.windows);
      slots.add(windows);
      pending.push({ g: { ...g, windows: [] }, windows });
      await put('gold_window', tables.gold_window.parts.add(g.windows));
      bar?.tick();
    }
  };
  for await (const row of silverInDeviceOrder(silverStore, marker)) {
    const before = previous.rows.get(row.deviceId);
    const reference: DeviceReference = referenceOf(before, perUnitOf(registry.get(row.deviceId)), carriedAlarm(before, previous.date, date), recurringAlarm(before, previous.date, date));
    // what a gated day decides again with: the carry, the re-armed label and the design's reading (alarms.designGroups)
    references.set(row.deviceId, reference);
    if (reference.carried) result.baseline.alarmsCarried++;
    if (reference.recurring) result.baseline.alarmsRecurring++;
    const task = predictor.predict(row, reference).then((g) => ({ deviceId: row.deviceId, g }));
    task.catch(() => undefined); // awaited in order by drain; an early failure must not go unhandled meanwhile
    queue.push(task);
    await drain(IN_FLIGHT - 1);
  }
  await drain(0);
  const plantEvents = slots.plantEvents();
  result.plantEventWindows = [...plantEvents].sort((a, b) => a - b);
  result.plantConditions = plantConditions(slots.slots, plantEvents);
  for (const { g, windows } of pending) {
    const daily = { ...gatedDaily(g.daily, windows, g.rule, plantEvents, references.get(g.daily.deviceId)), ...designOf(registry, g.daily.deviceId) };
    const deviceId = daily.deviceId;
    if (daily.designSource === 'default') result.registry.defaulted++;
    // a new alarm is open since its onset; one that continues the alarm carried in, since an earlier day (or not recorded)
    if (isAlarmLabel(daily.verdict) && daily.alarmSinceMs !== daily.alarmOnsetMs) result.baseline.alarmsContinued++;
    result.byDevice.set(deviceId, { verdict: daily.verdict, alarmOnsetMs: daily.alarmOnsetMs, alarmRaisedMs: daily.alarmRaisedMs, alarmRaisedAs: daily.alarmRaisedAs, alarmLabelledMs: daily.alarmLabelledMs, baselineDays: daily.baselineDays, daylightStartMs: Float64Array.from(windows.startMs), design: daily.design, designSource: daily.designSource });
    today.set(deviceId, { ratio: g.ratio, verdict: daily.verdict, standing: isAlarmLabel(daily.verdict) ? alarmStanding(windows, g.rule.thresholds, daily.verdict, plantEvents, references.get(deviceId)?.carried ?? null) : null, sinceMs: daily.alarmSinceMs, onsetMs: daily.alarmOnsetMs, raisedMs: daily.alarmRaisedMs });
    if (daily.baselineDays > 0) result.baseline.devicesWithHistory++;
    await put('gold_daily', tables.gold_daily.parts.add([daily]));
  }
  await put('gold_window', tables.gold_window.parts.finish());
  await put('gold_daily', tables.gold_daily.parts.finish());
  await commitPartition(gold, 'gold_window', date, runId, tables.gold_window.files, { inputRunId: marker.runId });
  await commitPartition(gold, 'gold_daily', date, runId, tables.gold_daily.files, { inputRunId: marker.runId });
  await publishPartition(gold, 'gold_plant_condition', date, runId, result.plantConditions.map((c) => ({ ...c, modelVersion: predictor.modelVersion })), { inputRunId: marker.runId });
  // last: a failed run leaves the next day the earlier baseline, never one without this day's verdicts
  const baseline = nextBaseline(previous.rows, today, date);
  await publishPartition(gold, 'device_baseline', date, runId, baseline, { inputRunId: marker.runId, rowGroupSize: 10_000 });
  result.baseline.written = baseline.length;
  bar?.finish(`${result.predicted.toLocaleString('en-US')} of ${result.windows.toLocaleString('en-US')} windows predicted (${FAULT_CLASSES.length} classes, model ${predictor.modelVersion})`);
  return result;
}

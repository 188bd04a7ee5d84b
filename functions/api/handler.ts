/**
 * The prediction API: an API Gateway HTTP API (payload v2) Lambda.
 *   GET /devices/{deviceId}/predictions?date=YYYY-MM-DD   the day's windows and summary
 *   GET /devices/{deviceId}/series?date=YYYY-MM-DD        the day's four cleaned series (silver), for a chart
 *   GET /devices/{deviceId}/scalogram?date=…&window=…      one window's model input (scalograms and levels), as the classifier got it
 *   GET /devices/{deviceId}/status?from=…&to=…             daily summaries, at most 92 days
 *   GET /faults?date=…[&label=…][&limit=…][&cursor=…]      the day's alarms (devices in alarm), paginated
 *   GET /fleet?date=…                                      every device's verdict and alarm of the day, columnar
 *   GET /days                                              the days with predictions, newest first
 * Bad input → 400 naming the parameter; no data → 404; data that cannot be served as
 * asked (a scalogram of a day another model predicted) → 409 with a code saying why;
 * store throttled → 503 with Retry-After; never a 500 for anything a client sends.
 */
import { addDays, ContractVersionMismatch, DETECTOR_CONTRACT, TABLES_CONTRACT, DEVICE_ID_PATTERN, FAULT_CLASSES, isValidDate, localDate, TABLES, type CommitMarker, type SilverDeviceDayRow } from '../../contracts';
import { ALARM_LABELS, alarmCandidates, carriedAlarm, recurringAlarm, type AlarmLabel, type Recurrence } from '../../detector/alarms';
import { CHANNELS, LEVEL_FEATURES, N_SCALES, WINDOW, windowModelInput, type Normalization } from '../../detector/windows';
import { PER_UNIT_COLUMNS, perUnitOf, type PerUnitReference } from '../../detector/perUnit';
import { CONTRACT_SCALES } from '../../detector/cwt';
import BUNDLED_NORMALIZATION from '../../detector/model/artifacts/normalization.json';
import { TableReader, StoreUnavailable, type ObjectStore } from './tableReader';
import { S3Store } from './s3Store';
import { createS3Client } from './s3Client';

export interface HttpEvent {
  rawPath?: string;
  rawQueryString?: string;
  queryStringParameters?: Record<string, string | undefined> | null;
  headers?: Record<string, string | undefined> | null;
  requestContext?: { http?: { method?: string } };
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export const MAX_RANGE_DAYS = 92;
export const MAX_PAGE = 1000;
const FAULTS = FAULT_CLASSES.filter((c) => c !== 'normal');

class BadRequest extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

class NotFound extends Error {}

/** The request is well formed and the data exist, but they cannot be served as asked (409): e.g. a day predicted by another model than the one whose normalisation the API carries. */
class Conflict extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The normalisation of one model version (its normalization.json): what a scalogram is scaled by before the classifier reads it. */
export interface ModelNormalization extends Normalization {
  modelVersion: string;
}

export interface ApiOptions {
  /** the gold bucket */
  store: ObjectStore;
  /** the silver bucket, for a device's series; without it /devices/{id}/series answers 404 */
  silver?: ObjectStore;
  /** the reader over store (tests inspect its caches) */
  reader?: TableReader;
  /**
   * The normalisation of the model whose days /devices/{id}/scalogram serves; defaults
   * to the repository's model (detector/model/artifacts/normalization.json), bundled
   * with the Lambda as the stack deploys that model. A day predicted by another model
   * answers 409.
   */
  normalization?: ModelNormalization;
  timeZone: string;
  allowOrigin?: string;
  now?: () => number;
}

const WINDOW_COLUMNS = TABLES.gold_window.columns.map((c) => c.name);
const DAILY_COLUMNS = TABLES.gold_daily.columns.map((c) => c.name);
const FLEET_COLUMNS = ['deviceId', 'verdict', 'alarmOnsetMs', 'alarmRaisedMs', 'alarmSinceMs', 'alarmConfidence', 'baselineDays', 'predicted', 'plantEventWindows', 'design', 'designSource'];
/** silver's four channels, in the contract's order, with their units (contracts/tables.json) */
export const SERIES = { voltage: 'V', current: 'A', temperature: 'degC', irradiance: 'W/m2' } as const;
const SERIES_COLUMNS = ['deviceId', 'startMs', 'stepMs', 'samples', 'quality', ...Object.keys(SERIES)];
const SILVER_COLUMNS = TABLES.silver_device_day.columns.map((c) => c.name);
const REGISTRY_COLUMNS = ['deviceId', ...PER_UNIT_COLUMNS];
/** A window named by its index in the day, or by an instant inside it (ISO 8601 with a zone: "2026-11-19T10:05:00Z"). */
const WINDOW_INDEX = /^\d{1,4}$/;
const WINDOW_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Stored as float32: four decimals is their real precision for a reader (0.3333 not 0.3333333432674408). */
function r4(x: unknown): number | null {
  return typeof x === 'number' ? Math.round(x * 1e4) / 1e4 : null;
}

/** Silver's float32 series to two decimals (a tenth of a volt, ampere, degree or W/m² is below the sensors' noise); NaN (missing) → null. */
function r2(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 100) / 100 : null;
}

function iso(ms: unknown): string | null {
  return typeof ms === 'number' ? new Date(ms).toISOString() : null;
}

function windowJson(r: Record<string, unknown>) {
  return {
    index: r.windowIndex,
    start: iso(r.startMs),
    end: iso(r.endMs),
    status: r.status,
    skipReason: r.skipReason,
    label: r.label,
    confidence: r4(r.confidence),
    probabilities: r.status === 'predicted' ? Object.fromEntries(FAULT_CLASSES.map((c) => [c, r4(r[`p_${c}`])])) : null,
  };
}

/**
 * The day's alarm of a gold_daily row, or null: what it names, the classes it stands
 * for, when it began and was raised, since when the array has been alarmed for the
 * fault (an earlier day's onset when the alarm continues the one carried in; null for a
 * day predicted before tables contract version 9, or when the day before did not record
 * it), the group it was raised as before the day's decision named it and when it did
 * (contracts/detector.json alarms.raise: labelled null for a group the decision never
 * named), and what the array was judged against (its own baseline, or, without history
 * yet, the fleet: detector/baseline.ts).
 */
function alarmJson(r: Record<string, unknown>) {
  const label = r.verdict as string | null;
  if (label === null || label === 'normal') return null;
  return {
    label,
    candidates: alarmCandidates(label as AlarmLabel),
    onset: iso(r.alarmOnsetMs),
    raised: iso(r.alarmRaisedMs),
    raisedAs: (r.alarmRaisedAs as string | null | undefined) ?? null,
    // a day written before tables contract version 10 has not the column: its alarms were raised in one stage, with their label
    labelled: iso(r.alarmLabelledMs === undefined ? r.alarmRaisedMs : r.alarmLabelledMs),
    openSince: iso(r.alarmSinceMs),
    confidence: r4(r.alarmConfidence),
    evidence: r4(r.alarmEvidence),
    judgedAgainst: judgedAgainst(r),
  };
}

/** gold_plant_condition's columns but its model (the summaries name it) */
const PLANT_CONDITION_COLUMNS = TABLES.gold_plant_condition.columns.map((c) => c.name).filter((c) => c !== 'modelVersion');

function conditionJson(r: Record<string, unknown>) {
  return { kind: r.kind, start: iso(r.startMs), end: iso(r.endMs), windows: r.windows, devices: r.devices, temperature: r4(r.temperature), currentRatio: r4(r.currentRatio), voltageRatio: r4(r.voltageRatio) };
}

function judgedAgainst(r: Record<string, unknown>): 'own-baseline' | 'fleet' {
  return typeof r.baselineDays === 'number' && r.baselineDays > 0 ? 'own-baseline' : 'fleet';
}

/**
 * The design the device was judged as (gold_daily design, designSource): its row of
 * the day's device registry, or the default design for want of one (default: true,
 * so that a device missing from the registry shows). null for a day predicted before
 * gold recorded designs (tables contract version 6), whose files lack the columns.
 */
function designJson(r: Record<string, unknown>): { name: string; default: boolean } | null {
  if (typeof r.design !== 'string') return null;
  return { name: r.design, default: r.designSource !== 'registry' };
}

function summaryJson(r: Record<string, unknown>) {
  return {
    windows: r.windows,
    predicted: r.predicted,
    skipped: r.skipped,
    windowsByLabel: Object.fromEntries(FAULT_CLASSES.map((c) => [c, r[`n_${c}`]])),
    verdict: r.verdict,
    alarm: alarmJson(r),
    baseline: { judgedAgainst: judgedAgainst(r), healthyDays: r.baselineDays, gain: r4(r.baselineGain) },
    // windows in which the whole plant departed from normal at once (snow, frost, curtailment, clipping): set aside, not faults
    plantEventWindows: r.plantEventWindows,
    meanConfidence: r4(r.meanConfidence),
    design: designJson(r),
    modelVersion: r.modelVersion,
  };
}

export function createHandler(options: ApiOptions): (event: HttpEvent) => Promise<HttpResult> {
  const reader = options.reader ?? new TableReader(options.store, options.now);
  const silverReader = options.silver ? new TableReader(options.silver, options.now) : null;
  const now = options.now ?? Date.now;
  const cors = {
    'access-control-allow-origin': options.allowOrigin ?? '*',
    'access-control-allow-methods': 'GET, OPTIONS',
    'access-control-allow-headers': 'content-type, if-none-match',
    'access-control-expose-headers': 'etag, retry-after',
  };
  const json = (statusCode: number, body: unknown, extra: Record<string, string> = {}): HttpResult => ({
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...cors, ...extra },
    body: JSON.stringify(body),
  });
  const error = (statusCode: number, code: string, message: string, parameter?: string, extra: Record<string, string> = {}) =>
    json(statusCode, { error: { code, message, ...(parameter ? { parameter } : {}) } }, extra);

  const today = () => localDate(now(), options.timeZone);

  function dateParam(q: Record<string, string>, name: string): string {
    const v = q[name];
    if (v === undefined || v === '') throw new BadRequest(name, `${name} is required (YYYY-MM-DD)`);
    if (!isValidDate(v)) throw new BadRequest(name, `${name}: ${JSON.stringify(v.slice(0, 40))} is not a calendar date in YYYY-MM-DD form`);
    if (v > today()) throw new BadRequest(name, `${name}: ${v} is in the future (today is ${today()} in ${options.timeZone})`);
    return v;
  }

  function onlyKeys(q: Record<string, string>, allowed: string[]): void {
    for (const k of Object.keys(q)) if (!allowed.includes(k)) throw new BadRequest(k, `unknown query parameter ${JSON.stringify(k.slice(0, 40))}; allowed: ${allowed.join(', ') || 'none'}`);
  }

  function deviceParam(segment: string): string {
    let id: string;
    try {
      id = decodeURIComponent(segment);
    } catch {
      throw new BadRequest('deviceId', 'deviceId is not valid percent-encoding');
    }
    if (!DEVICE_ID_PATTERN.test(id)) throw new BadRequest('deviceId', `deviceId must match ${DEVICE_ID_PATTERN.source}`);
    return id;
  }

  /**
   * A day's answer from one run: finished past days are stable until a rerun, so the
   * ETag is the run that produced them, and a client that has it gets 304 without the
   * body being built.
   */
  /** `also`: a second table the body reads (its run is part of the tag: a rerun commits the tables one after the other). */
  function cachedJson(date: string, marker: CommitMarker, event: HttpEvent, body: () => unknown, also?: CommitMarker | null): HttpResult {
    const etag = also ? `"${marker.runId}+${also.runId}"` : `"${marker.runId}"`;
    const past = date < today();
    if (past && event.headers?.['if-none-match'] === etag) return { statusCode: 304, headers: { ...cors, etag }, body: '' };
    return json(200, body(), { etag, 'cache-control': past ? 'public, max-age=300' : 'no-cache' });
  }

  async function predictions(deviceId: string, q: Record<string, string>, event: HttpEvent): Promise<HttpResult> {
    onlyKeys(q, ['date']);
    const date = dateParam(q, 'date');
    const day = await reader.deviceDay(date, deviceId, WINDOW_COLUMNS, DAILY_COLUMNS);
    if (!day || day.daily.rows.length === 0) throw new NotFound(`no predictions for device ${deviceId} on ${date}`);
    const { windows, daily } = day;
    return cachedJson(date, daily.marker, event, () => {
      windows.rows.sort((a, b) => (a.startMs as number) - (b.startMs as number));
      return { deviceId, date, runId: daily.marker.runId, summary: summaryJson(daily.rows[0]!), windows: windows.rows.map(windowJson) };
    });
  }

  async function series(deviceId: string, q: Record<string, string>, event: HttpEvent): Promise<HttpResult> {
    onlyKeys(q, ['date']);
    const date = dateParam(q, 'date');
    if (!silverReader) throw new NotFound('this deployment does not serve the series (no silver store)');
    const found = await silverReader.deviceRows('silver_device_day', date, deviceId, SERIES_COLUMNS);
    const row = found?.rows[0];
    if (!found || !row) throw new NotFound(`no series for device ${deviceId} on ${date}`);
    const channel = (name: string) => Array.from(row[name] as Float32Array, r2);
    return cachedJson(date, found.marker, event, () => ({
      deviceId,
      date,
      runId: found.marker.runId,
      start: iso(row.startMs),
      stepSeconds: (row.stepMs as number) / 1000,
      samples: row.samples,
      units: SERIES,
      series: Object.fromEntries(Object.keys(SERIES).map((c) => [c, channel(c)])),
      quality: Array.from(row.quality as Int32Array),
    }));
  }

  /**
   * One window's model input, as the classifier received it: the device-day's silver
   * (the very run gold was computed from, when gold names it), its irradiance multiplied
   * by the baseline gain gold recorded, the CWT over the span of the day's predicted
   * windows, asinh-normalised with the model's scales (detector/windows.ts
   * windowModelInput: the predict job's code path), and the window's level features.
   * The image is the float32 tensor itself, height = scale, width = time, channels
   * interleaved (HWC), base64 of its little-endian bytes: lossless, and a third of the
   * size of the same numbers in JSON.
   */
  async function scalogram(deviceId: string, q: Record<string, string>, event: HttpEvent): Promise<HttpResult> {
    onlyKeys(q, ['date', 'window']);
    const date = dateParam(q, 'date');
    const asked = q.window;
    if (asked === undefined || asked === '') throw new BadRequest('window', 'window is required: the window\'s index in the day (0, 1, …) or an instant inside it (ISO 8601 with a zone)');
    const instant = WINDOW_INSTANT.test(asked) ? Date.parse(asked) : NaN;
    if (!WINDOW_INDEX.test(asked) && Number.isNaN(instant)) throw new BadRequest('window', `window: ${JSON.stringify(asked.slice(0, 40))} is neither an index nor an ISO 8601 instant with a zone`);
    const day = await reader.deviceDay(date, deviceId, WINDOW_COLUMNS, DAILY_COLUMNS);
    if (!day || day.daily.rows.length === 0) throw new NotFound(`no predictions for device ${deviceId} on ${date}`);
    const windows = [...day.windows.rows].sort((a, b) => (a.windowIndex as number) - (b.windowIndex as number));
    const w = WINDOW_INDEX.test(asked) ? windows.find((r) => r.windowIndex === Number(asked)) : windows.find((r) => (r.startMs as number) <= instant && instant < (r.endMs as number));
    if (!w) throw new NotFound(`device ${deviceId} has no window ${WINDOW_INDEX.test(asked) ? Number(asked) : `at ${asked}`} on ${date}: its ${windows.length} windows are 0..${windows.length - 1}, ${iso(windows[0]?.startMs)} to ${iso(windows[windows.length - 1]?.endMs)}`);
    const index = w.windowIndex as number;
    if (w.status !== 'predicted') throw new NotFound(`window ${index} of device ${deviceId} on ${date} was not predicted (${String(w.skipReason)}): the classifier received no input for it`);
    const daily = day.daily.rows[0]!;
    const norm = options.normalization ?? (BUNDLED_NORMALIZATION as ModelNormalization);
    if (daily.modelVersion !== norm.modelVersion)
      throw new Conflict('other_model', `the day was predicted by model ${String(daily.modelVersion)}; this API carries the normalisation of ${norm.modelVersion} only, so it cannot rebuild that input (rerun the day with the current model: npm run rerun)`);
    if (!silverReader) throw new NotFound('this deployment does not serve scalograms (no silver store)');
    const inputRunId = day.daily.marker.inputRunId;
    const found = await silverReader.deviceRows('silver_device_day', date, deviceId, SILVER_COLUMNS, inputRunId);
    // gold names the silver run it read: when that run is gone (replaced by a later ingest, past its grace period) the input cannot be rebuilt
    if (!found && inputRunId !== undefined) throw new Conflict('silver_replaced', `the silver run ${inputRunId} the day was predicted from is no longer kept; rerun the day (npm run rerun) to predict it from the current silver`);
    const row = found?.rows[0] as SilverDeviceDayRow | undefined;
    if (!row) throw new NotFound(`no series for device ${deviceId} on ${date}`);
    const predicted = windows.filter((r) => r.status === 'predicted').map((r) => r.windowIndex as number);
    const gain = typeof daily.baselineGain === 'number' ? daily.baselineGain : null;
    // the design the predict job divided voltage and current by: the device's row of the same ingest run's registry (none: the default design, as the job did)
    const registered = await silverReader.deviceRows('silver_device_registry', date, deviceId, REGISTRY_COLUMNS, inputRunId);
    const perUnit = perUnitOf(registered?.rows[0] as PerUnitReference | undefined);
    return cachedJson(date, day.daily.marker, event, () => {
      const input = windowModelInput(row, predicted, index, norm, gain, perUnit);
      return {
        deviceId,
        date,
        runId: day.daily.marker.runId,
        modelVersion: norm.modelVersion,
        window: windowJson(w),
        channels: CHANNELS,
        wavelet: DETECTOR_CONTRACT.cwt.wavelet,
        scales: CONTRACT_SCALES,
        stepSeconds: (row.stepMs as number) / 1000,
        shape: [N_SCALES, WINDOW, CHANNELS.length],
        layout: 'HWC',
        encoding: 'float32le-base64',
        values: Buffer.from(input.images.buffer, input.images.byteOffset, input.images.byteLength).toString('base64'),
        normalization: { formula: DETECTOR_CONTRACT.normalization.formula, scale: norm.scale },
        // the device's baseline gain the irradiance channel was multiplied by before the CWT (null: judged against the fleet)
        baselineGain: gain,
        // what voltage and current were divided by before the CWT (contracts/detector.json perUnit)
        perUnit,
        judgedAgainst: judgedAgainst(daily),
        levels: Object.fromEntries(LEVEL_FEATURES.map((f, i) => [f, input.levels[i]!])),
      };
    });
  }

  async function status(deviceId: string, q: Record<string, string>): Promise<HttpResult> {
    onlyKeys(q, ['from', 'to']);
    const from = dateParam(q, 'from');
    const to = dateParam(q, 'to');
    if (from > to) throw new BadRequest('from', `from ${from} is after to ${to}`);
    const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
    if (span > MAX_RANGE_DAYS) throw new BadRequest('to', `the range ${from} … ${to} has ${span} days; at most ${MAX_RANGE_DAYS}`);
    const dates = Array.from({ length: span }, (_, i) => new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10));
    const found = await Promise.all(dates.map((d) => reader.deviceRows('gold_daily', d, deviceId, DAILY_COLUMNS)));
    const days = dates.map((date, i) => {
      const r = found[i];
      return r && r.rows.length ? { date, ...summaryJson(r.rows[0]!) } : { date, verdict: null, alarm: null, noData: true };
    });
    if (days.every((d) => 'noData' in d)) throw new NotFound(`no predictions for device ${deviceId} between ${from} and ${to}`);
    return json(200, { deviceId, from, to, days }, { 'cache-control': to < today() ? 'public, max-age=300' : 'no-cache' });
  }

  async function faults(q: Record<string, string>, event: HttpEvent): Promise<HttpResult> {
    onlyKeys(q, ['date', 'label', 'limit', 'cursor']);
    const date = dateParam(q, 'date');
    const label = q.label;
    const labels: string[] = [...new Set([...FAULTS, ...ALARM_LABELS])];
    if (label !== undefined && !labels.includes(label)) throw new BadRequest('label', `label must be one of ${labels.join(', ')}`);
    let limit = 100;
    if (q.limit !== undefined) {
      if (!/^\d{1,4}$/.test(q.limit) || Number(q.limit) < 1 || Number(q.limit) > MAX_PAGE) throw new BadRequest('limit', `limit must be an integer in 1..${MAX_PAGE}`);
      limit = Number(q.limit);
    }
    let after = '';
    if (q.cursor !== undefined) {
      const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(q.cursor) ? Buffer.from(q.cursor, 'base64url').toString('utf8') : '';
      if (!DEVICE_ID_PATTERN.test(decoded)) throw new BadRequest('cursor', 'cursor is not one this API returned');
      after = decoded;
    }
    const all = await reader.tableRows('gold_daily', date, ['deviceId', 'verdict', 'alarmOnsetMs', 'alarmRaisedMs', 'alarmRaisedAs', 'alarmLabelledMs', 'alarmSinceMs', 'alarmConfidence', 'alarmEvidence', 'baselineDays', 'predicted', 'design', 'designSource']);
    if (!all) throw new NotFound(`no predictions for ${date}`);
    // a class matches the alarms that name it, alone or in a group; a group, its own alarms
    const matches = (verdict: string) => label === undefined || verdict === label || alarmCandidates(verdict as AlarmLabel).includes(label as never);
    const matching = all.rows.filter((r) => r.verdict !== null && r.verdict !== 'normal' && matches(r.verdict as string) && (r.deviceId as string) > after);
    const page = matching.slice(0, limit);
    const nextCursor = matching.length > limit ? Buffer.from(page[page.length - 1]!.deviceId as string).toString('base64url') : null;
    // which alarms the day carried in from the day before (contracts/detector.json alarms.carry): the fault goes on
    // since an earlier day, whose alarm it is; read from the baseline of the day before as it now stands
    const dayBefore = addDays(date, -1);
    const before = page.length ? await reader.tableRows('device_baseline', dayBefore, ['deviceId', 'dayVerdict', 'dayAlarmStanding', 'dayAlarmOnsetMs', 'dayAlarmRaisedMs']) : null;
    const carried = new Map((before?.rows ?? []).map((r) => [r.deviceId as string, carriedAlarm({ dayVerdict: (r.dayVerdict as string | null) ?? null, dayAlarmStanding: (r.dayAlarmStanding as number | null) ?? null }, dayBefore, date)]));
    // and which shadows came back where the day before's fell (alarms.recur): the label re-armed there, the alarm begun in its span
    // (a baseline of version 10 or older has no alarm times: none)
    const recurring = new Map((before?.rows ?? []).map((r) => [r.deviceId as string, recurringAlarm({ dayVerdict: (r.dayVerdict as string | null) ?? null, dayAlarmOnsetMs: (r.dayAlarmOnsetMs as number | null) ?? null, dayAlarmRaisedMs: (r.dayAlarmRaisedMs as number | null) ?? null }, dayBefore, date)]));
    const recurs = (r: Record<string, unknown>, span: Recurrence | null | undefined) => !!span && span.label === r.verdict && (r.alarmOnsetMs as number) >= span.fromMs && (r.alarmOnsetMs as number) <= span.toMs;
    return cachedJson(
      date,
      all.marker,
      event,
      () => ({
        date,
        label: label ?? null,
        devices: page.map((r) => ({ deviceId: r.deviceId, alarm: { ...alarmJson(r)!, carriedIn: carried.get(r.deviceId as string) === r.verdict, recurs: recurs(r, recurring.get(r.deviceId as string)) }, predictedWindows: r.predicted, design: designJson(r) })),
        nextCursor,
      }),
      before?.marker,
    );
  }

  /**
   * Every device of the day in one response, for a fleet view of 10k arrays: columns
   * (one array per field, in device order) rather than objects, so the field names
   * are not repeated 10k times; the alarm labels' classes once, not per device.
   */
  async function fleet(q: Record<string, string>, event: HttpEvent): Promise<HttpResult> {
    onlyKeys(q, ['date']);
    const date = dateParam(q, 'date');
    const all = await reader.tableRows('gold_daily', date, FLEET_COLUMNS);
    if (!all) throw new NotFound(`no predictions for ${date}`);
    const plant = await reader.tableRows('gold_plant_condition', date, PLANT_CONDITION_COLUMNS);
    // the plant's conditions belong to the same predict run as the summaries, or are not known yet (a rerun
    // between its two commits) or at all (a day predicted before gold_plant_condition existed): null then
    const conditions = plant && plant.marker.runId === all.marker.runId ? plant.rows.sort((a, b) => (a.startMs as number) - (b.startMs as number)).map(conditionJson) : null;
    return cachedJson(date, all.marker, event, () => {
      const rows = [...all.rows].sort((a, b) => ((a.deviceId as string) < (b.deviceId as string) ? -1 : 1));
      const column = (f: (r: Record<string, unknown>) => unknown) => rows.map(f);
      // the alarm's fields of a device with an alarm (alarmJson's rule), null otherwise
      const ofAlarm = (f: (r: Record<string, unknown>) => unknown) => column((r) => (r.verdict && r.verdict !== 'normal' ? f(r) : null));
      return {
        date,
        runId: all.marker.runId,
        count: rows.length,
        // the plant's condition: how many window slots of the day the whole plant departed from normal at once (the plant gate)
        plantEventWindows: rows.reduce((m, r) => Math.max(m, (r.plantEventWindows as number | null) ?? 0), 0),
        // what those windows were, by the plant's readings: conditions that are not faults (detector/plantConditions.ts)
        plantConditions: conditions,
        labels: Object.fromEntries(ALARM_LABELS.map((l) => [l, alarmCandidates(l)])),
        devices: {
          deviceId: column((r) => r.deviceId),
          verdict: column((r) => r.verdict),
          onset: ofAlarm((r) => iso(r.alarmOnsetMs)),
          raised: ofAlarm((r) => iso(r.alarmRaisedMs)),
          openSince: ofAlarm((r) => iso(r.alarmSinceMs)),
          confidence: ofAlarm((r) => r4(r.alarmConfidence)),
          judgedAgainst: column(judgedAgainst),
          predictedWindows: column((r) => r.predicted),
          // each array's design as the day's registry named it (a plant of several designs), null before version 6
          design: column(designJson),
        },
      };
    }, plant?.marker);
  }

  /** The days gold has a committed summary of; changes when a day is committed, so never cached by clients for long. */
  async function days(q: Record<string, string>): Promise<HttpResult> {
    onlyKeys(q, []);
    const dates = await reader.committedDates('gold_daily');
    // the plant's time zone comes along: a day and its times are plant-local, whatever the reader's clock says
    return json(200, { timeZone: options.timeZone, days: dates.filter((d) => d <= today()) }, { 'cache-control': 'no-cache' });
  }

  return async (event: HttpEvent): Promise<HttpResult> => {
    try {
      const method = event.requestContext?.http?.method ?? 'GET';
      if (method === 'OPTIONS') return { statusCode: 204, headers: { ...cors, 'access-control-max-age': '3600' }, body: '' };
      if (method !== 'GET') return error(405, 'method_not_allowed', `${method.slice(0, 10)} is not allowed; use GET`, undefined, { allow: 'GET, OPTIONS' });
      const q: Record<string, string> = {};
      for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) q[k] = v;
      const path = (event.rawPath ?? '/').replace(/\/+$/, '') || '/';
      const device = /^\/devices\/([^/]+)\/(predictions|series|scalogram|status)$/.exec(path);
      if (device) {
        const id = deviceParam(device[1]!);
        if (device[2] === 'predictions') return await predictions(id, q, event);
        if (device[2] === 'scalogram') return await scalogram(id, q, event);
        return device[2] === 'series' ? await series(id, q, event) : await status(id, q);
      }
      if (path === '/faults') return await faults(q, event);
      if (path === '/fleet') return await fleet(q, event);
      if (path === '/days') return await days(q);
      return error(404, 'route_not_found', 'no such route; see docs/api.openapi.yaml');
    } catch (err) {
      if (err instanceof BadRequest) return error(400, 'bad_request', err.message, err.parameter);
      if (err instanceof NotFound) return error(404, 'not_found', err.message);
      if (err instanceof Conflict) return error(409, err.code, err.message);
      // gold written before an upgrade of the tables contract: the client can do nothing but wait for a rerun of the day
      if (err instanceof ContractVersionMismatch) return error(404, 'not_found', `the ${err.date} ${err.table} was written under tables contract version ${String(err.found)}, which this API does not read (${TABLES_CONTRACT.tables[err.table].readableFrom} to ${TABLES_CONTRACT.version}); rerun the day (npm run rerun) to serve it`);
      if (err instanceof StoreUnavailable) {
        // the client is told only to retry; the log says why (a throttle, a refused connection, a run's missing file)
        console.warn(JSON.stringify({ level: 'warn', message: err.message }));
        return error(503, 'unavailable', 'the prediction store is busy; retry shortly', undefined, { 'retry-after': String(err.retryAfterSeconds) });
      }
      console.error(JSON.stringify({ level: 'error', message: (err as Error).message, stack: (err as Error).stack }));
      return error(500, 'internal', 'internal error');
    }
  };
}

let cached: ((event: HttpEvent) => Promise<HttpResult>) | null = null;

/**
 * The Lambda entry point; GOLD_BUCKET and PLANT_TIME_ZONE are set by the infrastructure,
 * SILVER_BUCKET when the function may read silver's series (then GET /devices/{id}/series answers).
 */
export async function handler(event: HttpEvent): Promise<HttpResult> {
  if (!cached) {
    const bucket = process.env.GOLD_BUCKET;
    const timeZone = process.env.PLANT_TIME_ZONE;
    if (!bucket || !timeZone) throw new Error('GOLD_BUCKET and PLANT_TIME_ZONE must be set on the function');
    const client = createS3Client();
    const silver = process.env.SILVER_BUCKET ? new S3Store(client, process.env.SILVER_BUCKET, { deniedMeansMissing: true }) : undefined;
    cached = createHandler({ store: new S3Store(client, bucket), silver, timeZone, allowOrigin: process.env.ALLOW_ORIGIN });
  }
  return cached(event);
}

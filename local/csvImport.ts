/**
 * A user's own field data through the daily pipeline (issue 20, "real data in"): a CSV
 * of readings per array, and the arrays' design(s), replayed onto the local topic day
 * by day and run through the real state machine with the local jobs, as `npm start`
 * runs a simulated day (local/pipeline.ts runLocalDay).
 *
 * The file: a header line, then one reading per line, comma-separated (RFC 4180
 * quoting allowed, no line breaks inside a field). Columns, by header name (others are
 * ignored, and listed): the array's id (default header deviceId, --device-column),
 * timestamp (ISO 8601 with a zone, 2026-06-10T12:00:00Z or …+02:00, or epoch
 * milliseconds), voltage (V), current (A), temperature (module, °C) and irradiance
 * (plane of array, W/m²): contracts/reading.avsc.
 *
 * Every line is checked; none is dropped without a word:
 *  - a line that cannot become a reading (a value that is no number, a timestamp
 *    without a zone, an empty cell, a line with too few fields) is set aside in
 *    <out>/import-quarantine.csv with its line, column, the quarantine reason
 *    (tables.json quarantineReasons) and the line as it was;
 *  - a reading the contract refuses (out of its range, NaN, a bad id) is reported
 *    with its line and column and published all the same: the ingest sets it aside
 *    in silver_quarantine with the same reason, as it would from the producer.
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse/sync';
import { DEVICE_ID_PATTERN, localDate, plantDayWindow, READING_AVRO_TYPE, validateReading, type QuarantineReason, type Reading, type SilverDeviceRegistryRow } from '../contracts';
import type { DevicePredictor } from './jobs/predict';
import { runLocalDay, type DaySource, type LocalDayOptions, type LocalRunResult } from './pipeline';

/** The reading fields, by the CSV column that holds them (the id's column is --device-column). */
export const MEASUREMENT_COLUMNS = ['timestamp', 'voltage', 'current', 'temperature', 'irradiance'] as const;
type Measurement = (typeof MEASUREMENT_COLUMNS)[number];

/** One line of the file that did not become a valid reading. */
export interface ImportIssue {
  /** 1-based line of the file (the header is line 1) */
  line: number;
  /** the CSV column at fault (its header name), null when the line as a whole is */
  column: string | null;
  reason: QuarantineReason;
  detail: string;
  /** the line as it was */
  raw: string;
}

/** A reading of the file, with the line it came from. */
export interface ImportedReading extends Reading {
  line: number;
}

export interface ReadCsv {
  /** readings to publish, by plant-local day, in file order */
  days: Map<string, ImportedReading[]>;
  /** lines set aside: never published */
  quarantined: ImportIssue[];
  /** readings published that the contract refuses: the ingest quarantines them (silver_quarantine) */
  refused: ImportIssue[];
  /** header columns the import does not read */
  ignoredColumns: string[];
  lines: number;
}

/**
 * The fields of one CSV line (RFC 4180: quotes, "" for a quote inside one, by csv-parse);
 * a string says what is wrong. Line by line, not the file as one stream: a quote left
 * open would otherwise swallow every line after it, and each bad line must be set aside
 * alone (a line break inside a field is therefore not supported).
 */
export function splitCsvLine(line: string): string[] | string {
  try {
    const records = parseCsv(line, { relax_column_count: true }) as string[][];
    return records[0] ?? [''];
  } catch (e) {
    // csv-parse counts lines within the one line it was given: the caller names the file's line
    return e instanceof Error ? e.message.replace(/ at line 1\b/, '') : String(e);
  }
}

const ISO_WITH_ZONE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of a timestamp cell, or why it is none. A time without a zone is refused: on a DST night it names two instants. */
export function parseTimestamp(cell: string): number | string {
  if (/^\d{1,15}$/.test(cell)) return Number(cell);
  const m = ISO_WITH_ZONE.exec(cell);
  if (!m) return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(cell) ? `${JSON.stringify(cell)} has no zone (add Z or an offset such as +02:00)` : `${JSON.stringify(cell)} is neither an ISO 8601 time with a zone nor epoch milliseconds`;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3]}`);
  if (Number.isNaN(ms) || new Date(Date.parse(`${m[1]}T00:00:00Z`)).toISOString().slice(0, 10) !== m[1]) return `${JSON.stringify(cell)} is not a real time`;
  return ms;
}

/** A measurement cell as a number; NaN and infinities are numbers the ingest will refuse (non_finite), text is not. */
function parseNumber(cell: string): number | null {
  const t = cell.trim();
  if (t === 'NaN' || t === 'nan') return NaN;
  if (/^[+-]?(Infinity|inf)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

/**
 * Reads and checks the file, line by line (a file of any length; the readings of
 * the days are held in memory until they are published: split a long history by month).
 */
export async function readReadingsCsv(file: string, o: { deviceColumn: string; timeZone: string }): Promise<ReadCsv> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const out: ReadCsv = { days: new Map(), quarantined: [], refused: [], ignoredColumns: [], lines: 0 };
  let header: string[] | null = null;
  let index: Record<string, number> = {};
  let day = { date: '', startMs: 0, endMs: 0 };
  let n = 0;
  for await (const rawLine of lines) {
    n++;
    const text = n === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (text.trim() === '') continue;
    const fields = splitCsvLine(text);
    if (header === null) {
      if (typeof fields === 'string') throw new Error(`${file}, line 1 (the header): ${fields}`);
      header = fields.map((f) => f.trim());
      const needed = [o.deviceColumn, ...MEASUREMENT_COLUMNS];
      const missing = needed.filter((c) => !header!.includes(c));
      if (missing.length) throw new Error(`${file}, line 1 (the header): no column ${missing.join(', ')} (the header has ${header.join(', ')}; the array's id is read from --device-column, default deviceId)`);
      for (const c of needed) if (header.indexOf(c) !== header.lastIndexOf(c)) throw new Error(`${file}, line 1 (the header): column ${c} appears twice`);
      index = Object.fromEntries(needed.map((c) => [c, header!.indexOf(c)]));
      out.ignoredColumns = header.filter((c) => !needed.includes(c));
      continue;
    }
    out.lines++;
    const aside = (column: string | null, reason: QuarantineReason, detail: string) => out.quarantined.push({ line: n, column, reason, detail: `line ${n}${column ? `, column ${column}` : ''}: ${detail}`, raw: rawLine });
    if (typeof fields === 'string') {
      aside(null, 'malformed', fields);
      continue;
    }
    if (fields.length !== header.length) {
      aside(null, 'malformed', `${fields.length} fields, the header has ${header.length}`);
      continue;
    }
    const cell = (c: string) => fields[index[c]!]!.trim();
    const empty = [o.deviceColumn, ...MEASUREMENT_COLUMNS].find((c) => cell(c) === '');
    if (empty) {
      aside(empty, 'missing_field', 'empty');
      continue;
    }
    const timestamp = parseTimestamp(cell('timestamp'));
    if (typeof timestamp === 'string') {
      aside('timestamp', 'malformed', timestamp);
      continue;
    }
    const values: Partial<Record<Measurement, number>> = { timestamp };
    let bad: Measurement | null = null;
    for (const c of MEASUREMENT_COLUMNS.slice(1)) {
      const v = parseNumber(cell(c));
      if (v === null) {
        bad = c;
        break;
      }
      values[c] = v;
    }
    if (bad) {
      aside(bad, 'malformed', `${JSON.stringify(cell(bad))} is not a number`);
      continue;
    }
    const reading = { deviceId: cell(o.deviceColumn), ...(values as Record<Measurement, number>) };
    // the contract's own check: what it refuses is still published, for the ingest to set aside as it would from the producer
    const v = validateReading(reading);
    if (!v.ok) {
      for (const issue of v.issues) {
        const column = issue.field === 'deviceId' ? o.deviceColumn : issue.field;
        // the contract's message starts with its field's name, which the column already says
        const message = issue.field && issue.message.startsWith(`${issue.field}: `) ? issue.message.slice(issue.field.length + 2) : issue.message;
        out.refused.push({ line: n, column, reason: issue.reason, detail: `line ${n}${column ? `, column ${column}` : ''}: ${message}`, raw: rawLine });
      }
    }
    // the plant-local day: the last reading's day is the likeliest, so the zone's rules are looked up once a day
    if (timestamp < day.startMs || timestamp >= day.endMs) {
      const date = localDate(timestamp, o.timeZone);
      const w = plantDayWindow(date, o.timeZone);
      day = { date, startMs: w.startMs, endMs: w.endMs };
    }
    let list = out.days.get(day.date);
    if (!list) out.days.set(day.date, (list = []));
    list.push({ line: n, ...reading });
  }
  if (header === null) throw new Error(`${file} is empty: a header line and one reading per line are expected`);
  return out;
}

/** The lines set aside, as a CSV a person can open: line, column, reason, detail, the line as it was. */
export function quarantineCsv(issues: readonly ImportIssue[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['line,column,reason,detail,raw', ...issues.map((i) => [String(i.line), i.column ?? '', i.reason, i.detail, i.raw].map(q).join(','))].join('\n') + '\n';
}

export interface ImportOptions extends Omit<LocalDayOptions, 'date'> {
  file: string;
  deviceColumn: string;
  /** the arrays' designs, by id (detector/simulator/registry.ts registryOfIds, or a registry file's rows) */
  registry: (deviceIds: readonly string[]) => SilverDeviceRegistryRow[];
}

export interface ImportResult {
  read: Omit<ReadCsv, 'days'>;
  /** the run of each day, oldest first */
  days: LocalRunResult[];
  quarantineFile: string;
}

/** Reads the file, then runs each of its plant-local days, oldest first (so each array's baseline builds up), through the local pipeline. */
export async function importCsv(o: ImportOptions, predictor?: DevicePredictor & { close?(): Promise<void> }): Promise<ImportResult> {
  const read = await readReadingsCsv(o.file, { deviceColumn: o.deviceColumn, timeZone: o.timeZone });
  const quarantineFile = join(o.out, 'import-quarantine.csv');
  const ids = new Set<string>();
  for (const list of read.days.values()) for (const r of list) ids.add(r.deviceId);
  // an id the contract refuses names no array: the ingest sets its readings aside (bad_device_id)
  const registry = o.registry([...ids].filter((id) => DEVICE_ID_PATTERN.test(id)));
  const days: LocalRunResult[] = [];
  const { days: byDay, ...summary } = read;
  const dates = [...byDay.keys()].sort();
  if (dates.length === 0) throw new Error(`${o.file}: no line became a reading (${read.quarantined.length} set aside; the first: ${read.quarantined[0]?.detail ?? 'none'})`);
  mkdirSync(o.out, { recursive: true });
  writeFileSync(quarantineFile, quarantineCsv(read.quarantined));
  const plant = { seed: 0, devices: registry.length, faultMix: {}, timeZone: o.timeZone, conditions: `csv:${[...ids].sort().join(',')}` };
  for (const date of dates) {
    const readings = byDay.get(date)!;
    const source: DaySource = {
      plant,
      registry,
      publish: async (topic) => {
        for (const r of readings) {
          // the record as a producer would publish it, at its own time; READING_AVRO_TYPE encodes what the contract
          // would refuse too (NaN, out of range, a bad id), so that the ingest sets it aside with its reason
          const { line: _line, ...reading } = r;
          topic.send(r.deviceId, READING_AVRO_TYPE.toBuffer(reading), r.timestamp);
        }
        return { published: readings.length, truth: new Map() };
      },
    };
    o.log(`\n— ${date}: ${readings.length.toLocaleString('en-US')} readings of ${new Set(readings.map((r) => r.deviceId)).size} arrays`);
    // only the last day's store is kept running for the caller (to serve it): an earlier one would be left behind
    days.push(await runLocalDay({ ...o, date, keepS3: o.keepS3 === true && date === dates[dates.length - 1] }, source, predictor));
  }
  return { read: summary, days, quarantineFile };
}

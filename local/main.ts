/**
 * npm start — a whole day of the pipeline on this machine, no AWS:
 *   npm start                                  300 devices, yesterday (plant-local; before 03:00 the day before), then serves the API
 *   npm start -- --no-serve                    exits after the summary
 *   npm start -- --devices 1000 --date 2026-11-18 --seed 7 --fault-mix normal=50,arc_fault=10 --out out/local
 *   npm start -- --design plant.json           the arrays' design(s) (contracts/designs.json; default: 5 × 3 of the CS5P-220M)
 *   npm start -- --engine spark                the production engines: the producer service, a Kafka broker, the Spark jobs
 * One run at a time per --out (local/runLock.ts): a second is refused, naming the first.
 * Re-running a day replaces its silver and gold (commit markers); Ctrl-C at any point
 * leaves the previous complete day visible, never a half-written one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { addDays, FAULT_CLASSES, isValidDate, latestRunnableDate, plantDayWindow } from '../contracts';
import { ALARM_GROUPS } from '../detector/alarms';
import type { PlantCondition } from '../detector/plantConditions';
import { summarize } from '../detector/eval/summary';
import { parseConditions, parseFaultMix, readDesignFile } from '../detector/simulator/cli';
import { DEFAULT_DESIGN, DEFAULT_FAULT_MIX, deviceId, plantConfig } from '../detector/simulator/plant';
import { createHandler } from '../functions/api/handler';
import { S3Store } from '../functions/api/s3Store';
import { buildDashboard } from '../dashboard/build';
import { createApiServer } from './apiServer';
import { FolderStore } from './folderStore';
import { runLocalPipeline, type LocalRunResult } from './pipeline';
import { runSparkDay } from './sparkDay';
import { runCommand, UsageError } from '../detector/commandLine';

const USAGE = `usage: npm start -- [--devices N] [--date YYYY-MM-DD] [--days N] [--seed N] [--fault-mix normal=70,arc_fault=6,...]
                  [--out DIR] [--time-zone Europe/Madrid] [--port 8080] [--no-serve] [--engine embedded|spark]
                  [--conditions none|field] [--force frost,dew,snow,soiling,standby,curtailment,clipping (on --date)] [--mounting open_rack|roof] [--converter-rating W]
                  [--design FILE.json (one design, or {"arrays": [{"share": 0.7 | "devices": [0, 200], "design": …}]}; see docs/simulator.md)]`;

/**
 * Days run by default (the embedded engine): the first judges every array against
 * the fleet, the next ones against its own baseline (detector/baseline.ts), which is
 * what a plant in operation sees.
 */
export const DEFAULT_DAYS = 3;

export function parseStartArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      devices: { type: 'string', default: '300' },
      date: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'fault-mix': { type: 'string' },
      out: { type: 'string', default: join('out', 'local') },
      'time-zone': { type: 'string', default: 'Europe/Madrid' },
      port: { type: 'string', default: '8080' },
      'no-serve': { type: 'boolean', default: false },
      engine: { type: 'string', default: 'embedded' },
      conditions: { type: 'string' },
      force: { type: 'string' },
      mounting: { type: 'string' },
      'converter-rating': { type: 'string' },
      design: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const int = (name: string, v: string, max: number) => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new UsageError(`--${name}: ${JSON.stringify(v)} must be an integer in 1..${max}`);
    return Number(v);
  };
  const timeZone = values['time-zone']!;
  // the run window refuses a day whose late readings may still arrive (before 03:00, yesterday)
  const date = values.date ?? latestRunnableDate(Date.now(), timeZone);
  if (!isValidDate(date)) throw new UsageError(`--date: ${JSON.stringify(date)} is not a calendar date in YYYY-MM-DD form`);
  const engine = values.engine!;
  if (engine !== 'embedded' && engine !== 'spark') throw new UsageError(`--engine: ${JSON.stringify(engine)} is not one of embedded, spark`);
  // the producer's simulator source simulates the default mix: a mix of one's own would not reach the topic
  if (engine === 'spark' && values.days !== undefined && values.days !== '1') throw new UsageError('--days: the Spark engine runs one day (npm start -- --engine spark --date …)');
  if (engine === 'spark' && values['fault-mix']) throw new UsageError('--fault-mix: the Spark engine publishes through the producer service, whose simulator source simulates the default fault mix');
  for (const flag of ['conditions', 'force', 'mounting', 'converter-rating'] as const) {
    if (engine === 'spark' && values[flag] !== undefined) throw new UsageError(`--${flag}: the Spark engine publishes through the producer service, whose simulator source simulates the default plant (no conditions)`);
  }
  // conditions that are not faults (detector/simulator/conditions.ts): rates for every day, --force on the last day (--date) only
  const conditions = parseConditions(values);
  const devices = int('devices', values.devices!, 100_000);
  if (engine === 'spark' && values.design !== undefined) throw new UsageError('--design: the Spark engine publishes through the producer service, whose simulator source simulates the default design');
  const design = values.design === undefined ? DEFAULT_DESIGN : readDesignFile(values.design, devices);
  return {
    engine,
    help: values.help!,
    date,
    timeZone,
    devices,
    design,
    days: int('days', values.days ?? (engine === 'spark' ? '1' : String(DEFAULT_DAYS)), 31),
    seed: int('seed', values.seed!, 2 ** 31 - 1),
    faultMix: values['fault-mix'] ? parseFaultMix(values['fault-mix']) : DEFAULT_FAULT_MIX,
    conditions,
    out: values.out!,
    port: int('port', values.port!, 65535),
    serve: !values['no-serve'],
  };
}

const pct = (x: number) => `${(100 * x).toFixed(0)} %`;

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const ratio = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));

/** One plant condition as npm start prints it: when, what its readings say it was, and why. */
export function conditionLine(c: PlantCondition): string {
  const t = c.temperature === null ? 'n/a' : `${c.temperature.toFixed(1)} °C`;
  return `${hhmm(c.startMs)}–${hhmm(c.endMs)} UTC, ${c.windows} window${c.windows === 1 ? '' : 's'}: ${c.kind.replace('_', ' ')} (current per irradiance ${ratio(c.currentRatio)} of the rest of the day, voltage ${ratio(c.voltageRatio)}, modules ${t})`;
}

/** How many of the day's devices were judged as each design, in the order of their counts. */
function designCounts(r: LocalRunResult): string {
  const n = new Map<string, number>();
  for (const d of r.predict.byDevice.values()) {
    const key = d.designSource === 'default' ? `${d.design} (default)` : d.design;
    n.set(key, (n.get(key) ?? 0) + 1);
  }
  return [...n].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, v]) => `${k}: ${v}`).join(', ') || 'no device predicted';
}

export function summaryLines(r: LocalRunResult): string[] {
  const lines: string[] = [];
  const q = r.ingest.quarantined;
  lines.push(`Day ${r.date}: ${r.devices} devices, ${r.readingsPublished.toLocaleString('en-US')} readings published, ${r.ingest.recordsRead.toLocaleString('en-US')} read back by the ingest (${(r.ingest.observed + r.ingest.duplicates).toLocaleString('en-US')} of the day, the rest quarantined or of an adjacent day: ${r.ingest.adjacentDay.toLocaleString('en-US')}).`);
  lines.push(`Quarantined: ${Object.keys(q).length ? Object.entries(q).map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}; duplicates dropped ${r.ingest.duplicates}; slots filled ${r.ingest.filled}, missing ${r.ingest.missing}.`);
  lines.push(`Windows: ${r.predict.predicted.toLocaleString('en-US')} of ${r.predict.windows.toLocaleString('en-US')} predicted (the rest lack sun or data); model ${r.predict.modelVersion}.`);
  const b = r.predict.baseline;
  lines.push(
    b.readFrom
      ? `Baselines: ${b.devicesWithHistory} of ${r.predict.devices} devices judged against their own history (the baseline of ${b.readFrom}), the rest, without a healthy day yet, against the fleet; ${b.alarmsCarried} alarm${b.alarmsCarried === 1 ? '' : 's'} of the day before carried into the day (re-raised at the first window not against them), ${b.alarmsRecurring} alarm${b.alarmsRecurring === 1 ? '' : 's'} of the day before re-armed (a shadow where it fell, an arc all day), ${b.alarmsContinued} of the day's alarms still open since an earlier day.`
      : `Baselines: none before ${r.date} (a first day): every device judged against the fleet, with the thresholds for no history; run --days 3 or more for devices judged against their own history.`,
  );
  const events = r.predict.plantEventWindows;
  lines.push(
    events.length
      ? `Plant events: ${events.length} window${events.length === 1 ? '' : 's'} in which at least half the plant departed from normal at once, or next to such a window a third of it (${events.map((t) => new Date(t).toISOString().slice(11, 16)).join(', ')} UTC): a condition of the whole plant (snow, frost, curtailment, clipping), set aside from every device's alarm evidence.`
      : 'Plant events: none (no window in which half the plant departed from normal at once).',
  );
  for (const c of r.predict.plantConditions) lines.push(`  ${conditionLine(c)}`);
  const reg = r.predict.registry;
  lines.push(`Designs: ${reg.devices} arrays in the day's device registry (${designCounts(r)})${reg.defaulted ? `; ${reg.defaulted} device${reg.defaulted === 1 ? '' : 's'} not in it, judged as the default design` : ''}.`);
  lines.push('');
  lines.push('Device verdicts against the injected faults (rows: injected, columns: the day\'s alarm, normal without one):');
  const cols = [...FAULT_CLASSES, ...ALARM_GROUPS, 'none'];
  lines.push(`  ${''.padEnd(16)}${cols.map((c) => c.slice(0, 9).padStart(10)).join('')}   detected`);
  // the figures below, not the goals' intervals (npm run eval reports those)
  const s = summarize(r.outcomes.map((d) => d.judged), 0);
  for (const c of FAULT_CLASSES) {
    const row = r.confusion[c]!;
    const total = Object.values(row).reduce((a, b) => a + b, 0);
    if (total === 0) continue;
    const detected = c === 'normal' ? `${row.normal}/${total}` : `${s.faults.byClass[c]?.named ?? 0}/${s.faults.byClass[c]?.visible ?? 0} visible`;
    lines.push(`  ${c.padEnd(16)}${cols.map((v) => String(row[v]).padStart(10)).join('')}   ${detected}`);
  }
  // the evaluation's definitions (detector/eval/outcome.ts): visible = acts in ≥ 2 daylight windows; named = the class or a group covering it;
  // delay in daylight minutes from the onset (or the first daylight window the fault acts in) to the alarm
  const f = s.faults.overall;
  const fa = s.falseAlarms.overall;
  lines.push('');
  // as npm run eval: the device-days a condition that is not a fault acted on are counted apart (detector/eval/summary.ts)
  const apart = s.counts.withCondition > 0 ? ` (on the ${s.counts.deviceDays - s.counts.withCondition} device-days without a condition that is not a fault)` : '';
  lines.push(`Visible faults named by the day's alarm: ${f.named}/${f.visible}${f.namedRate !== null ? ` (${pct(f.namedRate)})` : ''}; false alarms on healthy devices: ${fa.alarmed}/${fa.healthy}${fa.rate !== null ? ` (${(100 * fa.rate).toFixed(1)} %)` : ''}${apart}.`);
  const any = s.byCondition.any;
  if (any) lines.push(`On the ${s.counts.withCondition} device-days with a condition that is not a fault (${Object.keys(s.byCondition).filter((k) => k !== 'any').join(', ')}): visible faults named ${any.faults.named}/${any.faults.visible}; false alarms on healthy devices: ${any.falseAlarms.alarmed}/${any.falseAlarms.healthy}.`);
  if (f.delayMedianMin !== null) lines.push(`Alarm delay in daylight minutes from onset: median ${f.delayMedianMin.toFixed(0)}, p90 ${f.delayP90Min!.toFixed(0)} (npm run eval measures the same on held-out plant-days).`);
  lines.push(`Time per stage: ${Object.entries(r.stageSeconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}.`);
  return lines;
}

const COLORS: Record<string, string> = { normal: '#cfe8cf', line_line: '#e8710a', line_ground: '#a142f4', open_circuit: '#1a73e8', partial_shading: '#f9ab00', arc_fault: '#d93025', string_blocked: '#0b8043', none: '#e0e0e0' };

export function fleetSvg(r: LocalRunResult): string {
  const cols = Math.ceil(Math.sqrt(r.outcomes.length * 1.6));
  const cell = 14;
  const rows = Math.ceil(r.outcomes.length / cols);
  const top = 50;
  const width = Math.max(cols * cell + 20, 640);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + rows * cell + 60}" font-family="Helvetica, Arial, sans-serif" font-size="11">`, '<rect width="100%" height="100%" fill="white"/>', `<text x="10" y="20" font-size="14" font-weight="bold">Fleet on ${r.date}: verdict (fill) and injected fault (dot)</text>`];
  r.outcomes.forEach((d, i) => {
    const x = 10 + (i % cols) * cell;
    const y = top + Math.floor(i / cols) * cell;
    out.push(`<rect x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill="${COLORS[d.verdict ?? 'none']}"><title>${d.deviceId}: verdict ${d.verdict ?? 'none'}, injected ${d.injected}</title></rect>`);
    if (d.injected !== 'normal') out.push(`<circle cx="${x + (cell - 2) / 2}" cy="${y + (cell - 2) / 2}" r="2.5" fill="${COLORS[d.injected]}" stroke="white" stroke-width="0.8"/>`);
  });
  const ly = top + rows * cell + 20;
  [...FAULT_CLASSES, ...ALARM_GROUPS, 'none'].forEach((c, i) => {
    out.push(`<rect x="${10 + i * 105}" y="${ly}" width="12" height="12" fill="${COLORS[c]}"/><text x="${26 + i * 105}" y="${ly + 10}">${c}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

async function main(): Promise<void> {
  const args = parseStartArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const dates = Array.from({ length: args.days }, (_, i) => addDays(args.date, i - args.days + 1));
  const span = args.days > 1 ? `${args.days} consecutive days ${dates[0]} … ${args.date}` : args.date;
  console.log(`PV fault detection — the daily pipeline, locally: ${args.devices} devices on ${span} (${args.timeZone}), seed ${args.seed}, output in ${args.out}/`);
  if (args.engine === 'spark') return sparkEngine(args);
  // one plant over the days: its arrays keep their modules, sensors and faults (until repaired) from the first day on
  let result: LocalRunResult | null = null;
  for (const date of dates) {
    if (args.days > 1) console.log(`\n— day ${dates.indexOf(date) + 1} of ${args.days}: ${date}`);
    const conditions = date === args.date ? args.conditions : { ...args.conditions, force: [] };
    result = await runLocalPipeline({ ...args, conditions, date, firstDate: dates[0], partitions: 6, progress: true, log: (l) => console.log(l), keepS3: args.serve && date === args.date });
    const lines = summaryLines(result);
    console.log(`\n${lines.join('\n')}`);
    writeFileSync(join(args.out, `fleet-${date}.svg`), fleetSvg(result));
    writeFileSync(join(args.out, `report-${date}.md`), `# Local run — ${date}\n\n\`\`\`\n${lines.join('\n')}\n\`\`\`\n\n![fleet](fleet-${date}.svg)\n`);
    console.log(`\nReport: ${join(args.out, `report-${date}.md`)} (fleet overview: fleet-${date}.svg)`);
  }
  if (!args.serve || !result?.s3) return;

  const faulty = result.outcomes.find((d) => d.verdict && d.verdict !== 'normal') ?? result.outcomes[0]!;
  await serveApi(createHandler({ store: new S3Store(result.s3.client, 'gold'), silver: new S3Store(result.s3.client, 'silver'), timeZone: args.timeZone }), args, faulty.deviceId, () => result.s3!.stop());
}

/** The day through the producer, Kafka and the Spark jobs (local/sparkDay.ts); the API then serves Spark's gold. */
async function sparkEngine(args: ReturnType<typeof parseStartArgs>): Promise<void> {
  const r = await runSparkDay({ ...args, log: (l) => console.log(l) });
  console.log(`\nDay ${args.date} on the Spark engine: ${r.published.toLocaleString('en-US')} readings published by the producer service.`);
  console.log(`ingest_data.py: ${JSON.stringify(r.ingest)}`);
  console.log(`predict_fault.py: ${JSON.stringify(r.predict)}`);
  console.log(`Time per stage: ${Object.entries(r.stageSeconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}.`);
  console.log(`Silver and gold: ${join(args.out, 'spark')}/ (the same keys and commit markers as in S3).`);
  if (args.serve) await serveApi(createHandler({ store: new FolderStore(r.goldDir), silver: new FolderStore(join(r.goldDir, '..', 'silver')), timeZone: args.timeZone }), args, deviceId(plantConfig({ date: args.date }), 0), async () => undefined);
}

export async function serveApi(api: ReturnType<typeof createHandler>, args: Pick<ReturnType<typeof parseStartArgs>, 'port' | 'date' | 'timeZone'>, deviceId: string, close: () => Promise<void>): Promise<void> {
  const server = createApiServer(api, await buildDashboard());
  server.listen(args.port, '127.0.0.1', () => {
    const base = `http://127.0.0.1:${args.port}`;
    console.log(`\nThe dashboard: ${base}/ — the fleet's day, its alarms and each device's day, in the browser.`);
    console.log(`The prediction API is serving the day on ${base} (Ctrl-C to stop). Try:`);
    console.log(`  curl -s '${base}/devices/${deviceId}/predictions?date=${args.date}'`);
    console.log(`  curl -s '${base}/devices/${deviceId}/status?from=${args.date}&to=${args.date}'`);
    console.log(`  curl -s '${base}/faults?date=${args.date}&limit=20'`);
    // the window 12 h after plant-local midnight (noon but on DST days): daylight all year, so the classifier had an input for it
    const noon = new Date(plantDayWindow(args.date, args.timeZone).startMs + 12 * 3_600_000).toISOString();
    console.log(`  curl -s '${base}/devices/${deviceId}/scalogram?date=${args.date}&window=${noon}'   # the model's input for one window`);
  });
  const stop = () => {
    server.close();
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) runCommand(main, USAGE);

/**
 * npm run simulate -- --devices 1000 --date 2026-11-19 --out out/sim
 * npm run simulate -- --devices 1000 --date 2026-11-19 --days 7 --out out/sim   (out/sim/2026-11-19/ … 2026-11-25/)
 *
 * Simulates a plant's day, or --days consecutive days of it (one folder per date),
 * and writes for each day:
 *   readings.avro   the readings as delivered (Avro object container file, schema contracts/reading.avsc),
 *                   each device's readings in publish order (late and duplicated ones where they arrived)
 *   truth.jsonl     one line per device: fault, onset, repair, severity, active intervals, calibration, sensor issues
 *   day.json        the day: window, sky, counts by fault class, by sensor issue and by condition (arrays it acted on)
 * --first-date names the plant's first day when --date is a later one of it: any day
 * of a plant comes out the same whether simulated alone or in a run of days.
 * Conditions that are not faults (conditions.ts) are off unless asked for:
 *   --conditions field (the field rates), --force snow,standby (on every simulated day),
 *   --mounting roof, --converter-rating 2500 (W DC: clipping above it).
 * --design FILE.json: the arrays' design, one or mixed (contracts/design.ts; docs/simulator.md, Array designs).
 */
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import * as avro from 'avsc';
import { daysBetween, FAULT_CLASSES, isFaultClass, isValidDate, localDate, READING_AVRO_TYPE } from '../../contracts';
import { Progress } from '../progress';
import { simulatePlantDayParallel } from './parallel';
import { plantConfig, plantDates, simulatePlantDay, DEFAULT_FAULT_MIX, type PlantConfig } from './plant';
import { CONDITION_KINDS, FIELD_CONDITIONS, NO_CONDITIONS, type ConditionKind, type ConditionsConfig, type Mounting } from './conditions';
import type { FaultMix } from './faults';
import { SKY_TYPES, type SkyType } from './weather';
import { runCommand, UsageError } from '../commandLine';
import { DesignError, parseDesignFile, type Design, type DesignPlan } from '../../contracts/design';

const USAGE = `usage: npm run simulate -- [--devices N] [--date YYYY-MM-DD] [--days N] [--first-date YYYY-MM-DD]
                            [--seed N] [--out DIR] [--fault-mix normal=70,arc_fault=6,...]
                            [--sky clear|broken|mostly_cloudy|overcast] [--time-zone Europe/Madrid] [--workers N]
                            [--conditions none|field] [--force ${CONDITION_KINDS.join(',')}] [--mounting open_rack|roof] [--converter-rating W] [--design FILE.json]`;

/** The conditions flags → the plant's conditions. */
export function parseConditions(values: { conditions?: string; force?: string; mounting?: string; 'converter-rating'?: string }): ConditionsConfig {
  const set = values.conditions ?? 'none';
  if (set !== 'none' && set !== 'field') throw new UsageError(`--conditions: expected none or field, got ${JSON.stringify(set)}`);
  const force = values.force ? values.force.split(',').map((s) => s.trim()) : [];
  for (const k of force) if (!CONDITION_KINDS.includes(k as ConditionKind)) throw new UsageError(`--force: unknown condition ${JSON.stringify(k)} (conditions: ${CONDITION_KINDS.join(', ')})`);
  const mounting = values.mounting ?? 'open_rack';
  if (mounting !== 'open_rack' && mounting !== 'roof') throw new UsageError(`--mounting: expected open_rack or roof, got ${JSON.stringify(mounting)}`);
  const rating = values['converter-rating'];
  if (rating !== undefined && !(Number(rating) > 0)) throw new UsageError(`--converter-rating: ${JSON.stringify(rating)} is not a power in W above 0`);
  return { ...(set === 'field' ? FIELD_CONDITIONS : NO_CONDITIONS), force: force as ConditionKind[], mounting: mounting as Mounting, converterRatingW: rating === undefined ? null : Number(rating) };
}

function positiveInt(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${name}: ${JSON.stringify(text)} is not a positive integer`);
  return Number(text);
}

export function parseFaultMix(text: string): FaultMix {
  const mix: FaultMix = {};
  for (const part of text.split(',')) {
    const [name, weight] = part.split('=');
    if (!isFaultClass(name)) throw new UsageError(`--fault-mix: unknown class ${JSON.stringify(name)} (classes: ${FAULT_CLASSES.join(', ')})`);
    const w = Number(weight);
    if (!(w >= 0) || weight === undefined || weight === '') throw new UsageError(`--fault-mix: weight of ${name} must be a number ≥ 0, got ${JSON.stringify(weight)}`);
    mix[name] = w;
  }
  if (Object.values(mix).every((w) => w === 0)) throw new UsageError('--fault-mix: at least one weight must be positive');
  return mix;
}

/** A --design file: one design (an object or a name of contracts/designs.json) or {arrays: [{share | devices, design}]} for mixed designs. */
export function readDesignFile(file: string, devices: number): Design | DesignPlan {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--design: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const plan = parseDesignFile(json, devices, 'design');
    return plan.parts.length === 1 ? plan.parts[0]!.design : plan;
  } catch (err) {
    if (err instanceof DesignError) throw new UsageError(`--design ${file}: ${err.message}`);
    throw err;
  }
}

export function parseSimulateArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      devices: { type: 'string', default: '100' },
      date: { type: 'string' },
      days: { type: 'string', default: '1' },
      'first-date': { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      'fault-mix': { type: 'string' },
      sky: { type: 'string' },
      'time-zone': { type: 'string', default: 'Europe/Madrid' },
      workers: { type: 'string' },
      conditions: { type: 'string' },
      force: { type: 'string' },
      mounting: { type: 'string' },
      'converter-rating': { type: 'string' },
      design: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const timeZone = values['time-zone']!;
  const devices = positiveInt('devices', values.devices!);
  const date = values.date ?? localDate(Date.now() - 86_400_000, timeZone);
  if (!isValidDate(date)) throw new UsageError(`--date: ${JSON.stringify(date)} is not a calendar date in YYYY-MM-DD form`);
  const firstDate = values['first-date'] ?? date;
  if (!isValidDate(firstDate)) throw new UsageError(`--first-date: ${JSON.stringify(firstDate)} is not a calendar date in YYYY-MM-DD form`);
  if (daysBetween(firstDate, date) < 0) throw new UsageError(`--date: ${JSON.stringify(date)} is before the plant's --first-date ${JSON.stringify(firstDate)}`);
  if (values.sky !== undefined && !SKY_TYPES.includes(values.sky as SkyType)) throw new UsageError(`--sky: expected one of ${SKY_TYPES.join(', ')}, got ${JSON.stringify(values.sky)}`);
  return {
    help: values.help!,
    config: plantConfig({
      date,
      firstDate,
      timeZone,
      devices,
      seed: positiveInt('seed', values.seed!),
      faultMix: values['fault-mix'] ? parseFaultMix(values['fault-mix']) : DEFAULT_FAULT_MIX,
      sky: values.sky as SkyType | undefined,
      conditions: parseConditions(values),
      ...(values.design === undefined ? {} : { design: readDesignFile(values.design, devices) }),
    }),
    dates: plantDates(date, positiveInt('days', values.days!)),
    out: values.out ?? join('out', `sim-${date}`),
    workers: values.workers ? positiveInt('workers', values.workers) : undefined,
  };
}

/** Simulates one plant-day into `out`: readings.avro, truth.jsonl, day.json. */
async function writeDay(config: PlantConfig, out: string, workers: number | undefined): Promise<void> {
  mkdirSync(out, { recursive: true });
  const plant = simulatePlantDay(config); // validates the config and gives the day's weather
  console.log(`simulating ${config.devices} devices on ${config.date} (day ${plant.day + 1} of the plant from ${config.firstDate}; ${config.timeZone}, ${plant.weather.sky} sky, seed ${config.seed}) into ${out}/`);

  const encoder = avro.createFileEncoder(join(out, 'readings.avro'), READING_AVRO_TYPE, { codec: 'deflate' });
  const truth = createWriteStream(join(out, 'truth.jsonl'));
  const byFault: Record<string, number> = Object.fromEntries(FAULT_CLASSES.map((c) => [c, 0]));
  const issues = { dropped: 0, duplicated: 0, late: 0, invalid: 0, stuck: 0, outages: 0 };
  const faults = { presentAtStart: 0, repaired: 0 };
  const byCondition: Record<string, number> = {};
  let readings = 0;
  const progress = new Progress('simulate', config.devices, 'devices');
  for await (const day of simulatePlantDayParallel(config, { workers })) {
    const r = day.readings;
    for (let k = 0; k < r.count; k++) {
      const ok = encoder.write({ deviceId: day.deviceId, timestamp: r.timestamp[k], voltage: r.voltage[k], current: r.current[k], temperature: r.temperature[k], irradiance: r.irradiance[k] });
      if (!ok) await once(encoder, 'drain');
    }
    readings += r.count;
    if (!truth.write(`${JSON.stringify(day.truth)}\n`)) await once(truth, 'drain');
    byFault[day.truth.fault]!++;
    if (day.truth.presentAtStart) faults.presentAtStart++;
    for (const kind of new Set(day.truth.conditions.map((c) => c.kind))) byCondition[kind] = (byCondition[kind] ?? 0) + 1;
    if (day.truth.repairMs !== null && day.truth.repairMs < plant.window.endMs) faults.repaired++;
    const s = day.truth.sensorIssues;
    issues.dropped += s.dropped;
    issues.duplicated += s.duplicated;
    issues.late += s.late;
    issues.invalid += s.invalid;
    issues.stuck += s.stuck.length;
    issues.outages += s.outages.length;
    progress.tick();
  }
  progress.finish(`${readings.toLocaleString('en-US')} readings`);
  encoder.end();
  truth.end();
  await Promise.all([once(encoder, 'finish'), once(truth, 'finish')]);
  const summary = { date: config.date, firstDate: config.firstDate, plantDay: plant.day, timeZone: config.timeZone, window: plant.window, sky: plant.weather.sky, seed: config.seed, devices: config.devices, readings, byFault, faults, sensorIssues: issues, byCondition };
  const dayFile = createWriteStream(join(out, 'day.json'));
  dayFile.end(`${JSON.stringify(summary, null, 2)}\n`);
  await once(dayFile, 'finish');
  console.log(`devices by fault: ${Object.entries(byFault).map(([k, v]) => `${k} ${v}`).join(', ')} (${faults.presentAtStart} faulty since before the day, ${faults.repaired} repaired during it)`);
  if (Object.keys(byCondition).length) console.log(`arrays by condition (not faults): ${Object.entries(byCondition).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`sensor issues: ${Object.entries(issues).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`wrote ${join(out, 'readings.avro')}, ${join(out, 'truth.jsonl')}, ${join(out, 'day.json')}`);
}

async function main(): Promise<void> {
  const args = parseSimulateArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  // one day writes into --out itself, as it always did; a run of days one folder per date
  for (const date of args.dates) await writeDay({ ...args.config, date }, args.dates.length === 1 ? args.out : join(args.out, date), args.workers);
}

if (require.main === module) runCommand(main, USAGE);

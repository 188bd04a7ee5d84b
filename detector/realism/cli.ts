/**
 * npm run sim:realism [-- --days N --devices-per-day N --seed N --out DIR]
 *
 * The simulator's sky and irradiance sensor against public measurements: the
 * measured side (detector/realism/measured.py: pvlib's bundled 1-min irradiance,
 * in .venv-sim) and the simulated side (the simulator as it is, plant days spread
 * over a year), reduced to the same statistics (skyStats.ts / sky_stats.py),
 * printed side by side per sky class and written to out/sim-realism/report.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { addDays } from '../../contracts/plantDay';
import { intFlag, runCommand } from '../commandLine';
import { compare, formatTable, type MeasuredResult } from './compare';
import { simulateRealism } from './simulated';

const USAGE = 'usage: npm run sim:realism -- [--days N (plant-days over 2026, default 122: every third day)] [--devices-per-day N (default 2)] [--seed N] [--out DIR]';
const ROOT = resolve(__dirname, '../..');
/** The measured side's interpreter; SIM_REALISM_PYTHON points elsewhere (tests of the missing-venv message). */
export const VENV_PYTHON = process.env.SIM_REALISM_PYTHON ?? join(ROOT, '.venv-sim', 'bin', 'python');

/** The measured side, in its own interpreter; a missing venv is named with the command that makes it. */
export function runMeasured(outFile: string): MeasuredResult {
  if (!existsSync(VENV_PYTHON)) {
    throw new Error(`the measured side needs the Python venv .venv-sim (pvlib and its pinned dependencies; ${VENV_PYTHON} is missing): run detector/realism/venv.sh (.ci/run does)`);
  }
  const run = spawnSync(VENV_PYTHON, [join(__dirname, 'measured.py'), '--out', outFile], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.error) throw new Error(`detector/realism/measured.py could not start: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`detector/realism/measured.py failed (exit ${run.status}); if pvlib is missing, run detector/realism/venv.sh`);
  return JSON.parse(readFileSync(outFile, 'utf8')) as MeasuredResult;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      days: { type: 'string', default: '122' },
      'devices-per-day': { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'out/sim-realism' },
    },
    strict: true,
  });
  const days = intFlag('days', values.days!, 366);
  const devicesPerDay = intFlag('devices-per-day', values['devices-per-day']!, 20);
  const seed = intFlag('seed', values.seed!, 2 ** 31);
  const out = values.out!;
  mkdirSync(out, { recursive: true });

  console.error('measured side: pvlib …');
  const measured = runMeasured(join(out, 'measured.json'));

  // days spread evenly over 2026: every season, the simulator's own mix of skies
  const step = 365 / days;
  const dates = Array.from({ length: days }, (_, d) => addDays('2026-01-01', Math.floor(d * step)));
  const simulated = simulateRealism({ dates, devicesPerDay, seed, progress: true });

  const report = compare(simulated, measured);
  const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores`;
  const header = `sim:realism · ${new Date().toISOString().slice(0, 10)} · ${machine} · simulated: ${days} plant-days of 2026 (seed ${seed}, ${devicesPerDay} healthy devices each) · measured: ${measured.sources.map((s) => s.name).join(', ')} (pvlib ${measured.pvlib})`;
  console.log(header);
  for (const s of measured.sources) {
    console.log(`  measured · ${s.name}: ${s.file} · ${s.station} · ${s.latitude.toFixed(3)}° ${s.longitude.toFixed(3)}° ${s.altitude.toFixed(0)} m · ${s.first} … ${s.last} · ${s.days} day${s.days === 1 ? '' : 's'} of 1-min GHI`);
  }
  console.log(formatTable(report));
  // which of the simulator's own skies fall in each class by the rule
  const labels = Object.entries(simulated.simulatorSkies).map(([cls, tally]) => `${cls} ← ${Object.entries(tally).map(([sky, n]) => `${n} ${sky}`).join(', ')}`);
  console.log(`simulated days by class ← the simulator's own sky label: ${labels.join('; ')}`);
  writeFileSync(join(out, 'report.json'), `${JSON.stringify({ header, options: { days, devicesPerDay, seed }, ...report, simulated, measured }, null, 1)}\n`);
  console.error(`wrote ${join(out, 'report.json')}`);
}

if (require.main === module) runCommand(main, USAGE);

/**
 * npm run sim:realism end to end on a few plant-days: the measured side in .venv-sim
 * (detector/realism/venv.sh; .ci/run provides it, and a missing one fails here,
 * named), the table, the report; and the message when the venv is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/stackFiles';

const CLI = join(REPO_ROOT, 'detector', 'realism', 'cli.ts');
const run = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, ['-r', '@swc-node/register', CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env });

it('names the command that installs the measured side when its venv is missing', () => {
  const out = mkdtempSync(join(tmpdir(), 'realism-'));
  const result = run(['--days', '1', '--out', out], { ...process.env, SIM_REALISM_PYTHON: join(out, 'no-such-venv', 'bin', 'python') });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/\.venv-sim.*detector\/realism\/venv\.sh/s);
});

it('prints simulated and measured statistics side by side and writes the report', () => {
  if (!existsSync(join(REPO_ROOT, '.venv-sim', 'bin', 'python'))) throw new Error('.venv-sim is missing: run detector/realism/venv.sh (.ci/run does)');
  const out = mkdtempSync(join(tmpdir(), 'realism-'));
  const result = run(['--days', '4', '--devices-per-day', '1', '--out', out]);
  expect(result.stderr).not.toMatch(/Traceback/);
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/GHI · broken/);
  expect(result.stdout).toMatch(/within ±25 %: \d+ of \d+ judged statistics/);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
    rows: { stat: string; simulated: number | null; measured: number | null; within: boolean | null }[];
    measured: { pvlib: string; sources: { name: string; days: number }[]; days: { sky: string }[] };
    simulated: { days: unknown[] };
  };
  expect(report.measured.pvlib).toBe('0.11.2');
  // BSRN Payerne's June 2016 is in pvlib's package data: a month of 1-min GHI
  expect(report.measured.sources.find((s) => s.name === 'BSRN Payerne')!.days).toBeGreaterThanOrEqual(28);
  expect(report.simulated.days).toHaveLength(4);
  // SURFRAD's file has 0.1 W/m² steps: its night noise is judged against the simulated sensor's
  const night = report.rows.find((r) => r.stat.startsWith('sd of 1-min values') && r.within !== null)!;
  expect(night.simulated).toBeGreaterThan(0);
  expect(night.measured).toBeGreaterThan(0);
}, 120_000);

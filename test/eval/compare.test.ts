import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareReports } from '../../detector/eval/compare';
import type { EvalReport } from '../../detector/eval/evaluate';
import type { Outcome } from '../../detector/eval/outcome';
import { summarize } from '../../detector/eval/summary';

const REPO = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'eval-compare-'));
const plan = { firstDates: ['2026-06-15'], skies: ['clear'], days: 3, warmupDays: 1, devices: 40, seedBase: 5000, faultMix: { normal: 3, line_line: 1 } };

/** 40 arrays × 3 days, the first 12 with a short; `named(a)`: whether array a's short is named. */
function outcomes(named: (a: number) => boolean): Outcome[] {
  return Array.from({ length: 40 }, (_, a) =>
    [1, 2, 3].map(
      (d): Outcome => ({
        plantDay: `2026-06-1${4 + d} clear (plant 1, day ${d})`,
        deviceId: `PV-${a}`,
        date: `2026-06-1${4 + d}`,
        sky: 'clear',
        judgedAgainst: 'own-baseline',
        fault: a < 12 ? 'line_line' : 'normal',
        severity: a < 12 ? 'line_line · 1 of 5 modules shorted' : 'normal',
        daylightWindows: 30,
        actingWindows: a < 12 ? 30 : 0,
        visible: a < 12,
        alarm: a < 12 && named(a) ? 'line_line' : null,
        named: a < 12 && named(a),
        ownClass: a < 12 && named(a),
        delayMin: a < 12 && named(a) ? 21.3 : null,
        began: a < 12 ? 'earlier-day' : null,
        conditions: [],
      }),
    ),
  ).flat();
}

function report(name: string, os: Outcome[], p: object = plan): string {
  const r = { modelVersion: 'lenet5c-test', decision: { name: 'alarms', description: 'the test\'s' }, windows: 'model', plan: p, scoring: 'batch', ...summarize(os), outcomes: os } as unknown as EvalReport;
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(r));
  return path;
}

describe('npm run eval:compare (eval/compare.ts)', () => {
  const before = report('before.json', outcomes((a) => a % 3 !== 0));
  const after = report('after.json', outcomes((a) => a !== 0));

  it('sets two runs on the same plan side by side, each goal with its difference over the same arrays', () => {
    const lines = compareReports(before, after);
    expect(lines[0]).toContain('Same plan, 120 device-days');
    const named = lines.find((l) => l.startsWith('| visible faults named (class or group) |'))!;
    // 8 of 12 shorts named before, 11 after: +25 points; no resample of the arrays names fewer after
    expect(named).toMatch(/^\| visible faults named \(class or group\) \| ≥ 95 % \| 66\.7 % \| 91\.7 % \| (0\.0|\+\d+\.\d) to \+\d+\.\d points \|$/);
    expect(compareReports(before, before).find((l) => l.startsWith('| visible faults named'))).toMatch(/\| 0\.0 to 0\.0 points \|$/);
  });

  it('refuses reports of different plans, or a file that is no report, naming it', () => {
    const other = report('other.json', outcomes(() => true), { ...plan, devices: 41 });
    expect(() => compareReports(before, other)).toThrow('their plans (plants, dates, skies, days, devices, seeds, fault mix, conditions) differ');
    const bare = join(dir, 'bare.json');
    writeFileSync(bare, JSON.stringify({ plan, goals: [], modelVersion: 'm' }));
    expect(() => compareReports(before, bare)).toThrow(`${bare}: has no device-day outcomes to compare`);
    writeFileSync(join(dir, 'rows.json'), '{"rows": []}');
    expect(() => compareReports(before, join(dir, 'rows.json'))).toThrow(`after ${join(dir, 'rows.json')}: not a report of npm run eval`);
  });

  it('as a command: usage and exit 2 without two reports', () => {
    const r = spawnSync(process.execPath, ['-r', '@swc-node/register', 'detector/eval/compare.ts', before], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('two reports are needed, got 1');
    expect(r.stderr).toContain('usage: npm run eval:compare');
  }, 60_000);
});

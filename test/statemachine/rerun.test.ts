/** npm run rerun: arguments, date ranges, bounded concurrency, exit status. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { dateRange, parseRerunArgs, runReruns, type ExecutionStatus, type Executions } from '../../statemachine/rerun';
import { REPO_ROOT } from '../helpers/stackFiles';

describe('rerun arguments', () => {
  it('expands a range into one day per execution', () => {
    expect(dateRange('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(parseRerunArgs(['--stack', 'prod', '--date', '2026-11-18'])).toMatchObject({ stack: 'prod', dates: ['2026-11-18'], concurrency: 2 });
  });

  it.each([
    [['--date', '2026-11-18'], 'give --stack NAME (dev, prod) or --state-machine-arn ARN'],
    [['--stack', 'prod'], 'give --date YYYY-MM-DD, or --from YYYY-MM-DD --to YYYY-MM-DD'],
    [['--stack', 'prod', '--date', '2026-11-31'], '--date: "2026-11-31" is not a calendar date'],
    [['--stack', 'prod', '--from', '2026-11-10', '--to', '2026-11-01'], '--from 2026-11-10 is after --to 2026-11-01'],
    [['--stack', 'prod', '--from', '2024-01-01', '--to', '2026-01-01'], 'more than 366 days'],
    [['--stack', 'prod', '--date', '2099-01-01'], 'cannot rerun a day that is not over: 2099-01-01'],
    [['--stack', 'prod', '--date', '2026-11-18', '--concurrency', '50'], '--concurrency: "50" must be an integer in 1..10'],
    [['--stack', 'prod', '--date', '2026-11-18', '--from', '2026-11-01', '--to', '2026-11-02'], 'either --date or --from/--to'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseRerunArgs(argv)).toThrow(message);
  });

  it('explains a missing pulumi CLI or stack output, exit code 2', () => {
    const r = spawnSync(process.execPath, ['-r', '@swc-node/register', join(REPO_ROOT, 'statemachine', 'rerun.ts'), '--stack', 'nosuchstack', '--date', '2026-11-18'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: '/nonexistent' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/pulumi CLI is not installed|stack nosuchstack has no output|could not read output/);
  });
});

describe('running reruns', () => {
  function fake(finals: Record<string, ExecutionStatus>) {
    let running = 0;
    let peak = 0;
    const polls = new Map<string, number>();
    const executions: Executions = {
      async start(date) {
        running++;
        peak = Math.max(peak, running);
        return `arn:exec:${date}`;
      },
      async status(arn) {
        const n = (polls.get(arn) ?? 0) + 1;
        polls.set(arn, n);
        if (n < 3) return { status: 'RUNNING' };
        running--;
        const final = finals[arn.split(':')[2]!] ?? 'SUCCEEDED';
        return final === 'SUCCEEDED' ? { status: final } : { status: final, error: 'PipelineFailed', cause: 'IngestData failed' };
      },
    };
    return { executions, peak: () => peak };
  }

  it('runs one execution per day, at most `concurrency` at once, and reports every outcome', async () => {
    const f = fake({ '2026-11-03': 'FAILED' });
    const lines: string[] = [];
    const out = await runReruns(dateRange('2026-11-01', '2026-11-05'), f.executions, 2, (l) => lines.push(l), 1);
    expect(out.map((o) => [o.date, o.status])).toEqual([
      ['2026-11-01', 'SUCCEEDED'],
      ['2026-11-02', 'SUCCEEDED'],
      ['2026-11-03', 'FAILED'],
      ['2026-11-04', 'SUCCEEDED'],
      ['2026-11-05', 'SUCCEEDED'],
    ]);
    expect(f.peak()).toBe(2);
    expect(lines.some((l) => l.startsWith('2026-11-03 FAILED — PipelineFailed: IngestData failed'))).toBe(true);
    expect(lines.at(-1)).toMatch(/\(5\/5 done/);
  });

  it('records a start that fails (e.g. access denied) without stopping the other days', async () => {
    const executions: Executions = {
      start: async (date) => (date === '2026-11-02' ? Promise.reject(new Error('AccessDeniedException: not authorized')) : `arn:exec:${date}`),
      status: async () => ({ status: 'SUCCEEDED' }),
    };
    const out = await runReruns(['2026-11-01', '2026-11-02', '2026-11-03'], executions, 1, () => undefined, 1);
    expect(out.map((o) => o.status)).toEqual(['SUCCEEDED', 'NOT_STARTED', 'SUCCEEDED']);
    expect(out[1]!.detail).toContain('AccessDeniedException');
  });
});

/**
 * npm run rerun -- --stack prod --date 2026-11-18
 * npm run rerun -- --stack prod --from 2026-11-01 --to 2026-11-07 [--concurrency 2]
 *
 * Starts one execution of the daily state machine per day, with the rerun input
 * {"date": …}, at most --concurrency at a time, and follows them to the end.
 * Exits 1 if any day failed, 2 on bad usage. The state machine ARN comes from the
 * stack's output `stateMachineArn` (pulumi stack output), or --state-machine-arn.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { isValidDate } from '../contracts';
import { runCommand, UsageError } from '../detector/commandLine';

export const MAX_DAYS = 366;

/** Every date from `from` to `to`, inclusive. */
export function dateRange(from: string, to: string): string[] {
  for (const [flag, d] of [['--from', from], ['--to', to]] as const) {
    if (!isValidDate(d)) throw new UsageError(`${flag}: ${JSON.stringify(d)} is not a calendar date in YYYY-MM-DD form`);
  }
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
    if (out.length > MAX_DAYS) throw new UsageError(`the range ${from} … ${to} has more than ${MAX_DAYS} days; split it`);
  }
  return out;
}

export interface RerunArgs {
  stack?: string;
  stateMachineArn?: string;
  dates: string[];
  concurrency: number;
  region?: string;
}

export function parseRerunArgs(argv: string[]): RerunArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: 'string' },
      'state-machine-arn': { type: 'string' },
      date: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      concurrency: { type: 'string', default: '2' },
      region: { type: 'string' },
    },
    strict: true,
  });
  if (!values.stack && !values['state-machine-arn']) throw new UsageError('give --stack NAME (dev, prod) or --state-machine-arn ARN');
  let dates: string[];
  if (values.date !== undefined) {
    if (values.from !== undefined || values.to !== undefined) throw new UsageError('give either --date or --from/--to, not both');
    if (!isValidDate(values.date)) throw new UsageError(`--date: ${JSON.stringify(values.date)} is not a calendar date in YYYY-MM-DD form`);
    dates = [values.date];
  } else if (values.from !== undefined && values.to !== undefined) {
    dates = dateRange(values.from, values.to);
  } else {
    throw new UsageError('give --date YYYY-MM-DD, or --from YYYY-MM-DD --to YYYY-MM-DD');
  }
  const today = new Date().toISOString().slice(0, 10);
  const future = dates.filter((d) => d >= today);
  if (future.length) throw new UsageError(`cannot rerun a day that is not over: ${future[0]}`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10) throw new UsageError(`--concurrency: ${JSON.stringify(values.concurrency)} must be an integer in 1..10`);
  return { stack: values.stack, stateMachineArn: values['state-machine-arn'], dates, concurrency, region: values.region };
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface Executions {
  start(date: string): Promise<string>;
  status(executionArn: string): Promise<{ status: ExecutionStatus; error?: string; cause?: string }>;
}

export interface DayOutcome {
  date: string;
  status: ExecutionStatus | 'NOT_STARTED';
  executionArn?: string;
  detail?: string;
}

/** Runs the days with bounded concurrency, reporting each change; resolves when all are done. */
export async function runReruns(dates: string[], executions: Executions, concurrency: number, report: (line: string) => void, pollMs = 15_000): Promise<DayOutcome[]> {
  const outcomes: DayOutcome[] = dates.map((date) => ({ date, status: 'NOT_STARTED' }));
  let next = 0;
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  async function lane(): Promise<void> {
    while (next < outcomes.length) {
      const o = outcomes[next++]!;
      try {
        o.executionArn = await executions.start(o.date);
        o.status = 'RUNNING';
        report(`${o.date} started (${elapsed()}): ${o.executionArn}`);
        for (;;) {
          const s = await executions.status(o.executionArn);
          if (s.status !== 'RUNNING') {
            o.status = s.status;
            o.detail = [s.error, s.cause].filter(Boolean).join(': ') || undefined;
            break;
          }
          await new Promise((r) => setTimeout(r, pollMs));
        }
      } catch (err) {
        o.status = o.status === 'NOT_STARTED' ? 'NOT_STARTED' : 'FAILED';
        o.detail = (err as Error).message;
      }
      const done = outcomes.filter((x) => x.status !== 'NOT_STARTED' && x.status !== 'RUNNING').length;
      report(`${o.date} ${o.status}${o.detail ? ` — ${o.detail}` : ''} (${done}/${outcomes.length} done, ${elapsed()})`);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, dates.length) }, lane));
  return outcomes;
}

function stackOutput(stack: string, name: string): string {
  let out: string;
  try {
    out = execFileSync('pulumi', ['stack', 'output', name, '--stack', stack], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new UsageError('the pulumi CLI is not installed here: install it, or pass --state-machine-arn ARN');
    throw new UsageError(`could not read output ${name} of stack ${stack}: ${(e.stderr ?? e.message).trim()}`);
  }
  if (!out) throw new UsageError(`stack ${stack} has no output ${name}: has \`pulumi up\` run for it?`);
  return out;
}

function sfnExecutions(client: SFNClient, stateMachineArn: string): Executions {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  return {
    async start(date) {
      const r = await client.send(new StartExecutionCommand({ stateMachineArn, name: `rerun-${date}-${stamp}`, input: JSON.stringify({ date }) }));
      return r.executionArn!;
    },
    async status(executionArn) {
      const r = await client.send(new DescribeExecutionCommand({ executionArn }));
      return { status: r.status as ExecutionStatus, error: r.error, cause: r.cause };
    },
  };
}

async function main(): Promise<void> {
  const args = parseRerunArgs(process.argv.slice(2));
  const arn = args.stateMachineArn ?? stackOutput(args.stack!, 'stateMachineArn');
  const region = args.region ?? arn.split(':')[3];
  const client = new SFNClient({ region });
  try {
    await client.config.credentials();
  } catch {
    throw new UsageError('no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or run aws sso login');
  }
  console.log(`rerunning ${args.dates.length} day(s) on ${arn}, ${args.concurrency} at a time`);
  const outcomes = await runReruns(args.dates, sfnExecutions(client, arn), args.concurrency, (line) => console.log(line));
  const failed = outcomes.filter((o) => o.status !== 'SUCCEEDED');
  console.log(failed.length ? `${failed.length} of ${outcomes.length} day(s) did not succeed: ${failed.map((o) => o.date).join(', ')}` : `all ${outcomes.length} day(s) succeeded`);
  process.exitCode = failed.length ? 1 : 0;
}

if (require.main === module) runCommand(main);

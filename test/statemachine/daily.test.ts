/**
 * The daily state machine: validated, its ARNs real, and executed locally — the
 * exact definition Pulumi deploys — with the EMR tasks mapped to local handlers.
 */
import aslValidator from 'asl-validator';
import { handler as runWindowHandler } from '../../functions/run-window/handler';
import { PLACEHOLDERS, readTemplate, renderDefinition } from '../../statemachine/definition';
import { readModelVersion } from '../../detector/model/manifest';
import { localDefinitionValues, runLocally, type JobRunRequest, type LocalHandlers, type Notification } from '../../statemachine/local';

/** Step Functions' optimized integrations this machine may use (AWS docs, "Integrating services"). */
const OPTIMIZED_INTEGRATIONS = new Set([
  'arn:aws:states:::lambda:invoke',
  'arn:aws:states:::emr-serverless:startJobRun.sync',
  'arn:aws:states:::emr-serverless:startJobRun',
  'arn:aws:states:::sns:publish',
]);

const NOW = Date.UTC(2026, 10, 20, 3, 30); // 04:30 in Madrid on 2026-11-20: 2026-11-19 and its late readings are over
process.env.PLANT_TIME_ZONE = 'Europe/Madrid';

interface HarnessOptions {
  /** the run window's clock */
  now?: () => number;
  /** let the Wait state wait for its timestamp (by the clock the test controls); otherwise it passes at once */
  waits?: boolean;
}

function harness(jobs: { ingest?: (r: JobRunRequest, call: number) => Promise<unknown>; predict?: (r: JobRunRequest, call: number) => Promise<unknown> } = {}, options: HarnessOptions = {}) {
  const calls = { ingest: [] as JobRunRequest[], predict: [] as JobRunRequest[], notifications: [] as Notification[] };
  const now = options.now ?? (() => NOW);
  const handlers: LocalHandlers = {
    runWindow: (payload) => runWindowHandler(payload, now),
    ingest: async (r) => {
      calls.ingest.push(r);
      return jobs.ingest ? jobs.ingest(r, calls.ingest.length) : { JobRunId: 'ingest-1', State: 'SUCCESS' };
    },
    predict: async (r) => {
      calls.predict.push(r);
      return jobs.predict ? jobs.predict(r, calls.predict.length) : { JobRunId: 'predict-1', State: 'SUCCESS' };
    },
    notify: async (n) => {
      calls.notifications.push(n);
    },
  };
  const run = (input: unknown, executionName = 'exec-2026-11-20-a1b2') => runLocally(localDefinitionValues(), input, handlers, { executionName, retryPauseMs: 0, ...(options.waits ? {} : { waitPauseMs: 0 }) });
  return { calls, run };
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });
const arg = (r: JobRunRequest, flag: string) => r.JobDriver.SparkSubmit.EntryPointArguments[r.JobDriver.SparkSubmit.EntryPointArguments.indexOf(flag) + 1];

describe('definition', () => {
  const rendered = renderDefinition(localDefinitionValues());

  it('is valid ASL (asl-validator) in JSONPath', () => {
    const { isValid, errorsText } = aslValidator(rendered as never);
    expect(errorsText?.('\n') ?? '').toBe('');
    expect(isValid).toBe(true);
    expect(rendered.QueryLanguage).toBe('JSONPath');
  });

  it('uses only real optimized integrations, and EMR jobs only through .sync (no polling Lambdas, no Wait loops)', () => {
    const states = Object.entries(rendered.States as Record<string, { Type: string; Resource?: string; Next?: string; TimestampPath?: string }>);
    for (const [, s] of states) if (s.Resource) expect(OPTIMIZED_INTEGRATIONS).toContain(s.Resource);
    expect(states.filter(([, s]) => s.Resource === 'arn:aws:states:::emr-serverless:startJobRun.sync').map(([n]) => n)).toEqual(['IngestData', 'PredictFault']);
    expect(states.some(([, s]) => s.Type === 'Choice')).toBe(false);
    // one Wait, for one timestamp, between the window and the ingest: not a loop
    const waits = states.filter(([, s]) => s.Type === 'Wait');
    expect(waits.map(([n, s]) => [n, s.TimestampPath, s.Next])).toEqual([['WaitForLateReadings', '$.window.earliestStartIso', 'IngestData']]);
    expect(states.filter(([, s]) => s.Next === 'WaitForLateReadings').map(([n]) => n)).toEqual(['ResolveWindow']);
  });

  it('retries transient EMR errors with bounded exponential backoff and jitter, but not job failures', () => {
    const ingest = (rendered.States as Record<string, { Retry: { ErrorEquals: string[]; MaxAttempts: number; BackoffRate: number; JitterStrategy: string; MaxDelaySeconds: number }[] }>).IngestData!;
    const retry = ingest.Retry[0]!;
    expect(retry.ErrorEquals).toEqual(expect.arrayContaining(['EMRServerless.ThrottlingException', 'EMRServerless.InternalServerException']));
    expect(retry.ErrorEquals).not.toContain('States.TaskFailed');
    expect(retry.ErrorEquals).not.toContain('States.ALL');
    expect(retry).toMatchObject({ MaxAttempts: 5, BackoffRate: 2, JitterStrategy: 'FULL', MaxDelaySeconds: 300 });
  });

  it('names every placeholder it uses, and refuses missing, unknown or unsafe values', () => {
    const tokens = new Set([...JSON.stringify(readTemplate()).matchAll(/\$\{([A-Za-z]+)\}/g)].map((m) => m[1]));
    expect([...tokens].sort()).toEqual([...PLACEHOLDERS].sort());
    const values = localDefinitionValues();
    const { KafkaTopic: _omit, ...missing } = values;
    expect(() => renderDefinition(missing as never)).toThrow('no value for placeholder ${KafkaTopic}');
    expect(() => renderDefinition({ ...values, Extra: 1 } as never)).toThrow('unknown placeholders Extra');
    expect(() => renderDefinition({ ...values, KafkaTopic: "pv'readings" })).toThrow('contains a character that intrinsic functions need escaped');
    expect((renderDefinition(values).States as Record<string, { Parameters: { ExecutionTimeoutMinutes: unknown } }>).IngestData!.Parameters.ExecutionTimeoutMinutes).toBe(120);
  });
});

describe('local execution of the real definition', () => {
  it('happy path: resolves the scheduled day once and passes the same window to both jobs', async () => {
    const h = harness();
    await h.run({ scheduledTime: '2026-11-20T03:30:00Z' });
    expect(h.calls.ingest).toHaveLength(1);
    expect(h.calls.predict).toHaveLength(1);
    const [ingest, predict] = [h.calls.ingest[0]!, h.calls.predict[0]!];
    expect(arg(ingest, '--date')).toBe('2026-11-19');
    expect(arg(ingest, '--start-ms')).toBe(String(Date.UTC(2026, 10, 18, 23)));
    expect(arg(ingest, '--end-ms')).toBe(String(Date.UTC(2026, 10, 19, 23)));
    expect(arg(ingest, '--run-id')).toBe('exec-2026-11-20-a1b2');
    expect(arg(predict, '--date')).toBe('2026-11-19');
    expect(arg(predict, '--run-id')).toBe(arg(ingest, '--run-id'));
    expect(ingest.Name).toBe('ingest-2026-11-19-exec-2026-11-20-a1b2');
    expect(ingest.JobDriver.SparkSubmit.EntryPoint).toBe('s3://bootstrap/spark/jobs/ingest_data.py');
    expect(predict.JobDriver.SparkSubmit.EntryPoint).toBe('s3://bootstrap/spark/jobs/predict_fault.py');
    expect(ingest.ExecutionTimeoutMinutes).toBe(120);
    expect(ingest.ConfigurationOverrides.MonitoringConfiguration.S3MonitoringConfiguration.LogUri).toBe('s3://logs/emr/ingest/');
    expect(arg(ingest, '--bootstrap-servers')).toBe('localhost:9098');
    expect(arg(predict, '--model-uri')).toBe(`s3://bootstrap/model/${readModelVersion()}/`);
    expect(h.calls.notifications).toHaveLength(1);
    expect(h.calls.notifications[0]!.Subject).toBe('PV faults: 2026-11-19 processed');
  });

  it('retries EMR throttling twice, then succeeds', async () => {
    const h = harness({
      ingest: async (_r, call) => {
        if (call <= 2) throw awsError('EMRServerless.ThrottlingException', 'Rate exceeded');
        return { JobRunId: 'ingest-3', State: 'SUCCESS' };
      },
    });
    await h.run({ date: '2026-11-18' });
    expect(h.calls.ingest).toHaveLength(3);
    expect(h.calls.predict).toHaveLength(1);
    expect(h.calls.notifications.map((n) => n.Subject)).toEqual(['PV faults: 2026-11-18 processed']);
  });

  it('a failed ingest never starts predict and sends exactly one failure notification naming the step, the day and the cause', async () => {
    const h = harness({ ingest: async () => Promise.reject(awsError('States.TaskFailed', '{"JobRunId":"ingest-9","State":"FAILED","StateDetails":"Kafka topic pv-readings not found"}')) });
    await expect(h.run({ date: '2026-11-18' })).rejects.toThrow();
    expect(h.calls.ingest).toHaveLength(1); // a job failure is not retried blindly
    expect(h.calls.predict).toHaveLength(0);
    expect(h.calls.notifications).toHaveLength(1);
    const n = h.calls.notifications[0]!;
    expect(n.Subject).toBe('PV faults: run FAILED at IngestData');
    expect(n.Message).toContain('Day: 2026-11-18');
    expect(n.Message).toContain('Failed step: IngestData');
    expect(n.Message).toContain('Error: States.TaskFailed');
    expect(n.Message).toContain('Kafka topic pv-readings not found');
    expect(n.Message).toContain('executions/details/arn:aws:states:local:000000000000:execution:pv-fault-daily:exec-2026-11-20-a1b2');
  });

  it('a failed predict is reported as such, after a successful ingest', async () => {
    const h = harness({ predict: async () => Promise.reject(awsError('States.Timeout', 'job ran past its timeout')) });
    await expect(h.run({ date: '2026-11-18' })).rejects.toThrow();
    expect(h.calls.ingest).toHaveLength(1);
    expect(h.calls.notifications.map((n) => n.Subject)).toEqual(['PV faults: run FAILED at PredictFault']);
  });

  it('a rerun input processes the given date', async () => {
    const h = harness();
    await h.run({ date: '2026-03-29' }, 'rerun-2026-03-29');
    expect(arg(h.calls.ingest[0]!, '--date')).toBe('2026-03-29');
    // the DST day in Madrid has 23 hours
    expect(Number(arg(h.calls.ingest[0]!, '--end-ms')) - Number(arg(h.calls.ingest[0]!, '--start-ms'))).toBe(23 * 3_600_000);
    expect(arg(h.calls.ingest[0]!, '--run-id')).toBe('rerun-2026-03-29');
  });

  it.each([
    [{ date: '2026-11-31' }, 'date: "2026-11-31" is not a calendar date in YYYY-MM-DD form'],
    [{ date: '18/11/2026' }, 'date: "18/11/2026" is not a calendar date'],
    [{ date: '2026-11-20' }, 'date: 2026-11-20 is not over yet in Europe/Madrid; the latest day that can be processed is 2026-11-19'],
    [{ date: '2027-01-01' }, 'is not over yet'],
    [{ day: '2026-11-18' }, 'unknown input key "day"'],
    [{}, 'the execution input needs {"date": "YYYY-MM-DD"}'],
  ])('fails fast on %j with a clear cause, before any job', async (input, cause) => {
    const h = harness();
    await expect(h.run(input)).rejects.toThrow();
    expect(h.calls.ingest).toHaveLength(0);
    expect(h.calls.notifications).toHaveLength(1);
    const n = h.calls.notifications[0]!;
    expect(n.Subject).toBe('PV faults: run FAILED at ResolveWindow');
    expect(n.Message).toContain('Error: InvalidRunInput');
    expect(n.Message).toContain(cause);
  });
});

describe('when a run of a day may start: not before the day ends plus the lateness (readings published up to 3 h late)', () => {
  it('a rerun of a day whose late readings may still arrive fails fast, naming the earliest start in UTC and plant time', async () => {
    const h = harness({}, { now: () => Date.UTC(2026, 10, 20, 1, 59) }); // 02:59 in Madrid: 2026-11-19 ended 2 h 59 min ago
    await expect(h.run({ date: '2026-11-19' })).rejects.toThrow();
    expect(h.calls.ingest).toHaveLength(0);
    expect(h.calls.notifications).toHaveLength(1);
    const n = h.calls.notifications[0]!;
    expect(n.Subject).toBe('PV faults: run FAILED at ResolveWindow');
    expect(n.Message).toContain('Error: InvalidRunInput');
    expect(n.Message).toContain('date: 2026-11-19 cannot be processed before 2026-11-20T02:00:00Z (2026-11-20 03:00 in Europe/Madrid)');
    expect(n.Message).toContain('the latest day that can be processed now is 2026-11-18');
  });

  it('from that instant on, the rerun runs', async () => {
    const h = harness({}, { now: () => Date.UTC(2026, 10, 20, 2) });
    await h.run({ date: '2026-11-19' });
    expect(h.calls.ingest.map((r) => arg(r, '--date'))).toEqual(['2026-11-19']);
  });

  it('an execution that fails tells its error and cause to whoever started it (npm run rerun prints them)', async () => {
    const h = harness({}, { now: () => Date.UTC(2026, 10, 20, 1, 59) });
    // the library wraps the Fail state's error (name) and cause (message) as `cause`
    await expect(h.run({ date: '2026-11-19' })).rejects.toMatchObject({ cause: { name: 'InvalidRunInput', message: expect.stringContaining('cannot be processed before 2026-11-20T02:00:00Z') } });
  });

  describe('a scheduled run started too early waits, then ingests', () => {
    afterEach(() => jest.useRealTimers());

    it.each([
      ['an ordinary day: 01:30 CET', '2026-11-20T00:30:00Z', '2026-11-19', Date.UTC(2026, 10, 20, 2)],
      // 2026-03-29 has 23 hours: 03:30 CEST is only 2 h 30 min after midnight
      ['the day clocks go forward: 03:30 CEST', '2026-03-29T01:30:00Z', '2026-03-28', Date.UTC(2026, 2, 29, 2)],
    ])('%s', async (_name, scheduledTime, day, earliestMs) => {
      // the clock of the run window and of the Wait state, moved by the test
      jest.useFakeTimers({ now: Date.parse(scheduledTime), doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
      const h = harness({}, { now: () => Date.now(), waits: true });
      const done = h.run({ scheduledTime });
      await jest.advanceTimersByTimeAsync(earliestMs - Date.now() - 1000);
      expect(h.calls.ingest).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(2000);
      await done;
      expect(h.calls.ingest.map((r) => arg(r, '--date'))).toEqual([day]);
      expect(h.calls.notifications.map((n) => n.Subject)).toEqual([`PV faults: ${day} processed`]);
    });
  });
});

describe('EMR client tokens', () => {
  const TOKEN = /^[A-Za-z0-9._-]{1,64}$/;
  const LONG_NAME = `rerun-2026-11-18-${'operator-batch-'.repeat(3)}abcdefghijklmnopq3`; // 80 characters, the most Step Functions allows
  const throttledTwice = async (_r: JobRunRequest, call: number) => {
    if (call <= 2) throw awsError('EMRServerless.ThrottlingException', 'Rate exceeded');
    return { JobRunId: `job-${call}`, State: 'SUCCESS' };
  };
  const tokensOf = async (executionName: string) => {
    const h = harness({ ingest: throttledTwice, predict: throttledTwice });
    await h.run({ date: '2026-11-18' }, executionName);
    return { ingest: h.calls.ingest.map((r) => r.ClientToken), predict: h.calls.predict.map((r) => r.ClientToken) };
  };

  it('fit StartJobRun (at most 64 of [A-Za-z0-9._-]) for an 80-character execution name, one per job, the same on every retry of the task', async () => {
    expect(LONG_NAME).toHaveLength(80);
    const t = await tokensOf(LONG_NAME);
    expect(t.ingest).toHaveLength(3);
    expect(t.predict).toHaveLength(3);
    for (const token of [...t.ingest, ...t.predict]) expect(token).toMatch(TOKEN);
    expect(new Set(t.ingest).size).toBe(1);
    expect(new Set(t.predict).size).toBe(1);
    expect(t.ingest[0]).not.toBe(t.predict[0]);
  });

  it('are stable for an execution and differ between executions, even names alike in their first 79 characters', async () => {
    const [a, again, other] = await Promise.all([tokensOf(LONG_NAME), tokensOf(LONG_NAME), tokensOf(`${LONG_NAME.slice(0, 79)}4`)]);
    expect(again).toEqual(a);
    expect(other.ingest[0]).not.toBe(a.ingest[0]);
    expect(other.predict[0]).not.toBe(a.predict[0]);
  });
});

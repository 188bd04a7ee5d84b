/**
 * The streaming job's infrastructure (infra/streaming.ts): its config key, the starter's
 * definition, and the prod stack under Pulumi's mocks (dev runs no stream: devStack.test.ts
 * holds the shared assertions, which find no Streaming component there).
 */
import aslValidator from 'asl-validator';
import { parseStackConfig } from '../../infra/config';
import { LIVE_RUN_STATES, STREAM_LAG_METRIC, STREAM_METRICS_NAMESPACE, streamJobArguments, streamStarterDefinition, type StreamDefinitionValues } from '../../infra/streaming';
import { readStackConfig } from '../helpers/stackFiles';
import { ACCOUNT, buildMockStack, REGION, type MockStack } from './mockStack';
import { statements } from './policyChecks';

const prodRaw = readStackConfig('prod');
const withStreaming = (v: unknown) => ({ ...prodRaw, 'pv-fault:streaming': v });

describe('pv-fault:streaming', () => {
  it('is off in dev and on in prod', () => {
    expect(parseStackConfig(readStackConfig('dev')).streaming).toBeNull();
    expect(parseStackConfig(prodRaw).streaming).toEqual({ triggerSeconds: 60, maxOffsetsPerTrigger: 1_800_000, maxFailedAttemptsPerHour: 5, lagAlarmMinutes: 30, earlyAlarms: true });
  });

  it('raises early alarms unless told not to', () => {
    const base = { enabled: true, triggerSeconds: 60, maxOffsetsPerTrigger: 0, maxFailedAttemptsPerHour: 5, lagAlarmMinutes: 30 };
    expect(parseStackConfig(withStreaming(base)).streaming!.earlyAlarms).toBe(true);
    expect(parseStackConfig(withStreaming({ ...base, earlyAlarms: false })).streaming!.earlyAlarms).toBe(false);
    expect(() => parseStackConfig(withStreaming({ ...base, earlyAlarms: 'no' }))).toThrow('pv-fault:streaming.earlyAlarms: expected true or false');
  });

  it('is off when absent, and off means nothing else is set', () => {
    const { ['pv-fault:streaming']: _, ...without } = prodRaw as Record<string, unknown>;
    expect(parseStackConfig(without).streaming).toBeNull();
    expect(() => parseStackConfig(withStreaming({ enabled: false, triggerSeconds: 60 }))).toThrow('stack config pv-fault:streaming.triggerSeconds: is not a known setting');
  });

  it.each([
    [{ triggerSeconds: 60, maxOffsetsPerTrigger: 0, maxFailedAttemptsPerHour: 5, lagAlarmMinutes: 30 }, 'pv-fault:streaming.enabled: is required'],
    [{ enabled: 'yes', triggerSeconds: 60, maxOffsetsPerTrigger: 0, maxFailedAttemptsPerHour: 5, lagAlarmMinutes: 30 }, 'pv-fault:streaming.enabled: expected true or false'],
    [{ enabled: true, triggerSeconds: 5, maxOffsetsPerTrigger: 0, maxFailedAttemptsPerHour: 5, lagAlarmMinutes: 30 }, 'pv-fault:streaming.triggerSeconds: expected an integer in 10..3600'],
    [{ enabled: true, triggerSeconds: 60, maxOffsetsPerTrigger: 0, maxFailedAttemptsPerHour: 11, lagAlarmMinutes: 30 }, 'pv-fault:streaming.maxFailedAttemptsPerHour: expected an integer in 1..10'],
    [{ enabled: true, triggerSeconds: 600, maxOffsetsPerTrigger: 0, maxFailedAttemptsPerHour: 5, lagAlarmMinutes: 15 }, 'pv-fault:streaming.lagAlarmMinutes: 15 min is less than two micro-batches'],
    [{ enabled: true, triggerSeconds: 60, maxOffsetsPerTrigger: 0, maxFailedAttemptsPerHour: 5, lagAlarmMinutes: 30, lagMinutes: 3 }, 'pv-fault:streaming.lagMinutes: is not a known setting'],
  ])('refuses %j naming the key', (value, message) => {
    expect(() => parseStackConfig(withStreaming(value))).toThrow(message);
  });
});

const VALUES: StreamDefinitionValues = {
  applicationId: '00abc', jobRoleArn: `arn:aws:iam::${ACCOUNT}:role/job`, bootstrapBucket: 'boot', silverBucket: 'silver', goldBucket: 'gold', logsBucket: 'logs',
  bootstrapServers: 'b-1.example:9098', topic: 'pv-readings', plantTimeZone: 'Europe/Madrid', modelVersion: 'v7', notificationTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:t`,
  sparkSubmitParameters: '--conf spark.executor.cores=4', stage: 'prod',
  streaming: { triggerSeconds: 60, maxOffsetsPerTrigger: 1000, maxFailedAttemptsPerHour: 5, lagAlarmMinutes: 30, earlyAlarms: true },
};

describe('the stream starter', () => {
  const def = streamStarterDefinition(VALUES) as { StartAt: string; States: Record<string, Record<string, unknown>> };

  it('is valid ASL', () => {
    // asl-validator walks any key named States as a branch's states, also ListJobRuns' own States
    // parameter (a list of run states): validated with that one parameter renamed
    const copy = JSON.parse(JSON.stringify(def)) as typeof def;
    const list = copy.States.ListLiveRuns!.Parameters as Record<string, unknown>;
    list.RunStates = list.States;
    delete list.States;
    const v = aslValidator(copy);
    expect(v.errors).toEqual([]);
    expect(v.isValid).toBe(true);
  });

  it('starts a streaming run with a retry policy only when none is live', () => {
    expect(def.States.ListLiveRuns!.Parameters).toEqual({ ApplicationId: '00abc', Mode: 'STREAMING', States: [...LIVE_RUN_STATES] });
    expect(def.States.AlreadyLive!.Choices).toEqual([{ Variable: '$.live', NumericGreaterThan: 0, Next: 'Live' }]);
    const start = def.States.StartStream!.Parameters as Record<string, unknown>;
    expect(start).toMatchObject({ ApplicationId: '00abc', Mode: 'STREAMING', RetryPolicy: { MaxFailedAttemptsPerHour: 5 }, ExecutionRoleArn: VALUES.jobRoleArn, 'ClientToken.$': 'States.UUID()' });
    expect((start.JobDriver as { SparkSubmit: { EntryPoint: string } }).SparkSubmit.EntryPoint).toBe('s3://boot/spark/jobs/stream_alarms.py');
  });

  it("passes the job the arguments its parser knows, with state and checkpoint on S3 and alarms to SNS", () => {
    const args = streamJobArguments(VALUES);
    const flags = args.filter((a) => a.startsWith('--'));
    expect(flags).toEqual(['--time-zone', '--bootstrap-servers', '--topic', '--gold-uri', '--registry-uri', '--model-uri', '--state-uri', '--checkpoint-uri', '--notify', '--trigger', '--starting-offsets', '--max-offsets-per-trigger', '--metrics-namespace', '--stage']);
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value('--checkpoint-uri')).toBe('s3://silver/stream/checkpoint');
    expect(value('--state-uri')).toBe('s3://silver/stream/state');
    expect(value('--notify')).toBe(`sns:${VALUES.notificationTopicArn}`);
    expect(value('--trigger')).toBe('60 seconds');
    // early alarms off: the one flag that says so (test/python/test_stream_job.py holds the job to it)
    expect(streamJobArguments({ ...VALUES, streaming: { ...VALUES.streaming, earlyAlarms: false } })).toEqual([...args, '--no-early-alarms']);
  });
});

describe('prod under mocks: the stream', () => {
  let stack: MockStack;
  beforeAll(async () => {
    stack = await buildMockStack('prod');
  }, 120_000);

  it('keeps the stream started every five minutes and at once after a failed run', () => {
    const starter = stack.one('aws:sfn/stateMachine:StateMachine', '-stream-starter');
    const schedule = stack.one('aws:scheduler/schedule:Schedule', '-stream-starter');
    expect(schedule.inputs).toMatchObject({ scheduleExpression: 'rate(5 minutes)', state: 'ENABLED' });
    expect((schedule.inputs.target as { arn: string }).arn).toBe(starter.state.arn);
    const rule = stack.one('aws:cloudwatch/eventRule:EventRule', '-stream-failed');
    const pattern = JSON.parse(rule.inputs.eventPattern as string) as { source: string[]; detail: { state: string[]; applicationId: string[] } };
    expect(pattern.source).toEqual(['aws.emr-serverless']);
    expect(pattern.detail.state).toEqual(['FAILED']);
    expect(pattern.detail.applicationId).toEqual([stack.one('aws:emrserverless/application:Application').id]);
    expect(stack.one('aws:cloudwatch/eventTarget:EventTarget', '-stream-failed').inputs.arn).toBe(starter.state.arn);
  });

  it("gives the starter exactly listing and starting the application's runs and passing the job role", () => {
    const app = stack.one('aws:emrserverless/application:Application').state.arn as string;
    const policy = statements(stack.one('aws:iam/rolePolicy:RolePolicy', '-stream-starter'));
    expect(policy.map((s) => [s.Action, s.Resource])).toEqual([
      [['emr-serverless:ListJobRuns', 'emr-serverless:StartJobRun'], [app]],
      [['iam:PassRole'], [stack.one('aws:iam/role:Role', '-spark-job').state.arn]],
    ]);
    for (const id of ['-stream-schedule', '-stream-events']) {
      expect(statements(stack.one('aws:iam/rolePolicy:RolePolicy', id)).map((s) => [s.Action, s.Resource])).toEqual([[['states:StartExecution'], [stack.one('aws:sfn/stateMachine:StateMachine', '-stream-starter').state.arn]]]);
    }
    // the job role may publish to the notification topic and report its lag in its namespace only
    const job = statements(stack.one('aws:iam/rolePolicy:RolePolicy', '-stream-job'));
    expect(job.find((s) => s.Sid === 'ReportLag')!.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': STREAM_METRICS_NAMESPACE } });
    expect(job.find((s) => s.Sid === 'PublishAlarms')!.Resource).toEqual([stack.one('aws:sns/topic:Topic').state.arn]);
  });

  it('alarms into the notification topic when the stream lags or reports nothing', () => {
    const alarm = stack.one('aws:cloudwatch/metricAlarm:MetricAlarm', '-stream-lag');
    expect(alarm.inputs).toMatchObject({ namespace: STREAM_METRICS_NAMESPACE, metricName: STREAM_LAG_METRIC, dimensions: { Stage: 'prod' }, threshold: 30 * 60, treatMissingData: 'breaching' });
    expect(alarm.inputs.alarmActions).toEqual([stack.one('aws:sns/topic:Topic').state.arn]);
  });
});

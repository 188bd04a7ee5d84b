/**
 * The streaming job (spark/jobs/stream_alarms.py) as an EMR Serverless streaming job run,
 * when the stage turns it on (pv-fault:streaming). Pulumi has no resource for a job run, so
 * a small state machine starts it the way the daily run starts its jobs (Step Functions'
 * AWS SDK integration): it lists the application's streaming runs and starts one unless one
 * is already submitted, pending or running. It is started
 * - every five minutes by EventBridge Scheduler: within minutes of a deployment, and again
 *   after any stop nobody asked for;
 * - at once when a run of the application fails (an EventBridge rule on EMR Serverless'
 *   job-run state changes), after EMR Serverless' own retries (retryPolicy, from the
 *   checkpoint) gave up.
 * The lag alarm reads the metric the job reports each micro-batch (EventTimeLagSeconds:
 * now less the latest reading it has taken). Spark's Kafka source keeps its offsets in the
 * checkpoint and commits none to a consumer group, so MSK's consumer-lag metrics
 * (MaxOffsetLag, EstimatedMaxTimeLag) have nothing to measure for it. No metric at all is
 * as bad as a large one: the stream is down.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { StreamingConfig } from './config';
import { inlinePolicy, serviceRole } from './iam';
import { streamJobPolicy, streamStarterPolicy, streamTriggerPolicy } from './policies';
import { REGISTRY_KEY } from '../contracts/registry';

export const STREAM_JOB_NAME = 'stream-alarms';
export const STREAM_METRICS_NAMESPACE = 'PvFault/Stream';
export const STREAM_LAG_METRIC = 'EventTimeLagSeconds';
/** where the stream keeps its state and Spark's checkpoint: silver's stream/ prefix, which no table expiry rule reaches */
export const STREAM_STATE_PREFIX = 'stream';
/**
 * Days the stream's state files (stream/state/: each micro-batch's readings, windows and
 * progress) are kept. A day's state is read until the day closes, ~27 h after its start
 * (its lateness and CWT context); without an expiry it would grow by the fleet's readings
 * every day (~1.5 GB for 10k arrays); a micro-batch lists only the days still open (the day
 * comes first in the state's folders), so the expiry bounds storage, not the work. Spark's
 * checkpoint (stream/checkpoint/) is not expired: Spark purges its own logs.
 */
export const STREAM_STATE_EXPIRY_DAYS = 7;
/** the EMR Serverless run states in which a streaming run is there (not yet ended) */
export const LIVE_RUN_STATES = ['SUBMITTED', 'PENDING', 'SCHEDULED', 'RUNNING', 'QUEUED'] as const;

export interface StreamDefinitionValues {
  applicationId: string;
  jobRoleArn: string;
  bootstrapBucket: string;
  silverBucket: string;
  goldBucket: string;
  logsBucket: string;
  bootstrapServers: string;
  topic: string;
  plantTimeZone: string;
  modelVersion: string;
  notificationTopicArn: string;
  sparkSubmitParameters: string;
  stage: string;
  streaming: StreamingConfig;
}

/** The job's arguments (spark/jobs/stream_alarms.py parse_args). */
export function streamJobArguments(v: StreamDefinitionValues): string[] {
  const state = `s3://${v.silverBucket}/${STREAM_STATE_PREFIX}`;
  return [
    '--time-zone', v.plantTimeZone,
    '--bootstrap-servers', v.bootstrapServers,
    '--topic', v.topic,
    '--gold-uri', `s3://${v.goldBucket}`,
    '--registry-uri', `s3://${v.bootstrapBucket}/${REGISTRY_KEY}`,
    '--model-uri', `s3://${v.bootstrapBucket}/model/${v.modelVersion}`,
    '--state-uri', `${state}/state`,
    '--checkpoint-uri', `${state}/checkpoint`,
    '--notify', `sns:${v.notificationTopicArn}`,
    '--trigger', `${v.streaming.triggerSeconds} seconds`,
    '--starting-offsets', 'latest',
    '--max-offsets-per-trigger', String(v.streaming.maxOffsetsPerTrigger),
    '--metrics-namespace', STREAM_METRICS_NAMESPACE,
    '--stage', v.stage,
    ...(v.streaming.earlyAlarms ? [] : ['--no-early-alarms']),
  ];
}

/** The starter state machine's definition (Amazon States Language): start the streaming run unless one is live. */
export function streamStarterDefinition(v: StreamDefinitionValues): Record<string, unknown> {
  return {
    Comment: 'Starts the streaming alarms job run unless one is already live (infra/streaming.ts)',
    StartAt: 'ListLiveRuns',
    States: {
      ListLiveRuns: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:emrserverless:listJobRuns',
        Parameters: { ApplicationId: v.applicationId, Mode: 'STREAMING', States: [...LIVE_RUN_STATES] },
        ResultSelector: { 'live.$': 'States.ArrayLength($.JobRuns)' },
        Next: 'AlreadyLive',
      },
      AlreadyLive: {
        Type: 'Choice',
        Choices: [{ Variable: '$.live', NumericGreaterThan: 0, Next: 'Live' }],
        Default: 'StartStream',
      },
      Live: { Type: 'Succeed' },
      StartStream: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:emrserverless:startJobRun',
        Parameters: {
          ApplicationId: v.applicationId,
          'ClientToken.$': 'States.UUID()',
          ExecutionRoleArn: v.jobRoleArn,
          Name: STREAM_JOB_NAME,
          Mode: 'STREAMING',
          // EMR Serverless restarts a failed run from the checkpoint this many times an hour, then gives up (the rule below starts it again)
          RetryPolicy: { MaxFailedAttemptsPerHour: v.streaming.maxFailedAttemptsPerHour },
          JobDriver: {
            SparkSubmit: {
              EntryPoint: `s3://${v.bootstrapBucket}/spark/jobs/stream_alarms.py`,
              EntryPointArguments: streamJobArguments(v),
              SparkSubmitParameters: v.sparkSubmitParameters,
            },
          },
          ConfigurationOverrides: { MonitoringConfiguration: { S3MonitoringConfiguration: { LogUri: `s3://${v.logsBucket}/emr/stream/` } } },
        },
        Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 30, MaxAttempts: 3, BackoffRate: 2 }],
        End: true,
      },
    },
  };
}

export interface StreamingArgs {
  stage: string;
  region: string;
  accountId: pulumi.Input<string>;
  streaming: StreamingConfig;
  plantTimeZone: string;
  modelVersion: string;
  sparkSubmitParameters: string;
  emr: { applicationId: pulumi.Input<string>; applicationArn: pulumi.Input<string>; jobRoleArn: pulumi.Input<string>; jobRoleName: pulumi.Input<string> };
  buckets: { bootstrap: pulumi.Input<string>; silver: pulumi.Input<string>; gold: pulumi.Input<string>; logs: pulumi.Input<string> };
  kafka: { bootstrapServers: pulumi.Input<string>; topic: string };
  notificationTopicArn: pulumi.Input<string>;
  /** the key the notification topic is encrypted with (null: unencrypted) */
  topicKeyArn: pulumi.Input<string> | null;
  tags: Record<string, string>;
}

export class Streaming extends pulumi.ComponentResource {
  readonly starterArn: pulumi.Output<string>;
  readonly lagAlarmName: pulumi.Output<string>;

  constructor(name: string, args: StreamingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('pv-fault:infra:Streaming', name, {}, opts);
    const parent = { parent: this };

    // what the job does beyond the daily jobs: publish its alarms, report its lag
    // (an inline policy of its own on the daily jobs' role: the daily jobs are not given these)
    new aws.iam.RolePolicy(
      `${name}-stream-job`,
      {
        role: args.emr.jobRoleName,
        policy: pulumi
          .all([args.notificationTopicArn, args.topicKeyArn])
          .apply(([topicArn, keyArn]) => JSON.stringify(streamJobPolicy({ notificationTopicArn: topicArn, metricsNamespace: STREAM_METRICS_NAMESPACE, topicKey: keyArn === null ? null : { keyArn, region: args.region } }))),
      },
      parent,
    );

    const role = serviceRole(`${name}-stream-starter`, 'states.amazonaws.com', args.accountId, args.tags, this);
    const rolePolicy = inlinePolicy(
      `${name}-stream-starter`,
      role,
      pulumi.all([args.emr.applicationArn, args.emr.jobRoleArn]).apply(([app, jobRole]) => streamStarterPolicy({ emrApplicationArn: app, emrJobRoleArn: jobRole })),
      this,
    );
    const definition = pulumi
      .all([args.emr.applicationId, args.emr.jobRoleArn, args.buckets.bootstrap, args.buckets.silver, args.buckets.gold, args.buckets.logs, args.kafka.bootstrapServers, args.notificationTopicArn])
      .apply(([applicationId, jobRoleArn, bootstrapBucket, silverBucket, goldBucket, logsBucket, bootstrapServers, notificationTopicArn]) =>
        JSON.stringify(
          streamStarterDefinition({
            applicationId, jobRoleArn, bootstrapBucket, silverBucket, goldBucket, logsBucket, bootstrapServers, notificationTopicArn,
            topic: args.kafka.topic, plantTimeZone: args.plantTimeZone, modelVersion: args.modelVersion,
            sparkSubmitParameters: args.sparkSubmitParameters, stage: args.stage, streaming: args.streaming,
          }),
        ),
      );
    const starter = new aws.sfn.StateMachine(
      `${name}-stream-starter`,
      { name: `pv-fault-${args.stage}-stream-starter`, type: 'STANDARD', roleArn: role.arn, definition, tags: args.tags },
      { parent: this, dependsOn: [rolePolicy] },
    );

    // every five minutes: a deployment's first start, and a backstop for any stop
    const schedulerRole = serviceRole(`${name}-stream-schedule`, 'scheduler.amazonaws.com', args.accountId, args.tags, this);
    inlinePolicy(`${name}-stream-schedule`, schedulerRole, starter.arn.apply(streamTriggerPolicy), this);
    new aws.scheduler.Schedule(
      `${name}-stream-starter`,
      {
        description: `Keeps the streaming alarms job running (${args.stage})`,
        scheduleExpression: 'rate(5 minutes)',
        state: 'ENABLED',
        flexibleTimeWindow: { mode: 'OFF' },
        target: { arn: starter.arn, roleArn: schedulerRole.arn, retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 300 } },
      },
      parent,
    );

    // a failed run: start again at once
    const eventsRole = serviceRole(`${name}-stream-events`, 'events.amazonaws.com', args.accountId, args.tags, this);
    inlinePolicy(`${name}-stream-events`, eventsRole, starter.arn.apply(streamTriggerPolicy), this);
    const rule = new aws.cloudwatch.EventRule(
      `${name}-stream-failed`,
      {
        description: `A streaming run of the PV fault application failed (${args.stage})`,
        eventPattern: pulumi.output(args.emr.applicationId).apply((applicationId) =>
          JSON.stringify({ source: ['aws.emr-serverless'], 'detail-type': ['EMR Serverless Job Run State Change'], detail: { applicationId: [applicationId], state: ['FAILED'] } }),
        ),
        tags: args.tags,
      },
      parent,
    );
    new aws.cloudwatch.EventTarget(`${name}-stream-failed`, { rule: rule.name, arn: starter.arn, roleArn: eventsRole.arn }, parent);

    const lag = new aws.cloudwatch.MetricAlarm(
      `${name}-stream-lag`,
      {
        alarmDescription: `The streaming alarms job is behind by more than ${args.streaming.lagAlarmMinutes} min, or reports nothing (down). See docs/operations.md "The stream".`,
        namespace: STREAM_METRICS_NAMESPACE,
        metricName: STREAM_LAG_METRIC,
        dimensions: { Stage: args.stage },
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: Math.max(1, Math.ceil((args.streaming.lagAlarmMinutes * 60) / 300)),
        threshold: args.streaming.lagAlarmMinutes * 60,
        comparisonOperator: 'GreaterThanThreshold',
        // no lag reported: no micro-batch, the stream is not running
        treatMissingData: 'breaching',
        alarmActions: [args.notificationTopicArn],
        okActions: [args.notificationTopicArn],
        tags: args.tags,
      },
      parent,
    );

    this.starterArn = starter.arn;
    this.lagAlarmName = lag.name;
    this.registerOutputs({ starterArn: this.starterArn, lagAlarmName: this.lagAlarmName });
  }
}

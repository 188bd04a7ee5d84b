/**
 * Orchestration: the daily state machine from statemachine/daily.asl.json with its
 * placeholders replaced by the real ARNs, the run-window Lambda it starts with, the
 * SNS topic it reports to, and the EventBridge Scheduler schedule that starts it
 * every day in the plant's time zone.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { renderDefinition, type DefinitionValues } from '../statemachine/definition';
import { inlinePolicy, serviceRole } from './iam';
import { lambdaFunction } from './lambdaFunction';
import { logGroup, logGroupName, stateMachineLogGroupName, type LogSettings } from './logGroups';
import { schedulerPolicy, stateMachinePolicy } from './policies';

/** What the schedule passes: the run-window Lambda turns the scheduled time into the previous plant day. */
export const SCHEDULED_INPUT = JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' });
/** The state's own timeout leaves EMR's ExecutionTimeoutMinutes room to cancel the job cleanly first. */
export const STATE_TIMEOUT_MARGIN_SECONDS = 900;

export interface OrchestrationArgs {
  stage: string;
  region: string;
  accountId: pulumi.Input<string>;
  plantTimeZone: string;
  schedule: { enabled: boolean; cron: string };
  alarmEmail: string | null;
  jobTimeoutMinutes: number;
  sparkSubmitParameters: { ingest: string; predict: string };
  modelVersion: string;
  emr: { applicationId: pulumi.Input<string>; applicationArn: pulumi.Input<string>; jobRoleArn: pulumi.Input<string> };
  buckets: { bootstrap: pulumi.Input<string>; silver: pulumi.Input<string>; gold: pulumi.Input<string>; logs: pulumi.Input<string> };
  kafka: { bootstrapServers: pulumi.Input<string>; topic: string };
  /** the key the notification topic is encrypted with (null: unencrypted) */
  topicKeyArn: pulumi.Input<string> | null;
  logs: LogSettings;
  tags: Record<string, string>;
}

export class Orchestration extends pulumi.ComponentResource {
  readonly stateMachineArn: pulumi.Output<string>;
  readonly notificationTopicArn: pulumi.Output<string>;
  readonly scheduleName: pulumi.Output<string>;

  constructor(name: string, args: OrchestrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super('pv-fault:infra:Orchestration', name, {}, opts);
    const parent = { parent: this };
    const account = pulumi.output(args.accountId);

    const topic = new aws.sns.Topic(
      `${name}-notifications`,
      { displayName: `PV faults (${args.stage})`, ...(args.topicKeyArn === null ? {} : { kmsMasterKeyId: args.topicKeyArn }), tags: args.tags },
      parent,
    );
    if (args.alarmEmail) new aws.sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: 'email', endpoint: args.alarmEmail }, parent);

    // --- run-window Lambda: the first state ---------------------------------------------
    const { fn: runWindow } = lambdaFunction(
      `${name}-run-window`,
      { handler: 'runWindow', logGroupName: logGroupName(args.stage, 'run-window'), logs: args.logs, accountId: args.accountId, memorySize: 256, timeout: 10, environment: { PLANT_TIME_ZONE: args.plantTimeZone }, tags: args.tags },
      this,
    );

    // --- the state machine ---------------------------------------------------------------
    const machineLogs = logGroup(`${name}-state-machine`, stateMachineLogGroupName(args.stage), args.logs, args.tags, this);
    const machineRole = serviceRole(`${name}-state-machine`, 'states.amazonaws.com', args.accountId, args.tags, this);
    const machinePolicy = inlinePolicy(
      `${name}-state-machine`,
      machineRole,
      pulumi
        .all([account, runWindow.arn, args.emr.applicationArn, args.emr.jobRoleArn, topic.arn, args.topicKeyArn])
        .apply(([accountId, fn, app, jobRole, topicArn, keyArn]) =>
          stateMachinePolicy({ region: args.region, accountId, runWindowFunctionArn: fn, emrApplicationArn: app, emrJobRoleArn: jobRole, notificationTopicArn: topicArn, dataKey: keyArn === null ? null : { keyArn, region: args.region } }),
        ),
      this,
    );
    const definition = pulumi
      .all({ fn: runWindow.arn, app: args.emr.applicationId, jobRole: args.emr.jobRoleArn, bootstrap: args.buckets.bootstrap, silver: args.buckets.silver, gold: args.buckets.gold, logs: args.buckets.logs, brokers: args.kafka.bootstrapServers, topicArn: topic.arn })
      .apply((resolved) => {
        const { fn, app, jobRole, bootstrap, silver, gold, logs, brokers, topicArn } = definedValues(resolved as Record<'fn' | 'app' | 'jobRole' | 'bootstrap' | 'silver' | 'gold' | 'logs' | 'brokers' | 'topicArn', string | undefined>);
        const values: DefinitionValues = {
          RunWindowFunctionArn: fn,
          EmrApplicationId: app,
          EmrExecutionRoleArn: jobRole,
          BootstrapBucket: bootstrap,
          SilverBucket: silver,
          GoldBucket: gold,
          LogsBucket: logs,
          KafkaBootstrapServers: brokers,
          KafkaTopic: args.kafka.topic,
          PlantTimeZone: args.plantTimeZone,
          JobTimeoutMinutes: args.jobTimeoutMinutes,
          JobStateTimeoutSeconds: args.jobTimeoutMinutes * 60 + STATE_TIMEOUT_MARGIN_SECONDS,
          IngestSparkSubmitParameters: args.sparkSubmitParameters.ingest,
          PredictSparkSubmitParameters: args.sparkSubmitParameters.predict,
          ModelVersion: args.modelVersion,
          NotificationTopicArn: topicArn,
          Region: args.region,
        };
        return JSON.stringify(renderDefinition(values));
      });
    const machine = new aws.sfn.StateMachine(
      `${name}-daily`,
      {
        name: `pv-fault-${args.stage}-daily`,
        type: 'STANDARD',
        roleArn: machineRole.arn,
        definition,
        loggingConfiguration: { logDestination: pulumi.interpolate`${machineLogs.arn}:*`, includeExecutionData: true, level: 'ERROR' },
        tracingConfiguration: { enabled: true },
        tags: args.tags,
      },
      // Step Functions checks the role's permissions when the machine is created.
      { parent: this, dependsOn: [machinePolicy] },
    );

    // --- the daily schedule -------------------------------------------------------------
    const schedulerRole = serviceRole(`${name}-scheduler`, 'scheduler.amazonaws.com', args.accountId, args.tags, this);
    inlinePolicy(`${name}-scheduler`, schedulerRole, machine.arn.apply(schedulerPolicy), this);
    const schedule = new aws.scheduler.Schedule(
      `${name}-daily`,
      {
        description: `Daily PV fault run (${args.stage}): processes the previous plant-local day`,
        scheduleExpression: args.schedule.cron,
        scheduleExpressionTimezone: args.plantTimeZone,
        state: args.schedule.enabled ? 'ENABLED' : 'DISABLED',
        flexibleTimeWindow: { mode: 'OFF' },
        target: { arn: machine.arn, roleArn: schedulerRole.arn, input: SCHEDULED_INPUT, retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 } },
      },
      parent,
    );

    this.stateMachineArn = machine.arn;
    this.notificationTopicArn = topic.arn;
    this.scheduleName = schedule.name;
    this.registerOutputs({ stateMachineArn: this.stateMachineArn, notificationTopicArn: this.notificationTopicArn, scheduleName: this.scheduleName });
  }
}

/** Every ARN and name the definition needs, resolved: an unknown one fails the deployment, not the first run. */
function definedValues<K extends string>(values: Record<K, string | undefined>): Record<K, string> {
  for (const [k, v] of Object.entries(values)) if (typeof v !== 'string' || v === '') throw new Error(`state machine definition: ${k} is not known`);
  return values as Record<K, string>;
}

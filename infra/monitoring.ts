/**
 * Monitoring: the operators' dashboard and the alarms that page them through the
 * notification topic: a failed or timed-out daily run, API 5xx, a silent producer.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { dashboardBody } from './dashboard';

export interface MonitoringArgs {
  stage: string;
  region: string;
  notificationTopicArn: pulumi.Input<string>;
  emr: { applicationId: pulumi.Input<string>; applicationName: pulumi.Input<string> };
  stateMachineArn: pulumi.Input<string>;
  api: { id: pulumi.Input<string>; stage: pulumi.Input<string>; functionName: pulumi.Input<string> };
  /** the producer's embedded metrics: namespace, Service dimension, the count of published readings */
  producer: { namespace: string; service: string; publishedMetric: string; expected: boolean };
  /** API 5xx in five minutes that raise the alarm */
  api5xxThreshold: number;
  tags: Record<string, string>;
}

export class Monitoring extends pulumi.ComponentResource {
  readonly dashboardName: pulumi.Output<string>;
  readonly dashboardUrl: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string>[];

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super('pv-fault:infra:Monitoring', name, {}, opts);
    const parent = { parent: this };
    const actions = [args.notificationTopicArn];

    const dashboardName = `pv-fault-${args.stage}`;
    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName,
        dashboardBody: pulumi
          .all([args.emr.applicationId, args.emr.applicationName, args.stateMachineArn, args.api.id, args.api.stage, args.api.functionName])
          .apply(([emrApplicationId, emrApplicationName, stateMachineArn, apiId, apiStage, apiFunctionName]) =>
            dashboardBody({ region: args.region, emrApplicationId, emrApplicationName, stateMachineArn, apiId, apiStage, apiFunctionName, producerNamespace: args.producer.namespace }),
          ),
      },
      parent,
    );

    const alarm = (id: string, a: Omit<aws.cloudwatch.MetricAlarmArgs, 'alarmActions' | 'okActions' | 'tags'>) =>
      new aws.cloudwatch.MetricAlarm(`${name}-${id}`, { ...a, alarmActions: actions, okActions: actions, tags: args.tags }, parent);
    /** One bad daily run is one too many: any count in five minutes raises it. */
    const runAlarm = (id: string, metricName: string, alarmDescription: string) =>
      alarm(id, {
        alarmDescription,
        namespace: 'AWS/States',
        metricName,
        dimensions: { StateMachineArn: args.stateMachineArn },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      });
    const alarms = [
      runAlarm('run-failed', 'ExecutionsFailed', 'A daily run failed: the day has no fresh predictions. See the execution in the Step Functions console, fix, then rerun the day (docs/operations.md).'),
      runAlarm('run-timed-out', 'ExecutionsTimedOut', 'A daily run timed out (a Spark job outlived its timeout).'),
      alarm('api-5xx', {
        alarmDescription: 'The prediction API answers 5xx: S3 unavailable or throttled, or a fault in the lookup Lambda.',
        namespace: 'AWS/ApiGateway',
        metricName: '5xx',
        dimensions: { ApiId: args.api.id, Stage: args.api.stage },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: args.api5xxThreshold,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      }),
    ];
    if (args.producer.expected) {
      alarms.push(
        alarm('producer-silent', {
          alarmDescription: 'The producer published nothing for 15 minutes: readings are being lost upstream of Kafka.',
          namespace: args.producer.namespace,
          metricName: args.producer.publishedMetric,
          dimensions: { Service: args.producer.service },
          statistic: 'Sum',
          period: 300,
          evaluationPeriods: 3,
          threshold: 1,
          comparisonOperator: 'LessThanThreshold',
          // No data at all means no producer: that is the very thing to report.
          treatMissingData: 'breaching',
        }),
      );
    }

    this.dashboardName = dashboard.dashboardName;
    this.dashboardUrl = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards:name=${dashboard.dashboardName}`;
    this.alarmNames = alarms.map((a) => a.name);
    this.registerOutputs({ dashboardName: this.dashboardName, dashboardUrl: this.dashboardUrl, alarmNames: this.alarmNames });
  }
}

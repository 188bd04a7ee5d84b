/**
 * The platform's CloudWatch log groups: their names and the one way they are declared
 * (the stage's retention, the stage's KMS key when it has one). The names live here
 * because the key policy must match every log group of the stage before any exists:
 * CloudWatch Logs encrypts only for log groups whose ARN the key policy names.
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

export interface LogSettings {
  retentionDays: number;
  /** the stage's customer managed key, or null for CloudWatch's own encryption */
  kmsKeyArn: pulumi.Input<string> | null;
}

/** A log group of the platform's own: /pv-fault/<stage>/<name>. */
export const logGroupName = (stage: string, name: string): string => `/pv-fault/${stage}/${name}`;

/** Step Functions logs to /aws/vendedlogs/: its resource policy then covers every such group at once. */
export const stateMachineLogGroupName = (stage: string): string => `/aws/vendedlogs/states/pv-fault-${stage}-daily`;

/** Patterns (ArnLike "*") every log-group name of the stage matches, and no other stage's. */
export const logGroupNamePatterns = (stage: string): string[] => [logGroupName(stage, '*'), stateMachineLogGroupName(stage).replace(/daily$/, '*')];

export function logGroup(id: string, name: string, settings: LogSettings, tags: Record<string, string>, parent: pulumi.Resource): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(id, { name, retentionInDays: settings.retentionDays, ...(settings.kmsKeyArn === null ? {} : { kmsKeyId: settings.kmsKeyArn }), tags }, { parent });
}

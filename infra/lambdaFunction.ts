/**
 * A Lambda function the way the platform runs them: the esbuild bundle of a handler,
 * its own log group with the stage's retention and key (JSON logs), and a role that may
 * write that log group and nothing else until the caller adds a policy.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { inlinePolicy, serviceRole } from './iam';
import { lambdaCode, LAMBDA_HANDLER, LAMBDA_RUNTIME, type LambdaName } from './lambdaBundle';
import { logGroup, type LogSettings } from './logGroups';
import { functionLogsPolicy } from './policies';

export interface LambdaFunctionArgs {
  handler: LambdaName;
  /** the log group's name, e.g. /pv-fault/dev/run-window (logGroupName in logGroups.ts) */
  logGroupName: string;
  logs: LogSettings;
  accountId: pulumi.Input<string>;
  memorySize: number;
  timeout: number;
  /** concurrent executions set aside for this function, and its ceiling; unset: the account's shared pool */
  reservedConcurrency?: number;
  environment: Record<string, pulumi.Input<string>>;
  tags: Record<string, string>;
}

export function lambdaFunction(id: string, args: LambdaFunctionArgs, parent: pulumi.Resource): { fn: aws.lambda.Function; role: aws.iam.Role } {
  const logs = logGroup(id, args.logGroupName, args.logs, args.tags, parent);
  const role = serviceRole(id, 'lambda.amazonaws.com', args.accountId, args.tags, parent);
  inlinePolicy(`${id}-logs`, role, logs.arn.apply(functionLogsPolicy), parent);
  const fn = new aws.lambda.Function(
    id,
    {
      runtime: LAMBDA_RUNTIME,
      handler: LAMBDA_HANDLER,
      code: lambdaCode(args.handler),
      role: role.arn,
      memorySize: args.memorySize,
      timeout: args.timeout,
      ...(args.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: args.reservedConcurrency }),
      environment: { variables: args.environment },
      loggingConfig: { logFormat: 'JSON', logGroup: logs.name },
      tags: args.tags,
    },
    { parent },
  );
  return { fn, role };
}

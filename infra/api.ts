/**
 * Api: an HTTP API (payload v2, what functions/api/handler.ts speaks) in front of the
 * prediction-lookup Lambda, which may read gold and nothing else. Callers sign their
 * requests with SigV4 (AWS_IAM authorisation): dashboards such as Grafana or an
 * internal backend hold an IAM role; nothing is open to the internet unauthenticated.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { inlinePolicy } from './iam';
import { lambdaFunction } from './lambdaFunction';
import { logGroup, logGroupName, type LogSettings } from './logGroups';
import { apiReadPolicy, apiSilverReadPolicy } from './policies';
import { TABLES } from '../contracts/tableSpecs';

/** The routes of docs/api.openapi.yaml; a route missing here would answer 404 from API Gateway. */
export const API_ROUTES = ['GET /devices/{deviceId}/predictions', 'GET /devices/{deviceId}/status', 'GET /faults', 'GET /fleet', 'GET /days', 'GET /devices/{deviceId}/series', 'GET /devices/{deviceId}/scalogram'] as const;
export type ApiRoute = (typeof API_ROUTES)[number];

/** What the operator's dashboard calls (dashboard/src/api.ts): all its signed-in users may invoke. */
export const DASHBOARD_ROUTES: readonly ApiRoute[] = ['GET /days', 'GET /fleet', 'GET /devices/{deviceId}/predictions', 'GET /devices/{deviceId}/series', 'GET /devices/{deviceId}/scalogram'];

/**
 * The execute-api ARN of a route on a stage ("arn:aws:execute-api:eu-west-1:123:abc/$default/GET/devices/*\/series"):
 * a path parameter matches one segment's worth of anything, as IAM's "*" does.
 */
export function routeArn(executionArn: string, stage: string, route: ApiRoute): string {
  const [method, path] = route.split(' ') as [string, string];
  return `${executionArn}/${stage}/${method}${path.replace(/\{[^}]+\}/g, '*')}`;
}

export interface ApiArgs {
  stage: string;
  region: string;
  accountId: pulumi.Input<string>;
  plantTimeZone: string;
  goldBucket: pulumi.Input<string>;
  /** the key gold is encrypted with (null: SSE-S3) */
  goldKeyArn: pulumi.Input<string> | null;
  /** the bucket of the series (silver), read under its device_day/ prefix only; its key is goldKeyArn's (the stage's one key) */
  silverBucket: pulumi.Input<string>;
  throttle: { ratePerSecond: number; burst: number };
  /** the lookup Lambda's reserved concurrency: what a flood of lookups may take from the account */
  reservedConcurrency: number;
  allowOrigin: string;
  logs: LogSettings;
  tags: Record<string, string>;
}

const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  time: '$context.requestTimeEpoch',
  caller: '$context.identity.caller',
  route: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  bytes: '$context.responseLength',
});

export class Api extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly apiId: pulumi.Output<string>;
  /** "arn:aws:execute-api:<region>:<account>:<apiId>", what route ARNs start with */
  readonly executionArn: pulumi.Output<string>;
  readonly stageName: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;

  constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super('pv-fault:infra:Api', name, {}, opts);
    const parent = { parent: this };

    const { fn, role } = lambdaFunction(
      `${name}-lookup`,
      {
        handler: 'api',
        logGroupName: logGroupName(args.stage, 'api-lookup'),
        logs: args.logs,
        accountId: args.accountId,
        // A lookup is ~7 ms of CPU (Parquet decode, SDK): 1,769 MB is where Lambda gives a whole
        // vCPU, so a warm lookup never waits on a CPU share (docs/performance.md, Prediction API).
        memorySize: 1769,
        timeout: 15,
        reservedConcurrency: args.reservedConcurrency,
        environment: { GOLD_BUCKET: args.goldBucket, SILVER_BUCKET: args.silverBucket, PLANT_TIME_ZONE: args.plantTimeZone, ALLOW_ORIGIN: args.allowOrigin },
        tags: args.tags,
      },
      this,
    );
    inlinePolicy(
      `${name}-lookup-gold`,
      role,
      pulumi.all([pulumi.interpolate`arn:aws:s3:::${args.goldBucket}`, args.goldKeyArn]).apply(([gold, keyArn]) => apiReadPolicy(gold, keyArn === null ? null : { keyArn, region: args.region })),
      this,
    );

    inlinePolicy(
      `${name}-lookup-silver`,
      role,
      pulumi
        .all([pulumi.interpolate`arn:aws:s3:::${args.silverBucket}`, args.goldKeyArn])
        .apply(([silver, keyArn]) => apiSilverReadPolicy(silver, TABLES.silver_device_day.prefix, keyArn === null ? null : { keyArn, region: args.region })),
      this,
    );

    const api = new aws.apigatewayv2.Api(
      `${name}-http`,
      {
        protocolType: 'HTTP',
        description: `PV fault predictions (${args.stage})`,
        corsConfiguration: { allowOrigins: [args.allowOrigin], allowMethods: ['GET', 'OPTIONS'], allowHeaders: ['authorization', 'content-type', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'if-none-match'], exposeHeaders: ['etag', 'retry-after'], maxAge: 3600 },
        tags: args.tags,
      },
      parent,
    );
    const integration = new aws.apigatewayv2.Integration(`${name}-lookup`, { apiId: api.id, integrationType: 'AWS_PROXY', integrationUri: fn.invokeArn, payloadFormatVersion: '2.0', timeoutMilliseconds: 15000 }, parent);
    for (const routeKey of API_ROUTES) {
      new aws.apigatewayv2.Route(
        `${name}-${routeKey.replace(/[^A-Za-z]+/g, '-').replace(/-+$/, '').toLowerCase()}`,
        { apiId: api.id, routeKey, target: pulumi.interpolate`integrations/${integration.id}`, authorizationType: 'AWS_IAM' },
        parent,
      );
    }
    const accessLogs = logGroup(`${name}-access`, logGroupName(args.stage, 'api-access'), args.logs, args.tags, this);
    const stage = new aws.apigatewayv2.Stage(
      `${name}-default`,
      {
        apiId: api.id,
        name: '$default',
        autoDeploy: true,
        defaultRouteSettings: { throttlingRateLimit: args.throttle.ratePerSecond, throttlingBurstLimit: args.throttle.burst, detailedMetricsEnabled: true },
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
        tags: args.tags,
      },
      parent,
    );
    new aws.lambda.Permission(`${name}-invoke`, { action: 'lambda:InvokeFunction', function: fn.name, principal: 'apigateway.amazonaws.com', sourceArn: pulumi.interpolate`${api.executionArn}/*/*` }, parent);

    this.url = api.apiEndpoint;
    this.apiId = api.id;
    this.executionArn = api.executionArn;
    this.stageName = stage.name;
    this.functionName = fn.name;
    this.registerOutputs({ url: this.url, apiId: this.apiId, functionName: this.functionName });
  }
}

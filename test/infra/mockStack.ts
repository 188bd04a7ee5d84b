/**
 * Builds the whole platform under Pulumi's mocks (no CLI, no provider, no AWS) and
 * records every resource: its type, name, resolved inputs and parent. The mocks
 * answer with ARNs in each service's real format, so the policy checks see what AWS
 * would. One stack per jest test file: Pulumi's runtime state is per process module.
 */
import * as pulumi from '@pulumi/pulumi';
import { parseStackConfig, type StackConfig } from '../../infra/config';
import { createPlatform, type Platform } from '../../infra/platform';
import { readRegisterMap } from '../../infra/registerMapFile';
import { readStackConfig, REPO_ROOT } from '../helpers/stackFiles';

/** Stands in for the plant's map, which only an operator has (Pulumi.prod.yaml names its place). */
export const REGISTER_MAP_FIXTURE = `${REPO_ROOT}/test/fixtures/producer/register-map.json`;

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

export interface RecordedResource {
  type: string;
  /** the physical id the mock gave it */
  id: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
  /** the type token of the parent resource, or null at the top */
  parentType: string | null;
  parentName: string | null;
  /** protect as the resource options say (set or inherited from the parent) */
  protect: boolean;
}

export interface MockStack {
  config: StackConfig;
  platform: Platform;
  resources: RecordedResource[];
  ofType(type: string): RecordedResource[];
  one(type: string, nameSuffix?: string): RecordedResource;
  /** the bucket of a role (bootstrap, silver, gold, logs), by its tag */
  bucket(role: string): RecordedResource;
  /** the role of the bucket a bucket-level resource (policy, versioning, …) configures */
  bucketRoleOf(r: RecordedResource): string;
}

let serial = 0;
const hex = (n: number) => n.toString(16).padStart(8, '0');

/** Output properties AWS would return, in the formats IAM policies name them by. */
function mockState(type: string, name: string, inputs: Record<string, unknown>): { id: string; state: Record<string, unknown> } {
  const id = `${name}-${hex(++serial)}`;
  const at = `${REGION}:${ACCOUNT}`;
  const state: Record<string, unknown> = { ...inputs };
  switch (type) {
    case 'aws:s3/bucket:Bucket':
      return { id, state: { ...state, bucket: id, arn: `arn:aws:s3:::${id}`, bucketRegionalDomainName: `${id}.s3.${REGION}.amazonaws.com` } };
    case 'aws:cloudfront/distribution:Distribution': {
      const distId = `E${hex(serial).toUpperCase()}MOCK`;
      return { id: distId, state: { ...state, arn: `arn:aws:cloudfront::${ACCOUNT}:distribution/${distId}`, domainName: `d${hex(serial)}.cloudfront.net` } };
    }
    case 'aws:cognito/userPool:UserPool': {
      const poolId = `${REGION}_Mock${hex(serial)}`;
      return { id: poolId, state: { ...state, arn: `arn:aws:cognito-idp:${at}:userpool/${poolId}`, endpoint: `cognito-idp.${REGION}.amazonaws.com/${poolId}` } };
    }
    case 'aws:cognito/userPoolClient:UserPoolClient':
      return { id: `client${hex(serial)}`, state };
    case 'aws:cognito/identityPool:IdentityPool': {
      const poolId = `${REGION}:${hex(serial)}-aaaa-bbbb-cccc-dddddddddddd`;
      return { id: poolId, state: { ...state, arn: `arn:aws:cognito-identity:${at}:identitypool/${poolId}` } };
    }
    case 'aws:cognito/userPoolDomain:UserPoolDomain':
      return { id: inputs.domain as string, state };
    case 'aws:iam/role:Role':
      return { id, state: { ...state, name: id, arn: `arn:aws:iam::${ACCOUNT}:role/${id}` } };
    case 'aws:lambda/function:Function':
      return { id, state: { ...state, name: id, arn: `arn:aws:lambda:${at}:function:${id}`, invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${at}:function:${id}/invocations` } };
    case 'aws:msk/serverlessCluster:ServerlessCluster': {
      const uuid = `${hex(serial)}-aaaa-bbbb-cccc-dddddddddddd-s1`;
      return { id, state: { ...state, clusterUuid: uuid, arn: `arn:aws:kafka:${at}:cluster/${inputs.clusterName as string}/${uuid}`, bootstrapBrokersSaslIam: `boot-${hex(serial)}.c1.kafka-serverless.${REGION}.amazonaws.com:9098` } };
    }
    case 'aws:emrserverless/application:Application': {
      const appId = `00f${hex(serial)}`;
      return { id: appId, state: { ...state, arn: `arn:aws:emr-serverless:${at}:/applications/${appId}` } };
    }
    case 'aws:sfn/stateMachine:StateMachine':
      return { id, state: { ...state, arn: `arn:aws:states:${at}:stateMachine:${inputs.name as string}` } };
    case 'aws:sns/topic:Topic':
      return { id, state: { ...state, arn: `arn:aws:sns:${at}:${id}` } };
    case 'aws:cloudwatch/logGroup:LogGroup':
      return { id, state: { ...state, arn: `arn:aws:logs:${at}:log-group:${inputs.name as string}` } };
    case 'aws:ecr/repository:Repository':
      return { id, state: { ...state, name: id, arn: `arn:aws:ecr:${at}:repository/${id}`, repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${id}` } };
    case 'awsx:ecr:Image':
      return { id, state: { ...state, imageUri: `${inputs.repositoryUrl as string}@sha256:${'ab'.repeat(32)}` } };
    case 'aws:apigatewayv2/api:Api':
      return { id: `api${hex(serial)}`, state: { ...state, apiEndpoint: `https://api${hex(serial)}.execute-api.${REGION}.amazonaws.com`, executionArn: `arn:aws:execute-api:${at}:api${hex(serial)}` } };
    case 'aws:ec2/vpcEndpoint:VpcEndpoint':
      return { id, state: { ...state, prefixListId: 'pl-6da54004' } };
    case 'aws:ecs/cluster:Cluster':
      return { id, state: { ...state, name: id, arn: `arn:aws:ecs:${at}:cluster/${id}` } };
    case 'aws:ecs/taskDefinition:TaskDefinition':
      return { id, state: { ...state, arn: `arn:aws:ecs:${at}:task-definition/${inputs.family as string}:1` } };
    case 'aws:kms/key:Key': {
      const keyId = `${hex(serial)}-1111-2222-3333-444444444444`;
      return { id: keyId, state: { ...state, keyId, arn: `arn:aws:kms:${at}:key/${keyId}` } };
    }
    case 'aws:cloudwatch/metricAlarm:MetricAlarm':
      return { id, state: { ...state, name: id, arn: `arn:aws:cloudwatch:${at}:alarm:${id}` } };
    case 'aws:scheduler/schedule:Schedule':
      return { id, state: { ...state, name: id, arn: `arn:aws:scheduler:${at}:schedule/default/${id}` } };
    default:
      return { id, state: { ...state, name: state.name ?? id, arn: `arn:aws:mock:${at}:${type.split(':').pop()}/${id}` } };
  }
}

export async function buildMockStack(stage: 'dev' | 'prod', configOverrides: Record<string, unknown> = {}): Promise<MockStack> {
  const recorded = new Map<string, RecordedResource>();
  const parents = new Map<string, { type: string; name: string } | null>();
  const protectedResources = new Set<string>();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const { id, state } = mockState(args.type, args.name, args.inputs as Record<string, unknown>);
        recorded.set(`${args.type}::${args.name}`, { type: args.type, id, name: args.name, custom: args.custom ?? false, inputs: args.inputs as Record<string, unknown>, state, parentType: null, parentName: null, protect: false });
        return { id, state };
      },
      call: (args) => {
        if (args.token === 'aws:index/getAvailabilityZones:getAvailabilityZones') return { names: [`${REGION}a`, `${REGION}b`, `${REGION}c`], zoneIds: ['euw1-az1', 'euw1-az2', 'euw1-az3'] };
        if (args.token === 'aws:index/getCallerIdentity:getCallerIdentity') return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: 'test' };
        throw new Error(`unmocked call ${args.token}`);
      },
    },
    'pv-fault',
    stage,
    false,
  );
  const config = parseStackConfig({ ...readStackConfig(stage), ...configOverrides });
  const registerMapJson = readRegisterMap(config.producer.source === 'modbus' ? REGISTER_MAP_FIXTURE : null);
  let platform: Platform | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      // Resource keeps its type and name in these (untyped) fields; the stack is every top-level resource's parent.
      const parent = args.opts.parent as unknown as { __pulumiType?: string; __name?: string } | undefined;
      const atTop = !parent || parent.__pulumiType === 'pulumi:pulumi:Stack';
      parents.set(`${args.type}::${args.name}`, atTop ? null : { type: parent.__pulumiType ?? '?', name: parent.__name ?? '?' });
      if (args.opts.protect) protectedResources.add(`${args.type}::${args.name}`);
      return undefined;
    });
    platform = createPlatform(config, { accountId: ACCOUNT, registerMapJson });
    return {};
  });
  // Let every output resolve and every resource register.
  await new Promise((resolve) => setTimeout(resolve, 0));
  await settle(platform!);
  const resources = [...recorded.values()].map((r) => {
    const p = parents.get(`${r.type}::${r.name}`);
    return { ...r, parentType: p?.type ?? null, parentName: p?.name ?? null, protect: protectedResources.has(`${r.type}::${r.name}`) };
  });
  const buckets = resources.filter((r) => r.type === 'aws:s3/bucket:Bucket');
  const roleTag = (b: RecordedResource) => (b.inputs.tags as Record<string, string>).role!;
  return {
    config,
    platform: platform!,
    resources,
    ofType: (type) => resources.filter((r) => r.type === type),
    bucket: (role) => {
      const found = buckets.find((b) => roleTag(b) === role);
      if (!found) throw new Error(`no bucket with role ${role}`);
      return found;
    },
    bucketRoleOf: (r) => {
      const found = buckets.find((b) => b.state.bucket === r.inputs.bucket);
      if (!found) throw new Error(`${r.type} ${r.name} configures no bucket of the stack`);
      return roleTag(found);
    },
    one: (type, nameSuffix) => {
      const found = resources.filter((r) => r.type === type && (nameSuffix === undefined || r.name.endsWith(nameSuffix)));
      if (found.length !== 1) throw new Error(`expected one ${type}${nameSuffix ? ` named *${nameSuffix}` : ''}, found ${found.length}`);
      return found[0]!;
    },
  };
}

/** Waits for the outputs operators see: when they resolve, everything they depend on has registered. */
async function settle(platform: Platform): Promise<void> {
  const web = platform.webDashboard;
  const outputs: pulumi.Output<unknown>[] = [
    platform.monitoring.dashboardUrl,
    platform.orchestration.stateMachineArn,
    platform.api.url,
    platform.compute.producerServiceName,
    platform.storage.bootstrapUploaded,
    ...platform.monitoring.alarmNames,
    ...(web ? [web.url, web.identityPoolId, web.userPoolId] : []),
  ];
  await new Promise<void>((resolve) => pulumi.all(outputs).apply(() => resolve()));
  // A few more turns for resources whose inputs resolve after the outputs above.
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Policy documents are JSON strings in inputs; parse them once. */
export function policyOf(r: RecordedResource, key = 'policy'): { Statement: Record<string, unknown>[] } {
  const v = r.inputs[key];
  return (typeof v === 'string' ? JSON.parse(v) : v) as { Statement: Record<string, unknown>[] };
}

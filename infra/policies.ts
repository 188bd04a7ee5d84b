/**
 * Every IAM policy of the platform, as pure functions of the ARNs they name: one
 * place to read what each principal may do, and plain data the tests walk (each
 * action must exist in AWS's service reference; a wildcard resource is allowed only
 * where the action supports nothing else).
 */

export interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource?: string[];
  /** "*" in endpoint policies, which name callers by condition (gateway endpoints match no principal ARN) */
  Principal?: '*' | Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

const doc = (...statements: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const objects = (bucketArn: string, prefix = ''): string => `${bucketArn}/${prefix}*`;

/** Denies every request that does not use TLS, whoever makes it; `allow` are the bucket's only grants. */
export function tlsOnlyBucketPolicy(bucketArn: string, ...allow: Statement[]): PolicyDocument {
  return doc(
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:*'],
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    ...allow,
  );
}

/**
 * Lets S3 deliver the server access logs of `sourceBucketArn` under `prefix` of the logs
 * bucket: S3's logging service, for that bucket of this account only (confused deputy).
 */
export function accessLogDeliveryStatement(a: { logsBucketArn: string; prefix: string; sourceBucketArn: string; accountId: string }): Statement {
  return {
    Sid: 'ServerAccessLogDelivery',
    Effect: 'Allow',
    Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: ['s3:PutObject'],
    Resource: [`${a.logsBucketArn}/${a.prefix}*`],
    Condition: { ArnLike: { 'aws:SourceArn': a.sourceBucketArn }, StringEquals: { 'aws:SourceAccount': a.accountId } },
  };
}

// --- VPC endpoint policies: what the private subnets may reach, and nothing more ----------

/** Callers of this account only: credentials from elsewhere cannot use the endpoints to move data out. */
const ownAccount = (accountId: string) => ({ StringEquals: { 'aws:PrincipalAccount': accountId } });

/** The AWS-owned bucket ECR serves image layers from (presigned URLs, so no caller account to check). */
export const ecrLayerBucketArn = (region: string): string => `arn:aws:s3:::prod-${region}-starport-layer-bucket`;

/**
 * The S3 gateway endpoint: the platform's own buckets, by this account's principals, and
 * the layers of ECR images (the producer's Fargate task pulls through this VPC). Nothing
 * else in S3 is reachable from the private subnets. The actions are what the platform's
 * roles do to its buckets (sparkJobPolicy, apiReadPolicy), and no more.
 */
export function s3EndpointPolicy(a: { accountId: string; region: string; bucketArns: string[] }): PolicyDocument {
  return doc(
    { Sid: 'PlatformBuckets', Effect: 'Allow', Principal: '*', Action: ['s3:ListBucket'], Resource: a.bucketArns, Condition: ownAccount(a.accountId) },
    { Sid: 'PlatformObjects', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: a.bucketArns.map((b) => objects(b)), Condition: ownAccount(a.accountId) },
    { Sid: 'EcrImageLayers', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [objects(ecrLayerBucketArn(a.region))] },
  );
}

/** ecr.api and ecr.dkr: pull this account's images; no push, no other registry. */
export function ecrEndpointPolicy(accountId: string, region: string): PolicyDocument {
  return doc(
    { Sid: 'Authenticate', Effect: 'Allow', Principal: '*', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'], Condition: ownAccount(accountId) },
    {
      Sid: 'PullOwnImages',
      Effect: 'Allow',
      Principal: '*',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: [`arn:aws:ecr:${region}:${accountId}:repository/*`],
      Condition: ownAccount(accountId),
    },
  );
}

/** logs: the awslogs driver writes the stage's log groups (logGroupNamePatterns), nothing else. */
export function logsEndpointPolicy(accountId: string, region: string, logGroupNamePatterns: string[]): PolicyDocument {
  return doc({
    Sid: 'WriteStageLogs',
    Effect: 'Allow',
    Principal: '*',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: logGroupNamePatterns.map((p) => `arn:aws:logs:${region}:${accountId}:log-group:${p}:log-stream:*`),
    Condition: ownAccount(accountId),
  });
}

/** sts: this account's roles only; assuming a role elsewhere through the VPC is refused. */
export function stsEndpointPolicy(accountId: string): PolicyDocument {
  return doc(
    { Sid: 'OwnRoles', Effect: 'Allow', Principal: '*', Action: ['sts:AssumeRole'], Resource: [`arn:aws:iam::${accountId}:role/*`], Condition: ownAccount(accountId) },
    { Sid: 'WhoAmI', Effect: 'Allow', Principal: '*', Action: ['sts:GetCallerIdentity'], Resource: ['*'], Condition: ownAccount(accountId) },
  );
}

// --- the stage's KMS key ----------------------------------------------------------------------

export interface DataKeyPolicyArgs {
  accountId: string;
  region: string;
  /** every log group of the stage (logGroupNamePatterns) */
  logGroupNamePatterns: string[];
  /** every alarm of the stage publishes to the encrypted topic: arn:…:alarm:<prefix>* */
  alarmNamePrefix: string;
}

/**
 * The key policy. The account's own principals get the key through IAM (the statement
 * every KMS key starts with; without it no IAM policy could grant the key and the
 * deployer could lock itself out). Services that encrypt on their own behalf are named
 * here, each bound to this stage's resources: CloudWatch Logs by the log group in the
 * encryption context, CloudWatch alarms (publishing to the encrypted topic) by source.
 */
export function dataKeyPolicy(a: DataKeyPolicyArgs): PolicyDocument {
  return doc(
    { Sid: 'AccountThroughIam', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${a.accountId}:root` }, Action: ['kms:*'], Resource: ['*'] },
    {
      Sid: 'CloudWatchLogsOfTheStage',
      Effect: 'Allow',
      Principal: { Service: `logs.${a.region}.amazonaws.com` },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      Resource: ['*'],
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': a.logGroupNamePatterns.map((p) => `arn:aws:logs:${a.region}:${a.accountId}:log-group:${p}`) } },
    },
    {
      Sid: 'AlarmsPublishToTheTopic',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: ['*'],
      Condition: { StringEquals: { 'aws:SourceAccount': a.accountId }, ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${a.region}:${a.accountId}:alarm:${a.alarmNamePrefix}*` } },
    },
  );
}

/** A role's use of the key, only through the service that stores the data (S3 objects, SNS messages). */
export interface KeyUse {
  keyArn: string;
  region: string;
}

function keyUse(sid: string, use: KeyUse | null, service: 's3' | 'sns', actions: string[]): Statement[] {
  if (use === null) return [];
  return [{ Sid: sid, Effect: 'Allow', Action: actions, Resource: [use.keyArn], Condition: { StringEquals: { 'kms:ViaService': `${service}.${use.region}.amazonaws.com` } } }];
}

/** Trust policy for a service role, limited to calls made on behalf of this account. */
export function assumeRolePolicy(service: string, accountId: string): PolicyDocument {
  return doc({
    Sid: 'TrustService',
    Effect: 'Allow',
    Principal: { Service: service },
    Action: ['sts:AssumeRole'],
    Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
  });
}

export interface KafkaArns {
  cluster: string;
  topic: string;
  /** consumer groups the Spark Kafka source creates for a batch query */
  groups: string;
}

/** Topic and group ARNs are the cluster's with another resource type: arn:…:cluster/<name>/<uuid>. */
export function kafkaArns(clusterArn: string, topic: string, groupPattern: string): KafkaArns {
  const m = /^(arn:[^:]+:kafka:[^:]+:\d{12}:)cluster\/([^/]+\/[^/]+)$/.exec(clusterArn);
  if (!m) throw new Error(`${clusterArn} is not an MSK cluster ARN`);
  return { cluster: clusterArn, topic: `${m[1]}topic/${m[2]}/${topic}`, groups: `${m[1]}group/${m[2]}/${groupPattern}` };
}

export interface SparkJobPolicyArgs {
  bootstrapBucketArn: string;
  silverBucketArn: string;
  goldBucketArn: string;
  logsBucketArn: string;
  kafka: KafkaArns;
  /** the stage's key, which encrypts bootstrap, silver and gold (null: SSE-S3) */
  dataKey: KeyUse | null;
}

/**
 * The EMR Serverless job role: read the job files and the model, replace silver
 * and gold partitions (write, list, delete the superseded run), write logs, read
 * the topic. Nothing else.
 */
export function sparkJobPolicy(a: SparkJobPolicyArgs): PolicyDocument {
  return doc(
    { Sid: 'ReadBootstrap', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [objects(a.bootstrapBucketArn)] },
    { Sid: 'ListTables', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [a.bootstrapBucketArn, a.silverBucketArn, a.goldBucketArn] },
    { Sid: 'ReadWriteSilver', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: [objects(a.silverBucketArn)] },
    // Gold's commit markers are read to find the run a new one supersedes.
    { Sid: 'WriteGold', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: [objects(a.goldBucketArn)] },
    { Sid: 'WriteLogs', Effect: 'Allow', Action: ['s3:PutObject'], Resource: [objects(a.logsBucketArn)] },
    { Sid: 'KafkaConnect', Effect: 'Allow', Action: ['kafka-cluster:Connect'], Resource: [a.kafka.cluster] },
    { Sid: 'KafkaReadTopic', Effect: 'Allow', Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], Resource: [a.kafka.topic] },
    { Sid: 'KafkaConsumerGroups', Effect: 'Allow', Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], Resource: [a.kafka.groups] },
    ...keyUse('BucketKey', a.dataKey, 's3', ['kms:Decrypt', 'kms:GenerateDataKey']),
  );
}

/** The producer's task role: write to the one topic, create it if absent. */
export function producerTaskPolicy(kafka: KafkaArns): PolicyDocument {
  return doc(
    // Idempotent writes are a cluster-level permission in MSK's IAM model.
    { Sid: 'KafkaConnect', Effect: 'Allow', Action: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'], Resource: [kafka.cluster] },
    { Sid: 'KafkaWriteTopic', Effect: 'Allow', Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:CreateTopic', 'kafka-cluster:WriteData'], Resource: [kafka.topic] },
  );
}

/** ECS's execution role for the producer: pull its image, write its log group. */
export function producerExecutionPolicy(repositoryArn: string, logGroupArn: string): PolicyDocument {
  return doc(
    { Sid: 'EcrToken', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] },
    { Sid: 'PullImage', Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: [repositoryArn] },
    { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${logGroupArn}:log-stream:*`] },
  );
}

/** EMR Serverless pulls the custom image itself: the repository must let the service in. */
export function emrImageRepositoryPolicy(accountId: string): PolicyDocument {
  return doc({
    Sid: 'EmrServerlessPull',
    Effect: 'Allow',
    Principal: { Service: 'emr-serverless.amazonaws.com' },
    Action: ['ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:GetDownloadUrlForLayer'],
    Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
  });
}

/** A Lambda function's own log group, and nothing else. */
export function functionLogsPolicy(logGroupArn: string): PolicyDocument {
  return doc({ Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${logGroupArn}:log-stream:*`] });
}

/** The prediction API reads gold and nothing else. */
export function apiReadPolicy(goldBucketArn: string, dataKey: KeyUse | null): PolicyDocument {
  return doc(
    { Sid: 'ReadGold', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [objects(goldBucketArn)] },
    // Without ListBucket a missing key answers 403, which the API could not tell from a real denial.
    { Sid: 'ListGold', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [goldBucketArn] },
    ...keyUse('DecryptGold', dataKey, 's3', ['kms:Decrypt']),
  );
}

/**
 * The lookup Lambda's read of silver for GET /devices/{deviceId}/series: the objects under
 * the one table's prefix it reads (data files and commit markers), nothing else of silver,
 * and no listing: without s3:ListBucket a missing key answers 403, which the silver store
 * reads as "no series" (functions/api/s3Store.ts, deniedMeansMissing).
 */
export function apiSilverReadPolicy(silverBucketArn: string, tablePrefix: string, dataKey: KeyUse | null): PolicyDocument {
  return doc(
    { Sid: 'ReadSilverSeries', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [objects(silverBucketArn, `${tablePrefix}/`)] },
    ...keyUse('DecryptSilver', dataKey, 's3', ['kms:Decrypt']),
  );
}

// --- The operator's dashboard (infra/webDashboard.ts) --------------------------------------

/** Lets CloudFront read the page's files through the one distribution's Origin Access Control, nothing else. */
export function cloudFrontReadStatement(siteBucketArn: string, distributionArn: string): Statement {
  return {
    Sid: 'CloudFrontRead',
    Effect: 'Allow',
    Principal: { Service: 'cloudfront.amazonaws.com' },
    Action: ['s3:GetObject'],
    Resource: [objects(siteBucketArn)],
    Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
  };
}

/**
 * Who may take the dashboard's role: the identity pool's signed-in users only (the pool has
 * no unauthenticated identities, and "amr" says "authenticated" only for a user-pool login).
 */
export function identityPoolTrustPolicy(identityPoolId: string): PolicyDocument {
  return doc({
    Sid: 'SignedInOperators',
    Effect: 'Allow',
    Principal: { Federated: 'cognito-identity.amazonaws.com' },
    Action: ['sts:AssumeRoleWithWebIdentity'],
    Condition: { StringEquals: { 'cognito-identity.amazonaws.com:aud': identityPoolId }, 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } },
  });
}

/** What a signed-in operator's credentials may do: invoke the dashboard's GET routes of this API stage. */
export function dashboardInvokePolicy(routeArns: string[]): PolicyDocument {
  return doc({ Sid: 'InvokeDashboardRoutes', Effect: 'Allow', Action: ['execute-api:Invoke'], Resource: routeArns });
}

/** The managed rule Step Functions creates to learn that an EMR Serverless job run ended. */
export const EMR_SYNC_RULE = 'StepFunctionsGetEventsForEMRServerlessJobRule';

export interface StateMachinePolicyArgs {
  region: string;
  accountId: string;
  runWindowFunctionArn: string;
  emrApplicationArn: string;
  emrJobRoleArn: string;
  notificationTopicArn: string;
  /** the stage's key, which encrypts the notification topic (null: unencrypted topic) */
  dataKey: KeyUse | null;
}

/**
 * The state machine's role: exactly what `lambda:invoke`, `emr-serverless:startJobRun.sync`
 * and `sns:publish` need, plus log delivery and X-Ray (both accept no resource ARN).
 */
export function stateMachinePolicy(a: StateMachinePolicyArgs): PolicyDocument {
  return doc(
    { Sid: 'ResolveWindow', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [a.runWindowFunctionArn, `${a.runWindowFunctionArn}:*`] },
    { Sid: 'StartJobRun', Effect: 'Allow', Action: ['emr-serverless:StartJobRun'], Resource: [a.emrApplicationArn] },
    { Sid: 'WatchJobRun', Effect: 'Allow', Action: ['emr-serverless:GetJobRun', 'emr-serverless:CancelJobRun'], Resource: [`${a.emrApplicationArn}/jobruns/*`] },
    {
      Sid: 'PassJobRole',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: [a.emrJobRoleArn],
      Condition: { StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } },
    },
    {
      Sid: 'SyncEventsRule',
      Effect: 'Allow',
      Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      Resource: [`arn:aws:events:${a.region}:${a.accountId}:rule/${EMR_SYNC_RULE}`],
    },
    { Sid: 'Notify', Effect: 'Allow', Action: ['sns:Publish'], Resource: [a.notificationTopicArn] },
    ...keyUse('NotifyEncrypted', a.dataKey, 'sns', ['kms:Decrypt', 'kms:GenerateDataKey']),
    {
      Sid: 'LogDelivery',
      Effect: 'Allow',
      Action: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ],
      Resource: ['*'],
    },
    { Sid: 'Tracing', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], Resource: ['*'] },
  );
}

/** EventBridge Scheduler starts the daily execution and nothing else. */
export function schedulerPolicy(stateMachineArn: string): PolicyDocument {
  return doc({ Sid: 'StartDailyRun', Effect: 'Allow', Action: ['states:StartExecution'], Resource: [stateMachineArn] });
}

/**
 * The streaming job's own needs beyond sparkJobPolicy (the same job role): publish its alarms
 * to the notification topic, report its lag in its own metric namespace. infra/streaming.ts.
 */
export function streamJobPolicy(a: { notificationTopicArn: string; metricsNamespace: string; topicKey: KeyUse | null }): PolicyDocument {
  return doc(
    { Sid: 'PublishAlarms', Effect: 'Allow', Action: ['sns:Publish'], Resource: [a.notificationTopicArn] },
    ...keyUse('PublishEncrypted', a.topicKey, 'sns', ['kms:Decrypt', 'kms:GenerateDataKey']),
    // PutMetricData takes no resource: the namespace condition is its only bound
    { Sid: 'ReportLag', Effect: 'Allow', Action: ['cloudwatch:PutMetricData'], Resource: ['*'], Condition: { StringEquals: { 'cloudwatch:namespace': a.metricsNamespace } } },
  );
}

/** The stream starter's role: list the application's runs, start one, hand it the job role. */
export function streamStarterPolicy(a: { emrApplicationArn: string; emrJobRoleArn: string }): PolicyDocument {
  return doc(
    { Sid: 'ListAndStartRuns', Effect: 'Allow', Action: ['emr-serverless:ListJobRuns', 'emr-serverless:StartJobRun'], Resource: [a.emrApplicationArn] },
    {
      Sid: 'PassJobRole',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: [a.emrJobRoleArn],
      Condition: { StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } },
    },
  );
}

/** EventBridge (the schedule and the failed-run rule) starts the stream starter and nothing else. */
export function streamTriggerPolicy(starterArn: string): PolicyDocument {
  return doc({ Sid: 'StartStreamStarter', Effect: 'Allow', Action: ['states:StartExecution'], Resource: [starterArn] });
}

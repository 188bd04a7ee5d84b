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
  Principal?: Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

const doc = (...statements: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });

/** Denies every request that does not use TLS, whoever makes it. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  return doc({
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: ['s3:*'],
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
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

const objects = (bucketArn: string, prefix = ''): string => `${bucketArn}/${prefix}*`;

export interface SparkJobPolicyArgs {
  bootstrapBucketArn: string;
  silverBucketArn: string;
  goldBucketArn: string;
  logsBucketArn: string;
  kafka: KafkaArns;
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
export function apiReadPolicy(goldBucketArn: string): PolicyDocument {
  return doc(
    { Sid: 'ReadGold', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [objects(goldBucketArn)] },
    // Without ListBucket a missing key answers 403, which the API could not tell from a real denial.
    { Sid: 'ListGold', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [goldBucketArn] },
  );
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

/**
 * Compute: the EMR Serverless application that runs the two Spark jobs (custom image
 * built from spark/, private subnets, capacity per stage) with its job role, and the
 * producer service on ECS Fargate (image built from functions/producer/).
 */
import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config';
import type { SparkWorker } from './sparkJobs';
import type { KafkaArns } from './policies';
import { inlinePolicy, serviceRole } from './iam';
import { emrImageRepositoryPolicy, producerExecutionPolicy, producerTaskPolicy, sparkJobPolicy } from './policies';
import { REPO_ROOT } from './bootstrapContent';
import { logGroup, logGroupName, type LogSettings } from './logGroups';
import { envDefault, type ProducerEnvName } from '../functions/producer/config';

export const SPARK_DOCKERFILE = 'spark/Dockerfile';
export const PRODUCER_DOCKERFILE = 'functions/producer/Dockerfile';

export interface ComputeArgs {
  stage: string;
  accountId: pulumi.Input<string>;
  region: string;
  emr: StackConfig['emr'];
  /** the driver and executor size the jobs ask for (sparkWorkers of spark/submit-parameters.json) */
  sparkWorkers: { driver: SparkWorker; executor: SparkWorker };
  producer: StackConfig['producer'];
  subnetIds: pulumi.Input<string>[];
  sparkSecurityGroupId: pulumi.Input<string>;
  producerSecurityGroupId: pulumi.Input<string>;
  buckets: { bootstrap: pulumi.Input<string>; silver: pulumi.Input<string>; gold: pulumi.Input<string>; logs: pulumi.Input<string> };
  /** the key bootstrap, silver and gold are encrypted with (null: SSE-S3) */
  bucketKeyArn: pulumi.Input<string> | null;
  kafka: { arns: pulumi.Input<KafkaArns>; bootstrapServers: pulumi.Input<string>; topic: string; partitions: number };
  /** environment of the producer container beyond the Kafka settings this component owns (names from PRODUCER_ENV) */
  producerEnvironment: Partial<Record<ProducerEnvName, string>>;
  logs: LogSettings;
  forceDelete: boolean;
  tags: Record<string, string>;
}

/** EMR Serverless capacity sizes are strings like "4 vCPU"/"16 GB"; its API wants "4vCPU"/"16GB". */
const emrSize = (size: string): string => size.replace(' ', '');

export class Compute extends pulumi.ComponentResource {
  readonly applicationId: pulumi.Output<string>;
  readonly applicationArn: pulumi.Output<string>;
  readonly applicationName: pulumi.Output<string>;
  readonly jobRoleArn: pulumi.Output<string>;
  /** the job role's name: the streaming job adds its own inline policy to it (infra/streaming.ts) */
  readonly jobRoleName: pulumi.Output<string>;
  readonly sparkImageUri: pulumi.Output<string>;
  readonly producerServiceName: pulumi.Output<string>;

  constructor(name: string, args: ComputeArgs, opts?: pulumi.ComponentResourceOptions) {
    super('pv-fault:infra:Compute', name, {}, opts);
    const parent = { parent: this };
    const account = pulumi.output(args.accountId);
    const repository = (id: string) =>
      new aws.ecr.Repository(id, { imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true }, encryptionConfigurations: [{ encryptionType: 'AES256' }], forceDelete: args.forceDelete, tags: args.tags }, parent);
    const keepRecentImages = (id: string, repo: aws.ecr.Repository) =>
      new aws.ecr.LifecyclePolicy(
        id,
        { repository: repo.name, policy: JSON.stringify({ rules: [{ rulePriority: 1, description: 'keep the 10 newest images', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } }] }) },
        parent,
      );

    // --- EMR Serverless -------------------------------------------------------------
    const sparkRepo = repository(`${name}-spark`);
    keepRecentImages(`${name}-spark`, sparkRepo);
    new aws.ecr.RepositoryPolicy(`${name}-spark`, { repository: sparkRepo.name, policy: account.apply((a) => JSON.stringify(emrImageRepositoryPolicy(a))) }, parent);
    const sparkImage = new awsx.ecr.Image(
      `${name}-spark`,
      { repositoryUrl: sparkRepo.repositoryUrl, context: REPO_ROOT, dockerfile: `${REPO_ROOT}/${SPARK_DOCKERFILE}`, platform: 'linux/amd64', args: { EMR_RELEASE: args.emr.releaseLabel, SPARK_VERSION: args.emr.sparkVersion, SCALA_BINARY: args.emr.scalaVersion } },
      parent,
    );

    const jobRole = serviceRole(`${name}-spark-job`, 'emr-serverless.amazonaws.com', args.accountId, args.tags, this);
    const bucketArn = (b: pulumi.Input<string>) => pulumi.interpolate`arn:aws:s3:::${b}`;
    inlinePolicy(
      `${name}-spark-job`,
      jobRole,
      pulumi
        .all([bucketArn(args.buckets.bootstrap), bucketArn(args.buckets.silver), bucketArn(args.buckets.gold), bucketArn(args.buckets.logs), args.kafka.arns, args.bucketKeyArn])
        .apply(([bootstrap, silver, gold, logs, kafka, keyArn]) =>
          sparkJobPolicy({ bootstrapBucketArn: bootstrap, silverBucketArn: silver, goldBucketArn: gold, logsBucketArn: logs, kafka, dataKey: keyArn === null ? null : { keyArn, region: args.region } }),
        ),
      this,
    );

    const pre = args.emr.preInitialized;
    const application = new aws.emrserverless.Application(
      `${name}-spark`,
      {
        name: `pv-fault-${args.stage}`,
        releaseLabel: args.emr.releaseLabel,
        type: 'spark',
        architecture: 'X86_64',
        imageConfiguration: { imageUri: sparkImage.imageUri },
        networkConfiguration: { subnetIds: args.subnetIds, securityGroupIds: [args.sparkSecurityGroupId] },
        autoStartConfiguration: { enabled: true },
        autoStopConfiguration: { enabled: true, idleTimeoutMinutes: args.emr.idleTimeoutMinutes },
        maximumCapacity: { cpu: emrSize(args.emr.maxCpu), memory: emrSize(args.emr.maxMemory), disk: emrSize(args.emr.maxDisk) },
        initialCapacities: pre
          ? [
              // the jobs' own worker sizes: a warm worker of another size would sit idle, paid for
              { initialCapacityType: 'Driver', initialCapacityConfig: { workerCount: pre.driver.count, workerConfiguration: { cpu: emrSize(args.sparkWorkers.driver.cpu), memory: emrSize(args.sparkWorkers.driver.memory) } } },
              { initialCapacityType: 'Executor', initialCapacityConfig: { workerCount: pre.executor.count, workerConfiguration: { cpu: emrSize(args.sparkWorkers.executor.cpu), memory: emrSize(args.sparkWorkers.executor.memory) } } },
            ]
          : [],
        tags: args.tags,
      },
      parent,
    );

    // --- Producer on ECS Fargate ----------------------------------------------------
    const producerRepo = repository(`${name}-producer`);
    keepRecentImages(`${name}-producer`, producerRepo);
    const producerImage = new awsx.ecr.Image(`${name}-producer`, { repositoryUrl: producerRepo.repositoryUrl, context: REPO_ROOT, dockerfile: `${REPO_ROOT}/${PRODUCER_DOCKERFILE}`, platform: 'linux/amd64' }, parent);
    const producerLogs = logGroup(`${name}-producer`, logGroupName(args.stage, 'producer'), args.logs, args.tags, this);
    const cluster = new aws.ecs.Cluster(`${name}-producer`, { settings: [{ name: 'containerInsights', value: 'enabled' }], tags: args.tags }, parent);

    const executionRole = serviceRole(`${name}-producer-execution`, 'ecs-tasks.amazonaws.com', args.accountId, args.tags, this);
    inlinePolicy(`${name}-producer-execution`, executionRole, pulumi.all([producerRepo.arn, producerLogs.arn]).apply(([repo, group]) => producerExecutionPolicy(repo, group)), this);
    const taskRole = serviceRole(`${name}-producer-task`, 'ecs-tasks.amazonaws.com', args.accountId, args.tags, this);
    inlinePolicy(`${name}-producer-task`, taskRole, pulumi.output(args.kafka.arns).apply(producerTaskPolicy), this);

    const healthPort = Number(args.producerEnvironment.HEALTH_PORT ?? envDefault('HEALTH_PORT'));
    const containerDefinitions = pulumi
      .all([producerImage.imageUri, args.kafka.bootstrapServers, producerLogs.name])
      .apply(([image, brokers, group]) =>
        JSON.stringify([
          {
            name: 'producer',
            image,
            essential: true,
            readonlyRootFilesystem: true,
            environment: Object.entries({
              ...args.producerEnvironment,
              KAFKA_BOOTSTRAP_SERVERS: brokers,
              KAFKA_TOPIC: args.kafka.topic,
              KAFKA_PARTITIONS: String(args.kafka.partitions),
              KAFKA_AUTH: 'iam',
              AWS_REGION: args.region,
            })
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([n, value]) => ({ name: n, value })),
            portMappings: [{ containerPort: healthPort, protocol: 'tcp' }],
            // ECS ignores the image's HEALTHCHECK; the same probe, with time for a first Kafka connection.
            healthCheck: { command: ['CMD', 'node', 'healthcheck.js'], interval: 30, timeout: 5, retries: 3, startPeriod: 120 },
            // above SHUTDOWN_TIMEOUT_MS, so the SIGTERM flush finishes before SIGKILL
            stopTimeout: 60,
            logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': group, 'awslogs-region': args.region, 'awslogs-stream-prefix': 'producer' } },
          },
        ]),
      );
    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-producer`,
      {
        family: `pv-fault-${args.stage}-producer`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: String(args.producer.cpu),
        memory: String(args.producer.memory),
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        containerDefinitions,
        tags: args.tags,
      },
      parent,
    );
    const service = new aws.ecs.Service(
      `${name}-producer`,
      {
        cluster: cluster.arn,
        taskDefinition: taskDefinition.arn,
        desiredCount: args.producer.desiredCount,
        launchType: 'FARGATE',
        networkConfiguration: { subnets: args.subnetIds, securityGroups: [args.producerSecurityGroupId], assignPublicIp: false },
        deploymentCircuitBreaker: { enable: true, rollback: true },
        // Two producers of the same readings would publish duplicates the ingest must then drop: replace, do not overlap.
        deploymentMaximumPercent: 100,
        deploymentMinimumHealthyPercent: 0,
        propagateTags: 'SERVICE',
        tags: args.tags,
      },
      parent,
    );

    this.applicationId = application.id;
    this.applicationArn = application.arn;
    this.applicationName = application.name;
    this.jobRoleArn = jobRole.arn;
    this.jobRoleName = jobRole.id;
    this.sparkImageUri = sparkImage.imageUri;
    this.producerServiceName = service.name;
    this.registerOutputs({ applicationId: this.applicationId, jobRoleArn: this.jobRoleArn, sparkImageUri: this.sparkImageUri, producerServiceName: this.producerServiceName });
  }
}

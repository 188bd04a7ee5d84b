/**
 * The whole platform for one stage: the components wired together from the typed
 * stack config. index.ts calls it with the deployed account; the tests call it under
 * Pulumi's mocks with both stack files.
 */
import * as pulumi from '@pulumi/pulumi';
import { Api } from './api';
import { bootstrapContent, type BootstrapContent } from './bootstrapContent';
import { registryObject } from './registryObject';
import { Compute } from './compute';
import type { StackConfig } from './config';
import { Kafka } from './kafka';
import { logGroupNamePatterns, type LogSettings } from './logGroups';
import { Monitoring } from './monitoring';
import { Network } from './network';
import { Orchestration } from './orchestration';
import { readSparkSubmitParameters, SPARK_KAFKA_GROUP_PATTERN, sparkWorkers } from './sparkJobs';
import { Storage } from './storage';
import { Streaming } from './streaming';
import { WebDashboard } from './webDashboard';
import type { DashboardFiles } from '../dashboard/build';
import { envDefault, type ProducerEnvName } from '../functions/producer/config';
import { METRICS_SERVICE, type Counter } from '../functions/producer/metrics';

/** Browsers of any origin may call the API: requests are SigV4-signed, so CORS guards nothing here. */
export const API_ALLOW_ORIGIN = '*';
const PRODUCER_METRICS_NAMESPACE = envDefault('METRICS_NAMESPACE')!;
const PRODUCER_PUBLISHED_METRIC: Counter = 'ReadingsPublished';

export interface PlatformInputs {
  accountId: pulumi.Input<string>;
  /** the Modbus register map's JSON text (read by index.ts from producer.registerMapFile) */
  registerMapJson: string | null;
  /** the job files and model to upload; defaults to what the repository holds */
  content?: BootstrapContent;
  /** the operator's dashboard as built; defaults to building dashboard/ (when the stack deploys it) */
  dashboardFiles?: DashboardFiles;
}

export interface Platform {
  network: Network;
  storage: Storage;
  kafka: Kafka;
  compute: Compute;
  orchestration: Orchestration;
  api: Api;
  monitoring: Monitoring;
  /** null when pv-fault:webDashboard.enabled is false */
  webDashboard: WebDashboard | null;
  /** null when pv-fault:streaming.enabled is false (or absent) */
  streaming: Streaming | null;
}

export function createPlatform(config: StackConfig, inputs: PlatformInputs): Platform {
  const name = `pv-${config.stage}`;
  const tags = { project: 'pv-fault', stage: config.stage };
  const content = inputs.content ?? bootstrapContent();

  const logPatterns = logGroupNamePatterns(config.stage);

  const storage = new Storage(name, {
    stage: config.stage,
    protect: config.protect,
    accountId: inputs.accountId,
    retention: config.retention,
    bootstrapNoncurrentDays: config.protect ? 365 : 30,
    // the jobs and the model, and the plant's device registry the ingest reads (its --registry-uri)
    bootstrapObjects: [...content.objects, registryObject(config, inputs.registerMapJson)],
    // Monitoring names its alarms `${name}-…`: they publish to the topic this key encrypts.
    dataKey: config.kmsEncryption ? { region: config.region, logGroupNamePatterns: logPatterns, alarmNamePrefix: `${name}-` } : null,
    tags,
  });
  const buckets = storage.bucketNames;
  const keyArn = storage.dataKeyArn;
  const logs: LogSettings = { retentionDays: config.retention.logsDays, kmsKeyArn: keyArn };
  const network = new Network(name, {
    region: config.region,
    accountId: inputs.accountId,
    bucketNames: Object.values(buckets),
    logGroupNamePatterns: logPatterns,
    cidrBlock: config.vpcCidr,
    availabilityZones: config.availabilityZones,
    scadaCidr: config.producer.scadaCidr,
    tags,
  });
  const kafka = new Kafka(
    name,
    { subnetIds: network.privateSubnetIds, securityGroupId: network.kafkaSecurityGroupId, topic: config.kafka.topic, partitions: config.kafka.partitions, consumerGroupPattern: SPARK_KAFKA_GROUP_PATTERN, protect: config.protect, tags },
  );
  const producerEnvironment: Partial<Record<ProducerEnvName, string>> =
    config.producer.source === 'simulator'
      ? { SOURCE: 'simulator', SIMULATED_DEVICES: String(config.producer.simulatedDevices), SIMULATOR_DESIGN: config.design.setting, PLANT_TIME_ZONE: config.plantTimeZone }
      : { SOURCE: 'modbus', MODBUS_REGISTER_MAP: requireMap(inputs.registerMapJson) };
  const sparkSubmitParameters = readSparkSubmitParameters();
  const compute = new Compute(name, {
    stage: config.stage,
    accountId: inputs.accountId,
    region: config.region,
    emr: config.emr,
    sparkWorkers: sparkWorkers(sparkSubmitParameters),
    producer: config.producer,
    subnetIds: network.privateSubnetIds,
    sparkSecurityGroupId: network.sparkSecurityGroupId,
    producerSecurityGroupId: network.producerSecurityGroupId,
    buckets,
    bucketKeyArn: keyArn,
    kafka: { arns: kafka.arns, bootstrapServers: kafka.bootstrapServers, topic: kafka.topic, partitions: kafka.partitions },
    producerEnvironment,
    logs,
    forceDelete: !config.protect,
    tags,
  });
  const orchestration = new Orchestration(
    name,
    {
      stage: config.stage,
      region: config.region,
      accountId: inputs.accountId,
      plantTimeZone: config.plantTimeZone,
      schedule: config.schedule,
      alarmEmail: config.alarmEmail,
      jobTimeoutMinutes: config.emr.jobTimeoutMinutes,
      sparkSubmitParameters,
      modelVersion: content.modelVersion,
      emr: { applicationId: compute.applicationId, applicationArn: compute.applicationArn, jobRoleArn: compute.jobRoleArn },
      buckets,
      kafka: { bootstrapServers: kafka.bootstrapServers, topic: kafka.topic },
      topicKeyArn: keyArn,
      logs,
      tags,
    },
    // A run must find its job files and model in place.
    { dependsOn: [storage] },
  );
  const api = new Api(name, {
    stage: config.stage,
    region: config.region,
    accountId: inputs.accountId,
    plantTimeZone: config.plantTimeZone,
    goldBucket: buckets.gold,
    goldKeyArn: keyArn,
    silverBucket: buckets.silver,
    throttle: { ratePerSecond: config.api.throttleRatePerSecond, burst: config.api.throttleBurst },
    reservedConcurrency: config.api.reservedConcurrency,
    allowOrigin: API_ALLOW_ORIGIN,
    logs,
    tags,
  });
  const monitoring = new Monitoring(name, {
    stage: config.stage,
    region: config.region,
    notificationTopicArn: orchestration.notificationTopicArn,
    emr: { applicationId: compute.applicationId, applicationName: compute.applicationName },
    stateMachineArn: orchestration.stateMachineArn,
    api: { id: api.apiId, stage: api.stageName, functionName: api.functionName },
    producer: { namespace: PRODUCER_METRICS_NAMESPACE, service: METRICS_SERVICE, publishedMetric: PRODUCER_PUBLISHED_METRIC, expected: config.producer.desiredCount > 0 },
    api5xxThreshold: 5,
    tags,
  });
  const streaming =
    config.streaming === null
      ? null
      : new Streaming(name, {
          stage: config.stage,
          region: config.region,
          accountId: inputs.accountId,
          streaming: config.streaming,
          plantTimeZone: config.plantTimeZone,
          modelVersion: content.modelVersion,
          // the stream's executors do the predict job's work (CWT and model per device-day): its sizing
          sparkSubmitParameters: sparkSubmitParameters.predict,
          emr: { applicationId: compute.applicationId, applicationArn: compute.applicationArn, jobRoleArn: compute.jobRoleArn, jobRoleName: compute.jobRoleName },
          buckets,
          kafka: { bootstrapServers: kafka.bootstrapServers, topic: kafka.topic },
          notificationTopicArn: orchestration.notificationTopicArn,
          topicKeyArn: keyArn,
          tags,
        }, { dependsOn: [storage] });
  const web = config.webDashboard;
  const webDashboard =
    web === null
      ? null
      : new WebDashboard(name, {
          stage: config.stage,
          region: config.region,
          protect: config.protect,
          api: { url: api.url, executionArn: api.executionArn, stageName: api.stageName },
          mfa: web.mfa,
          authDomainPrefix: web.authDomainPrefix,
          sessionHours: web.sessionHours,
          files: inputs.dashboardFiles,
          tags,
        });
  return { network, storage, kafka, compute, orchestration, api, monitoring, webDashboard, streaming };
}

function requireMap(json: string | null): string {
  if (json === null) throw new Error('producer.source is modbus but no register map was read (pv-fault:producer.registerMapFile)');
  return json;
}

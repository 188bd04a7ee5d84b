/**
 * The Pulumi program. It reads the stack config once, validated (a bad value fails
 * here, before any resource is declared), and builds the platform from it
 * (platform.ts). The exports are what operators need after `pulumi up`.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { parseStackConfig } from './config';
import { createPlatform } from './platform';
import { readRegisterMap } from './registerMapFile';

const config = parseStackConfig(pulumi.runtime.allConfig());

const platform = createPlatform(config, { accountId: aws.getCallerIdentityOutput().accountId, registerMapJson: readRegisterMap(config.producer.registerMapFile) });

export const stage = config.stage;
export const region = config.region;
export const bucketNames = platform.storage.bucketNames;
export const kafkaBootstrapServers = platform.kafka.bootstrapServers;
export const kafkaTopic = platform.kafka.topic;
export const emrApplicationId = platform.compute.applicationId;
export const sparkImageUri = platform.compute.sparkImageUri;
export const stateMachineArn = platform.orchestration.stateMachineArn;
export const notificationTopicArn = platform.orchestration.notificationTopicArn;
export const apiUrl = platform.api.url;
export const dashboardUrl = platform.monitoring.dashboardUrl;
/** the operator's dashboard (sign in with a user of operatorUserPoolId: docs/deploy.md) */
export const webDashboardUrl = platform.webDashboard?.url ?? null;
export const operatorUserPoolId = platform.webDashboard?.userPoolId ?? null;
export const producerService = platform.compute.producerServiceName;

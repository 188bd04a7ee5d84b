/**
 * Kafka: an MSK Serverless cluster with IAM authentication in the private subnets.
 * Topics are not AWS resources on MSK Serverless: the producer creates the topic at
 * start if it is absent, with the partition count passed here.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { kafkaArns, type KafkaArns } from './policies';

export interface KafkaArgs {
  subnetIds: pulumi.Input<string>[];
  securityGroupId: pulumi.Input<string>;
  topic: string;
  partitions: number;
  /** consumer-group names the Spark Kafka source uses for batch reads (IAM resource pattern) */
  consumerGroupPattern: string;
  /** protected stages refuse to delete the cluster (readings not yet ingested live there) */
  protect: boolean;
  tags: Record<string, string>;
}

export class Kafka extends pulumi.ComponentResource {
  readonly clusterArn: pulumi.Output<string>;
  readonly bootstrapServers: pulumi.Output<string>;
  readonly topic: string;
  readonly partitions: number;
  /** the cluster, topic and consumer-group ARNs IAM policies name */
  readonly arns: pulumi.Output<KafkaArns>;

  constructor(name: string, args: KafkaArgs, opts?: pulumi.ComponentResourceOptions) {
    super('pv-fault:infra:Kafka', name, {}, opts);
    const cluster = new aws.msk.ServerlessCluster(
      `${name}-cluster`,
      {
        clusterName: `${name}-cluster`,
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfigs: [{ subnetIds: args.subnetIds, securityGroupIds: [args.securityGroupId] }],
        tags: args.tags,
      },
      { parent: this, protect: args.protect },
    );
    this.clusterArn = cluster.arn;
    this.bootstrapServers = cluster.bootstrapBrokersSaslIam;
    this.topic = args.topic;
    this.partitions = args.partitions;
    this.arns = cluster.arn.apply((arn) => kafkaArns(arn, args.topic, args.consumerGroupPattern));
    this.registerOutputs({ clusterArn: this.clusterArn, bootstrapServers: this.bootstrapServers, topic: this.topic });
  }
}

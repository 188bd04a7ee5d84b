/**
 * Network: a VPC with private subnets only. Nothing in the data path reaches the
 * internet (no NAT, no internet gateway): S3 through a gateway endpoint, ECR, Logs
 * and STS through interface endpoints, Kafka inside the VPC. Each endpoint's policy
 * lets through only this account's callers and the platform's own resources, so that
 * the subnets cannot carry data to a bucket, registry or role of another account.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ecrEndpointPolicy, logsEndpointPolicy, s3EndpointPolicy, stsEndpointPolicy, type PolicyDocument } from './policies';

export const KAFKA_IAM_PORT = 9098;
const HTTPS = 443;
/** Interface endpoints the private workloads call: image pulls, logs, STS for role credentials. */
export const INTERFACE_ENDPOINT_SERVICES = ['ecr.api', 'ecr.dkr', 'logs', 'sts'] as const;
type InterfaceService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

/** Each interface endpoint's policy (all four services support endpoint policies). */
function interfaceEndpointPolicy(service: InterfaceService, accountId: string, args: NetworkArgs): PolicyDocument {
  switch (service) {
    case 'ecr.api':
    case 'ecr.dkr':
      return ecrEndpointPolicy(accountId, args.region);
    case 'logs':
      return logsEndpointPolicy(accountId, args.region, args.logGroupNamePatterns);
    case 'sts':
      return stsEndpointPolicy(accountId);
  }
}

export interface NetworkArgs {
  region: string;
  accountId: pulumi.Input<string>;
  /** the platform's buckets: the only ones the S3 endpoint lets the subnets reach (besides ECR's layers) */
  bucketNames: pulumi.Input<string>[];
  /** the stage's log groups (logGroupNamePatterns): the only ones the logs endpoint lets the subnets write */
  logGroupNamePatterns: string[];
  cidrBlock: string;
  /** private subnets, one per AZ; EMR Serverless and MSK Serverless need at least two */
  availabilityZones: number;
  /** the plant network the Modbus producer polls (reached over VPN/Direct Connect, not created here) */
  scadaCidr: string | null;
  tags: Record<string, string>;
}

/** Splits a /16../24 block into /(prefix+4) subnets: sixteen of them, room for every AZ. */
export function subnetCidr(vpcCidr: string, index: number): string {
  const [base, prefixText] = vpcCidr.split('/') as [string, string];
  const prefix = Number(prefixText);
  const newPrefix = prefix + 4;
  if (newPrefix > 28) throw new Error(`VPC block ${vpcCidr} is too small for /${newPrefix} subnets`);
  if (index < 0 || index >= 16) throw new Error(`subnet index ${index} out of range 0..15`);
  const octets = base.split('.').map(Number);
  const address = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const subnet = (address + index * 2 ** (32 - newPrefix)) >>> 0;
  return `${[subnet >>> 24, (subnet >>> 16) & 255, (subnet >>> 8) & 255, subnet & 255].join('.')}/${newPrefix}`;
}

export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** EMR Serverless jobs: reach the endpoints, S3 and Kafka; nothing else */
  readonly sparkSecurityGroupId: pulumi.Output<string>;
  /** the producer's tasks: endpoints, S3, Kafka and (Modbus) the plant network */
  readonly producerSecurityGroupId: pulumi.Output<string>;
  /** MSK Serverless: the IAM port from the two groups above only */
  readonly kafkaSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('pv-fault:infra:Network', name, {}, opts);
    const parent = { parent: this };
    const tags = (suffix: string) => ({ ...args.tags, Name: `${name}-${suffix}` });
    const account = pulumi.output(args.accountId);

    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: args.cidrBlock, enableDnsHostnames: true, enableDnsSupport: true, tags: tags('vpc') }, parent);
    const zones = aws.getAvailabilityZonesOutput({ state: 'available', filters: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }] }, parent);
    const routeTable = new aws.ec2.RouteTable(`${name}-private`, { vpcId: vpc.id, tags: tags('private') }, parent);

    const subnets = Array.from({ length: args.availabilityZones }, (_, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock: subnetCidr(args.cidrBlock, i),
          availabilityZone: zones.names.apply((names) => {
            const zone = names[i];
            if (!zone) throw new Error(`region ${args.region} has ${names.length} available zones; the stack asks for ${args.availabilityZones}`);
            return zone;
          }),
          mapPublicIpOnLaunch: false,
          tags: tags(`private-${i}`),
        },
        parent,
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: routeTable.id }, parent);
      return subnet;
    });

    const group = (suffix: string, description: string) =>
      new aws.ec2.SecurityGroup(`${name}-${suffix}`, { vpcId: vpc.id, description, revokeRulesOnDelete: true, tags: tags(suffix) }, parent);
    const endpoints = group('endpoints', 'Interface endpoints: HTTPS from the private subnets');
    const spark = group('spark', 'EMR Serverless jobs');
    const producer = group('producer', 'Producer tasks on Fargate');
    const kafka = group('kafka', 'MSK Serverless: IAM port from the compute groups');

    subnets.forEach((_, i) => {
      const cidr = subnetCidr(args.cidrBlock, i);
      new aws.vpc.SecurityGroupIngressRule(`${name}-endpoints-https-${i}`, { securityGroupId: endpoints.id, ipProtocol: 'tcp', fromPort: HTTPS, toPort: HTTPS, cidrIpv4: cidr, description: `HTTPS from private subnet ${cidr}` }, parent);
    });
    const s3Endpoint = new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${args.region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: [routeTable.id],
        policy: pulumi
          .all([account, pulumi.all(args.bucketNames)])
          .apply(([accountId, names]) => JSON.stringify(s3EndpointPolicy({ accountId, region: args.region, bucketArns: names.map((b) => `arn:aws:s3:::${b}`) }))),
        tags: tags('s3'),
      },
      parent,
    );
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service.replace('.', '-')}`,
        {
          vpcId: vpc.id,
          serviceName: `com.amazonaws.${args.region}.${service}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: subnets.map((s) => s.id),
          securityGroupIds: [endpoints.id],
          policy: account.apply((accountId) => JSON.stringify(interfaceEndpointPolicy(service, accountId, args))),
          tags: tags(service),
        },
        parent,
      );
    }

    for (const [client, clientName] of [
      [spark, 'spark'],
      [producer, 'producer'],
    ] as const) {
      new aws.vpc.SecurityGroupIngressRule(`${name}-kafka-from-${clientName}`, { securityGroupId: kafka.id, ipProtocol: 'tcp', fromPort: KAFKA_IAM_PORT, toPort: KAFKA_IAM_PORT, referencedSecurityGroupId: client.id, description: `Kafka IAM from ${clientName}` }, parent);
      new aws.vpc.SecurityGroupEgressRule(`${name}-${clientName}-to-kafka`, { securityGroupId: client.id, ipProtocol: 'tcp', fromPort: KAFKA_IAM_PORT, toPort: KAFKA_IAM_PORT, referencedSecurityGroupId: kafka.id, description: 'Kafka IAM' }, parent);
      new aws.vpc.SecurityGroupEgressRule(`${name}-${clientName}-to-endpoints`, { securityGroupId: client.id, ipProtocol: 'tcp', fromPort: HTTPS, toPort: HTTPS, referencedSecurityGroupId: endpoints.id, description: 'interface endpoints' }, parent);
      new aws.vpc.SecurityGroupEgressRule(`${name}-${clientName}-to-s3`, { securityGroupId: client.id, ipProtocol: 'tcp', fromPort: HTTPS, toPort: HTTPS, prefixListId: s3Endpoint.prefixListId, description: 'S3 through the gateway endpoint' }, parent);
    }
    // Spark executors talk to each other and to their driver inside the group.
    new aws.vpc.SecurityGroupIngressRule(`${name}-spark-self`, { securityGroupId: spark.id, ipProtocol: '-1', referencedSecurityGroupId: spark.id, description: 'Spark driver and executors' }, parent);
    new aws.vpc.SecurityGroupEgressRule(`${name}-spark-self`, { securityGroupId: spark.id, ipProtocol: '-1', referencedSecurityGroupId: spark.id, description: 'Spark driver and executors' }, parent);
    if (args.scadaCidr) {
      new aws.vpc.SecurityGroupEgressRule(`${name}-producer-to-modbus`, { securityGroupId: producer.id, ipProtocol: 'tcp', fromPort: 502, toPort: 502, cidrIpv4: args.scadaCidr, description: 'Modbus TCP to the plant network' }, parent);
    }

    this.vpcId = vpc.id;
    this.privateSubnetIds = subnets.map((s) => s.id);
    this.sparkSecurityGroupId = spark.id;
    this.producerSecurityGroupId = producer.id;
    this.kafkaSecurityGroupId = kafka.id;
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds });
  }
}

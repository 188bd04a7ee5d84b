/**
 * Storage: the bootstrap, silver, gold and logs buckets, all encrypted, private and
 * TLS-only, with per-stage lifecycles; the data buckets versioned so that a bad rerun or
 * a deletion can be undone for a while; gold's server access logs in the logs bucket; the
 * stage's KMS key when the stack asks for one; and the bootstrap content (Spark job
 * files, the model) uploaded by Pulumi so that a deploy is all it takes to run a day.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { TABLES } from '../contracts/tableSpecs';
import type { BootstrapObject } from './bootstrapContent';
import type { StackConfig } from './config';
import { accessLogDeliveryStatement, dataKeyPolicy, tlsOnlyBucketPolicy, type DataKeyPolicyArgs } from './policies';
import { STREAM_STATE_EXPIRY_DAYS, STREAM_STATE_PREFIX } from './streaming';

export const BUCKET_ROLES = ['bootstrap', 'silver', 'gold', 'logs'] as const;
export type BucketRole = (typeof BUCKET_ROLES)[number];
/** Buckets whose every request is logged: gold is what the API (and so every dashboard) reads. */
export const ACCESS_LOGGED_BUCKETS: readonly BucketRole[] = ['gold'];
export const accessLogPrefix = (role: BucketRole): string => `s3-access/${role}/`;
/** S3 delivers server access logs only into SSE-S3 buckets, so the logs bucket never takes the KMS key. */
const takesDataKey = (role: BucketRole): boolean => role !== 'logs';

export interface StorageArgs {
  stage: string;
  /** protected stages refuse to delete a bucket (and the key) and never empty one on destroy */
  protect: boolean;
  accountId: pulumi.Input<string>;
  /** noncurrentDays: how long silver and gold keep replaced and deleted versions */
  retention: StackConfig['retention'];
  /** how long replaced bootstrap objects (older job files, models) stay recoverable */
  bootstrapNoncurrentDays: number;
  bootstrapObjects: readonly BootstrapObject[];
  /** what the stage's KMS key must let CloudWatch do; null: no key, SSE-S3 and AWS-managed keys */
  dataKey: Omit<DataKeyPolicyArgs, 'accountId'> | null;
  tags: Record<string, string>;
}

interface ExpiryRule {
  id: string;
  prefix: string;
  days: number;
}

/** The expiry rules of a bucket: per table for silver and gold (data and commit markers share the table's prefix). */
export function expiryRules(role: BucketRole, retention: StorageArgs['retention']): ExpiryRule[] {
  const tableRule = (table: keyof typeof TABLES, days: number | null): ExpiryRule[] =>
    days === null ? [] : [{ id: `expire-${TABLES[table].prefix}`, prefix: `${TABLES[table].prefix}/`, days }];
  switch (role) {
    case 'silver':
      // the day's registry snapshot goes with its device-days (gold_daily keeps each device's design for as long as gold is kept)
      return [
        ...tableRule('silver_device_day', retention.silverDays),
        ...tableRule('silver_device_registry', retention.silverDays),
        ...tableRule('silver_quarantine', retention.quarantineDays),
        // the streaming job's working state (infra/streaming.ts): nothing there once its days have closed
        { id: 'expire-stream-state', prefix: `${STREAM_STATE_PREFIX}/state/`, days: STREAM_STATE_EXPIRY_DAYS },
      ];
    case 'gold':
      return [...tableRule('gold_window', retention.goldDays), ...tableRule('gold_daily', retention.goldDays)];
    case 'logs':
      return [{ id: 'expire-logs', prefix: '', days: retention.logsDays }];
    case 'bootstrap':
      return [];
  }
}

/**
 * Days a replaced or deleted object stays recoverable; null: the bucket is not versioned.
 * Silver and gold are: a rerun replaces a day's files, and a wrong one must be undoable.
 */
export function noncurrentDays(role: BucketRole, args: Pick<StorageArgs, 'retention' | 'bootstrapNoncurrentDays'>): number | null {
  switch (role) {
    case 'bootstrap':
      return args.bootstrapNoncurrentDays;
    case 'silver':
    case 'gold':
      return args.retention.noncurrentDays;
    case 'logs':
      return null;
  }
}

export class Storage extends pulumi.ComponentResource {
  readonly bucketNames: Record<BucketRole, pulumi.Output<string>>;
  /** resolves once every bootstrap object is uploaded: jobs must not start before */
  readonly bootstrapUploaded: pulumi.Output<string[]>;
  /** the stage's customer managed key (buckets, topic, log groups), or null */
  readonly dataKeyArn: pulumi.Output<string> | null;

  constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super('pv-fault:infra:Storage', name, {}, opts);
    const parent = { parent: this };
    const account = pulumi.output(args.accountId);

    let key: aws.kms.Key | null = null;
    if (args.dataKey !== null) {
      const keyArgs = args.dataKey;
      key = new aws.kms.Key(
        `${name}-data`,
        {
          description: `PV fault (${args.stage}): data buckets, notification topic, log groups`,
          enableKeyRotation: true,
          // a key scheduled for deletion can be restored for this long; after that its data is gone
          deletionWindowInDays: args.protect ? 30 : 7,
          policy: account.apply((accountId) => JSON.stringify(dataKeyPolicy({ accountId, ...keyArgs }))),
          tags: args.tags,
        },
        { parent: this, protect: args.protect },
      );
      new aws.kms.Alias(`${name}-data`, { name: `alias/pv-fault-${args.stage}-data`, targetKeyId: key.keyId }, parent);
    }

    const buckets = Object.fromEntries(
      BUCKET_ROLES.map((role) => [role, new aws.s3.Bucket(`${name}-${role}`, { forceDestroy: !args.protect, tags: { ...args.tags, role } }, { parent: this, protect: args.protect })]),
    ) as Record<BucketRole, aws.s3.Bucket>;
    const accessLogged = pulumi.all(ACCESS_LOGGED_BUCKETS.map((r) => pulumi.all([r, buckets[r].arn])));
    const policies = {} as Record<BucketRole, aws.s3.BucketPolicy>;

    for (const role of BUCKET_ROLES) {
      const id = `${name}-${role}`;
      const bucket = buckets[role];
      new aws.s3.BucketOwnershipControls(id, { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } }, parent);
      new aws.s3.BucketPublicAccessBlock(id, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, parent);
      const sse: aws.types.input.s3.BucketServerSideEncryptionConfigurationRule =
        key !== null && takesDataKey(role)
          ? // the bucket key: S3 asks KMS once per bucket and period, not once per object
            { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } };
      new aws.s3.BucketServerSideEncryptionConfiguration(id, { bucket: bucket.id, rules: [sse] }, parent);
      const policy = pulumi.all([bucket.arn, account, accessLogged]).apply(([arn, accountId, sources]) =>
        JSON.stringify(
          tlsOnlyBucketPolicy(
            arn,
            ...(role === 'logs' ? sources.map(([source, sourceBucketArn]) => accessLogDeliveryStatement({ logsBucketArn: arn, prefix: accessLogPrefix(source), sourceBucketArn, accountId })) : []),
          ),
        ),
      );
      policies[role] = new aws.s3.BucketPolicy(id, { bucket: bucket.id, policy }, parent);

      const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
        { id: 'abort-incomplete-uploads', status: 'Enabled', filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
        ...expiryRules(role, args.retention).map((r) => ({ id: r.id, status: 'Enabled', filter: { prefix: r.prefix }, expiration: { days: r.days } })),
      ];
      const keepVersionsDays = noncurrentDays(role, args);
      if (keepVersionsDays !== null) {
        new aws.s3.BucketVersioning(id, { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } }, parent);
        // Deletions leave delete markers; once their last old version expires they are removed too.
        rules.push({ id: 'expire-noncurrent-versions', status: 'Enabled', filter: {}, noncurrentVersionExpiration: { noncurrentDays: keepVersionsDays }, expiration: { expiredObjectDeleteMarker: true } });
      }
      new aws.s3.BucketLifecycleConfiguration(id, { bucket: bucket.id, rules }, parent);
    }

    for (const role of ACCESS_LOGGED_BUCKETS) {
      new aws.s3.BucketLogging(
        `${name}-${role}`,
        { bucket: buckets[role].id, targetBucket: buckets.logs.id, targetPrefix: accessLogPrefix(role), targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: 'EventTime' } } },
        // S3 checks on PutBucketLogging that the logs bucket lets its logging service write
        { parent: this, dependsOn: [policies.logs] },
      );
    }

    const uploads = args.bootstrapObjects.map(
      (o) =>
        new aws.s3.BucketObjectv2(
          `${name}-bootstrap-${o.key.replace(/[^A-Za-z0-9.-]+/g, '-')}`,
          { bucket: buckets.bootstrap.id, key: o.key, source: 'path' in o ? new pulumi.asset.FileAsset(o.path) : new pulumi.asset.StringAsset(o.text), contentType: o.contentType, tags: args.tags },
          parent,
        ),
    );

    this.bucketNames = Object.fromEntries(BUCKET_ROLES.map((r) => [r, buckets[r].bucket])) as Record<BucketRole, pulumi.Output<string>>;
    this.bootstrapUploaded = pulumi.all(uploads.map((u) => u.key));
    this.dataKeyArn = key === null ? null : key.arn;
    this.registerOutputs({ bucketNames: this.bucketNames, bootstrapKeys: this.bootstrapUploaded });
  }
}

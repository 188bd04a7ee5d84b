/**
 * Storage: the bootstrap, silver, gold and logs buckets, all encrypted, private and
 * TLS-only, with per-stage lifecycles; and the bootstrap content (Spark job files,
 * the model) uploaded by Pulumi so that a deploy is all it takes to run a day.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { TABLES } from '../contracts/tableSpecs';
import type { BootstrapObject } from './bootstrapContent';
import { tlsOnlyBucketPolicy } from './policies';

export const BUCKET_ROLES = ['bootstrap', 'silver', 'gold', 'logs'] as const;
export type BucketRole = (typeof BUCKET_ROLES)[number];

export interface StorageArgs {
  stage: string;
  /** protected stages refuse to delete a bucket and never empty one on destroy */
  protect: boolean;
  retention: { silverDays: number; quarantineDays: number; goldDays: number | null; logsDays: number };
  /** how long replaced bootstrap objects (older job files, models) stay recoverable */
  bootstrapNoncurrentDays: number;
  bootstrapObjects: readonly BootstrapObject[];
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
      return [...tableRule('silver_device_day', retention.silverDays), ...tableRule('silver_quarantine', retention.quarantineDays)];
    case 'gold':
      return [...tableRule('gold_window', retention.goldDays), ...tableRule('gold_daily', retention.goldDays)];
    case 'logs':
      return [{ id: 'expire-logs', prefix: '', days: retention.logsDays }];
    case 'bootstrap':
      return [];
  }
}

export class Storage extends pulumi.ComponentResource {
  readonly bucketNames: Record<BucketRole, pulumi.Output<string>>;
  /** resolves once every bootstrap object is uploaded: jobs must not start before */
  readonly bootstrapUploaded: pulumi.Output<string[]>;

  constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super('pv-fault:infra:Storage', name, {}, opts);
    const parent = { parent: this };
    const buckets = {} as Record<BucketRole, aws.s3.Bucket>;

    for (const role of BUCKET_ROLES) {
      const id = `${name}-${role}`;
      const bucket = new aws.s3.Bucket(id, { forceDestroy: !args.protect, tags: { ...args.tags, role } }, { parent: this, protect: args.protect });
      buckets[role] = bucket;
      new aws.s3.BucketOwnershipControls(id, { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } }, parent);
      new aws.s3.BucketPublicAccessBlock(id, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, parent);
      new aws.s3.BucketServerSideEncryptionConfiguration(
        id,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
        parent,
      );
      new aws.s3.BucketPolicy(id, { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) }, parent);

      const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
        { id: 'abort-incomplete-uploads', status: 'Enabled', filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
        ...expiryRules(role, args.retention).map((r) => ({ id: r.id, status: 'Enabled', filter: { prefix: r.prefix }, expiration: { days: r.days } })),
      ];
      if (role === 'bootstrap') {
        new aws.s3.BucketVersioning(id, { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } }, parent);
        rules.push({ id: 'expire-replaced-versions', status: 'Enabled', filter: {}, noncurrentVersionExpiration: { noncurrentDays: args.bootstrapNoncurrentDays } });
      }
      new aws.s3.BucketLifecycleConfiguration(id, { bucket: bucket.id, rules }, parent);
    }

    const uploads = args.bootstrapObjects.map(
      (o) =>
        new aws.s3.BucketObjectv2(
          `${name}-bootstrap-${o.key.replace(/[^A-Za-z0-9.-]+/g, '-')}`,
          { bucket: buckets.bootstrap.id, key: o.key, source: new pulumi.asset.FileAsset(o.path), contentType: o.contentType, tags: args.tags },
          parent,
        ),
    );

    this.bucketNames = Object.fromEntries(BUCKET_ROLES.map((r) => [r, buckets[r].bucket])) as Record<BucketRole, pulumi.Output<string>>;
    this.bootstrapUploaded = pulumi.all(uploads.map((u) => u.key));
    this.registerOutputs({ bucketNames: this.bucketNames, bootstrapKeys: this.bootstrapUploaded });
  }
}

/**
 * WebDashboard: the operator's dashboard (dashboard/, issue 21) deployed by the stack,
 * with a sign-in that fits the IAM-authorised API.
 *
 * - The page: its built files (dashboard/build.ts) in a private bucket (encrypted, public
 *   access blocked, owner-enforced, TLS-only), read by CloudFront alone through Origin
 *   Access Control, served over HTTPS only with security headers (a CSP that lets the page
 *   talk to the API, Cognito and nothing else). Beside the bundle, config.json: the API's
 *   URL and the sign-in's ids, so the code carries no deployment's values.
 * - The sign-in: a Cognito user pool of operators an administrator creates (no self
 *   sign-up; strong passwords; MFA as the stack config says), its hosted UI with a public
 *   app client (authorization code with PKCE, back to the CloudFront URL only), and an
 *   identity pool without unauthenticated identities whose signed-in role may invoke the
 *   dashboard's GET routes of this API stage and nothing else. The page signs each API
 *   request with the role's temporary credentials (SigV4, dashboard/src/signer.ts).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { buildDashboardSync, type DashboardFiles } from '../dashboard/build';
import { CONFIG_PATH, type DashboardConfig } from '../dashboard/src/config';
import { DASHBOARD_ROUTES, routeArn } from './api';
import type { MfaSetting } from './config';
import { inlinePolicy } from './iam';
import { cloudFrontReadStatement, dashboardInvokePolicy, identityPoolTrustPolicy, tlsOnlyBucketPolicy } from './policies';

export interface WebDashboardArgs {
  stage: string;
  region: string;
  protect: boolean;
  /** the HTTP API the page reads: its URL, its execute-api ARN prefix and stage */
  api: { url: pulumi.Input<string>; executionArn: pulumi.Input<string>; stageName: pulumi.Input<string> };
  mfa: MfaSetting;
  authDomainPrefix: string;
  sessionHours: number;
  /** the built page; defaults to building dashboard/ now */
  files?: DashboardFiles;
  tags: Record<string, string>;
}

/** AWS's managed cache policy "CachingOptimized": honours the objects' Cache-Control, compresses. */
export const CACHING_OPTIMIZED_POLICY_ID = '658327ea-f89d-4fab-a63d-7e88639e58f6';

const MFA: Record<MfaSetting, 'OFF' | 'OPTIONAL' | 'ON'> = { off: 'OFF', optional: 'OPTIONAL', required: 'ON' };

/** The page's Content-Security-Policy: its own files, and requests to the API and Cognito only. */
export function contentSecurityPolicy(a: { apiUrl: string; region: string; authDomain: string }): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // uPlot sizes its elements with inline styles
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${a.apiUrl} https://cognito-identity.${a.region}.amazonaws.com ${a.authDomain}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The object key and cache of a built file: hashed chunks for a year, the rest revalidated on each load. */
function objectOf(path: string): { key: string; cacheControl: string } {
  if (path === '/') return { key: 'index.html', cacheControl: 'no-cache' };
  return { key: path.slice(1), cacheControl: path.startsWith('/chunks/') ? 'public, max-age=31536000, immutable' : 'no-cache' };
}

export class WebDashboard extends pulumi.ComponentResource {
  /** https://<distribution>.cloudfront.net/: what operators open, and the sign-in's only callback */
  readonly url: pulumi.Output<string>;
  readonly userPoolId: pulumi.Output<string>;
  readonly identityPoolId: pulumi.Output<string>;
  /** the hosted sign-in page's base URL */
  readonly authDomain: pulumi.Output<string>;
  readonly bucketName: pulumi.Output<string>;

  constructor(name: string, args: WebDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super('pv-fault:infra:WebDashboard', name, {}, opts);
    const parent = { parent: this };
    const files = args.files ?? buildDashboardSync();

    // --- the page's bucket: private, read by the distribution only -------------------------
    const bucket = new aws.s3.Bucket(`${name}-site`, { forceDestroy: !args.protect, tags: { ...args.tags, role: 'dashboard' } }, { parent: this, protect: args.protect });
    new aws.s3.BucketOwnershipControls(`${name}-site`, { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } }, parent);
    const publicBlock = new aws.s3.BucketPublicAccessBlock(`${name}-site`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, parent);
    // SSE-S3: CloudFront's OAC reads it without a key grant; the page is no secret, its data stays behind the API
    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-site`, { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] }, parent);
    new aws.s3.BucketLifecycleConfiguration(`${name}-site`, { bucket: bucket.id, rules: [{ id: 'abort-incomplete-uploads', status: 'Enabled', filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }] }, parent);

    const oac = new aws.cloudfront.OriginAccessControl(
      `${name}-site`,
      { name: `${name}-dashboard`, description: `PV fault dashboard (${args.stage}): CloudFront reads the page's bucket`, originAccessControlOriginType: 's3', signingBehavior: 'always', signingProtocol: 'sigv4' },
      parent,
    );

    // --- sign-in: the operators' user pool, its hosted UI and the identity pool ------------
    const userPool = new aws.cognito.UserPool(
      `${name}-operators`,
      {
        name: `${name}-operators`,
        // operators are created by an administrator (docs/deploy.md); nobody signs themselves up
        adminCreateUserConfig: { allowAdminCreateUserOnly: true },
        usernameAttributes: ['email'],
        autoVerifiedAttributes: ['email'],
        passwordPolicy: { minimumLength: 14, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 3 },
        mfaConfiguration: MFA[args.mfa],
        ...(args.mfa === 'off' ? {} : { softwareTokenMfaConfiguration: { enabled: true } }),
        accountRecoverySetting: { recoveryMechanisms: [{ name: 'verified_email', priority: 1 }] },
        deletionProtection: args.protect ? 'ACTIVE' : 'INACTIVE',
        tags: args.tags,
      },
      { parent: this, protect: args.protect },
    );
    // the classic hosted UI (1): it needs no branding resource, and signs in by the OAuth flows alone (the client's explicitAuthFlows)
    const domain = new aws.cognito.UserPoolDomain(`${name}-operators`, { domain: args.authDomainPrefix, userPoolId: userPool.id, managedLoginVersion: 1 }, parent);
    const authDomain = pulumi.interpolate`https://${domain.domain}.auth.${args.region}.amazoncognito.com`;

    const headers = new aws.cloudfront.ResponseHeadersPolicy(
      `${name}-site`,
      {
        name: `${name}-dashboard-security`,
        comment: `PV fault dashboard (${args.stage}): security headers`,
        securityHeadersConfig: {
          strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, preload: false, override: true },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: 'DENY', override: true },
          referrerPolicy: { referrerPolicy: 'no-referrer', override: true },
          contentSecurityPolicy: {
            contentSecurityPolicy: pulumi.all([args.api.url, authDomain]).apply(([apiUrl, auth]) => contentSecurityPolicy({ apiUrl, region: args.region, authDomain: auth })),
            override: true,
          },
        },
      },
      parent,
    );

    const originId = 'dashboard-bucket';
    const distribution = new aws.cloudfront.Distribution(
      `${name}-site`,
      {
        enabled: true,
        comment: `PV fault dashboard (${args.stage})`,
        defaultRootObject: 'index.html',
        httpVersion: 'http2and3',
        isIpv6Enabled: true,
        priceClass: 'PriceClass_100',
        origins: [{ originId, domainName: bucket.bucketRegionalDomainName, originAccessControlId: oac.id }],
        defaultCacheBehavior: {
          targetOriginId: originId,
          viewerProtocolPolicy: 'https-only',
          allowedMethods: ['GET', 'HEAD'],
          cachedMethods: ['GET', 'HEAD'],
          compress: true,
          cachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
          responseHeadersPolicyId: headers.id,
        },
        restrictions: { geoRestriction: { restrictionType: 'none' } },
        viewerCertificate: { cloudfrontDefaultCertificate: true },
        tags: args.tags,
      },
      parent,
    );
    const url = pulumi.interpolate`https://${distribution.domainName}/`;

    new aws.s3.BucketPolicy(
      `${name}-site`,
      { bucket: bucket.id, policy: pulumi.all([bucket.arn, distribution.arn]).apply(([arn, dist]) => JSON.stringify(tlsOnlyBucketPolicy(arn, cloudFrontReadStatement(arn, dist)))) },
      // S3 refuses any bucket policy before the public access block is in place
      { parent: this, dependsOn: [publicBlock] },
    );

    const client = new aws.cognito.UserPoolClient(
      `${name}-dashboard`,
      {
        name: `${name}-dashboard`,
        userPoolId: userPool.id,
        // a browser keeps no secret: a public client, its code bound to the page by PKCE
        generateSecret: false,
        allowedOauthFlowsUserPoolClient: true,
        allowedOauthFlows: ['code'],
        allowedOauthScopes: ['openid', 'email'],
        supportedIdentityProviders: ['COGNITO'],
        callbackUrls: [url],
        logoutUrls: [url],
        // sign-in through the hosted UI only; the page refreshes its tokens
        explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        preventUserExistenceErrors: 'ENABLED',
        enableTokenRevocation: true,
        idTokenValidity: 60,
        accessTokenValidity: 60,
        refreshTokenValidity: args.sessionHours,
        tokenValidityUnits: { idToken: 'minutes', accessToken: 'minutes', refreshToken: 'hours' },
      },
      parent,
    );

    const identityPool = new aws.cognito.IdentityPool(
      `${name}-operators`,
      {
        identityPoolName: `pv_fault_${args.stage}_dashboard`,
        allowUnauthenticatedIdentities: false,
        // the enhanced flow only: Cognito picks the role, a caller cannot name another
        allowClassicFlow: false,
        cognitoIdentityProviders: [{ clientId: client.id, providerName: userPool.endpoint, serverSideTokenCheck: true }],
        tags: args.tags,
      },
      parent,
    );
    const role = new aws.iam.Role(`${name}-dashboard-operator`, { assumeRolePolicy: identityPool.id.apply((id) => JSON.stringify(identityPoolTrustPolicy(id))), tags: args.tags }, parent);
    inlinePolicy(
      `${name}-dashboard-invoke`,
      role,
      pulumi.all([args.api.executionArn, args.api.stageName]).apply(([arn, stage]) => dashboardInvokePolicy(DASHBOARD_ROUTES.map((r) => routeArn(arn, stage, r)))),
      this,
    );
    // authenticated only: no unauthenticated role exists to attach
    new aws.cognito.IdentityPoolRoleAttachment(`${name}-operators`, { identityPoolId: identityPool.id, roles: { authenticated: role.arn } }, parent);

    // --- the page's files and its config ------------------------------------------------------
    for (const [path, file] of files) {
      const { key, cacheControl } = objectOf(path);
      new aws.s3.BucketObjectv2(
        `${name}-site-${key.replace(/[^A-Za-z0-9.-]+/g, '-')}`,
        { bucket: bucket.id, key, content: Buffer.from(file.body).toString('utf8'), contentType: file.contentType, cacheControl, tags: args.tags },
        parent,
      );
    }
    const config: pulumi.Output<DashboardConfig> = pulumi.all([args.api.url, userPool.id, client.id, identityPool.id, authDomain, url]).apply(([apiUrl, userPoolId, userPoolClientId, identityPoolId, auth, redirectUri]) => ({
      apiUrl,
      auth: { region: args.region, userPoolId, userPoolClientId, identityPoolId, authDomain: auth, redirectUri },
    }));
    new aws.s3.BucketObjectv2(
      `${name}-site-config`,
      { bucket: bucket.id, key: CONFIG_PATH, content: config.apply((c) => JSON.stringify(c)), contentType: 'application/json', cacheControl: 'no-cache', tags: args.tags },
      parent,
    );

    this.url = url;
    this.userPoolId = userPool.id;
    this.identityPoolId = identityPool.id;
    this.authDomain = authDomain;
    this.bucketName = bucket.bucket;
    this.registerOutputs({ url, userPoolId: this.userPoolId, identityPoolId: this.identityPoolId, authDomain, bucketName: this.bucketName });
  }
}

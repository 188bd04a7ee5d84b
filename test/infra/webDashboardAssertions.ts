/**
 * The operator's dashboard as the stack deploys it (infra/webDashboard.ts), and the API's
 * side of it (the series route, the lookup's read of silver), on the mocked stack.
 */
import { API_ROUTES, DASHBOARD_ROUTES } from '../../infra/api';
import { CACHING_OPTIMIZED_POLICY_ID } from '../../infra/webDashboard';
import { TABLES } from '../../contracts/tableSpecs';
import { parseConfig } from '../../dashboard/src/config';
import { ACCOUNT, REGION, type MockStack, type RecordedResource } from './mockStack';
import { checkIdentityStatement, list, statements } from './policyChecks';

export function describeWebDashboard(stage: 'dev' | 'prod', built: () => MockStack): void {
  const bucketOfRole = (stack: MockStack, role: string) => stack.bucket(role);
  const forBucket = (stack: MockStack, type: string, bucket: RecordedResource) => stack.ofType(type).filter((r) => r.inputs.bucket === bucket.state.bucket);

  describe(`${stage}: the API's side of the dashboard`, () => {
    it.each(['GET /devices/{deviceId}/series', 'GET /devices/{deviceId}/scalogram'])('routes %s to the lookup, signed like every route', (key) => {
      const stack = built();
      const route = stack.ofType('aws:apigatewayv2/route:Route').find((r) => r.inputs.routeKey === key);
      expect(route?.inputs.authorizationType).toBe('AWS_IAM');
      const integration = stack.one('aws:apigatewayv2/integration:Integration');
      expect(route?.inputs.target).toBe(`integrations/${integration.id}`);
    });

    it("lets the lookup Lambda read silver's device_day objects and nothing else of silver, and tells it the bucket", () => {
      const stack = built();
      const silver = bucketOfRole(stack, 'silver');
      const lookup = stack.one('aws:lambda/function:Function', '-lookup');
      expect((lookup.inputs.environment as { variables: Record<string, string> }).variables.SILVER_BUCKET).toBe(silver.state.bucket);
      const policy = stack.one('aws:iam/rolePolicy:RolePolicy', '-lookup-silver');
      const grants = statements(policy).flatMap((s) => list(s.Action).flatMap((a) => list(s.Resource).map((r) => `${a} ${r}`)));
      const s3 = grants.filter((g) => g.startsWith('s3:'));
      expect(s3).toEqual([`s3:GetObject ${silver.state.arn as string}/${TABLES.silver_device_day.prefix}/*`]);
      const kms = statements(policy).filter((s) => list(s.Action).some((a) => a.startsWith('kms:')));
      if (stack.config.kmsEncryption) {
        expect(kms).toEqual([expect.objectContaining({ Action: ['kms:Decrypt'], Condition: { StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } } })]);
      } else expect(kms).toEqual([]);
    });
  });

  describe(`${stage}: the operator's dashboard`, () => {
    const enabled = () => built().config.webDashboard !== null;

    it('is deployed by the stack as the stage config says', () => {
      const stack = built();
      expect(stack.ofType('pv-fault:infra:WebDashboard')).toHaveLength(enabled() ? 1 : 0);
      expect(stack.platform.webDashboard === null).toBe(!enabled());
    });

    it('keeps the page in a private bucket that only the distribution reads, through Origin Access Control', () => {
      if (!enabled()) return;
      const stack = built();
      const site = bucketOfRole(stack, 'dashboard');
      expect(forBucket(stack, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', site)[0]!.inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
      expect((forBucket(stack, 'aws:s3/bucketOwnershipControls:BucketOwnershipControls', site)[0]!.inputs.rule as { objectOwnership: string }).objectOwnership).toBe('BucketOwnerEnforced');
      expect(site.inputs.forceDestroy).toBe(!stack.config.protect);

      const distribution = stack.one('aws:cloudfront/distribution:Distribution');
      const oac = stack.one('aws:cloudfront/originAccessControl:OriginAccessControl');
      expect(oac.inputs).toMatchObject({ originAccessControlOriginType: 's3', signingBehavior: 'always', signingProtocol: 'sigv4' });
      const origins = distribution.inputs.origins as { domainName: string; originAccessControlId?: string; s3OriginConfig?: unknown; customOriginConfig?: unknown }[];
      expect(origins).toHaveLength(1);
      expect(origins[0]).toMatchObject({ domainName: site.state.bucketRegionalDomainName, originAccessControlId: oac.id });
      // no legacy origin access identity, no website endpoint
      expect(origins[0]!.s3OriginConfig).toBeUndefined();
      expect(origins[0]!.customOriginConfig).toBeUndefined();

      const [policy, ...more] = forBucket(stack, 'aws:s3/bucketPolicy:BucketPolicy', site);
      expect(more).toEqual([]);
      const allow = statements(policy!).filter((s) => s.Effect === 'Allow');
      expect(allow).toEqual([
        {
          Sid: 'CloudFrontRead',
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: ['s3:GetObject'],
          Resource: [`${site.state.arn as string}/*`],
          Condition: { StringEquals: { 'AWS:SourceArn': distribution.state.arn } },
        },
      ]);
      // nothing else may write or read it: no role holds a grant on the page's bucket
      for (const r of stack.ofType('aws:iam/rolePolicy:RolePolicy')) {
        for (const s of statements(r)) for (const res of list(s.Resource)) expect(res.startsWith(site.state.arn as string)).toBe(false);
      }
    });

    it('serves over HTTPS only, with security headers that let the page reach the API and Cognito only', () => {
      if (!enabled()) return;
      const stack = built();
      const distribution = stack.one('aws:cloudfront/distribution:Distribution');
      const behaviours = [distribution.inputs.defaultCacheBehavior, ...((distribution.inputs.orderedCacheBehaviors as unknown[] | undefined) ?? [])] as { viewerProtocolPolicy: string; allowedMethods: string[]; responseHeadersPolicyId: string; cachePolicyId: string }[];
      for (const b of behaviours) {
        expect(b.viewerProtocolPolicy).toBe('https-only');
        expect([...b.allowedMethods].sort()).toEqual(['GET', 'HEAD']);
      }
      expect(behaviours[0]!.cachePolicyId).toBe(CACHING_OPTIMIZED_POLICY_ID);
      expect(distribution.inputs.defaultRootObject).toBe('index.html');
      const headers = stack.one('aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy');
      expect(behaviours[0]!.responseHeadersPolicyId).toBe(headers.id);
      const security = headers.inputs.securityHeadersConfig as Record<string, Record<string, unknown>>;
      expect(security.strictTransportSecurity).toMatchObject({ override: true });
      expect(security.strictTransportSecurity!.accessControlMaxAgeSec as number).toBeGreaterThanOrEqual(31536000);
      expect(security.contentTypeOptions).toMatchObject({ override: true });
      expect(security.frameOptions).toMatchObject({ frameOption: 'DENY' });
      const csp = String(security.contentSecurityPolicy!.contentSecurityPolicy);
      const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
      expect(directives['default-src']).toEqual(["'none'"]);
      expect(directives['script-src']).toEqual(["'self'"]);
      expect(directives['frame-ancestors']).toEqual(["'none'"]);
      const apiUrl = stack.one('aws:apigatewayv2/api:Api').state.apiEndpoint as string;
      const domain = stack.one('aws:cognito/userPoolDomain:UserPoolDomain').inputs.domain as string;
      expect([...directives['connect-src']!].sort()).toEqual(["'self'", apiUrl, `https://cognito-identity.${REGION}.amazonaws.com`, `https://${domain}.auth.${REGION}.amazoncognito.com`].sort());
    });

    it('signs in operators an administrator created: no self sign-up, a strong password, MFA as the stage says', () => {
      if (!enabled()) return;
      const stack = built();
      const pool = stack.one('aws:cognito/userPool:UserPool');
      expect(pool.inputs.adminCreateUserConfig).toMatchObject({ allowAdminCreateUserOnly: true });
      const password = pool.inputs.passwordPolicy as Record<string, unknown>;
      expect(password.minimumLength as number).toBeGreaterThanOrEqual(12);
      expect(password).toMatchObject({ requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true });
      expect(pool.inputs.mfaConfiguration).toBe({ off: 'OFF', optional: 'OPTIONAL', required: 'ON' }[stack.config.webDashboard!.mfa]);
      expect(pool.inputs.mfaConfiguration).toBe(stage === 'prod' ? 'ON' : 'OPTIONAL');
      expect(pool.inputs.deletionProtection).toBe(stack.config.protect ? 'ACTIVE' : 'INACTIVE');

      const client = stack.one('aws:cognito/userPoolClient:UserPoolClient');
      const url = `https://${stack.one('aws:cloudfront/distribution:Distribution').state.domainName as string}/`;
      expect(client.inputs).toMatchObject({ generateSecret: false, allowedOauthFlowsUserPoolClient: true, allowedOauthFlows: ['code'], supportedIdentityProviders: ['COGNITO'], callbackUrls: [url], logoutUrls: [url] });
      // no password sign-in through the API, only the hosted UI
      expect(client.inputs.explicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
      expect(stack.one('aws:cognito/userPoolDomain:UserPoolDomain').inputs.domain).toBe(stack.config.webDashboard!.authDomainPrefix);
    });

    it('gives no identity to anyone not signed in, and the signed-in role only to the pool', () => {
      if (!enabled()) return;
      const stack = built();
      const identityPool = stack.one('aws:cognito/identityPool:IdentityPool');
      expect(identityPool.inputs.allowUnauthenticatedIdentities).toBe(false);
      expect(identityPool.inputs.allowClassicFlow).toBe(false);
      const userPool = stack.one('aws:cognito/userPool:UserPool');
      const client = stack.one('aws:cognito/userPoolClient:UserPoolClient');
      expect(identityPool.inputs.cognitoIdentityProviders).toEqual([{ clientId: client.id, providerName: userPool.state.endpoint, serverSideTokenCheck: true }]);
      const attachment = stack.one('aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment');
      const role = stack.one('aws:iam/role:Role', '-dashboard-operator');
      expect(attachment.inputs.identityPoolId).toBe(identityPool.id);
      expect(attachment.inputs.roles).toEqual({ authenticated: role.state.arn });
      expect(attachment.inputs.roleMappings).toBeUndefined();
      expect(statements(role, 'assumeRolePolicy')).toEqual([
        {
          Sid: 'SignedInOperators',
          Effect: 'Allow',
          Principal: { Federated: 'cognito-identity.amazonaws.com' },
          Action: ['sts:AssumeRoleWithWebIdentity'],
          Condition: { StringEquals: { 'cognito-identity.amazonaws.com:aud': identityPool.id }, 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } },
        },
      ]);
    });

    it("lets a signed-in operator invoke exactly the dashboard's GET routes of this API stage", async () => {
      if (!enabled()) return;
      const stack = built();
      const role = stack.one('aws:iam/role:Role', '-dashboard-operator');
      const policies = stack.ofType('aws:iam/rolePolicy:RolePolicy').filter((p) => p.inputs.role === role.id);
      expect(policies).toHaveLength(1);
      const parsed = JSON.parse(policies[0]!.inputs.policy as string) as { Statement: { Effect: string; Action: string[]; Resource: string[] }[] };
      expect(parsed.Statement).toHaveLength(1);
      const [s] = parsed.Statement;
      expect(s!.Effect).toBe('Allow');
      expect(s!.Action).toEqual(['execute-api:Invoke']);
      const api = stack.one('aws:apigatewayv2/api:Api');
      const apiStage = stack.one('aws:apigatewayv2/stage:Stage').inputs.name as string;
      const executionArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${api.id}`;
      expect(api.state.executionArn).toBe(executionArn);
      expect([...s!.Resource].sort()).toEqual(
        [
          `${executionArn}/${apiStage}/GET/days`,
          `${executionArn}/${apiStage}/GET/fleet`,
          `${executionArn}/${apiStage}/GET/devices/*/predictions`,
          `${executionArn}/${apiStage}/GET/devices/*/series`,
          `${executionArn}/${apiStage}/GET/devices/*/scalogram`,
        ].sort(),
      );
      // every one a GET route the API has; the others (status, faults) are not the page's
      for (const r of DASHBOARD_ROUTES) expect(API_ROUTES).toContain(r);
      expect(DASHBOARD_ROUTES.every((r) => r.startsWith('GET '))).toBe(true);
      for (const arn of s!.Resource) expect(arn).not.toMatch(/\*\/\*|\/\*$|\/(status|faults)$/);
      expect(await checkIdentityStatement(policies[0]!.name, { ...s!, Sid: 'x' })).toEqual([]);
    });

    it('uploads the built page and a config.json that points it at this API and this sign-in', () => {
      if (!enabled()) return;
      const stack = built();
      const site = bucketOfRole(stack, 'dashboard');
      const objects = forBucket(stack, 'aws:s3/bucketObjectv2:BucketObjectv2', site);
      const byKey = new Map(objects.map((o) => [o.inputs.key as string, o]));
      for (const key of ['index.html', 'app.js', 'app.css', 'config.json']) expect(byKey.has(key)).toBe(true);
      expect(byKey.get('index.html')!.inputs).toMatchObject({ contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' });
      const chunks = [...byKey.keys()].filter((k) => k.startsWith('chunks/'));
      expect(chunks.length).toBeGreaterThan(0);
      for (const k of chunks) expect(byKey.get(k)!.inputs.cacheControl).toMatch(/immutable/);
      const config = parseConfig(JSON.parse(byKey.get('config.json')!.inputs.content as string));
      const url = `https://${stack.one('aws:cloudfront/distribution:Distribution').state.domainName as string}/`;
      expect(config).toEqual({
        apiUrl: stack.one('aws:apigatewayv2/api:Api').state.apiEndpoint,
        auth: {
          region: REGION,
          userPoolId: stack.one('aws:cognito/userPool:UserPool').id,
          userPoolClientId: stack.one('aws:cognito/userPoolClient:UserPoolClient').id,
          identityPoolId: stack.one('aws:cognito/identityPool:IdentityPool').id,
          authDomain: `https://${stack.config.webDashboard!.authDomainPrefix}.auth.${REGION}.amazoncognito.com`,
          redirectUri: url,
        },
      });
      // the code carries no deployment's values
      for (const o of objects.filter((o) => (o.inputs.key as string).endsWith('.js'))) expect(o.inputs.content as string).not.toContain(config.auth!.identityPoolId);
    });
  });
}

/**
 * The deployed page's sign-in and signed requests in a real browser (Debian's Chromium,
 * headless), with AWS played on loopback by the test: every request the page makes is
 * intercepted (nothing leaves the machine). The page is served as CloudFront would serve
 * it, with the stack's Content-Security-Policy (infra/webDashboard.ts) and a config.json
 * with auth. The Cognito hosted UI answers the authorize request with a code, and its
 * token endpoint checks the PKCE verifier against the challenge. Cognito Identity
 * answers GetId and GetCredentialsForIdentity for the ID token. The "API Gateway"
 * recomputes each request's SigV4 signature (the SDK's signer, over the headers the
 * request says it signed, at its x-amz-date) and answers 403 on any mismatch, as API
 * Gateway's IAM authorisation would, before passing the request to the real lookup
 * handler over s3rver.
 *
 * What this cannot show: that AWS's own services accept these requests (docs/deploy.md).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Request, type Route } from 'playwright-core';
import { buildDashboard, type DashboardFiles } from '../../dashboard/build';
import type { DashboardConfig } from '../../dashboard/src/config';
import { createHandler } from '../../functions/api/handler';
import { contentSecurityPolicy } from '../../infra/webDashboard';
import type { LocalS3 } from '../../local/localS3';
import { deviceName, expectedLabel, FIXTURE_DATES } from '../helpers/goldFixture';
import { CHROMIUM, dashboardBackend, SHOTS } from './backend';

const DEVICES = 12;
const NOW = Date.UTC(2026, 10, 20, 12);
const NEWEST = FIXTURE_DATES[FIXTURE_DATES.length - 1]!;

const REGION = 'eu-west-1';
const SITE = 'https://d111111abcdef8.cloudfront.net';
const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const AUTH_DOMAIN = 'https://pv-fault-dev-ops.auth.eu-west-1.amazoncognito.com';
const IDENTITY = `https://cognito-identity.${REGION}.amazonaws.com`;
const CONFIG: DashboardConfig = {
  apiUrl: API,
  auth: {
    region: REGION,
    userPoolId: 'eu-west-1_AbC123',
    userPoolClientId: '3n4b5urk1ft4fl3mg5e62d9ado',
    identityPoolId: 'eu-west-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    authDomain: AUTH_DOMAIN,
    redirectUri: `${SITE}/`,
  },
};
const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvcGVyYXRvciJ9.c2lnbmF0dXJl';
const CREDENTIALS = { accessKeyId: 'ASIAOPERATOREXAMPLE', secretAccessKey: 'operator/secret/EXAMPLEKEY', sessionToken: 'session-token-from-cognito-identity' };

let s3: LocalS3;
let files: DashboardFiles;
let api: ReturnType<typeof createHandler>;
let browser: Browser;

beforeAll(async () => {
  ({ s3, api } = await dashboardBackend(DEVICES, NOW));
  files = await buildDashboard();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await s3?.stop();
});

/** What the fake AWS saw. */
interface Seen {
  authorize: URLSearchParams[];
  tokenRequests: URLSearchParams[];
  identityCalls: { target: string; body: Record<string, unknown> }[];
  apiCalls: { path: string; signed: boolean; why?: string }[];
  logout: URLSearchParams[];
}

const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-expose-headers': 'etag' };

/** API Gateway's check: the same signature from the same signed headers at the request's own x-amz-date. */
async function verifySignature(request: Request): Promise<string | null> {
  const headers = await request.allHeaders();
  const auth = headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(auth);
  if (!m) return `no SigV4 authorization header: ${JSON.stringify(auth)}`;
  const [, keyId, region, service, signedHeaders] = m as unknown as [string, string, string, string, string];
  if (keyId !== CREDENTIALS.accessKeyId || region !== REGION || service !== 'execute-api') return `signed for ${keyId}/${region}/${service}`;
  const url = new URL(request.url());
  const signed: Record<string, string> = {};
  for (const h of signedHeaders.split(';')) signed[h] = h === 'host' ? url.host : (headers[h] ?? '');
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(headers['x-amz-date'] ?? '');
  if (!date) return 'no x-amz-date';
  const signingDate = new Date(Date.UTC(+date[1]!, +date[2]! - 1, +date[3]!, +date[4]!, +date[5]!, +date[6]!));
  const { 'x-amz-date': _d, ...rest } = signed;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials: CREDENTIALS, sha256: Sha256, uriEscapePath: true, applyChecksum: false });
  const expected = await signer.sign({ method: request.method(), protocol: 'https:', hostname: url.hostname, path: url.pathname, query, headers: rest }, { signingDate });
  return expected.headers.authorization === auth ? null : 'signature mismatch';
}

async function fakeAws(context: BrowserContext, seen: Seen): Promise<void> {
  let challenge = '';
  await context.route('**/*', async (route: Route, request: Request) => {
    const url = new URL(request.url());
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: CORS });
    if (url.origin === SITE) {
      const csp = contentSecurityPolicy({ apiUrl: API, region: REGION, authDomain: AUTH_DOMAIN });
      const headers = { 'content-security-policy': csp, 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' };
      if (url.pathname === '/config.json') return route.fulfill({ status: 200, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(CONFIG) });
      const file = files.get(url.pathname === '/index.html' ? '/' : url.pathname);
      if (!file) return route.fulfill({ status: 403, body: 'AccessDenied' });
      return route.fulfill({ status: 200, headers: { ...headers, 'content-type': file.contentType }, body: Buffer.from(file.body) });
    }
    if (url.origin === AUTH_DOMAIN && url.pathname === '/oauth2/authorize') {
      seen.authorize.push(url.searchParams);
      challenge = url.searchParams.get('code_challenge') ?? '';
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', 'the-code');
      back.searchParams.set('state', url.searchParams.get('state')!);
      return route.fulfill({ status: 302, headers: { location: back.toString() } });
    }
    if (url.origin === AUTH_DOMAIN && url.pathname === '/oauth2/token') {
      const form = new URLSearchParams(request.postData() ?? '');
      seen.tokenRequests.push(form);
      const verifier = form.get('code_verifier') ?? '';
      const s256 = createHash('sha256').update(verifier).digest('base64url');
      if (form.get('code') !== 'the-code' || s256 !== challenge) return route.fulfill({ status: 400, headers: CORS, contentType: 'application/json', body: '{"error":"invalid_grant"}' });
      return route.fulfill({ status: 200, headers: CORS, contentType: 'application/json', body: JSON.stringify({ id_token: ID_TOKEN, access_token: 'access', refresh_token: 'refresh', expires_in: 3600, token_type: 'Bearer' }) });
    }
    if (url.origin === AUTH_DOMAIN && url.pathname === '/logout') {
      seen.logout.push(url.searchParams);
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Signed out</title><p>Signed out</p>' });
    }
    if (url.origin === IDENTITY) {
      const target = (await request.allHeaders())['x-amz-target'] ?? '';
      const body = JSON.parse(request.postData() ?? '{}') as Record<string, unknown>;
      seen.identityCalls.push({ target, body });
      const logins = body.Logins as Record<string, string> | undefined;
      if (logins?.[`cognito-idp.${REGION}.amazonaws.com/${CONFIG.auth!.userPoolId}`] !== ID_TOKEN) {
        return route.fulfill({ status: 400, headers: CORS, contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: 'NotAuthorizedException', message: 'Invalid login token.' }) });
      }
      const identityId = `${REGION}:11111111-2222-3333-4444-555555555555`;
      const answer =
        target === 'AWSCognitoIdentityService.GetId'
          ? { IdentityId: identityId }
          : { IdentityId: identityId, Credentials: { AccessKeyId: CREDENTIALS.accessKeyId, SecretKey: CREDENTIALS.secretAccessKey, SessionToken: CREDENTIALS.sessionToken, Expiration: Math.floor(Date.now() / 1000) + 3600 } };
      return route.fulfill({ status: 200, headers: CORS, contentType: 'application/x-amz-json-1.1', body: JSON.stringify(answer) });
    }
    if (url.origin === API) {
      const why = await verifySignature(request);
      seen.apiCalls.push({ path: url.pathname, signed: why === null, ...(why ? { why } : {}) });
      if (why) return route.fulfill({ status: 403, headers: CORS, contentType: 'application/json', body: JSON.stringify({ message: 'Forbidden' }) });
      const r = await api({ rawPath: url.pathname, queryStringParameters: Object.fromEntries(url.searchParams), headers: {}, requestContext: { http: { method: 'GET' } } });
      return route.fulfill({ status: r.statusCode, headers: { ...r.headers, ...CORS }, body: r.body });
    }
    return route.fulfill({ status: 599, body: `unexpected request to ${url.origin}` });
  });
}

describe('the deployed page in Chromium, against a fake AWS', () => {
  it('signs in through the hosted UI with PKCE, comes back to the shared link, and signs every API request', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const seen: Seen = { authorize: [], tokenRequests: [], identityCalls: [], apiCalls: [], logout: [] };
    await fakeAws(context, seen);
    const errors: string[] = [];
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    // CSP violations are reported on the console as errors
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });

    const device = deviceName(8);
    // a window chosen too: the scalogram is the fifth route the operator's role may call
    const shared = `/?date=${NEWEST}&device=${device}&window=30`;
    await page.goto(`${SITE}${shared}`);
    await page.waitForFunction(() => document.querySelectorAll('#device-body canvas').length >= 5, undefined, { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('#scalogram-body canvas[data-channel]').length === 4, undefined, { timeout: 30_000 });

    // the hosted UI was asked for a code with PKCE, for this client, back to the site
    expect(seen.authorize).toHaveLength(1);
    const a = seen.authorize[0]!;
    expect(Object.fromEntries(a)).toMatchObject({ response_type: 'code', client_id: CONFIG.auth!.userPoolClientId, redirect_uri: `${SITE}/`, scope: 'openid email', code_challenge_method: 'S256' });
    expect(a.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(seen.tokenRequests.map((f) => f.get('grant_type'))).toEqual(['authorization_code']);
    expect(seen.identityCalls.map((c) => c.target)).toEqual(['AWSCognitoIdentityService.GetId', 'AWSCognitoIdentityService.GetCredentialsForIdentity']);
    expect(seen.identityCalls[0]!.body.IdentityPoolId).toBe(CONFIG.auth!.identityPoolId);

    // back on the link the operator opened, without the code
    expect(page.url()).toBe(`${SITE}${shared}`);
    // every API request signed and verified
    expect(seen.apiCalls.length).toBeGreaterThanOrEqual(5);
    expect(seen.apiCalls.filter((c) => !c.signed)).toEqual([]);
    expect(new Set(seen.apiCalls.map((c) => c.path))).toEqual(new Set(['/days', '/fleet', `/devices/${device}/predictions`, `/devices/${device}/series`, `/devices/${device}/scalogram`]));
    expect(await page.locator('#fleet-summary').textContent()).toMatch(new RegExp(`^${DEVICES} devices on ${NEWEST}`));
    expect(await page.locator('#device-alarm').textContent()).toMatch(new RegExp(`^Alarm: ${expectedLabel(8, FIXTURE_DATES.length - 1).replace(/_/g, ' ')}`));
    // the page, its charts and the sign-in under the stack's CSP: no violation, no error
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'signed-device.png'), fullPage: true });

    // a reload keeps the sign-in (this tab's tokens): no second trip to the hosted UI
    await page.reload();
    await page.waitForFunction(() => /devices on/.test(document.getElementById('fleet-summary')?.textContent ?? ''));
    expect(seen.authorize).toHaveLength(1);

    // Sign out ends the hosted UI's session and comes back to the site
    await page.locator('#sign-out').click();
    await page.waitForURL(`${AUTH_DOMAIN}/logout**`);
    expect(Object.fromEntries(seen.logout[0]!)).toEqual({ client_id: CONFIG.auth!.userPoolClientId, logout_uri: `${SITE}/` });
    await context.close();
  }, 90_000);

  it("does not exchange a stale code from a bookmarked link: signs in afresh and drops it from the URL", async () => {
    const context = await browser.newContext();
    const seen: Seen = { authorize: [], tokenRequests: [], identityCalls: [], apiCalls: [], logout: [] };
    await fakeAws(context, seen);
    const page = await context.newPage();
    await page.goto(`${SITE}/?date=${NEWEST}&code=stale&state=stale`);
    await page.waitForFunction(() => /devices on/.test(document.getElementById('fleet-summary')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(seen.authorize).toHaveLength(1);
    expect(seen.tokenRequests.map((f) => f.get('code'))).toEqual(['the-code']);
    expect(page.url()).toBe(`${SITE}/?date=${NEWEST}`);
    await context.close();
  }, 90_000);

  it('shows API Gateway’s refusal when a signature does not hold', async () => {
    const context = await browser.newContext();
    const seen: Seen = { authorize: [], tokenRequests: [], identityCalls: [], apiCalls: [], logout: [] };
    await fakeAws(context, seen);
    // a tampered query after signing: what a wrong canonical request would look like to API Gateway
    await context.route(`${API}/days`, (route) => route.fallback({ url: `${API}/days?tampered=1` }));
    const page = await context.newPage();
    await page.goto(`${SITE}/`);
    await page.waitForFunction(() => /API answered/.test(document.getElementById('fleet-summary')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await page.locator('#fleet-summary').textContent()).toBe('The API answered 403: Forbidden');
    expect(seen.apiCalls).toEqual([{ path: '/days', signed: false, why: 'signature mismatch' }]);
    await context.close();
  }, 90_000);
});

/**
 * The page's config.json and how it reaches the API (no browser): unsigned through the
 * plain fetch when the config has no auth (npm start), through the signing fetch only
 * when it does; and the signer is AWS's SigV4, checked on AWS's published test vector.
 */
import { CONFIG_PATH, ConfigProblem, LOCAL_CONFIG, loadConfig, parseConfig, type DashboardConfig } from '../../dashboard/src/config';
import { cachedCredentials, signingFetch } from '../../dashboard/src/signer';
import { connect, type SignIn } from '../../dashboard/src/transport';
import type { ApiFetch } from '../../dashboard/src/api';

const AUTH = {
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_AbC123',
  userPoolClientId: '3n4b5urk1ft4fl3mg5e62d9ado',
  identityPoolId: 'eu-west-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  authDomain: 'https://pv-fault-dev-ops.auth.eu-west-1.amazoncognito.com',
  redirectUri: 'https://d111111abcdef8.cloudfront.net/',
};
const SIGNED: DashboardConfig = { apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com', auth: AUTH };

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('config.json', () => {
  it('reads the local config and the stack config', () => {
    expect(parseConfig(JSON.parse(JSON.stringify(LOCAL_CONFIG)))).toEqual({ apiUrl: '', auth: null });
    expect(parseConfig({ apiUrl: `${SIGNED.apiUrl}/`, auth: AUTH })).toEqual(SIGNED);
  });

  it.each([
    [null, '(root)'],
    [{ apiUrl: 'http://api.example.com', auth: null }, 'apiUrl'],
    [{ apiUrl: '', auth: AUTH }, 'apiUrl'],
    [{ apiUrl: SIGNED.apiUrl, auth: { ...AUTH, identityPoolId: 'us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' } }, 'auth.identityPoolId'],
    [{ apiUrl: SIGNED.apiUrl, auth: { ...AUTH, redirectUri: 'http://d111111abcdef8.cloudfront.net/' } }, 'auth.redirectUri'],
    [{ apiUrl: SIGNED.apiUrl, auth: { ...AUTH, userPoolClientId: undefined } }, 'auth.userPoolClientId'],
  ])('refuses %j naming %s', (raw, key) => {
    expect(() => parseConfig(raw)).toThrow(new RegExp(`^${CONFIG_PATH.replace('.', '\\.')} ${key.replace(/[.()]/g, '\\$&')}: `));
  });

  it('fetches config.json beside the page and says when it is missing', async () => {
    const asked: string[] = [];
    const fetchFn = (async (url: string) => {
      asked.push(url);
      return json(SIGNED);
    }) as unknown as typeof fetch;
    await expect(loadConfig(fetchFn)).resolves.toEqual(SIGNED);
    expect(asked).toEqual(['config.json']);
    await expect(loadConfig((async () => new Response('', { status: 404, statusText: 'Not Found' })) as unknown as typeof fetch)).rejects.toThrow(ConfigProblem);
  });
});

describe('connect: the signer is injected only when the config says so', () => {
  const recording = () => {
    const calls: { url: string; headers: Record<string, string> }[] = [];
    const f: ApiFetch = async (url, init) => {
      calls.push({ url, headers: init.headers });
      return json({ timeZone: 'Europe/Madrid', days: ['2026-12-01'] });
    };
    return { calls, f };
  };

  it('locally: the plain fetch on this origin, and the sign-in is never loaded', async () => {
    const plain = recording();
    const loadSignIn = jest.fn<Promise<SignIn>, []>();
    const api = await connect(LOCAL_CONFIG, loadSignIn, plain.f);
    await expect(api.days()).resolves.toEqual({ timeZone: 'Europe/Madrid', days: ['2026-12-01'] });
    await api.fleet('2026-12-01');
    expect(loadSignIn).not.toHaveBeenCalled();
    expect(plain.calls.map((c) => c.url)).toEqual(['/days', '/fleet?date=2026-12-01']);
    expect(plain.calls[0]!.headers).toEqual({ accept: 'application/json' });
  });

  it('in AWS: signs in with the config, then every request goes to the API URL through the signing fetch', async () => {
    const plain = recording();
    const signedFetch = recording();
    const signIn = jest.fn<ReturnType<SignIn>, Parameters<SignIn>>(async () => signedFetch.f);
    const api = await connect(SIGNED, async () => signIn, plain.f);
    expect(signIn).toHaveBeenCalledWith(AUTH);
    await api.series('inv 1/a', '2026-12-01');
    expect(plain.calls).toEqual([]);
    expect(signedFetch.calls.map((c) => c.url)).toEqual([`${SIGNED.apiUrl}/devices/inv%201%2Fa/series?date=2026-12-01`]);
  });

  it("reports API Gateway's own refusal (a bad signature's 403) with its message", async () => {
    const api = await connect(SIGNED, async () => async () => async () => json({ message: 'Forbidden' }, 403));
    await expect(api.days()).rejects.toMatchObject({ status: 403, message: 'Forbidden' });
  });
});

describe('signingFetch: SigV4 by @smithy/signature-v4', () => {
  afterEach(() => jest.useRealTimers());

  it("matches AWS's SigV4 test suite (get-vanilla) and never sends a host header", async () => {
    jest.useFakeTimers({ now: new Date('2015-08-30T12:36:00Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const sent: { url: string; headers: Record<string, string> }[] = [];
    const fetchFn = (async (url: string, init: { headers: Record<string, string> }) => {
      sent.push({ url, headers: init.headers });
      return json({});
    }) as unknown as typeof fetch;
    const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' });
    await signingFetch(credentials, 'us-east-1', fetchFn, 'service')('https://example.amazonaws.com/', { headers: {} });
    expect(sent[0]!.url).toBe('https://example.amazonaws.com/');
    expect(sent[0]!.headers).toEqual({
      'x-amz-date': '20150830T123600Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    });
  });

  it("signs for execute-api with the identity pool's session token, the query included", async () => {
    const sent: Record<string, string>[] = [];
    const fetchFn = (async (_url: string, init: { headers: Record<string, string> }) => {
      sent.push(init.headers);
      return json({});
    }) as unknown as typeof fetch;
    const credentials = async () => ({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token-from-cognito' });
    await signingFetch(credentials, 'eu-west-1', fetchFn)(`${SIGNED.apiUrl}/fleet?date=2026-12-01`, { headers: { accept: 'application/json' } });
    const h = sent[0]!;
    expect(h['x-amz-security-token']).toBe('token-from-cognito');
    expect(h.accept).toBe('application/json');
    expect(h.host).toBeUndefined();
    expect(h.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=accept;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
  });

  it('keeps credentials until five minutes before they expire, and asks again after a failure', async () => {
    let now = 0;
    let asked = 0;
    const provider = cachedCredentials(async () => {
      asked++;
      if (asked === 3) throw new Error('throttled');
      return { accessKeyId: `A${asked}`, secretAccessKey: 's', expiration: new Date(60 * 60_000) };
    }, () => now);
    expect((await provider()).accessKeyId).toBe('A1');
    now = 54 * 60_000;
    expect((await provider()).accessKeyId).toBe('A1');
    now = 56 * 60_000;
    expect((await provider()).accessKeyId).toBe('A2');
    now = 60 * 60_000;
    await expect(provider()).rejects.toThrow('throttled');
    expect((await provider()).accessKeyId).toBe('A4');
  });
});

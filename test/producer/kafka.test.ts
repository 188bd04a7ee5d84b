import { createHash, createHmac } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { kafkaClientConfig, mskIamTokenProvider } from '../../functions/producer/kafka';
import { captureLog, testConfig } from './helpers';

// fake credentials from the environment only: the credential chain stops at its first
// provider, and every other one (IMDS, container endpoint, profiles, SSO) is switched off
const FAKE = { id: 'AKIAIOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', session: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN' };
const saved = { ...process.env };
// no HTTP at all from these tests: the instance metadata service and STS are HTTP calls
const httpRequest = jest.spyOn(http, 'request');
const httpsRequest = jest.spyOn(https, 'request');

afterEach(() => {
  expect(httpRequest).not.toHaveBeenCalled();
  expect(httpsRequest).not.toHaveBeenCalled();
});

beforeAll(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: FAKE.id,
    AWS_SECRET_ACCESS_KEY: FAKE.secret,
    AWS_SESSION_TOKEN: FAKE.session,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
  });
});

afterAll(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** SigV4 query-string signature of the token's URL, computed here independently of the signer. */
function expectedSignature(url: URL, secret: string): string {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature' && k !== 'User-Agent');
  const query = params
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const emptyHash = createHash('sha256').update('').digest('hex');
  const canonical = ['GET', '/', query, `host:${url.host}`, '', 'host', emptyHash].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const [, date, region, service] = url.searchParams.get('X-Amz-Credential')!.split('/');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('MSK IAM token provider', () => {
  it('gives kafkajs a base64url presigned kafka-cluster:Connect request signed with the task credentials', async () => {
    const provide = mskIamTokenProvider('eu-west-1');
    const { value } = await provide();
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
    const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${FAKE.id}/\\d{8}/eu-west-1/kafka-cluster/aws4_request$`));
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(FAKE.session);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBe(900);
    expect(url.searchParams.get('User-Agent')).toMatch(/^aws-msk-iam-sasl-signer-js\//);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(url, FAKE.secret));
  });

  it('signs for the configured region', async () => {
    const { value } = await mskIamTokenProvider('us-east-2')();
    const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
    expect(url.host).toBe('kafka.us-east-2.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Credential')).toContain('/us-east-2/kafka-cluster/');
  });

  it('reuses a token until a minute before it expires', async () => {
    let now = 1_000_000;
    const calls: string[] = [];
    const generate = async ({ region }: { region: string }) => {
      calls.push(region);
      return { token: `token-${calls.length}`, expiryTime: now + 900_000 };
    };
    const provide = mskIamTokenProvider('eu-west-1', generate, () => now);
    expect(await provide()).toEqual({ value: 'token-1' });
    now += 800_000;
    expect(await provide()).toEqual({ value: 'token-1' });
    now += 50_000; // 50 s left
    expect(await provide()).toEqual({ value: 'token-2' });
    expect(calls).toEqual(['eu-west-1', 'eu-west-1']);
  });

  it('is what the kafkajs client is configured with: TLS, SASL OAUTHBEARER', async () => {
    const config = testConfig({ KAFKA_BOOTSTRAP_SERVERS: 'boot-abc.c2.kafka-serverless.eu-west-1.amazonaws.com:9098' });
    const kc = kafkaClientConfig(config, captureLog().logger, async () => ({ token: 'signed', expiryTime: Date.now() + 900_000 }));
    expect(kc.brokers).toEqual(['boot-abc.c2.kafka-serverless.eu-west-1.amazonaws.com:9098']);
    expect(kc.ssl).toBe(true);
    expect(kc.sasl?.mechanism).toBe('oauthbearer');
    const sasl = kc.sasl as { oauthBearerProvider: () => Promise<{ value: string }> };
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'signed' });
  });

  it('uses neither TLS nor SASL with KAFKA_AUTH=plaintext (a local broker)', () => {
    const kc = kafkaClientConfig(testConfig({ KAFKA_AUTH: 'plaintext', KAFKA_BOOTSTRAP_SERVERS: 'localhost:9092' }), captureLog().logger);
    expect(kc.ssl).toBeUndefined();
    expect(kc.sasl).toBeUndefined();
  });

  it('the signer itself works from the environment credentials alone', async () => {
    const { token, expiryTime } = await generateAuthToken({ region: 'eu-west-1' });
    expect(Buffer.from(token, 'base64url').toString('utf8')).toContain(FAKE.id);
    expect(expiryTime).toBeGreaterThan(Date.now());
  });
});

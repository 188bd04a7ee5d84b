/**
 * Requests to the IAM-authorised API signed with SigV4, by AWS's own signer
 * (@smithy/signature-v4, SHA-256 from @aws-crypto/sha256-js): the page holds the
 * identity pool's temporary credentials (auth.ts) and signs every GET for the
 * execute-api service of the stack's region.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ApiFetch } from './api';

/** Re-asks for credentials this long before they expire (the identity pool's last an hour). */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** The provider's credentials, kept until shortly before they expire; a failed ask is not kept. */
export function cachedCredentials(provider: AwsCredentialIdentityProvider, now: () => number = Date.now): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | null = null;
  return async () => {
    const held = current ? await current.catch(() => null) : null;
    if (held && (!held.expiration || held.expiration.getTime() - REFRESH_MARGIN_MS > now())) return held;
    current = provider();
    return current;
  };
}

/** A fetch for the API client that signs each request for execute-api (or `service`) in region. */
export function signingFetch(credentials: AwsCredentialIdentityProvider, region: string, fetchFn: typeof fetch = fetch, service = 'execute-api'): ApiFetch {
  // a GET has no body to hash into a header: the signed headers are host, x-amz-date (and the session token)
  const signer = new SignatureV4({ service, region, credentials, sha256: Sha256, uriEscapePath: true, applyChecksum: false });
  return async (url, init) => {
    const u = new URL(url);
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) query[k] = v;
    const signed = await signer.sign({
      method: 'GET',
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port ? Number(u.port) : undefined,
      // as sent (escaped once by the URL); the signer escapes it again, as SigV4 wants for every service but S3
      path: u.pathname,
      query,
      headers: { ...init.headers, host: u.host },
    });
    // the browser sets host itself and refuses to be told
    const { host: _host, ...headers } = signed.headers;
    return fetchFn(url, { headers });
  };
}

/**
 * Sign-in for the deployed page (loaded only when config.json has auth): the Cognito
 * hosted UI with the authorization code grant and PKCE (a public client: no secret in
 * the page), the ID token exchanged by the identity pool for temporary AWS credentials
 * of its authenticated role (execute-api:Invoke on the dashboard's GET routes only), and
 * every API request signed with them (signer.ts).
 *
 * The view the operator asked for (the URL's query) survives the round trip through the
 * sign-in page: it is kept in sessionStorage with the PKCE verifier and put back.
 */
import { fromCognitoIdentityPool } from '@aws-sdk/credential-provider-cognito-identity';
import type { AuthConfig } from './config';
import { cachedCredentials, signingFetch } from './signer';
import type { ApiFetch } from './api';

const PENDING = 'pv-dashboard:sign-in';
const TOKENS = 'pv-dashboard:tokens';

interface Pending {
  state: string;
  verifier: string;
  /** the page's path and query before sign-in */
  returnTo: string;
}

interface Tokens {
  idToken: string;
  refreshToken: string | null;
  /** ms since the epoch when the ID token expires */
  expiresAt: number;
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** RFC 7636 S256: the challenge is the verifier's SHA-256, base64url. */
export async function pkceChallenge(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** Sends the browser to the hosted UI; the page is left, so this never resolves. */
async function redirectToSignIn(auth: AuthConfig): Promise<never> {
  // the view to come back to, without a sign-in's leftovers (a stale code would be exchanged again)
  const view = new URLSearchParams(location.search);
  for (const k of ['code', 'state', 'error', 'error_description']) view.delete(k);
  const query = view.toString();
  const pending: Pending = { state: randomString(16), verifier: randomString(48), returnTo: `${location.pathname}${query ? `?${query}` : ''}` };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: auth.userPoolClientId,
    redirect_uri: auth.redirectUri,
    scope: 'openid email',
    state: pending.state,
    code_challenge: await pkceChallenge(pending.verifier),
    code_challenge_method: 'S256',
  });
  location.assign(`${auth.authDomain}/oauth2/authorize?${q}`);
  return new Promise<never>(() => undefined);
}

async function tokenRequest(auth: AuthConfig, body: Record<string, string>): Promise<Tokens> {
  const r = await fetch(`${auth.authDomain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: auth.userPoolClientId, ...body }),
  });
  if (!r.ok) throw new Error(`sign-in failed: the token endpoint answered ${r.status}`);
  const t = (await r.json()) as { id_token: string; refresh_token?: string; expires_in: number };
  return { idToken: t.id_token, refreshToken: t.refresh_token ?? body.refresh_token ?? null, expiresAt: Date.now() + t.expires_in * 1000 };
}

/** The hosted UI came back with ?code&state: exchange the code, restore the operator's URL. */
async function completeSignIn(auth: AuthConfig, params: URLSearchParams): Promise<Tokens | null> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as Pending | null;
  sessionStorage.removeItem(PENDING);
  if (!pending || params.get('state') !== pending.state) return null;
  const tokens = await tokenRequest(auth, { grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: auth.redirectUri, code_verifier: pending.verifier });
  history.replaceState(null, '', pending.returnTo);
  return tokens;
}

/** A valid ID token: this tab's (refreshed if it expired), one just returned by the hosted UI, or none. */
async function currentTokens(auth: AuthConfig): Promise<Tokens | null> {
  const params = new URLSearchParams(location.search);
  if (params.has('code') && params.has('state')) return completeSignIn(auth, params);
  if (params.has('error')) throw new Error(`sign-in failed: ${params.get('error_description') ?? params.get('error')}`);
  const held = JSON.parse(sessionStorage.getItem(TOKENS) ?? 'null') as Tokens | null;
  if (!held) return null;
  if (held.expiresAt - 60_000 > Date.now()) return held;
  return held.refreshToken ? tokenRequest(auth, { grant_type: 'refresh_token', refresh_token: held.refreshToken }).catch(() => null) : null;
}

/** Signs the operator in (through the hosted UI if need be) and gives the fetch that signs API requests. */
export async function signIn(auth: AuthConfig): Promise<ApiFetch> {
  let tokens = (await currentTokens(auth)) ?? (await redirectToSignIn(auth));
  sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
  /**
   * The ID token for each credentials request: renewed with the refresh token once it has
   * expired (for webDashboard.sessionHours); when that is refused too, sign in again.
   */
  const idToken = async (): Promise<string> => {
    if (tokens.expiresAt - 60_000 > Date.now()) return tokens.idToken;
    const renewed = tokens.refreshToken ? await tokenRequest(auth, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken }).catch(() => null) : null;
    if (!renewed) {
      sessionStorage.removeItem(TOKENS);
      return redirectToSignIn(auth);
    }
    tokens = renewed;
    sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
    return tokens.idToken;
  };
  const credentials = cachedCredentials(
    fromCognitoIdentityPool({
      identityPoolId: auth.identityPoolId,
      logins: { [`cognito-idp.${auth.region}.amazonaws.com/${auth.userPoolId}`]: idToken },
      clientConfig: { region: auth.region },
    }),
  );
  return signingFetch(credentials, auth.region);
}

/** Forgets this tab's sign-in and ends the hosted UI's session. */
export function signOut(auth: AuthConfig): void {
  sessionStorage.removeItem(TOKENS);
  location.assign(`${auth.authDomain}/logout?${new URLSearchParams({ client_id: auth.userPoolClientId, logout_uri: auth.redirectUri })}`);
}

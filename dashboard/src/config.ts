/**
 * The page's deployment settings, fetched at start from config.json beside the bundle
 * (never baked into the code): the API's base URL, and in AWS how to sign in and sign.
 * npm start serves { "apiUrl": "", "auth": null }: the same origin, unsigned. The stack
 * writes the signed variant (infra/webDashboard.ts) with the values of its resources.
 */

export interface AuthConfig {
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
  /** the hosted UI, "https://<prefix>.auth.<region>.amazoncognito.com" */
  authDomain: string;
  /** where the hosted UI sends the browser back with the code: the dashboard's own URL */
  redirectUri: string;
}

export interface DashboardConfig {
  /** the API's base URL without a trailing slash; "" = the page's own origin */
  apiUrl: string;
  /** null: requests go unsigned (npm start); set: sign-in and SigV4 with the identity pool's credentials */
  auth: AuthConfig | null;
}

export const CONFIG_PATH = 'config.json';

/** The configuration npm start serves. */
export const LOCAL_CONFIG: DashboardConfig = { apiUrl: '', auth: null };

export class ConfigProblem extends Error {
  constructor(key: string, problem: string) {
    super(`${CONFIG_PATH} ${key}: ${problem}`);
    this.name = 'ConfigProblem';
  }
}

const HTTPS_URL = /^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function str(o: Record<string, unknown>, key: string, where: string, pattern?: RegExp): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new ConfigProblem(`${where}${key}`, `expected a non-empty string, got ${JSON.stringify(v)}`);
  if (pattern && !pattern.test(v)) throw new ConfigProblem(`${where}${key}`, `${JSON.stringify(v)} does not match ${pattern.source}`);
  return v;
}

/** Validates what config.json holds; every problem names the key. */
export function parseConfig(raw: unknown): DashboardConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigProblem('(root)', 'expected an object');
  const o = raw as Record<string, unknown>;
  if (typeof o.apiUrl !== 'string' || (o.apiUrl !== '' && !HTTPS_URL.test(o.apiUrl) && !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(o.apiUrl))) {
    throw new ConfigProblem('apiUrl', `expected "" (this origin) or an https URL, got ${JSON.stringify(o.apiUrl)}`);
  }
  const apiUrl = o.apiUrl.replace(/\/+$/, '');
  if (o.auth === null || o.auth === undefined) return { apiUrl, auth: null };
  if (typeof o.auth !== 'object' || Array.isArray(o.auth)) throw new ConfigProblem('auth', 'expected an object or null');
  const a = o.auth as Record<string, unknown>;
  const region = str(a, 'region', 'auth.', REGION);
  const auth: AuthConfig = {
    region,
    userPoolId: str(a, 'userPoolId', 'auth.', new RegExp(`^${region}_[A-Za-z0-9]+$`)),
    userPoolClientId: str(a, 'userPoolClientId', 'auth.', /^[a-z0-9]+$/),
    identityPoolId: str(a, 'identityPoolId', 'auth.', new RegExp(`^${region}:[0-9a-f-]+$`)),
    authDomain: str(a, 'authDomain', 'auth.', HTTPS_URL).replace(/\/+$/, ''),
    redirectUri: str(a, 'redirectUri', 'auth.', HTTPS_URL),
  };
  if (apiUrl === '') throw new ConfigProblem('apiUrl', 'a signed API needs its own URL (execute-api), not this origin');
  return { apiUrl, auth };
}

/** Fetches and validates config.json (relative to the page). */
export async function loadConfig(fetchFn: typeof fetch = fetch): Promise<DashboardConfig> {
  const r = await fetchFn(CONFIG_PATH, { cache: 'no-cache' });
  if (!r.ok) throw new ConfigProblem('(file)', `${r.status} ${r.statusText}`);
  return parseConfig(await r.json());
}

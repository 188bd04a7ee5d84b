/**
 * The one place the page decides how it reaches the API: unsigned through the browser's
 * fetch when config.json has no auth (npm start), signed once the operator has signed in
 * otherwise. The signing half (auth.ts, the AWS SDK pieces) is loaded only then, so the
 * local page never downloads it.
 */
import { createApi, type Api, type ApiFetch } from './api';
import type { AuthConfig, DashboardConfig } from './config';

/** Signs the operator in (or sends the browser to the sign-in page) and gives the signing fetch. */
export type SignIn = (auth: AuthConfig) => Promise<ApiFetch>;

export async function connect(config: DashboardConfig, loadSignIn: () => Promise<SignIn>, plainFetch: ApiFetch = (url, init) => fetch(url, init)): Promise<Api> {
  if (!config.auth) return createApi(config.apiUrl, plainFetch);
  const signIn = await loadSignIn();
  return createApi(config.apiUrl, await signIn(config.auth));
}

import { currentPath, navigate } from '../app/router';
import { serverUrls } from './config';
import { clearToken, getToken, setToken } from './session';

/** A failed call, with the server's own words in `message`. */
export class ApiError extends Error {
  constructor(readonly endpoint: string, readonly code: number, readonly subcode: number, message: string) {
    super(message);
  }
}

interface Envelope<T> {
  meta?: { result_code?: number; result_subcode?: number; result_msg?: string };
  data?: T;
}

const SIGN_IN = '/signin';

/** Back to sign-in, remembering where the user was so that signing in returns there. */
export function goToSignIn(expired: boolean): void {
  clearToken();
  if (window.location.pathname === SIGN_IN) return;
  navigate(`${SIGN_IN}?next=${encodeURIComponent(currentPath())}${expired ? '&expired=1' : ''}`, { replace: true });
}

async function send(endpoint: string, init: RequestInit): Promise<{ res: Response; body: Envelope<unknown> | null }> {
  const { apiUrl } = serverUrls();
  let res: Response;
  try {
    res = await fetch(`${apiUrl}/${endpoint}`, init);
  } catch {
    throw new ApiError(endpoint, 0, 0, `Cannot reach the API server at ${apiUrl}. Is it running?`);
  }
  const body = (await res.json().catch(() => null)) as Envelope<unknown> | null;
  return { res, body };
}

function failure(endpoint: string, res: Response, body: Envelope<unknown> | null): ApiError {
  const meta = body?.meta;
  const msg = meta?.result_msg || `the server answered HTTP ${res.status} ${res.statusText}`.trim();
  return new ApiError(endpoint, meta?.result_code ?? res.status, meta?.result_subcode ?? 0, msg);
}

/** Calls `service.action` with the session token and unwraps the `{meta, data}` envelope. */
export async function call<T = Record<string, unknown>>(endpoint: string, body: object = {}): Promise<T> {
  const token = getToken();
  const { res, body: env } = await send(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (res.status === 401) {
    goToSignIn(true);
    throw new ApiError(endpoint, 401, env?.meta?.result_subcode ?? 0, 'Your session has expired. Sign in again.');
  }
  if (!res.ok || env?.meta?.result_code !== 200) throw failure(endpoint, res, env);
  return (env.data ?? {}) as T;
}

/** Base64 of UTF-8 text; btoa alone refuses characters outside Latin-1. */
function base64(text: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Signs in with a user name and password (or an access key and secret) and keeps the token. */
export async function signIn(user: string, password: string): Promise<void> {
  const { res, body } = await send('auth.login', { method: 'GET', headers: { authorization: `Basic ${base64(`${user}:${password}`)}` } });
  if (res.status === 401) throw new ApiError('auth.login', 401, body?.meta?.result_subcode ?? 0, 'Wrong user name or password.');
  if (!res.ok || body?.meta?.result_code !== 200) throw failure('auth.login', res, body);
  setToken((body.data as { token: string }).token);
}

/** Ends the session on the server (its token stops working everywhere), then forgets it here. */
export async function signOut(): Promise<void> {
  await call('auth.logout').catch(() => undefined);
  clearToken();
  navigate(SIGN_IN);
}

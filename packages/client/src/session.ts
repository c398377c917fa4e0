import { backoffDelay, DEFAULT_RETRY, RETRY_STATUSES, sleep, type RetryPolicy } from './backoff.js';
import { ApiCallError, ServerUnreachableError } from './errors.js';
import { readTokenTimes, type TokenTimes } from './token.js';

export interface SessionOptions {
  apiHost: string;
  accessKey: string;
  secretKey: string;
  retry?: Partial<RetryPolicy>;
  /** Token lifetime asked of `auth.login` (`expiration_sec`); the server's default when absent. */
  tokenExpirationSec?: number;
  /**
   * Log in again when the token has less than this left (ClearML: 12 h). Capped at half the
   * token's lifetime, so short-lived tokens are not renewed on every call.
   */
  refreshThresholdSec?: number;
  /** Extra headers on every request (`X-ClearML-Worker`, …). */
  headers?: Record<string, string>;
  /** Per-request time limit, reading the answer included. */
  timeoutMs?: number;
  /** The client's clock in epoch ms; tests move it to exercise token renewal. */
  now?: () => number;
  /** Told of every wait before a new attempt (for logs). */
  onRetry?: (notice: RetryNotice) => void;
}

export interface RetryNotice {
  endpoint: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface CallOptions {
  timeoutMs?: number;
  /** Cancels the call, waits between attempts included; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the session's retry count for this call. */
  retries?: number;
}

type Outcome =
  | { kind: 'answer'; status: number; body: string; retryAfterMs?: number }
  | { kind: 'unreachable'; reason: string };

const REFRESH_THRESHOLD_SEC = 43_200;

/**
 * A logged-in connection to a ClearML-compatible API server: it gets a JWT with the
 * access key, renews it before it expires and once after a 401, and retries connection
 * errors and "try again later" answers with capped exponential back-off.
 */
export class Session {
  private tokenValue: string | undefined;
  private times: TokenTimes = { iat: 0, exp: 0 };
  private sharedLogin: { promise: Promise<string>; ctl: AbortController; waiters: number } | undefined;
  private readonly retry: RetryPolicy;
  private readonly now: () => number;
  readonly apiHost: string;

  constructor(private readonly opts: SessionOptions) {
    this.apiHost = opts.apiHost.replace(/\/+$/, '');
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.now = opts.now ?? Date.now;
  }

  get token(): string | undefined {
    return this.tokenValue;
  }

  /**
   * Logs in now (also when a token is held). Concurrent callers share one login; a
   * caller's signal stops its own wait, and the login itself stops once every caller
   * that waits for it has given up (so nothing keeps retrying for nobody).
   */
  login(opts: CallOptions = {}): Promise<string> {
    if (!this.sharedLogin) {
      const ctl = new AbortController();
      const promise: Promise<string> = this.doLogin({ retries: opts.retries, signal: ctl.signal }).finally(() => {
        if (this.sharedLogin?.promise === promise) this.sharedLogin = undefined;
      });
      this.sharedLogin = { promise, ctl, waiters: 0 };
    }
    const shared = this.sharedLogin;
    const signal = opts.signal;
    shared.waiters++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (--shared.waiters === 0) shared.ctl.abort(signal!.reason);
        reject(signal!.reason);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(resolve, reject).finally(() => signal?.removeEventListener('abort', onAbort));
    });
  }

  /** Calls `service.action` with a JSON body; resolves to the envelope's `data`. */
  call<T = Record<string, unknown>>(endpoint: string, body: object = {}, opts: CallOptions = {}): Promise<T> {
    return this.authorized<T>(endpoint, JSON.stringify(body), 'application/json', opts);
  }

  /** Calls a batch endpoint (`events.add_batch`) with one JSON document per line. */
  callJsonLines<T = Record<string, unknown>>(endpoint: string, lines: string[], opts: CallOptions = {}): Promise<T> {
    return this.authorized<T>(endpoint, lines.join('\n'), 'application/json-lines', opts);
  }

  private needsLogin(): boolean {
    if (!this.tokenValue) return true;
    const lifetime = this.times.exp - this.times.iat;
    const threshold = Math.min(this.opts.refreshThresholdSec ?? REFRESH_THRESHOLD_SEC, lifetime / 2);
    return this.times.exp - this.now() / 1000 <= threshold;
  }

  private async authorized<T>(endpoint: string, body: string, contentType: string, opts: CallOptions): Promise<T> {
    if (this.needsLogin()) await this.login(opts);
    let renewed = false;
    for (;;) {
      const sentWith = this.tokenValue;
      const out = await this.send(endpoint, `${this.apiHost}/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: `Bearer ${sentWith}` },
        body,
      }, opts);
      if (out.status === 401 && !renewed) {
        renewed = true;
        // Another call may have renewed the token while this one was in flight.
        if (this.tokenValue === sentWith) await this.login(opts);
        continue;
      }
      return unwrap<T>(endpoint, out.status, out.body);
    }
  }

  private async doLogin(opts: CallOptions): Promise<string> {
    const query = this.opts.tokenExpirationSec ? `?expiration_sec=${this.opts.tokenExpirationSec}` : '';
    const basic = Buffer.from(`${this.opts.accessKey}:${this.opts.secretKey}`).toString('base64');
    const out = await this.send('auth.login', `${this.apiHost}/auth.login${query}`, {
      method: 'GET',
      headers: { authorization: `Basic ${basic}` },
    }, opts);
    const data = unwrap<{ token?: unknown }>('auth.login', out.status, out.body);
    if (typeof data.token !== 'string' || data.token === '') {
      throw new ApiCallError('auth.login', out.status, 0, `no token in the answer of ${this.apiHost}/auth.login: is this the API server address?`);
    }
    this.tokenValue = data.token;
    this.times = readTokenTimes(data.token);
    return data.token;
  }

  /** One request with the retry policy applied; returns the first answer that is not "try again later". */
  private async send(endpoint: string, url: string, init: RequestInit, opts: CallOptions): Promise<{ status: number; body: string }> {
    const retries = opts.retries ?? this.retry.retries;
    for (let attempt = 0; ; attempt++) {
      const out = await this.attempt(url, init, opts);
      let retryAfterMs: number | undefined;
      let reason: string;
      if (out.kind === 'answer') {
        if (!RETRY_STATUSES.has(out.status)) return out;
        reason = `HTTP ${out.status}`;
        retryAfterMs = out.retryAfterMs;
      } else {
        reason = out.reason;
      }
      if (attempt >= retries) throw new ServerUnreachableError(endpoint, attempt + 1, reason);
      const delayMs = Math.min(this.retry.maxDelayMs, retryAfterMs ?? backoffDelay(this.retry, attempt));
      this.opts.onRetry?.({ endpoint, attempt: attempt + 1, delayMs, reason });
      await sleep(delayMs, opts.signal);
    }
  }

  private async attempt(url: string, init: RequestInit, opts: CallOptions): Promise<Outcome> {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.opts.timeoutMs ?? 30_000);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    try {
      const res = await fetch(url, { ...init, headers: { ...this.opts.headers, ...init.headers }, signal });
      const seconds = Number(res.headers.get('retry-after'));
      return { kind: 'answer', status: res.status, body: await res.text(), retryAfterMs: seconds > 0 ? seconds * 1000 : undefined };
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      return { kind: 'unreachable', reason: describeFetchError(err) };
    }
  }
}

function describeFetchError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

interface RawEnvelope {
  meta?: { result_code?: unknown; result_subcode?: unknown; result_msg?: unknown; error_data?: unknown };
  data?: unknown;
}

/** The envelope's `data`, or an ApiCallError with the envelope's code, subcode and message. */
function unwrap<T>(endpoint: string, status: number, body: string): T {
  let parsed: RawEnvelope | undefined;
  try {
    parsed = JSON.parse(body) as RawEnvelope;
  } catch {
    parsed = undefined;
  }
  const meta = parsed?.meta;
  if (!meta || typeof meta.result_code !== 'number') {
    const text = body.trim().slice(0, 300) || `HTTP ${status}`;
    throw new ApiCallError(endpoint, status, 0, `not a ClearML answer: ${text}`);
  }
  if (meta.result_code !== 200) {
    throw new ApiCallError(
      endpoint,
      meta.result_code,
      typeof meta.result_subcode === 'number' ? meta.result_subcode : 0,
      typeof meta.result_msg === 'string' ? meta.result_msg : '',
      typeof meta.error_data === 'object' && meta.error_data !== null ? (meta.error_data as Record<string, unknown>) : {},
    );
  }
  return (parsed!.data ?? {}) as T;
}

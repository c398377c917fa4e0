/** How a session waits between attempts at an unreachable or overloaded server. */
export interface RetryPolicy {
  /** Attempts after the first one; `Infinity` retries until the server answers. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 8, baseDelayMs: 250, maxDelayMs: 15_000 };

/** HTTP statuses that mean "try again later" (proxy errors, maintenance, rate limits), as in the ClearML clients. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 509]);

/** Exponential back-off: base·2^n, capped, with up to 20% jitter so many agents do not retry in step. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp * (0.8 + 0.2 * random()));
}

/** Resolves after `ms`, or rejects with the signal's reason when it is aborted first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

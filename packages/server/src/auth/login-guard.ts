import { Errors } from '@cairn/protocol';
import { ApiError } from '../http/api-error.js';

/**
 * Limits failed sign-ins, per address and per account (the access key or user name
 * tried), over a sliding window. Past the limit a sign-in is refused with 429 before any
 * hashing, saying when to try again. A success clears the account's count, so that an
 * agent restarting with the right key is never held back by an old typo.
 */
export interface GuardLimits {
  /** failed sign-ins allowed per address within the window */
  perAddress: number;
  /** failed sign-ins allowed per account within the window */
  perAccount: number;
  windowMs: number;
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = { perAddress: 20, perAccount: 10, windowMs: 5 * 60_000 };

/** Memory stays bounded whatever names an attacker tries. */
const MAX_TRACKED = 50_000;

class FailureLog {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly windowMs: number) {}

  /** Failures still inside the window, oldest first. */
  recent(key: string, now: number): number[] {
    const list = this.failures.get(key);
    if (!list) return [];
    const kept = list.filter((t) => t > now - this.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else if (kept.length !== list.length) this.failures.set(key, kept);
    return kept;
  }

  add(key: string, now: number, keep: number): void {
    if (!this.failures.has(key) && this.failures.size >= MAX_TRACKED) {
      // Forget the entry touched longest ago (Map keeps insertion order).
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    const list = this.recent(key, now);
    list.push(now);
    this.failures.delete(key);
    this.failures.set(key, list.slice(-keep));
  }

  clear(key: string): void {
    this.failures.delete(key);
  }
}

export class LoginGuard {
  private readonly byAddress: FailureLog;
  private readonly byAccount: FailureLog;

  constructor(
    private readonly limits: GuardLimits = DEFAULT_GUARD_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.byAddress = new FailureLog(limits.windowMs);
    this.byAccount = new FailureLog(limits.windowMs);
  }

  /** Throws 429 when the address or the account is over its limit. */
  check(address: string, account: string): void {
    const now = this.now();
    const blocked = (list: number[], max: number) => (list.length >= max ? list[list.length - max] + this.limits.windowMs - now : 0);
    const waitMs = Math.max(
      blocked(this.byAddress.recent(address, now), this.limits.perAddress),
      blocked(this.byAccount.recent(account, now), this.limits.perAccount),
    );
    if (waitMs > 0) {
      const retryAfter = Math.ceil(waitMs / 1000);
      throw new ApiError(Errors.tooManyRequests, `too many failed sign-ins; try again in ${retryAfter} s`, { retry_after_sec: retryAfter });
    }
  }

  failed(address: string, account: string): void {
    const now = this.now();
    this.byAddress.add(address, now, this.limits.perAddress);
    this.byAccount.add(account, now, this.limits.perAccount);
  }

  succeeded(account: string): void {
    this.byAccount.clear(account);
  }
}

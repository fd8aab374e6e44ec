import type { Clock } from './clock';
import { MINUTE } from './clock';
import { AuthError, toStoreError } from './errors';
import type { AuthEvents } from './events';
import type { CounterStore } from './store';

export interface ThrottleRule {
  /** Most events in a window; the next one is refused. */
  limit: number;
  /** Fixed window length, ms. */
  windowMs: number;
}

export interface ThrottleOptions {
  /** Login attempts per client IP, successful or not. Default 20 per minute. */
  ip?: ThrottleRule | false;
  /**
   * Consecutive failed logins per account. Default 10 per 15 minutes (well under NIST's 100). A success
   * resets it. The window is short on purpose: a long lockout lets anyone lock a victim out.
   */
  account?: ThrottleRule | false;
}

export const DEFAULT_THROTTLE: Required<ThrottleOptions> = {
  ip: { limit: 20, windowMs: MINUTE },
  account: { limit: 10, windowMs: 15 * MINUTE },
};

/**
 * The per-account counter key: the user's id once the account is known, so `alice` and
 * `alice@example.com` share one counter; the typed identifier for unknown accounts.
 */
export function accountKey(user: { id: number } | null | undefined, identifier: string): string {
  return user ? `u:${user.id}` : `i:${identifier.toLowerCase()}`;
}

export interface AttemptKey {
  ip?: string;
  /** The account the attempt is for: use `accountKey(user, identifier)`. */
  account?: string;
  /** Protocol or route name, for events. */
  method: string;
}

/**
 * Login throttling on atomic store counters, so every process shares the counts. `before` runs ahead of
 * any password hashing: a throttled attempt costs one or two counter calls and no argon2 work.
 */
export class LoginThrottle {
  private readonly ip: ThrottleRule | false;
  private readonly account: ThrottleRule | false;

  constructor(
    private readonly counters: CounterStore,
    private readonly clock: Clock,
    private readonly events: AuthEvents,
    opts: ThrottleOptions = {},
  ) {
    this.ip = opts.ip ?? DEFAULT_THROTTLE.ip;
    this.account = opts.account ?? DEFAULT_THROTTLE.account;
  }

  /** Count the attempt against the IP and refuse it (rate_limited) if the IP or the account is over its limit. */
  async before(key: AttemptKey): Promise<void> {
    await this.checkIp(key);
    await this.checkAccount(key);
  }

  /** Count one attempt against `key.ip`; refuse it when the IP is over its limit. */
  async checkIp(key: AttemptKey): Promise<void> {
    if (!this.ip || !key.ip) return;
    const now = this.clock();
    try {
      const s = await this.counters.increment(`ip:${key.ip}`, this.ip.windowMs, now);
      if (s.count > this.ip.limit) this.refuse('ip', key, s.resetAt - now, now);
    } catch (e) {
      throw toStoreError(e);
    }
  }

  /** Refuse when `key.account` has had too many consecutive failures (does not count anything). */
  async checkAccount(key: AttemptKey): Promise<void> {
    if (!this.account || !key.account) return;
    const now = this.clock();
    try {
      const s = await this.counters.peek(`acct:${key.account.toLowerCase()}`, now);
      if (s.count >= this.account.limit) this.refuse('account', key, s.resetAt - now, now);
    } catch (e) {
      throw toStoreError(e);
    }
  }

  async failed(key: AttemptKey): Promise<void> {
    if (!this.account || !key.account) return;
    try {
      await this.counters.increment(`acct:${key.account.toLowerCase()}`, this.account.windowMs, this.clock());
    } catch (e) {
      throw toStoreError(e);
    }
  }

  async succeeded(key: AttemptKey): Promise<void> {
    if (!this.account || !key.account) return;
    try {
      await this.counters.reset(`acct:${key.account.toLowerCase()}`);
    } catch (e) {
      throw toStoreError(e);
    }
  }

  private refuse(scope: 'ip' | 'account', key: AttemptKey, retryAfterMs: number, now: number): never {
    this.events.emit('login.throttled', { ip: key.ip, scope, method: key.method }, now);
    throw new AuthError('rate_limited', undefined, { scope, retryAfterMs: Math.max(0, retryAfterMs) });
  }
}

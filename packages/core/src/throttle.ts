import type { Clock } from './clock';
import { HOUR, MINUTE } from './clock';
import { AuthError } from './errors';
import type { AuthEvents } from './events';
import { loginLookupForm } from './logins';
import type { BudgetCharge, CounterStore } from './store';

export interface ThrottleRule {
  /** Most events in a window; the next one is refused. */
  limit: number;
  /** Fixed window length, ms. */
  windowMs: number;
}

/**
 * The abuse budgets (see README "Configuration" and docs/SECURITY.md). Credential checks spend only on
 * FAILURE: a success refunds what it reserved, so honest people behind one address (an office NAT, a
 * carrier-grade NAT, a backend signing users in) never run out. `false` turns a budget off.
 */
export interface ThrottleOptions {
  /**
   * Consecutive failures per (account, client IP) pair. Default 10 per 15 min; a success clears it. An
   * attacker at one address cannot lock the owner out from another.
   */
  pair?: ThrottleRule | false | undefined;
  /** Failures per account from all addresses (distributed guessing). Default 100 per 24 h (NIST SP 800-63B §5.2.2). */
  account?: ThrottleRule | false | undefined;
  /** Failures per client IP over all accounts (password spraying). Default 100 per hour. */
  ip?: ThrottleRule | false | undefined;
  /** Accounts created per client IP (sign-ups, registrations, guest sessions). Default 20 per 10 min. */
  signup?: ThrottleRule | false | undefined;
  /** Mails sent (reset, verification, ...) per client IP. Default 20 per 10 min. */
  mailIp?: ThrottleRule | false | undefined;
  /** Mails sent per account (anti mail-bombing). Default 5 per hour. */
  mailAccount?: ThrottleRule | false | undefined;
}

export type BudgetName = keyof ThrottleOptions;

export const DEFAULT_THROTTLE: Readonly<Record<BudgetName, ThrottleRule | false>> = {
  pair: { limit: 10, windowMs: 15 * MINUTE },
  account: { limit: 100, windowMs: 24 * HOUR },
  ip: { limit: 100, windowMs: HOUR },
  signup: { limit: 20, windowMs: 10 * MINUTE },
  mailIp: { limit: 20, windowMs: 10 * MINUTE },
  mailAccount: { limit: 5, windowMs: HOUR },
};

/**
 * Where a credential check, a sign-up or a mail comes from. `ip` is required on purpose (write
 * `undefined` for server-side calls with no client): without it the pair and per-IP budgets cannot apply.
 * Use `auth.clientIp(req)` (Express's `req.ip`, which honours `trust proxy`).
 */
export interface Attempt {
  ip: string | undefined;
  /** Which route or protocol ("json", "pcloud", "cb", ...), for events. */
  method: string;
}

/**
 * The per-account key: the user's id once the account is known, so `alice` and `alice@example.com` share
 * one budget; the identifier as it would be looked up (NFKC, case-folded) for unknown accounts, so
 * guessing at a non-existent account is bounded just the same.
 */
export function accountKey(user: { id: number } | null | undefined, identifier: string): string {
  return user ? `u:${user.id}` : `i:${loginLookupForm(identifier).toLowerCase()}`;
}

/**
 * Abuse budgets on atomic store counters, so every process sharing a store shares the counts. Every
 * budget an operation spends is reserved with ONE `counters.reserve` (all or nothing) before the work it
 * protects (argon2, a new account, a mail): of N concurrent attempts at most the remaining budget gets
 * through, and a refused one costs one store call and no hashing.
 */
export class Throttle {
  private readonly rules: Required<ThrottleOptions>;

  constructor(
    private readonly counters: CounterStore,
    private readonly clock: Clock,
    private readonly events: AuthEvents,
    opts: ThrottleOptions = {},
  ) {
    this.rules = { ...DEFAULT_THROTTLE };
    for (const k of Object.keys(DEFAULT_THROTTLE) as BudgetName[]) if (opts[k] !== undefined) this.rules[k] = opts[k];
  }

  /**
   * Run one credential check under the failure budgets (pair, account, ip). One failure is reserved on
   * each before `check` runs; `check` resolves true (a success: the account and ip reservations are
   * refunded and the pair is cleared) or false (the failure stays counted). When `check` throws
   * `overloaded`, no password was tried and the reservation is given back; any other throw leaves it
   * counted. Over a budget: `rate_limited` (details.budget, retryAfterMs) and a `login.throttled` event,
   * and `check` never runs.
   * @param account `accountKey(user, identifier)`, or undefined for a check not tied to an account (a
   *   reset code, a provider token): then only the per-IP budget applies.
   */
  async check(attempt: Attempt, account: string | undefined, check: () => Promise<boolean>): Promise<boolean> {
    const charges: Array<[BudgetName, string]> = [];
    if (account !== undefined && attempt.ip !== undefined) charges.push(['pair', `fail:pair:${account}|${attempt.ip}`]);
    if (account !== undefined) charges.push(['account', `fail:acct:${account}`]);
    if (attempt.ip !== undefined) charges.push(['ip', `fail:ip:${attempt.ip}`]);
    const held = await this.reserve(attempt, charges);
    let ok: boolean;
    try {
      ok = await check();
    } catch (e) {
      if (e instanceof AuthError && e.code === 'overloaded') await this.settle(held.map(([, key]) => ({ key, action: 'refund' as const })));
      throw e;
    }
    // Only a success gives budget back: a failure must stay counted, or guessing would be free.
    if (ok) await this.settle(held.map(([name, key]) => ({ key, action: name === 'pair' ? ('clear' as const) : ('refund' as const) })));
    return ok;
  }

  /**
   * Create an account under the client IP's sign-up budget: one sign-up is reserved before `create` runs
   * (so before any hashing; `rate_limited` when over) and stays spent, whatever `create` answers (a taken
   * e-mail cost a hash too), unless `create` throws `overloaded`: then nothing was created or hashed and
   * the sign-up is given back.
   */
  async signup<T>(attempt: Attempt, create: () => Promise<T>): Promise<T> {
    const held = await this.reserve(attempt, attempt.ip === undefined ? [] : [['signup', `signup:ip:${attempt.ip}`]]);
    try {
      return await create();
    } catch (e) {
      if (e instanceof AuthError && e.code === 'overloaded') await this.settle(held.map(([, key]) => ({ key, action: 'refund' as const })));
      throw e;
    }
  }

  /**
   * Spend one mail of the client's IP and of the account (`accountKey(...)`: the same key whether or not
   * the address belongs to anyone, so a refusal tells nothing); `rate_limited` when over.
   */
  async mail(attempt: Attempt, account: string): Promise<void> {
    const charges: Array<[BudgetName, string]> = [];
    if (attempt.ip !== undefined) charges.push(['mailIp', `mail:ip:${attempt.ip}`]);
    charges.push(['mailAccount', `mail:acct:${account}`]);
    await this.reserve(attempt, charges);
  }

  /** Reserve every charge whose budget is on, in ONE store call; returns what was reserved. */
  private async reserve(attempt: Attempt, wanted: Array<[BudgetName, string]>): Promise<Array<[BudgetName, string]>> {
    const held = wanted.filter(([name]) => this.rules[name] !== false);
    if (held.length === 0) return held;
    const charges: BudgetCharge[] = held.map(([name, key]) => ({ key, ...(this.rules[name] as ThrottleRule) }));
    const now = this.clock();
    const res = await this.counters.reserve(charges, now);
    if (!res.ok) {
      const budget = held.find(([, key]) => key === res.key)![0];
      this.events.emit('login.throttled', { ip: attempt.ip, budget, method: attempt.method }, now);
      throw new AuthError('rate_limited', undefined, { budget, retryAfterMs: Math.max(0, res.retryAt - now) });
    }
    return held;
  }

  private async settle(entries: Array<{ key: string; action: 'refund' | 'clear' }>): Promise<void> {
    if (entries.length === 0) return;
    await this.counters.settle(entries, this.clock());
  }
}

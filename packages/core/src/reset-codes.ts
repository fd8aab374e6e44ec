import { DAY, type Clock } from './clock';
import type { CodeService } from './codes';
import { AuthError } from './errors';
import type { CounterStore, JsonValue, UserStore } from './store';
import { sha256 } from './crypto';

/**
 * Password-reset codes bound to the password they may replace (ASVS 6.4: a reset code is single-use and
 * dies with the state it was issued for). On top of the single-use CodeService, a code is refused when:
 * - the user's password hash changed since it was issued (any path: change, reset, another code, rehash),
 *   checked with a fingerprint of the hash carried in the code's payload;
 * - a newer reset code was issued for the user since (whatever its purpose), checked with a per-user
 *   generation counter.
 * Every refusal is `code_invalid`, like an unknown or used code; the code is used up either way.
 *
 * The generation counter: counters are fixed windows, and a window that ends while a code it vouches for
 * is still alive would void that code early. So time is cut into epochs of EPOCH_MS, one counter per user
 * and epoch (`reset-gen:<userId>:<epoch>`), each kept for EPOCH_MS + the code lifetime from its first
 * increment, which covers every code issued in that epoch. A code records (epoch, count, resetAt) of its
 * issue; redeeming it peeks its epoch's counter (must be unchanged: no newer code that epoch) and every
 * later epoch's up to now (must be empty: no newer code since). A counter that was lost (evicted, store
 * flushed) reads as changed: the code is refused, never accepted.
 */

/** Length of a generation epoch. A code spans 1 + ceil(lifetime / EPOCH_MS) epochs at most. */
export const RESET_EPOCH_MS = DAY;
/** Longest reset-code lifetime accepted by `issue` (bounds the counters peeked per redemption). */
export const MAX_RESET_CODE_LIFETIME = 31 * DAY;
const DEFAULT_PURPOSE = 'reset';

export interface ResetCodeIssueOptions {
  /** CodeService purpose (namespace) of the code; default 'reset'. Codes of every purpose share one generation. */
  purpose?: string;
  /** Caller data handed back by `redeem` (e.g. the protocol's own expiry). */
  payload?: Record<string, JsonValue>;
}

export interface RedeemedResetCode {
  userId: number;
  payload: Record<string, JsonValue>;
}

type Stored = {
  u: number;
  /** Fingerprint of the password hash at issue. */
  fp: string;
  /** Generation: epoch, count and resetAt of that epoch's counter right after this code's increment. */
  e: number;
  n: number;
  r: number;
  x: Record<string, JsonValue>;
};

/** Not secret (the store that holds it also holds the hash); it only has to change whenever the hash does. */
function fingerprint(passwordHash: string | null): string {
  return sha256(`authmount-reset-fp:${passwordHash ?? ''}`, 'hex').slice(0, 32);
}

function generationKey(userId: number, epoch: number): string {
  return `reset-gen:${userId}:${epoch}`;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function isStored(v: unknown): v is Stored {
  const s = v as Partial<Stored> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    isInt(s.u) &&
    typeof s.fp === 'string' &&
    isInt(s.e) &&
    isInt(s.n) &&
    isInt(s.r) &&
    typeof s.x === 'object' &&
    s.x !== null &&
    !Array.isArray(s.x)
  );
}

export class ResetCodeService {
  constructor(
    private readonly codes: CodeService,
    private readonly counters: CounterStore,
    private readonly users: UserStore,
    private readonly clock: Clock,
  ) {}

  /**
   * A fresh reset code for `userId`, valid for `lifetimeMs`; every older reset code of the user stops
   * working. `not_found` when the user does not exist.
   */
  async issue(userId: number, lifetimeMs: number, opts: ResetCodeIssueOptions = {}): Promise<string> {
    if (!isInt(lifetimeMs) || lifetimeMs <= 0 || lifetimeMs > MAX_RESET_CODE_LIFETIME) {
      throw new AuthError('invalid_request', `lifetimeMs must be an integer from 1 to ${MAX_RESET_CODE_LIFETIME}.`);
    }
    const now = this.clock();
    const user = await this.users.findById(userId, now);
    if (!user) throw new AuthError('not_found');
    const epoch = Math.floor(now / RESET_EPOCH_MS);
    const g = await this.counters.increment(generationKey(userId, epoch), RESET_EPOCH_MS + lifetimeMs, now);
    const stored: Stored = { u: userId, fp: fingerprint(user.passwordHash), e: epoch, n: g.count, r: g.resetAt, x: opts.payload ?? {} };
    return this.codes.issue(opts.purpose ?? DEFAULT_PURPOSE, stored, lifetimeMs);
  }

  /**
   * Use a reset code up and say whose it is. `code_invalid` when it is unknown, used, expired, superseded
   * by a newer code, or the user's password changed (or the user is gone) since it was issued.
   */
  async redeem(code: unknown, opts: { purpose?: string } = {}): Promise<RedeemedResetCode> {
    const stored = await this.codes.consume(opts.purpose ?? DEFAULT_PURPOSE, code);
    if (!isStored(stored)) throw new AuthError('code_invalid');
    const now = this.clock();
    const last = Math.floor(now / RESET_EPOCH_MS);
    // A live code never spans more epochs than this; anything else is not a code `issue` made.
    if (last < stored.e || last - stored.e > Math.ceil(MAX_RESET_CODE_LIFETIME / RESET_EPOCH_MS)) throw new AuthError('code_invalid');
    const epochs = Array.from({ length: last - stored.e + 1 }, (_, i) => stored.e + i);
    const states = await Promise.all(epochs.map((e) => this.counters.peek(generationKey(stored.u, e), now)));
    const [own, ...later] = states;
    // Security: a newer code in the same epoch moved `n`; a window restart (or a lost counter) moved `r`.
    if (own.count !== stored.n || own.resetAt !== stored.r) throw new AuthError('code_invalid');
    // Security: a newer code in a later epoch.
    if (later.some((s) => s.count !== 0)) throw new AuthError('code_invalid');
    const user = await this.users.findById(stored.u, now);
    // Security: the password this code may replace is no longer the current one.
    if (!user || fingerprint(user.passwordHash) !== stored.fp) throw new AuthError('code_invalid');
    return { userId: stored.u, payload: stored.x };
  }
}

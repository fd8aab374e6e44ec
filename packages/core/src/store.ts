/**
 * The store contract. Core declares it, adapters implement it (memory, Redis, your own), and ONE shared
 * conformance suite (`@authmount/core/conformance`) tests every implementation the same way.
 *
 * Conventions for every method:
 * - Times are epoch milliseconds; durations are milliseconds. `now` is always passed in by the caller
 *   (core's injected clock): a store never reads the wall clock to decide validity.
 * - "Atomic" means: no other call on the same store can observe or interleave with a half-done state,
 *   across every process sharing the store.
 * - A store signals that it is unreachable or slow by rejecting (any error). Core turns that into
 *   `store_unavailable` and fails closed. Expected outcomes (missing, expired, conflict) are return values.
 * - Records handed to and returned from a store are plain data; the store must not keep references to
 *   objects it returns (callers may mutate them).
 */

export type TokenKind = 'user' | 'app' | 'guest';

/** Small protocol-owned bag (e.g. pCloud's client id, CB's nonce/ts). Keep it under ~1 KiB. */
export type TokenData = Record<string, string | number | boolean | null>;

export interface TokenRecord {
  /** Public handle: decimal digits (a safe integer), unique. Appears in listings and logs. */
  id: string;
  /** base64url SHA-256 of the token's secret. The secret itself is never stored. */
  secretHash: string;
  /** Owner; null for an app session that has no user yet. */
  userId: number | null;
  kind: TokenKind;
  /** Application the token was issued to (CB application, OAuth client), or null. */
  appId: string | null;
  /** Free text shown in token listings (User-Agent or the client's device name). */
  device: string;
  scopes: string[];
  createdAt: number;
  /** Absolute expiry: the token is dead at and after this instant, whatever its use. */
  expiresAt: number;
  /** Inactivity window: each authenticated use moves idleExpiresAt to min(now + idleTtl, expiresAt). */
  idleTtl: number;
  idleExpiresAt: number;
  lastUsedAt: number;
  data: TokenData;
}

/** A token is live at `now` iff now < expiresAt && now < idleExpiresAt. */
export function isLive(r: Pick<TokenRecord, 'expiresAt' | 'idleExpiresAt'>, now: number): boolean {
  return now < r.expiresAt && now < r.idleExpiresAt;
}

export type AuthenticateResult =
  | { ok: true; record: TokenRecord }
  /** `unknown` also covers "expired and already reclaimed": a store need not remember dead tokens. */
  | { ok: false; reason: 'unknown' | 'expired' | 'mismatch' };

/**
 * Changes applied atomically by `TokenStore.update`. Fields present are set verbatim; then, in order:
 * 1. if `slide` is true: idleExpiresAt = now + idleTtl (using the new idleTtl when the patch sets one);
 * 2. always: idleExpiresAt = min(idleExpiresAt, expiresAt) — idle expiry never passes the absolute one.
 * Changing `userId` moves the token between users' indexes in the same atomic step.
 */
export interface TokenPatch {
  expiresAt?: number;
  idleTtl?: number;
  slide?: boolean;
  userId?: number | null;
  kind?: TokenKind;
  scopes?: string[];
  device?: string;
  /** Replaces the whole data bag. */
  data?: TokenData;
}

export interface TokenStore {
  /**
   * Insert a new record. Atomic put-if-absent on `record.id`: resolves false (and changes nothing) when the
   * id exists, so the caller retries with a fresh id. Adds the id to the owner's index in the same step.
   * The store may reclaim the record from min(expiresAt, idleExpiresAt) on.
   */
  create(record: TokenRecord): Promise<boolean>;

  /**
   * THE hot path, one atomic operation (one round trip for a networked store): find the token, check it is
   * live at `now` and that its secretHash equals `secretHash`, and only then slide it:
   * lastUsedAt = now, idleExpiresAt = min(now + idleTtl, expiresAt). A mismatch or a dead token changes
   * nothing. Returns the record as it is after the slide.
   */
  authenticate(id: string, secretHash: string, now: number): Promise<AuthenticateResult>;

  /** Read a live record without sliding it; null when missing or dead at `now`. */
  peek(id: string, now: number): Promise<TokenRecord | null>;

  /** Apply `patch` (see TokenPatch) to a record live at `now`, atomically. Null when missing or dead. */
  update(id: string, patch: TokenPatch, now: number): Promise<TokenRecord | null>;

  /** Remove a token and its index entry atomically. Resolves true iff it existed (live or not yet reclaimed). */
  delete(id: string): Promise<boolean>;

  /**
   * Every token of `userId` live at `now`, oldest first (by createdAt, ties by id in string order). Cost follows the user's own token
   * count, never the store's size. Index entries found stale may be cleaned on the way.
   */
  listByUser(userId: number, now: number): Promise<TokenRecord[]>;

  /**
   * Delete every token of `userId` except the ids in `exceptIds`. Resolves the number of tokens deleted
   * that were live at `now` (dead ones still stored are removed too, but not counted).
   * Once this resolves, no deleted token authenticates again, on any process.
   */
  deleteByUser(userId: number, exceptIds: readonly string[], now: number): Promise<number>;
}

/** JSON-compatible values for user attributes. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface UserRecord {
  /** Positive integer assigned by the store at creation, never reused. */
  id: number;
  /** Unique among users, compared case-insensitively (the store indexes login.toLowerCase()). */
  login: string | null;
  /** Unique among users, compared case-insensitively (the store indexes email.toLowerCase()). */
  email: string | null;
  /** PHC string (argon2id), or null for accounts that cannot log in with a password (guests, providers). */
  passwordHash: string | null;
  createdAt: number;
  updatedAt: number;
  /** When set, the user (and its login/email) is gone at and after this instant (guest users). */
  expiresAt: number | null;
  /** App- and protocol-owned attributes (name, phone, verified flags, ...). */
  attributes: Record<string, JsonValue>;
}

export type NewUser = Omit<UserRecord, 'id'>;
export type UserPatch = Partial<Omit<UserRecord, 'id' | 'createdAt'>>;

export type UserWriteResult = { ok: true; user: UserRecord } | { ok: false; conflict: 'login' | 'email' };

export interface UserStore {
  /** Assign a new id and insert. Atomic uniqueness check of login and email against live users. */
  create(user: NewUser): Promise<UserWriteResult>;
  findById(id: number, now: number): Promise<UserRecord | null>;
  /** Case-insensitive. */
  findByLogin(login: string, now: number): Promise<UserRecord | null>;
  /** Case-insensitive. */
  findByEmail(email: string, now: number): Promise<UserRecord | null>;
  /**
   * Apply `patch` atomically; a changed login/email is re-indexed in the same step and checked for
   * uniqueness. Resolves null when the user does not exist (or expired).
   */
  update(id: number, patch: UserPatch, now: number): Promise<UserWriteResult | null>;
  /** Remove the user and its login/email index entries. Tokens are revoked by the caller. */
  delete(id: number): Promise<boolean>;
}

/** Single-use values (reset codes, OAuth codes, digests), keyed by a hash the caller computes. */
export interface CodeStore {
  /** Store `value` under `key` until `expiresAt` (overwrites). */
  put(key: string, value: string, expiresAt: number): Promise<void>;
  /** Atomic get-and-delete: of any number of concurrent takes, at most one resolves the value. Null when missing or expired at `now`. */
  take(key: string, now: number): Promise<string | null>;
}

export interface NonceStore {
  /**
   * Atomic put-if-absent: resolves true iff `key` was not present (or had expired) at `now`, and then
   * remembers it until now + ttlMs. Of N concurrent calls with one key, exactly one resolves true.
   */
  putIfAbsent(key: string, ttlMs: number, now: number): Promise<boolean>;
}

export interface CounterState {
  count: number;
  /** When the current window ends (epoch ms); the count restarts from 0 after it. */
  resetAt: number;
}

export interface CounterStore {
  /**
   * Atomic increment in a fixed window: the first increment (or the first after the window ended) starts
   * a window of `windowMs` from `now` with count 1. Resolves the state after the increment.
   */
  increment(key: string, windowMs: number, now: number): Promise<CounterState>;
  /** Current state without incrementing; count 0 when absent or the window ended. */
  peek(key: string, now: number): Promise<CounterState>;
  reset(key: string): Promise<void>;
}

export interface AuthStore {
  /** A short name for logs and errors ("memory", "redis"). */
  readonly name: string;
  readonly tokens: TokenStore;
  readonly users: UserStore;
  readonly codes: CodeStore;
  readonly nonces: NonceStore;
  readonly counters: CounterStore;
  /** Release timers and connections. Idempotent. */
  close(): Promise<void>;
}

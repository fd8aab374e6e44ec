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
  /**
   * Who issued the token: `authmount` (authRoutes and app code), a protocol adapter (`pcloud`,
   * `x-auth-bearer`, `cb-token`) or `oauth` (then `appId` names the client). Never changes. Every entry
   * point accepts only the issuers it was told to (see TokenFilter).
   */
  issuer: string;
  /** Application the token was issued to (CB application, OAuth client), or null. */
  appId: string | null;
  /** Free text shown in token listings (User-Agent or the client's device name). */
  device: string;
  scopes: string[];
  createdAt: number;
  /** Absolute expiry: the token is dead at and after this instant, whatever its use. */
  expiresAt: number;
  /**
   * The ceiling (createdAt + the issuer's maximum lifetime). Never changes; no operation moves `expiresAt`
   * past it: `update` clamps, and callers create records with expiresAt <= maxExpiresAt.
   */
  maxExpiresAt: number;
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

/** Upper bound of `slideGranularity`, ms. */
export const MAX_SLIDE_GRANULARITY_MS = 1000;

/**
 * How far a store may let a slide lag (see TokenStore.authenticate): 1 % of the idle window, at most one
 * second. A skipped slide leaves the idle expiry EARLIER than the exact one by less than this, never later.
 */
export function slideGranularity(idleTtl: number): number {
  return Math.min(Math.floor(idleTtl / 100), MAX_SLIDE_GRANULARITY_MS);
}

/**
 * What an entry point accepts. Each present list must match: `issuers` and `kinds` contain the token's
 * issuer / kind, and the token carries every one of `scopes`. Absent lists accept anything.
 */
export interface TokenFilter {
  issuers?: readonly string[] | undefined;
  kinds?: readonly TokenKind[] | undefined;
  scopes?: readonly string[] | undefined;
}

/** True iff `r` passes `filter` (the reference semantics every store implements inside `authenticate`). */
export function accepts(r: { issuer: string; kind: TokenKind; scopes: readonly string[] }, filter: TokenFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.issuers && !filter.issuers.includes(r.issuer)) return false;
  if (filter.kinds && !filter.kinds.includes(r.kind)) return false;
  if (filter.scopes) for (const s of filter.scopes) if (!r.scopes.includes(s)) return false;
  return true;
}

export type AuthenticateResult =
  | { ok: true; record: TokenRecord }
  /** `unknown` also covers "expired and already reclaimed": a store need not remember dead tokens. */
  | { ok: false; reason: 'unknown' | 'expired' | 'mismatch' }
  /** Live, right secret, but not accepted by the filter: NOT slid, nothing changed. `record` as stored. */
  | { ok: false; reason: 'refused'; record: TokenRecord };

/**
 * Changes applied atomically by `TokenStore.update`. Fields present are set verbatim, except that
 * `expiresAt` is clamped: expiresAt = min(patch.expiresAt, maxExpiresAt) (the ceiling). Then, in order:
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
   * live at `now` (both deadlines), that its secretHash equals `secretHash` (constant time), and that it
   * passes `filter` (see `accepts`); only then slide it: lastUsedAt = now,
   * idleExpiresAt = min(now + idleTtl, expiresAt). Checked in that order: a wrong secret learns nothing
   * about the filter. A mismatch, a refusal or a dead token changes nothing (a dead one may be reclaimed).
   * Returns the record as it is after the slide.
   *
   * Slide granularity: a store MAY leave lastUsedAt and idleExpiresAt as stored (no write at all) while
   * the slid idle expiry would be less than `slideGranularity(idleTtl)` past the stored one AND lastUsedAt
   * is less than that behind `now`; it then returns the record as stored. So a token used many times a
   * second costs one write per granule, and its idle expiry is never later than the exact one.
   */
  authenticate(id: string, secretHash: string, now: number, filter?: TokenFilter): Promise<AuthenticateResult>;

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
  /** Store `value` under `key` until `expiresAt` (overwrites). `now` is the caller's instant (for TTLs). */
  put(key: string, value: string, expiresAt: number, now: number): Promise<void>;
  /** Atomic get-and-delete: of any number of concurrent takes, at most one resolves the value. Null when missing or expired at `now`. */
  take(key: string, now: number): Promise<string | null>;
}

export interface CounterState {
  count: number;
  /** When the current window ends (epoch ms); the count restarts from 0 after it. */
  resetAt: number;
}

/** One budget to reserve from: at most `limit` reservations per fixed window of `windowMs`. */
export interface BudgetCharge {
  key: string;
  /** Positive integer. */
  limit: number;
  /** ms; a window starts with the first reservation after the previous one ended. */
  windowMs: number;
}

export type ReserveResult =
  | { ok: true }
  /** `key` is the first exhausted charge (in the order given); nothing was counted anywhere. */
  | { ok: false; key: string; retryAt: number };

/**
 * Fixed-window counters: rate limits, failure budgets, replay guards (a nonce is a budget of one).
 * Every key lives on its own; a key's state is { count, resetAt }. Every method is atomic; a networked
 * store runs each call in one round trip.
 */
export interface CounterStore {
  /**
   * Atomic increment in a fixed window: the first increment (or the first after the window ended) starts
   * a window of `windowMs` from `now` with count 1. Resolves the state after the increment.
   */
  increment(key: string, windowMs: number, now: number): Promise<CounterState>;
  /** Current state without incrementing; count 0 (resetAt = now) when absent or the window ended. */
  peek(key: string, now: number): Promise<CounterState>;
  /**
   * All or nothing, atomically across the keys: if every charge has count < limit at `now` (an ended or
   * absent window counts 0), increment every key by one (starting windows as `increment` does) and resolve
   * ok; otherwise change nothing and name the first exhausted charge, with its resetAt as `retryAt`.
   * Of N concurrent reservations on one key with room for k, exactly min(N, k) succeed.
   */
  reserve(charges: readonly BudgetCharge[], now: number): Promise<ReserveResult>;
  /**
   * Atomically across the keys: `refund` gives one reservation back (count - 1, never below 0; a window
   * that ended at `now` is left alone), `clear` deletes the counter.
   */
  settle(entries: readonly { key: string; action: 'refund' | 'clear' }[], now: number): Promise<void>;
}

/**
 * A registered OAuth client as a registry keeps it (the pCloud adapter's OAuth 2.0 clients): plain data,
 * never the secret itself.
 */
export interface OAuthClientRecord {
  /** 1–64 letters, digits, `-` or `_`. Exact: ids are compared case-sensitively. */
  clientId: string;
  /** Shown to users on the authorize page and as the device of the client's tokens. */
  name: string;
  /** Exact redirect URIs (checked by the adapter before `create`). */
  redirectUris: string[];
  /** base64url SHA-256 of the client secret (core's `hashSecret`). */
  secretHash: string;
  /** Scopes of the access tokens granted to the client. */
  scopes: string[];
  /** `response_type=poll_token` allowed. */
  pollToken: boolean;
  createdAt: number;
}

/**
 * The OAuth client registry: a small table managed at run time (clients are registered by an operator, not
 * by traffic) and shared by every process on the store. No method takes `now`: clients do not expire.
 * Each method is atomic on its own; a networked store answers each in one round trip.
 */
export interface OAuthClientRegistry {
  /** The client whose id is exactly `clientId` (case-sensitive), or null. */
  find(clientId: string): Promise<OAuthClientRecord | null>;
  /**
   * Insert if the id is free, atomically: resolves false (and changes nothing) when it is taken. Of N
   * concurrent creates of one id, exactly one resolves true.
   */
  create(client: OAuthClientRecord): Promise<boolean>;
  /** Remove a client. Resolves true iff it existed; once it resolves, `find` answers null on every process. */
  remove(clientId: string): Promise<boolean>;
  /** Every client, by clientId in string order. Cost follows the number of clients, never the store's size. */
  list(): Promise<OAuthClientRecord[]>;
}

export interface AuthStore {
  /** A short name for logs and errors ("memory", "redis"). */
  readonly name: string;
  readonly tokens: TokenStore;
  readonly users: UserStore;
  readonly codes: CodeStore;
  readonly counters: CounterStore;
  /**
   * Optional: the OAuth client registry, for a store that keeps one (memory and Redis do). Without it
   * everything works but `storeClients(auth)`, which then asks for a registry of your own.
   */
  readonly clients?: OAuthClientRegistry | undefined;
  /** Release timers and connections. Idempotent. */
  close(): Promise<void>;
  /**
   * Optional: resolves once the store answers (a networked store: connected, authenticated, database
   * selected); rejects with the real cause when it cannot (refused connection, wrong password, a database
   * that does not exist). Stores without a connection may omit it. `auth.ready()` calls it.
   */
  ready?(): Promise<void>;
}

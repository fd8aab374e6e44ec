import {
  systemClock,
  type AuthStore,
  type Clock,
  type CodeStore,
  type CounterStore,
  type NonceStore,
  type TokenStore,
  type UserStore,
} from '@authmount/core';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { bounded, closeClient, createClient, DEFAULT_TIMEOUT_MS } from './connection';
import { dropPrefix } from './drop';
import { redisCodeStore, redisCounterStore, redisNonceStore } from './ephemeral';
import { Io, RedisStoreError, type Client } from './io';
import { Keys } from './keys';
import { RedisTokenStore } from './tokens';
import { RedisUserStore } from './users';

export { RedisStoreError } from './io';
export { Keys } from './keys';

export interface RedisStoreOptions {
  /** `redis://[:password@]host:port/db` or `rediss://...`. Combined with `redis` when both are given. */
  url?: string;
  /** ioredis options (host, port, password, tls, db; `sentinels` + `name` for Sentinel). Override the defaults. */
  redis?: RedisOptions;
  /**
   * An existing ioredis `Redis` or `Cluster` client. The store uses it as it is (its own offline-queue and
   * timeout settings apply; the store's deadline still bounds each call) and never closes it.
   */
  client?: Redis | Cluster;
  /** Prepended to every key; no braces. Default "authmount:". */
  prefix?: string;
  /** Deadline of one store call, ms; past it the call rejects (core answers store_unavailable). Default 1000. */
  commandTimeout?: number;
  /**
   * Added to every key TTL, ms. TTLs are relative to the caller's `now`; the slack absorbs clock skew
   * between app servers, so Redis never drops a key that some process still considers live. Default 60 s.
   */
  ttlSlackMs?: number;
  /** Time source for TTLs of calls that get no `now` (codes.put). Pass core's clock. Default Date.now. */
  clock?: Clock;
  /** On close, delete every key under the prefix (SCAN + UNLINK). For tests; default false. */
  dropKeysOnClose?: boolean;
  /** Connection errors and failures of best-effort cleanups (never thrown). Default: ignored. */
  onError?: (err: Error) => void;
}

/**
 * The Redis store: several processes and machines share tokens, users, codes, nonces and counters.
 * See README.md for the key design, the Cluster story and the failure behaviour.
 */
export class RedisStore implements AuthStore {
  readonly name = 'redis';
  readonly tokens: TokenStore;
  readonly users: UserStore;
  readonly codes: CodeStore;
  readonly nonces: NonceStore;
  readonly counters: CounterStore;
  /** The connection in use (yours if you passed `client`). */
  readonly client: Client;
  readonly prefix: string;

  private readonly owned: boolean;
  private readonly timeoutMs: number;
  private readonly dropOnClose: boolean;
  private readonly onError: (err: Error) => void;
  private readonly pending = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(opts: RedisStoreOptions = {}) {
    if (opts.client && (opts.url !== undefined || opts.redis !== undefined)) {
      throw new TypeError('redisStore: pass either `client` or `url`/`redis`, not both');
    }
    this.timeoutMs = opts.commandTimeout ?? DEFAULT_TIMEOUT_MS;
    const slack = opts.ttlSlackMs ?? 60_000;
    if (!(this.timeoutMs > 0) || !(slack >= 1)) throw new RangeError('redisStore: commandTimeout and ttlSlackMs must be positive');
    this.prefix = opts.prefix ?? 'authmount:';
    const keys = new Keys(this.prefix);
    this.onError = opts.onError ?? (() => undefined);
    this.dropOnClose = opts.dropKeysOnClose ?? false;
    this.owned = !opts.client;
    this.client = opts.client ?? createClient(opts.url, opts.redis, this.timeoutMs);
    // Our own client must never emit an unhandled 'error' (ioredis would print it); report instead.
    if (this.owned) this.client.on('error', (e: Error) => this.onError(new RedisStoreError(e.message, 'connection')));
    const io = new Io(this.client, { timeoutMs: this.timeoutMs, awaitFirstReady: this.owned });
    const clock = opts.clock ?? systemClock;
    this.tokens = new RedisTokenStore({
      io,
      keys,
      slack,
      clock,
      background: (task) => this.background(task),
      report: (e) => this.onError(e instanceof Error ? e : new Error(String(e))),
    });
    this.users = new RedisUserStore(io, keys, slack);
    this.codes = redisCodeStore(io, keys, slack, clock);
    this.nonces = redisNonceStore(io, keys, slack);
    this.counters = redisCounterStore(io, keys, slack);
  }

  /** Idempotent. Waits for background cleanups, drops the prefix if asked, closes the client if it is ours. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.pending]);
      if (this.dropOnClose && this.client.status === 'ready') {
        // Bounded: a stalled server must not hang shutdown (or a test run).
        await bounded(dropPrefix(this.client, this.prefix), 10 * this.timeoutMs).catch((e: unknown) => this.onError(e as Error));
      }
      if (this.owned) await closeClient(this.client, this.timeoutMs);
    })();
    return this.closing;
  }

  private background(task: () => Promise<unknown>): void {
    if (this.closing) return;
    const p: Promise<unknown> = task()
      .catch((e: unknown) => this.onError(e as Error))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }
}

export function redisStore(opts?: RedisStoreOptions): RedisStore {
  return new RedisStore(opts);
}

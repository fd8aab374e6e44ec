import {
  systemClock,
  type AuthStore,
  type Clock,
  type CodeStore,
  type CounterStore,
  type OAuthClientRegistry,
  type StoreStatus,
  type StoreStatusSource,
  type TokenStore,
  type UserStore,
} from '@authmount/core';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { redisClientRegistry } from './clients';
import { bounded, closeClient, createClient, DEFAULT_TIMEOUT_MS } from './connection';
import { dropPrefix } from './drop';
import { redisCodeStore, redisCounterStore } from './ephemeral';
import { Io, type Client } from './io';
import { Keys } from './keys';
import { validateRedisStoreOptions } from './options';
import { ConnectionWatch } from './status';
import { RedisTokenStore } from './tokens';
import { RedisUserStore } from './users';

export { RedisStoreError } from './io';
export { Keys } from './keys';

export interface RedisStoreOptions {
  /** `redis://[:password@]host:port/db` or `rediss://...`. Combined with `redis` when both are given. */
  url?: string | undefined;
  /** ioredis options (host, port, password, tls, db; `sentinels` + `name` for Sentinel). Override the defaults. */
  redis?: RedisOptions | undefined;
  /**
   * An existing ioredis `Redis` or `Cluster` client. The store uses it as it is (its own offline-queue and
   * timeout settings apply; the store's deadline still bounds each call) and never closes it.
   */
  client?: Redis | Cluster | undefined;
  /** Prepended to every key; no braces. Default "authmount:". */
  prefix?: string | undefined;
  /** Deadline of one store call, ms; past it the call rejects (core answers store_unavailable). Default 1000. */
  commandTimeout?: number | undefined;
  /**
   * Added to every key TTL, ms. TTLs are relative to the caller's `now`; the slack absorbs clock skew
   * between app servers, so Redis never drops a key that some process still considers live. Default 60 s.
   */
  ttlSlackMs?: number | undefined;
  /** Time source bounding the TTL of a new token key (the earlier of its createdAt and this clock). Default Date.now. */
  clock?: Clock | undefined;
  /** On close, delete every key under the prefix (SCAN + UNLINK). For tests; default false. */
  dropKeysOnClose?: boolean | undefined;
  /**
   * Connection errors and failures of best-effort cleanups (never thrown). Default: ignored. State changes
   * (unavailable / ready again) also reach `createAuth({ logger })`, once each.
   */
  onError?: ((err: Error) => void) | undefined;
}

/**
 * The Redis store: several processes and machines share tokens, users, codes, counters and OAuth clients.
 * See README.md for the key design, the Cluster story and the failure behaviour.
 */
export class RedisStore implements AuthStore, StoreStatusSource {
  readonly name = 'redis';
  readonly tokens: TokenStore;
  readonly users: UserStore;
  readonly codes: CodeStore;
  readonly counters: CounterStore;
  readonly clients: OAuthClientRegistry;
  /** The connection in use (yours if you passed `client`). */
  readonly client: Client;
  readonly prefix: string;

  private readonly owned: boolean;
  private readonly timeoutMs: number;
  private readonly dropOnClose: boolean;
  private readonly onError: (err: Error) => void;
  private readonly watch: ConnectionWatch;
  private readonly pending = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(opts: RedisStoreOptions = {}) {
    validateRedisStoreOptions(opts); // a typo, a bad URL or a bad number fails here, naming the option (ConfigError)
    this.timeoutMs = opts.commandTimeout ?? DEFAULT_TIMEOUT_MS;
    const slack = opts.ttlSlackMs ?? 60_000;
    this.prefix = opts.prefix ?? 'authmount:';
    const keys = new Keys(this.prefix);
    this.onError = opts.onError ?? (() => undefined);
    this.dropOnClose = opts.dropKeysOnClose ?? false;
    this.owned = !opts.client;
    this.client = opts.client ?? createClient(opts.url, opts.redis, this.timeoutMs);
    // Our own client must never emit an unhandled 'error' (ioredis would print it): the watch listens,
    // reports to onError, and keeps the real cause for calls that fail while Redis is away.
    this.watch = new ConnectionWatch(this.client, this.owned, (e) => this.onError(e));
    const io = new Io(this.client, { timeoutMs: this.timeoutMs, awaitFirstReady: this.owned, watch: this.watch });
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
    this.codes = redisCodeStore(io, keys, slack);
    this.counters = redisCounterStore(io, keys, slack);
    this.clients = redisClientRegistry(io, keys);
  }

  /**
   * Resolves once Redis answers (connected, authenticated, database selected). Rejects with the real cause
   * as soon as a connection attempt fails: `redis connection failed: connect ECONNREFUSED 127.0.0.1:6390`,
   * `... WRONGPASS ...`, `... ERR DB index is out of range` (that last one for good: the store then refuses
   * every call rather than use database 0). `auth.ready()` calls this.
   */
  ready(): Promise<void> {
    return this.watch.whenReady();
  }

  /** Connection state changes, once each (createAuth logs them through its logger). */
  onStatus(listener: (status: StoreStatus) => void): () => void {
    return this.watch.onStatus(listener);
  }

  /** Idempotent. Waits for background cleanups, drops the prefix if asked, closes the client if it is ours. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.watch.close();
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

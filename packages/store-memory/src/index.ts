import { systemClock, type AuthStore, type Clock } from '@authmount/core';
import { Capacity } from './capacity';
import { MemoryClientRegistry } from './clients';
import { MemoryCodeStore } from './codes';
import { MemoryCounterStore } from './counters';
import { MemoryTokenStore } from './tokens';
import { MemoryUserStore } from './users';
import { validateMemoryStoreOptions } from './options';

export interface MemoryStoreOptions {
  /**
   * Most entries each map (tokens, users, codes, counters, OAuth clients) may hold. When a map is full even after
   * reclaiming expired entries, writes fail with `capacity` (a 503): the store never evicts a live token
   * to make room, which would log someone out silently. Default 2,000,000.
   */
  maxEntries?: number | undefined;
  /** How often expired entries are reclaimed, ms. Default 60 s. The timer is unref'd. 0 = no timer. */
  sweepIntervalMs?: number | undefined;
  /** Clock for the background sweep only (validity always comes from the `now` callers pass). */
  clock?: Clock | undefined;
}

export interface MemoryStoreStats {
  tokens: number;
  users: number;
  codes: number;
  counters: number;
  clients: number;
}

/**
 * The embedded default store: one process, no persistence. Unlike express-session's MemoryStore it
 * reclaims expired entries on a timer without waiting for them to be read, and it is bounded.
 * One sub-store per concern (tokens.ts, users.ts, codes.ts, counters.ts, clients.ts), as in store-redis.
 */
export class MemoryStore implements AuthStore {
  readonly name = 'memory';
  readonly tokens: MemoryTokenStore;
  readonly users: MemoryUserStore;
  readonly codes: MemoryCodeStore;
  readonly counters: MemoryCounterStore;
  readonly clients: MemoryClientRegistry;

  private readonly clock: Clock;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: MemoryStoreOptions = {}) {
    validateMemoryStoreOptions(opts); // a wrong option fails here, naming it (ConfigError)
    const capacity = new Capacity(opts.maxEntries ?? 2_000_000);
    this.tokens = new MemoryTokenStore(capacity);
    this.users = new MemoryUserStore(capacity);
    this.codes = new MemoryCodeStore(capacity);
    this.counters = new MemoryCounterStore(capacity);
    this.clients = new MemoryClientRegistry(capacity);
    this.clock = opts.clock ?? systemClock;
    const every = opts.sweepIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => this.sweep(this.clock()), every);
      this.timer.unref();
    }
  }

  /** Reclaim every entry dead at `now` that is due in the expiry wheels. Runs on the timer; public for tests. */
  sweep(now: number): void {
    this.tokens.sweep(now);
    this.users.sweep(now);
    this.codes.sweep(now);
    this.counters.sweep(now);
  }

  stats(): MemoryStoreStats {
    return {
      tokens: this.tokens.size,
      users: this.users.size,
      codes: this.codes.size,
      counters: this.counters.size,
      clients: this.clients.size,
    };
  }

  /** Always ready: nothing to connect to. */
  async ready(): Promise<void> {}

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** The embedded default store. */
export function memoryStore(opts?: MemoryStoreOptions): MemoryStore {
  return new MemoryStore(opts);
}

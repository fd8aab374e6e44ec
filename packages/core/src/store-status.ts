import type { AuthStore } from './store';

/**
 * An optional extension of the store contract, for stores behind a connection (Redis, a database): they
 * report when they become usable and when they stop being so. `createAuth({ logger })` writes each change
 * to the log, once: an outage is one warning and its end one info line, however many reconnection
 * attempts happen in between. An in-process store has nothing to report and does not implement it.
 */
export interface StoreStatus {
  state: 'ready' | 'unavailable';
  /** Why the store is unavailable: the driver's error message (never a command argument or a credential). */
  cause?: string;
}

export interface StoreStatusSource {
  /** Subscribe to state changes; returns the unsubscribe function. Only changes are reported, never a repeat. */
  onStatus(listener: (status: StoreStatus) => void): () => void;
}

/** True when `store` reports its connection state (implements StoreStatusSource). */
export function reportsStatus(store: AuthStore): store is AuthStore & StoreStatusSource {
  return typeof (store as Partial<StoreStatusSource>).onStatus === 'function';
}

import type { AuthStore } from '@authmount/core';

/** A real store whose every call rejects while `down`, as it would with a lost Redis connection. */
export interface Outage {
  store: AuthStore;
  setDown(down: boolean): void;
  /** Every operation called through the wrapper, by name ("users.findByEmail", ...), down or not. */
  calls: string[];
}

/**
 * Wrap `inner` so a test can take it "down". The rejection message may carry internal detail on purpose
 * (host, port): tests then assert it never reaches a client.
 */
export function withOutage(inner: AuthStore, message = 'connect ECONNREFUSED 10.0.0.7:6379 internal-detail'): Outage {
  let down = false;
  const calls: string[] = [];
  const wrap = <T extends object>(name: string, part: T): T =>
    new Proxy(part, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(prop)}`);
          return down ? Promise.reject(new Error(message)) : (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const store: AuthStore = {
    name: inner.name,
    tokens: wrap('tokens', inner.tokens),
    users: wrap('users', inner.users),
    codes: wrap('codes', inner.codes),
    counters: wrap('counters', inner.counters),
    clients: inner.clients && wrap('clients', inner.clients),
    close: () => inner.close(),
  };
  return { store, setDown: (d) => (down = d), calls };
}

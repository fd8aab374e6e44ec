import type { AuthStore, BudgetCharge } from '@authmount/core';

/**
 * Make a race certain instead of likely. Wraps a real store so that `counters.reserve` calls whose first key
 * passes `match` are HELD until `n` of them have arrived, then handed to the real store all at once, in one
 * synchronous loop. Every held call therefore starts before any of them finishes: a store whose reserve is
 * not atomic (an await between its check and its count) lets several through, an atomic one exactly the
 * room it has. Over HTTP, requests otherwise reach the store one event-loop turn apart and a non-atomic
 * store can still look atomic.
 *
 * If fewer than `n` calls ever arrive, they stay held and the test fails on its timeout: the race it claims
 * did not happen.
 */
export interface ReserveGate {
  store: AuthStore;
  /** How many matching reserve calls arrived (all were released together once this reached n). */
  arrived(): number;
}

export function gateReservations(inner: AuthStore, n: number, match: (key: string) => boolean): ReserveGate {
  type Held = { charges: readonly BudgetCharge[]; now: number; settle: (p: ReturnType<AuthStore['counters']['reserve']>) => void };
  const held: Held[] = [];
  let arrived = 0;
  const counters = new Proxy(inner.counters, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      if (prop !== 'reserve') return (...args: unknown[]) => (v as (...a: unknown[]) => unknown).apply(target, args);
      return (charges: readonly BudgetCharge[], now: number) => {
        if (!charges[0] || !match(charges[0].key) || arrived >= n) return target.reserve(charges, now);
        arrived++;
        return new Promise((resolve) => {
          held.push({ charges, now, settle: resolve });
          if (held.length === n) for (const h of held.splice(0)) h.settle(target.reserve(h.charges, h.now));
        });
      };
    },
  });
  const store: AuthStore = {
    name: inner.name,
    tokens: inner.tokens,
    users: inner.users,
    codes: inner.codes,
    counters,
    close: () => inner.close(),
  };
  return { store, arrived: () => arrived };
}

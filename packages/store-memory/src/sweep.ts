import type { ExpiryWheel } from './expiry-wheel';

/** Reclaim the entries of `map` due in `wheel` and dead at `now` (re-filing the ones that moved on). */
export function sweepMap<V>(wheel: ExpiryWheel, map: Map<string, V>, deadline: (v: V) => number, now: number): void {
  wheel.sweep(now, (key) => {
    const v = map.get(key);
    if (v === undefined) return null;
    const d = deadline(v);
    if (now < d) return d;
    map.delete(key);
    return null;
  });
}

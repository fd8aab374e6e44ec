import { AuthError } from '@authmount/core';

/**
 * The capacity guard every sub-store shares. When a map is full even after reclaiming expired entries,
 * writes fail with `capacity` (a 503): the store never evicts a live token to make room, which would log
 * someone out silently.
 */
export class Capacity {
  constructor(readonly maxEntries: number) {}

  /** Make room for one more entry, or fail closed. `sweep` reclaims what is dead at `now`. */
  room(size: () => number, sweep: (now: number) => void, now: number): void {
    if (size() < this.maxEntries) return;
    sweep(now);
    if (size() >= this.maxEntries) throw new AuthError('capacity');
  }
}

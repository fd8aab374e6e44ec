import type { CodeStore } from '@authmount/core';
import type { Capacity } from './capacity';
import { ExpiryWheel } from './expiry-wheel';
import { sweepMap } from './sweep';

/** Single-use codes: a map of key → { value, expiresAt }; `take` deletes before it answers. */
export class MemoryCodeStore implements CodeStore {
  private readonly map = new Map<string, { value: string; expiresAt: number }>();
  private readonly wheel = new ExpiryWheel();

  constructor(private readonly capacity: Capacity) {}

  get size(): number {
    return this.map.size;
  }

  sweep(now: number): void {
    sweepMap(this.wheel, this.map, (e) => e.expiresAt, now);
  }

  async put(key: string, value: string, expiresAt: number, now: number): Promise<void> {
    if (!this.map.has(key))
      this.capacity.room(
        () => this.map.size,
        (t) => this.sweep(t),
        now,
      );
    this.map.set(key, { value, expiresAt });
    this.wheel.add(key, expiresAt);
  }

  async take(key: string, now: number): Promise<string | null> {
    const e = this.map.get(key);
    if (!e) return null;
    this.map.delete(key);
    return now < e.expiresAt ? e.value : null;
  }
}

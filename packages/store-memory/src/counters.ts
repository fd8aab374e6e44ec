import type { BudgetCharge, CounterState, CounterStore, ReserveResult } from '@authmount/core';
import type { Capacity } from './capacity';
import { ExpiryWheel } from './expiry-wheel';
import { sweepMap } from './sweep';

/**
 * Fixed-window counters. Every method runs synchronously to completion inside one call, so each is
 * atomic within the process (reserve checks every charge before it counts any).
 */
export class MemoryCounterStore implements CounterStore {
  private readonly map = new Map<string, CounterState>();
  private readonly wheel = new ExpiryWheel();

  constructor(private readonly capacity: Capacity) {}

  get size(): number {
    return this.map.size;
  }

  sweep(now: number): void {
    sweepMap(this.wheel, this.map, (c) => c.resetAt, now);
  }

  async increment(key: string, windowMs: number, now: number): Promise<CounterState> {
    return { ...this.bump(key, windowMs, now) };
  }

  async peek(key: string, now: number): Promise<CounterState> {
    const c = this.live(key, now);
    return c ? { ...c } : { count: 0, resetAt: now };
  }

  async reserve(charges: readonly BudgetCharge[], now: number): Promise<ReserveResult> {
    for (const ch of charges) {
      const c = this.live(ch.key, now);
      if (c && c.count >= ch.limit) return { ok: false, key: ch.key, retryAt: c.resetAt };
    }
    // Room is made (or refused) before anything is counted, so a full store never leaves half a reservation.
    if (charges.some((ch) => !this.map.has(ch.key)))
      this.capacity.room(
        () => this.map.size,
        (t) => this.sweep(t),
        now,
      );
    for (const ch of charges) this.bump(ch.key, ch.windowMs, now, false);
    return { ok: true };
  }

  async settle(entries: readonly { key: string; action: 'refund' | 'clear' }[], now: number): Promise<void> {
    for (const { key, action } of entries) {
      if (action === 'clear') {
        this.map.delete(key);
        continue;
      }
      const c = this.live(key, now);
      if (c && c.count > 0) c.count--;
    }
  }

  private live(key: string, now: number): CounterState | undefined {
    const c = this.map.get(key);
    return c && now < c.resetAt ? c : undefined;
  }

  private bump(key: string, windowMs: number, now: number, checkRoom = true): CounterState {
    const c = this.map.get(key);
    if (c && now < c.resetAt) {
      c.count++;
      return c;
    }
    if (!c && checkRoom)
      this.capacity.room(
        () => this.map.size,
        (t) => this.sweep(t),
        now,
      );
    const fresh = { count: 1, resetAt: now + windowMs };
    this.map.set(key, fresh);
    this.wheel.add(key, fresh.resetAt);
    return fresh;
  }
}

import assert from 'node:assert/strict';
import type { AuthStore } from '../store';
import { HOUR, MIN } from './fixtures';
import { eq, type Ctx } from './support';

/** CounterStore: fixed windows, all-or-nothing reservations, refunds, and exact counts under races. */
export function counterTests(ctx: Ctx<AuthStore>): void {
  const { describe, it } = ctx.runner;
  describe('counters', () => {
    it('counts within a fixed window and restarts after it', async () => {
      eq(await ctx.store.counters.increment('c', MIN, ctx.now), { count: 1, resetAt: ctx.now + MIN });
      eq(await ctx.store.counters.increment('c', MIN, ctx.now + 10), { count: 2, resetAt: ctx.now + MIN });
      eq(await ctx.store.counters.peek('c', ctx.now + 20), { count: 2, resetAt: ctx.now + MIN });
      eq(await ctx.store.counters.increment('c', MIN, ctx.now + MIN), { count: 1, resetAt: ctx.now + 2 * MIN });
      assert.equal((await ctx.store.counters.peek('c', ctx.now + 3 * MIN)).count, 0);
      assert.equal((await ctx.store.counters.peek('absent', ctx.now)).count, 0);
    });

    it('never loses a concurrent increment', async () => {
      const states = await Promise.all(Array.from({ length: 40 }, () => ctx.store.counters.increment('p', MIN, ctx.now)));
      eq(
        states.map((s) => s.count).sort((a, b) => a - b),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      assert.equal((await ctx.store.counters.peek('p', ctx.now)).count, 40);
    });

    it('reserves up to the limit, then refuses with the window end and counts nothing more', async () => {
      for (let i = 0; i < 3; i++) eq(await ctx.store.counters.reserve([{ key: 'b', limit: 3, windowMs: MIN }], ctx.now + i), { ok: true });
      eq(await ctx.store.counters.reserve([{ key: 'b', limit: 3, windowMs: MIN }], ctx.now + 5), {
        ok: false,
        key: 'b',
        retryAt: ctx.now + MIN,
      });
      eq(await ctx.store.counters.peek('b', ctx.now + 5), { count: 3, resetAt: ctx.now + MIN });
      // a new window starts with room again
      eq(await ctx.store.counters.reserve([{ key: 'b', limit: 3, windowMs: MIN }], ctx.now + MIN), { ok: true });
      eq(await ctx.store.counters.peek('b', ctx.now + MIN), { count: 1, resetAt: ctx.now + 2 * MIN });
    });

    it('reserves all or nothing across keys, naming the first exhausted one', async () => {
      await ctx.store.counters.reserve([{ key: 'full', limit: 1, windowMs: HOUR }], ctx.now);
      const res = await ctx.store.counters.reserve(
        [
          { key: 'a', limit: 5, windowMs: MIN },
          { key: 'full', limit: 1, windowMs: HOUR },
          { key: 'z', limit: 5, windowMs: MIN },
        ],
        ctx.now + 1,
      );
      eq(res, { ok: false, key: 'full', retryAt: ctx.now + HOUR });
      assert.equal((await ctx.store.counters.peek('a', ctx.now + 1)).count, 0);
      assert.equal((await ctx.store.counters.peek('z', ctx.now + 1)).count, 0);
      assert.equal((await ctx.store.counters.peek('full', ctx.now + 1)).count, 1);
      eq(
        await ctx.store.counters.reserve(
          [
            { key: 'a', limit: 5, windowMs: MIN },
            { key: 'z', limit: 5, windowMs: 2 * MIN },
          ],
          ctx.now + 2,
        ),
        { ok: true },
      );
      eq(await ctx.store.counters.peek('a', ctx.now + 2), { count: 1, resetAt: ctx.now + 2 + MIN });
      eq(await ctx.store.counters.peek('z', ctx.now + 2), { count: 1, resetAt: ctx.now + 2 + 2 * MIN });
    });

    it('lets exactly the remaining budget through when reservations race', async () => {
      await ctx.store.counters.reserve([{ key: 'race-b', limit: 10, windowMs: MIN }], ctx.now);
      const got = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          ctx.store.counters.reserve(
            [
              { key: `race-pair-${i % 3}`, limit: 100, windowMs: MIN },
              { key: 'race-b', limit: 10, windowMs: MIN },
            ],
            ctx.now,
          ),
        ),
      );
      assert.equal(got.filter((r) => r.ok).length, 9);
      assert.equal((await ctx.store.counters.peek('race-b', ctx.now)).count, 10);
      const pairs = await Promise.all([0, 1, 2].map((i) => ctx.store.counters.peek(`race-pair-${i}`, ctx.now)));
      assert.equal(
        pairs.reduce((n, s) => n + s.count, 0),
        9,
      );
    });

    it('gives exactly one of many concurrent users a budget of one (a nonce)', async () => {
      const got = await Promise.all(
        Array.from({ length: 50 }, () => ctx.store.counters.reserve([{ key: 'nonce', limit: 1, windowMs: MIN }], ctx.now)),
      );
      assert.equal(got.filter((r) => r.ok).length, 1);
      assert.equal((await ctx.store.counters.reserve([{ key: 'nonce', limit: 1, windowMs: MIN }], ctx.now + MIN - 1)).ok, false);
      assert.equal((await ctx.store.counters.reserve([{ key: 'nonce', limit: 1, windowMs: MIN }], ctx.now + MIN)).ok, true);
    });

    it('refunds one reservation per key (never below zero) and clears', async () => {
      await ctx.store.counters.reserve([{ key: 'r1', limit: 5, windowMs: MIN }], ctx.now);
      await ctx.store.counters.reserve([{ key: 'r1', limit: 5, windowMs: MIN }], ctx.now);
      await ctx.store.counters.reserve([{ key: 'r2', limit: 5, windowMs: MIN }], ctx.now);
      await ctx.store.counters.settle(
        [
          { key: 'r1', action: 'refund' },
          { key: 'r2', action: 'clear' },
          { key: 'absent', action: 'refund' },
        ],
        ctx.now + 1,
      );
      eq(await ctx.store.counters.peek('r1', ctx.now + 1), { count: 1, resetAt: ctx.now + MIN });
      assert.equal((await ctx.store.counters.peek('r2', ctx.now + 1)).count, 0);
      assert.equal((await ctx.store.counters.peek('absent', ctx.now + 1)).count, 0);
      await ctx.store.counters.settle([{ key: 'r1', action: 'refund' }], ctx.now + 2);
      await ctx.store.counters.settle([{ key: 'r1', action: 'refund' }], ctx.now + 3);
      assert.equal((await ctx.store.counters.peek('r1', ctx.now + 3)).count, 0);
      // the window survives a refund to zero: the next reservation counts in it
      await ctx.store.counters.reserve([{ key: 'r1', limit: 5, windowMs: MIN }], ctx.now + 4);
      eq(await ctx.store.counters.peek('r1', ctx.now + 4), { count: 1, resetAt: ctx.now + MIN });
      // a cleared counter starts a fresh window
      await ctx.store.counters.reserve([{ key: 'r2', limit: 5, windowMs: MIN }], ctx.now + 5);
      eq(await ctx.store.counters.peek('r2', ctx.now + 5), { count: 1, resetAt: ctx.now + 5 + MIN });
    });

    it('never loses a refund or a reservation that race', async () => {
      for (let i = 0; i < 20; i++) await ctx.store.counters.reserve([{ key: 'mix', limit: 100, windowMs: MIN }], ctx.now);
      await Promise.all([
        ...Array.from({ length: 15 }, () => ctx.store.counters.settle([{ key: 'mix', action: 'refund' }], ctx.now)),
        ...Array.from({ length: 15 }, () => ctx.store.counters.reserve([{ key: 'mix', limit: 100, windowMs: MIN }], ctx.now)),
      ]);
      assert.equal((await ctx.store.counters.peek('mix', ctx.now)).count, 20);
    });
  });
}

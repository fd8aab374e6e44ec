import assert from 'node:assert/strict';
import type { AuthStore } from '../store';
import { MIN } from './fixtures';
import type { Ctx } from './support';

/** CodeStore: single use, expiry, overwrite, one winner among concurrent takers. */
export function codeTests(ctx: Ctx<AuthStore>): void {
  const { describe, it } = ctx.runner;
  describe('codes', () => {
    it('takes a code exactly once', async () => {
      await ctx.store.codes.put('k1', '{"u":1}', ctx.now + MIN, ctx.now);
      assert.equal(await ctx.store.codes.take('k1', ctx.now), '{"u":1}');
      assert.equal(await ctx.store.codes.take('k1', ctx.now), null);
      assert.equal(await ctx.store.codes.take('nope', ctx.now), null);
    });

    it('does not hand out an expired code', async () => {
      await ctx.store.codes.put('k2', 'v', ctx.now + MIN, ctx.now);
      assert.equal(await ctx.store.codes.take('k2', ctx.now + MIN), null);
    });

    it('overwrites a code put again under the same key', async () => {
      await ctx.store.codes.put('k4', 'first', ctx.now + MIN, ctx.now);
      await ctx.store.codes.put('k4', 'second', ctx.now + 2 * MIN, ctx.now);
      assert.equal(await ctx.store.codes.take('k4', ctx.now + MIN), 'second');
    });

    it('gives a code to exactly one of many concurrent takers', async () => {
      await ctx.store.codes.put('k3', 'v', ctx.now + MIN, ctx.now);
      const got = await Promise.all(Array.from({ length: 25 }, () => ctx.store.codes.take('k3', ctx.now)));
      assert.equal(got.filter((v) => v === 'v').length, 1);
    });
  });
}

import assert from 'node:assert/strict';
import type { AuthStore } from '../store';
import { DAY, newUser } from './fixtures';
import { eq, like, type Ctx } from './support';

/** UserStore: ids, case-insensitive unique logins and e-mails, atomic re-indexing, expiring guests, copies. */
export function userTests(ctx: Ctx<AuthStore>): void {
  const { describe, it } = ctx.runner;
  describe('users', () => {
    const base = (over: Record<string, unknown> = {}) => newUser(ctx.now, over);

    it('creates users with distinct positive integer ids and finds them by id, login and e-mail (case-insensitive)', async () => {
      const a = await ctx.store.users.create(base());
      const b = await ctx.store.users.create(base({ login: 'bob', email: 'bob@example.com' }));
      assert.ok(a.ok && b.ok);
      assert.ok(Number.isSafeInteger(a.user.id) && a.user.id > 0);
      assert.notEqual(b.user.id, a.user.id);
      eq(await ctx.store.users.findById(a.user.id, ctx.now), a.user);
      eq(await ctx.store.users.findByLogin('ALICE', ctx.now), a.user);
      eq(await ctx.store.users.findByEmail('alice@example.COM', ctx.now), a.user);
      assert.equal(a.user.email, 'Alice@Example.com');
      assert.equal(await ctx.store.users.findByLogin('carol', ctx.now), null);
      assert.equal(await ctx.store.users.findById(999999, ctx.now), null);
    });

    it('refuses a taken login or e-mail, case-insensitively; null identifiers never collide', async () => {
      await ctx.store.users.create(base());
      eq(await ctx.store.users.create(base({ email: 'x@example.com', login: 'ALICE' })), { ok: false, conflict: 'login' });
      eq(await ctx.store.users.create(base({ login: 'x', email: 'alice@EXAMPLE.com' })), { ok: false, conflict: 'email' });
      const n1 = await ctx.store.users.create(base({ login: null, email: null }));
      const n2 = await ctx.store.users.create(base({ login: null, email: null }));
      assert.ok(n1.ok && n2.ok);
    });

    it('lets exactly one of many concurrent registrations of one e-mail win', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ctx.store.users.create(base({ login: `u${i}`, email: 'race@example.com' }))),
      );
      assert.equal(results.filter((r) => r.ok).length, 1);
    });

    it('updates, re-indexing a changed login and e-mail atomically', async () => {
      const a = await ctx.store.users.create(base());
      await ctx.store.users.create(base({ login: 'bob', email: 'bob@example.com' }));
      assert.ok(a.ok, 'create failed');
      const id = a.user.id;
      const u = await ctx.store.users.update(id, { email: 'new@example.com', attributes: { name: 'A2' }, updatedAt: ctx.now + 1 }, ctx.now);
      like(u, { ok: true, user: { id, email: 'new@example.com', login: 'alice', attributes: { name: 'A2' }, updatedAt: ctx.now + 1 } });
      assert.equal(await ctx.store.users.findByEmail('alice@example.com', ctx.now), null);
      assert.equal((await ctx.store.users.findByEmail('NEW@example.com', ctx.now))?.id, id);
      eq(await ctx.store.users.update(id, { login: 'Bob' }, ctx.now), { ok: false, conflict: 'login' });
      assert.equal((await ctx.store.users.findByLogin('alice', ctx.now))?.id, id);
      eq(await ctx.store.users.update(id, { email: 'BOB@example.com' }, ctx.now), { ok: false, conflict: 'email' });
      like(await ctx.store.users.update(id, { passwordHash: 'h2' }, ctx.now), { ok: true, user: { passwordHash: 'h2' } });
      assert.equal(await ctx.store.users.update(999999, { passwordHash: 'x' }, ctx.now), null);
      like(await ctx.store.users.update(id, { login: 'ALICE' }, ctx.now), { ok: true, user: { login: 'ALICE' } });
    });

    it('deletes a user and frees its login and e-mail', async () => {
      const a = await ctx.store.users.create(base());
      assert.ok(a.ok, 'create failed');
      assert.equal(await ctx.store.users.delete(a.user.id), true);
      assert.equal(await ctx.store.users.delete(a.user.id), false);
      assert.equal(await ctx.store.users.findById(a.user.id, ctx.now), null);
      assert.equal(await ctx.store.users.findByLogin('alice', ctx.now), null);
      assert.equal((await ctx.store.users.create(base())).ok, true);
    });

    it('forgets a user after its expiresAt (guests) and frees its login', async () => {
      const g = await ctx.store.users.create(base({ login: 'guest_1', email: null, expiresAt: ctx.now + DAY }));
      assert.ok(g.ok, 'create failed');
      assert.equal((await ctx.store.users.findById(g.user.id, ctx.now + DAY - 1))?.id, g.user.id);
      assert.equal(await ctx.store.users.findById(g.user.id, ctx.now + DAY), null);
      assert.equal(await ctx.store.users.findByLogin('guest_1', ctx.now + DAY), null);
      assert.equal(await ctx.store.users.update(g.user.id, { attributes: {} }, ctx.now + DAY), null);
    });

    it('hands out copies of users', async () => {
      const a = await ctx.store.users.create(base());
      assert.ok(a.ok, 'create failed');
      a.user.attributes.name = 'changed';
      assert.equal((await ctx.store.users.findById(a.user.id, ctx.now))?.attributes.name, 'Alice');
    });
  });
}

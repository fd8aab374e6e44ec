import assert from 'node:assert/strict';
import { hashSecret } from '../crypto';
import { slideGranularity, type AuthStore, type TokenRecord } from '../store';
import { newSecret, newTokenId } from '../token-format';
import { DAY, HOUR, MIN, tokenRecord } from './fixtures';
import { eq, ids, like, type Ctx } from './support';

/** TokenStore: create, the authenticate hot path (validity, secret, filter, slide), update, listing, deletion. */
export function tokenTests(ctx: Ctx<AuthStore>): void {
  const { describe, it } = ctx.runner;
  const record = (over: Partial<TokenRecord> = {}) => tokenRecord(ctx.now, over);

  describe('tokens', () => {
    it('creates and peeks a record unchanged', async () => {
      const r = record({ data: { client: 'sdk', n: 3, ok: true, none: null }, appId: 'app1', device: 'Firefox', issuer: 'pcloud' });
      assert.equal(await ctx.store.tokens.create(r), true);
      eq(await ctx.store.tokens.peek(r.id, ctx.now), r);
    });

    it('refuses a duplicate id and keeps the original', async () => {
      const r = record();
      await ctx.store.tokens.create(r);
      const dup = { ...r, secretHash: hashSecret(newSecret()), device: 'other' };
      assert.equal(await ctx.store.tokens.create(dup), false);
      eq(await ctx.store.tokens.peek(r.id, ctx.now), r);
    });

    it('creates app tokens (no owner) and tokens whose id was drawn for another owner, each once', async () => {
      const app = record({ userId: null, kind: 'app' });
      assert.equal(await ctx.store.tokens.create(app), true);
      assert.equal(await ctx.store.tokens.create({ ...app, device: 'again' }), false);
      like(await ctx.store.tokens.peek(app.id, ctx.now), { userId: null, device: app.device });
      // Ids carry the slot of the user they were drawn for (cluster placement), but an owner is not bound to
      // them: an id drawn for nobody, or for another user, still indexes under the record's own user.
      const stray = [
        record({ userId: 14, id: newTokenId(null), createdAt: ctx.now - 4 }),
        record({ userId: 14, createdAt: ctx.now - 3 }),
        record({ userId: 14, id: newTokenId(99), createdAt: ctx.now - 2 }),
        record({ userId: 14, createdAt: ctx.now - 1 }),
      ];
      for (const r of [stray[3], stray[0], stray[2], stray[1]]) assert.equal(await ctx.store.tokens.create(r), true);
      assert.equal(await ctx.store.tokens.create({ ...stray[0], device: 'again' }), false);
      eq(ids(await ctx.store.tokens.listByUser(14, ctx.now)), ids(stray));
      assert.equal(await ctx.store.tokens.delete(stray[2].id), true);
      assert.equal(await ctx.store.tokens.deleteByUser(14, [stray[0].id], ctx.now), 2);
      eq(ids(await ctx.store.tokens.listByUser(14, ctx.now)), [stray[0].id]);
    });

    it('authenticates with the right hash and slides the idle expiry', async () => {
      const r = record();
      await ctx.store.tokens.create(r);
      const later = ctx.now + 3 * HOUR;
      const res = await ctx.store.tokens.authenticate(r.id, r.secretHash, later);
      assert.ok(res.ok);
      assert.equal(res.record.idleExpiresAt, later + DAY);
      assert.equal(res.record.lastUsedAt, later);
      assert.equal(res.record.expiresAt, r.expiresAt);
      eq(res.record, { ...r, idleExpiresAt: later + DAY, lastUsedAt: later });
      assert.equal((await ctx.store.tokens.peek(r.id, later))?.idleExpiresAt, later + DAY);
    });

    it('does not slide on a wrong hash and reports a mismatch', async () => {
      const r = record();
      await ctx.store.tokens.create(r);
      const res = await ctx.store.tokens.authenticate(r.id, hashSecret(newSecret()), ctx.now + HOUR);
      eq(res, { ok: false, reason: 'mismatch' });
      assert.equal((await ctx.store.tokens.peek(r.id, ctx.now + HOUR))?.idleExpiresAt, r.idleExpiresAt);
    });

    it('compares the whole hash: one that differs only in its last character is a mismatch', async () => {
      const r = record();
      await ctx.store.tokens.create(r);
      const last = r.secretHash.at(-1) === 'A' ? 'B' : 'A';
      const near = r.secretHash.slice(0, -1) + last;
      eq(await ctx.store.tokens.authenticate(r.id, near, ctx.now), { ok: false, reason: 'mismatch' });
      eq(await ctx.store.tokens.authenticate(r.id, r.secretHash.slice(0, -1), ctx.now), { ok: false, reason: 'mismatch' });
      eq(await ctx.store.tokens.authenticate(r.id, `${r.secretHash}A`, ctx.now), { ok: false, reason: 'mismatch' });
    });

    it('reports an unknown id', async () => {
      eq(await ctx.store.tokens.authenticate(newTokenId(1), hashSecret('x'), ctx.now), { ok: false, reason: 'unknown' });
      assert.equal(await ctx.store.tokens.peek(newTokenId(1), ctx.now), null);
    });

    it('expires after the idle window without use', async () => {
      const r = record();
      await ctx.store.tokens.create(r);
      const res = await ctx.store.tokens.authenticate(r.id, r.secretHash, ctx.now + DAY);
      assert.equal(res.ok, false);
      if (!res.ok) assert.ok(['unknown', 'expired'].includes(res.reason), res.reason);
      assert.equal(await ctx.store.tokens.peek(r.id, ctx.now + DAY), null);
      // one millisecond before the idle expiry it was still fine (checked on a fresh token)
      const r2 = record();
      await ctx.store.tokens.create(r2);
      assert.equal((await ctx.store.tokens.authenticate(r2.id, r2.secretHash, ctx.now + DAY - 1)).ok, true);
      // peek and update check the idle deadline themselves, on a record nothing has touched since it died
      const r3 = record();
      await ctx.store.tokens.create(r3);
      assert.equal((await ctx.store.tokens.peek(r3.id, ctx.now + DAY - 1))?.id, r3.id);
      assert.equal(await ctx.store.tokens.peek(r3.id, ctx.now + DAY), null);
      const r4 = record();
      await ctx.store.tokens.create(r4);
      assert.equal(await ctx.store.tokens.update(r4.id, { device: 'late' }, ctx.now + DAY), null);
    });

    it('expires at the absolute expiry even when used all along, and never slides past it', async () => {
      const r = record({ expiresAt: ctx.now + 2 * DAY, idleTtl: DAY, idleExpiresAt: ctx.now + DAY });
      await ctx.store.tokens.create(r);
      let t = ctx.now;
      for (let i = 0; i < 4; i++) {
        t += 10 * HOUR;
        const res = await ctx.store.tokens.authenticate(r.id, r.secretHash, t);
        assert.ok(res.ok);
        assert.equal(res.record.idleExpiresAt, Math.min(t + DAY, r.expiresAt));
      }
      assert.equal((await ctx.store.tokens.authenticate(r.id, r.secretHash, r.expiresAt)).ok, false);
      assert.equal(await ctx.store.tokens.peek(r.id, r.expiresAt), null);
    });

    it('checks the absolute expiry on its own: a record whose idle deadline is later is dead at expiresAt', async () => {
      // Core never writes such a record, but a store must not rely on that: both deadlines are checked.
      // One record per operation, never used before: a use would slide (and so clamp) the idle deadline down
      // to the absolute one, and the check under test would no longer be the only one that applies.
      const fresh = async () => {
        const r = record({ expiresAt: ctx.now + HOUR, idleTtl: 2 * DAY, idleExpiresAt: ctx.now + 2 * DAY });
        await ctx.store.tokens.create(r);
        assert.equal((await ctx.store.tokens.peek(r.id, ctx.now + HOUR - 1))?.id, r.id); // alive until then (peek never slides)
        return r;
      };
      const a = await fresh();
      assert.equal((await ctx.store.tokens.authenticate(a.id, a.secretHash, ctx.now + HOUR)).ok, false);
      const b = await fresh();
      assert.equal(await ctx.store.tokens.peek(b.id, ctx.now + HOUR), null);
      const c = await fresh();
      assert.equal(await ctx.store.tokens.update(c.id, { slide: true }, ctx.now + HOUR), null);
      // Used just before the absolute expiry, it slides no further than it.
      const d = await fresh();
      const used = await ctx.store.tokens.authenticate(d.id, d.secretHash, ctx.now + HOUR - 1);
      assert.ok(used.ok);
      assert.equal(used.record.idleExpiresAt, ctx.now + HOUR);
    });

    it('slides within the granularity: a skipped slide leaves the record as stored, and one past it is exact', async () => {
      const r = record();
      await ctx.store.tokens.create(r);
      const g = slideGranularity(r.idleTtl);
      const a = await ctx.store.tokens.authenticate(r.id, r.secretHash, ctx.now + 1);
      assert.ok(a.ok);
      // Either slid exactly or left as stored (never a deadline later than the exact one).
      if (a.record.lastUsedAt === ctx.now + 1) assert.equal(a.record.idleExpiresAt, ctx.now + 1 + DAY);
      else eq({ l: a.record.lastUsedAt, x: a.record.idleExpiresAt }, { l: r.lastUsedAt, x: r.idleExpiresAt });
      eq(await ctx.store.tokens.peek(r.id, ctx.now + 1), a.record);
      // Lagging by the granularity (whichever the ctx.store did above), the slide is exact again.
      const t = ctx.now + 1 + g;
      const b = await ctx.store.tokens.authenticate(r.id, r.secretHash, t);
      assert.ok(b.ok);
      eq({ l: b.record.lastUsedAt, x: b.record.idleExpiresAt }, { l: t, x: t + DAY });
      // Idle expiry pinned to the absolute one: it cannot move, but lastUsedAt still does once it lags by g.
      const c = record({ expiresAt: ctx.now + HOUR, idleExpiresAt: ctx.now + HOUR });
      await ctx.store.tokens.create(c);
      const d = await ctx.store.tokens.authenticate(c.id, c.secretHash, ctx.now + g);
      assert.ok(d.ok);
      eq({ l: d.record.lastUsedAt, x: d.record.idleExpiresAt }, { l: ctx.now + g, x: ctx.now + HOUR });
    });

    describe('filter (whose tokens an entry point accepts)', () => {
      it('accepts a token whose issuer, kind and scopes pass, and slides it', async () => {
        const r = record({ issuer: 'pcloud' });
        await ctx.store.tokens.create(r);
        const res = await ctx.store.tokens.authenticate(r.id, r.secretHash, ctx.now + HOUR, {
          issuers: ['x-auth-bearer', 'pcloud'],
          kinds: ['user', 'guest'],
          scopes: ['write', 'read'],
        });
        assert.ok(res.ok);
        assert.equal(res.record.idleExpiresAt, ctx.now + HOUR + DAY);
        // empty filter lists: no issuer list accepts all, a scopes list of zero requires nothing
        assert.equal((await ctx.store.tokens.authenticate(r.id, r.secretHash, ctx.now + HOUR, { scopes: [] })).ok, true);
      });

      for (const [name, filter] of [
        ['issuer', { issuers: ['authmount', 'cb-token'] }],
        ['issuer (empty list)', { issuers: [] }],
        ['kind', { kinds: ['app'] }],
        ['scope', { scopes: ['read', 'account'] }],
        ['issuer, though kind and scope pass', { issuers: ['oauth'], kinds: ['user'], scopes: ['read'] }],
      ] as const) {
        it(`refuses a token by ${name} without sliding or touching it`, async () => {
          const r = record({ issuer: 'pcloud' });
          await ctx.store.tokens.create(r);
          const res = await ctx.store.tokens.authenticate(r.id, r.secretHash, ctx.now + HOUR, filter);
          assert.equal(res.ok, false);
          assert.ok(!res.ok && res.reason === 'refused', JSON.stringify(res));
          if (!res.ok && res.reason === 'refused') eq(res.record, r);
          eq(await ctx.store.tokens.peek(r.id, ctx.now + HOUR), r);
        });
      }

      it('reports a wrong secret as a mismatch before any filter (a guess learns nothing about the token)', async () => {
        const r = record({ issuer: 'pcloud' });
        await ctx.store.tokens.create(r);
        eq(await ctx.store.tokens.authenticate(r.id, hashSecret(newSecret()), ctx.now, { issuers: ['authmount'] }), {
          ok: false,
          reason: 'mismatch',
        });
      });

      it('reports a dead token as dead whatever the filter', async () => {
        const r = record({ issuer: 'pcloud' });
        await ctx.store.tokens.create(r);
        const res = await ctx.store.tokens.authenticate(r.id, r.secretHash, ctx.now + DAY, { issuers: ['authmount'] });
        assert.ok(!res.ok && (res.reason === 'expired' || res.reason === 'unknown'));
      });

      it('matches scopes as whole names', async () => {
        const r = record({ scopes: ['read-only', 'writer'] });
        await ctx.store.tokens.create(r);
        const res = await ctx.store.tokens.authenticate(r.id, r.secretHash, ctx.now, { scopes: ['read'] });
        assert.ok(!res.ok && res.reason === 'refused');
      });
    });

    it('updates expiry with slide and clamps idle to absolute', async () => {
      const r = record();
      await ctx.store.tokens.create(r);
      const t = ctx.now + HOUR;
      const a = await ctx.store.tokens.update(r.id, { expiresAt: t + 10 * DAY, idleTtl: 2 * DAY, slide: true }, t);
      like(a, { expiresAt: t + 10 * DAY, idleTtl: 2 * DAY, idleExpiresAt: t + 2 * DAY });
      const b = await ctx.store.tokens.update(r.id, { expiresAt: t + HOUR }, t);
      like(b, { expiresAt: t + HOUR, idleExpiresAt: t + HOUR });
      const c = await ctx.store.tokens.update(r.id, { slide: true }, t + 30 * MIN);
      assert.equal(c?.idleExpiresAt, t + HOUR);
      assert.equal(await ctx.store.tokens.peek(r.id, t + HOUR), null);
      assert.equal(await ctx.store.tokens.update(r.id, { slide: true }, t + HOUR), null);
    });

    it('never moves the absolute expiry past the ceiling (maxExpiresAt), however often it is extended', async () => {
      const r = record({ expiresAt: ctx.now + DAY, idleExpiresAt: ctx.now + HOUR, idleTtl: HOUR, maxExpiresAt: ctx.now + 3 * DAY });
      await ctx.store.tokens.create(r);
      let t = ctx.now;
      for (let i = 0; i < 5; i++) {
        t += 20 * MIN;
        const u = await ctx.store.tokens.update(r.id, { expiresAt: t + 30 * DAY, slide: true }, t);
        like(u, { expiresAt: ctx.now + 3 * DAY, maxExpiresAt: ctx.now + 3 * DAY, idleExpiresAt: t + HOUR, createdAt: ctx.now });
      }
      like(await ctx.store.tokens.peek(r.id, t), { expiresAt: ctx.now + 3 * DAY });
      // moving it earlier is allowed, and the ceiling stays where it was
      like(await ctx.store.tokens.update(r.id, { expiresAt: t + 30 * MIN }, t), {
        expiresAt: t + 30 * MIN,
        maxExpiresAt: ctx.now + 3 * DAY,
      });
      like(await ctx.store.tokens.update(r.id, { expiresAt: ctx.now + 9 * DAY }, t), { expiresAt: ctx.now + 3 * DAY });
    });

    it('updates kind, user, scopes, device and data; moves the token between user indexes', async () => {
      const r = record({ userId: null, kind: 'app', scopes: ['read'] });
      await ctx.store.tokens.create(r);
      const up = await ctx.store.tokens.update(
        r.id,
        { userId: 42, kind: 'user', scopes: ['read', 'write'], device: 'd2', data: { x: 1 } },
        ctx.now,
      );
      like(up, { userId: 42, kind: 'user', scopes: ['read', 'write'], device: 'd2', data: { x: 1 }, issuer: 'authmount' });
      eq(ids(await ctx.store.tokens.listByUser(42, ctx.now)), [r.id]);
      const down = await ctx.store.tokens.update(r.id, { userId: null, kind: 'app', scopes: ['read'] }, ctx.now);
      assert.equal(down?.userId, null);
      eq(await ctx.store.tokens.listByUser(42, ctx.now), []);
      assert.equal((await ctx.store.tokens.authenticate(r.id, r.secretHash, ctx.now)).ok, true);
      const moved = await ctx.store.tokens.update(r.id, { userId: 43, kind: 'user' }, ctx.now);
      assert.equal(moved?.userId, 43);
      await ctx.store.tokens.update(r.id, { userId: 44 }, ctx.now);
      eq(await ctx.store.tokens.listByUser(43, ctx.now), []);
      eq(ids(await ctx.store.tokens.listByUser(44, ctx.now)), [r.id]);
    });

    it('changes only what a patch names: no slide without slide, owner kept without userId, kind and scopes apart', async () => {
      const r = record({ scopes: ['read'] });
      await ctx.store.tokens.create(r);
      const t = ctx.now + HOUR;
      // No `slide`: the idle expiry stays as stored (only clamped to the absolute one).
      const a = await ctx.store.tokens.update(r.id, { idleTtl: 2 * DAY }, t);
      like(a, { idleTtl: 2 * DAY, idleExpiresAt: r.idleExpiresAt, lastUsedAt: r.lastUsedAt, userId: 7 });
      // Scopes alone, then kind alone: the other one, the owner and the index stay.
      like(await ctx.store.tokens.update(r.id, { scopes: ['read', 'admin'] }, t), { kind: 'user', scopes: ['read', 'admin'], userId: 7 });
      like(await ctx.store.tokens.update(r.id, { kind: 'guest' }, t), { kind: 'guest', scopes: ['read', 'admin'], userId: 7 });
      like(await ctx.store.tokens.update(r.id, { device: 'd3', data: { y: 2 } }, t), {
        userId: 7,
        kind: 'guest',
        device: 'd3',
        data: { y: 2 },
      });
      eq(ids(await ctx.store.tokens.listByUser(7, t)), [r.id]);
      like(await ctx.store.tokens.peek(r.id, t), { userId: 7, kind: 'guest', scopes: ['read', 'admin'], idleExpiresAt: r.idleExpiresAt });
    });

    it('keeps scopes, issuers and app ids apart even when they contain separators', async () => {
      // (No NUL here: PostgreSQL cannot store it, and core refuses it before any store; see storable.ts.)
      const joined = record({ scopes: ['a\nb'], issuer: 'x', appId: null });
      const split = record({ scopes: ['a', 'b'], issuer: 'x', appId: null });
      const text = record({ scopes: ['a', 'b'], issuer: 'x', appId: 'null' });
      const issuerJoin = record({ scopes: ['b'], issuer: 'x\na', appId: null });
      for (const r of [joined, split, text, issuerJoin]) await ctx.store.tokens.create(r);
      for (const r of [joined, split, text, issuerJoin]) {
        like(await ctx.store.tokens.peek(r.id, ctx.now), { scopes: r.scopes, issuer: r.issuer, appId: r.appId });
      }
    });

    it('deletes: true once, then false; the token never validates again', async () => {
      const r = record();
      await ctx.store.tokens.create(r);
      assert.equal(await ctx.store.tokens.delete(r.id), true);
      assert.equal(await ctx.store.tokens.delete(r.id), false);
      assert.equal((await ctx.store.tokens.authenticate(r.id, r.secretHash, ctx.now)).ok, false);
      eq(await ctx.store.tokens.listByUser(7, ctx.now), []);
    });

    it("lists a user's live tokens oldest first, and nobody else's", async () => {
      const a = record({ createdAt: ctx.now - 3 });
      const b = record({ createdAt: ctx.now - 2 });
      const c = record({ createdAt: ctx.now - 1, idleExpiresAt: ctx.now + HOUR, idleTtl: HOUR });
      const other = record({ userId: 8 });
      const app = record({ userId: null, kind: 'app' });
      for (const r of [c, a, other, b, app]) await ctx.store.tokens.create(r);
      eq(ids(await ctx.store.tokens.listByUser(7, ctx.now)), [a.id, b.id, c.id]);
      eq(ids(await ctx.store.tokens.listByUser(7, ctx.now + HOUR)), [a.id, b.id]);
      eq(ids(await ctx.store.tokens.listByUser(8, ctx.now)), [other.id]);
      eq(await ctx.store.tokens.listByUser(9, ctx.now), []);
      eq((await ctx.store.tokens.listByUser(7, ctx.now))[0], a);
    });

    it('lists tokens created in the same millisecond by id, in string order', async () => {
      // Ids drawn for this user, for nobody and for others (other cluster slots) side by side.
      const same = Array.from({ length: 9 }, (_, i) =>
        record({ userId: 12, createdAt: ctx.now - 5, id: newTokenId(i % 3 === 0 ? 12 : i % 3 === 1 ? null : 1000 + i) }),
      );
      for (const r of same) await ctx.store.tokens.create(r);
      eq(ids(await ctx.store.tokens.listByUser(12, ctx.now)), same.map((r) => r.id).sort());
    });

    it("deletes all of a user's tokens except some, leaving other users alone", async () => {
      const keep = record();
      const drop1 = record();
      const drop2 = record();
      const other = record({ userId: 8 });
      for (const r of [keep, drop1, drop2, other]) await ctx.store.tokens.create(r);
      assert.equal(await ctx.store.tokens.deleteByUser(7, [keep.id], ctx.now), 2);
      eq(ids(await ctx.store.tokens.listByUser(7, ctx.now)), [keep.id]);
      assert.equal((await ctx.store.tokens.authenticate(drop1.id, drop1.secretHash, ctx.now)).ok, false);
      assert.equal((await ctx.store.tokens.authenticate(drop2.id, drop2.secretHash, ctx.now)).ok, false);
      assert.equal((await ctx.store.tokens.authenticate(other.id, other.secretHash, ctx.now)).ok, true);
      assert.equal(await ctx.store.tokens.deleteByUser(7, [], ctx.now), 1);
      eq(await ctx.store.tokens.listByUser(7, ctx.now), []);
    });

    it('counts only the live tokens it revoked; dead ones still held go too, uncounted', async () => {
      const live = record({ userId: 13 });
      const idleDead = record({ userId: 13, idleTtl: HOUR, idleExpiresAt: ctx.now + HOUR });
      const absDead = record({ userId: 13, expiresAt: ctx.now + 2 * HOUR, idleExpiresAt: ctx.now + HOUR, idleTtl: HOUR });
      for (const r of [live, idleDead, absDead]) await ctx.store.tokens.create(r);
      const t = ctx.now + 3 * HOUR;
      assert.equal(await ctx.store.tokens.deleteByUser(13, [], t), 1);
      assert.equal(await ctx.store.tokens.peek(live.id, t), null);
      eq(await ctx.store.tokens.listByUser(13, t), []);
    });

    it('hands out copies: mutating a returned record changes nothing stored', async () => {
      const r = record();
      await ctx.store.tokens.create(r);
      r.scopes.push('admin');
      const p = await ctx.store.tokens.peek(r.id, ctx.now);
      eq(p?.scopes, ['read', 'write']);
      p!.data.evil = true;
      p!.scopes.push('admin');
      like(await ctx.store.tokens.peek(r.id, ctx.now), { data: {}, scopes: ['read', 'write'] });
    });

    it('lets exactly one of many concurrent creates with one id win', async () => {
      const r = record();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.store.tokens.create({ ...r, device: `d${i}` })));
      assert.equal(results.filter(Boolean).length, 1);
    });
  });
}

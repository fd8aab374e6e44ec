/**
 * The store conformance suite: every AuthStore (memory, Redis, yours) must pass it unchanged.
 *
 *   import { describeStoreConformance } from '@authmount/core/conformance';
 *   describeStoreConformance({ name: 'my-store', create: () => myStore(...) });
 *
 * It runs inside jest (uses the global describe/it/expect). Time is driven through the `now` argument
 * every store method takes, so the suite never sleeps; a store must decide validity from `now`, not from
 * its own clock (a networked store may still set real TTLs, as long as they are relative to `now`).
 */
import type { AuthStore, TokenRecord } from '../store';
import { hashSecret, newSecret, newTokenId } from '../token-format';

export interface ConformanceOptions {
  name: string;
  /** A fresh, empty store for one test (e.g. a new key prefix). */
  create(): AuthStore | Promise<AuthStore>;
  /** Called after each test with the store it got; default closes it. */
  destroy?(store: AuthStore): Promise<void>;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export function describeStoreConformance(opts: ConformanceOptions): void {
  describe(`store conformance: ${opts.name}`, () => {
    let store: AuthStore;
    let now: number;
    // Start at the real time so a store that also sets wall-clock TTLs behaves; tests only move forward.
    beforeEach(async () => {
      store = await opts.create();
      now = Math.floor(Date.now() / 1000) * 1000;
    });
    afterEach(async () => {
      if (opts.destroy) await opts.destroy(store);
      else await store.close();
    });

    function record(over: Partial<TokenRecord> = {}): TokenRecord {
      const userId = over.userId === undefined ? 7 : over.userId;
      return {
        id: newTokenId(userId),
        secretHash: hashSecret(newSecret()),
        userId,
        kind: userId === null ? 'app' : 'user',
        appId: null,
        device: 'jest',
        scopes: ['read', 'write'],
        createdAt: now,
        expiresAt: now + 30 * DAY,
        idleTtl: DAY,
        idleExpiresAt: now + DAY,
        lastUsedAt: now,
        data: {},
        ...over,
      };
    }

    describe('tokens', () => {
      it('creates and peeks a record unchanged', async () => {
        const r = record({ data: { client: 'sdk', n: 3, ok: true, none: null }, appId: 'app1', device: 'Firefox' });
        expect(await store.tokens.create(r)).toBe(true);
        expect(await store.tokens.peek(r.id, now)).toEqual(r);
      });

      it('refuses a duplicate id and keeps the original', async () => {
        const r = record();
        await store.tokens.create(r);
        const dup = { ...r, secretHash: hashSecret(newSecret()), device: 'other' };
        expect(await store.tokens.create(dup)).toBe(false);
        expect(await store.tokens.peek(r.id, now)).toEqual(r);
      });

      it('authenticates with the right hash and slides the idle expiry', async () => {
        const r = record();
        await store.tokens.create(r);
        const later = now + 3 * HOUR;
        const res = await store.tokens.authenticate(r.id, r.secretHash, later);
        expect(res.ok).toBe(true);
        if (!res.ok) return;
        expect(res.record.idleExpiresAt).toBe(later + DAY);
        expect(res.record.lastUsedAt).toBe(later);
        expect(res.record.expiresAt).toBe(r.expiresAt);
        const peeked = await store.tokens.peek(r.id, later);
        expect(peeked?.idleExpiresAt).toBe(later + DAY);
      });

      it('does not slide on a wrong hash and reports a mismatch', async () => {
        const r = record();
        await store.tokens.create(r);
        const res = await store.tokens.authenticate(r.id, hashSecret(newSecret()), now + HOUR);
        expect(res).toEqual({ ok: false, reason: 'mismatch' });
        expect((await store.tokens.peek(r.id, now + HOUR))?.idleExpiresAt).toBe(r.idleExpiresAt);
      });

      it('reports an unknown id', async () => {
        expect(await store.tokens.authenticate(newTokenId(1), hashSecret('x'), now)).toEqual({ ok: false, reason: 'unknown' });
        expect(await store.tokens.peek(newTokenId(1), now)).toBeNull();
      });

      it('expires after the idle window without use', async () => {
        const r = record();
        await store.tokens.create(r);
        const res = await store.tokens.authenticate(r.id, r.secretHash, now + DAY);
        expect(res.ok).toBe(false);
        if (!res.ok) expect(['unknown', 'expired']).toContain(res.reason);
        expect(await store.tokens.peek(r.id, now + DAY)).toBeNull();
        // one millisecond before the idle expiry it was still fine (checked on a fresh token)
        const r2 = record();
        await store.tokens.create(r2);
        expect((await store.tokens.authenticate(r2.id, r2.secretHash, now + DAY - 1)).ok).toBe(true);
      });

      it('expires at the absolute expiry even when used all along, and never slides past it', async () => {
        const r = record({ expiresAt: now + 2 * DAY, idleTtl: DAY, idleExpiresAt: now + DAY });
        await store.tokens.create(r);
        let t = now;
        for (let i = 0; i < 4; i++) {
          t += 10 * HOUR;
          const res = await store.tokens.authenticate(r.id, r.secretHash, t);
          expect(res.ok).toBe(true);
          if (res.ok) expect(res.record.idleExpiresAt).toBe(Math.min(t + DAY, r.expiresAt));
        }
        expect((await store.tokens.authenticate(r.id, r.secretHash, r.expiresAt)).ok).toBe(false);
        expect(await store.tokens.peek(r.id, r.expiresAt)).toBeNull();
      });

      it('updates expiry with slide and clamps idle to absolute', async () => {
        const r = record();
        await store.tokens.create(r);
        const t = now + HOUR;
        const a = await store.tokens.update(r.id, { expiresAt: t + 10 * DAY, idleTtl: 2 * DAY, slide: true }, t);
        expect(a).toMatchObject({ expiresAt: t + 10 * DAY, idleTtl: 2 * DAY, idleExpiresAt: t + 2 * DAY });
        const b = await store.tokens.update(r.id, { expiresAt: t + HOUR }, t);
        expect(b).toMatchObject({ expiresAt: t + HOUR, idleExpiresAt: t + HOUR });
        const c = await store.tokens.update(r.id, { slide: true }, t + 30 * MIN);
        expect(c?.idleExpiresAt).toBe(t + HOUR);
        expect(await store.tokens.peek(r.id, t + HOUR)).toBeNull();
        expect(await store.tokens.update(r.id, { slide: true }, t + HOUR)).toBeNull();
      });

      it('updates kind, user, scopes, device and data; moves the token between user indexes', async () => {
        const r = record({ userId: null, kind: 'app', scopes: ['read'] });
        await store.tokens.create(r);
        const up = await store.tokens.update(r.id, { userId: 42, kind: 'user', scopes: ['read', 'write'], device: 'd2', data: { x: 1 } }, now);
        expect(up).toMatchObject({ userId: 42, kind: 'user', scopes: ['read', 'write'], device: 'd2', data: { x: 1 } });
        expect((await store.tokens.listByUser(42, now)).map((t) => t.id)).toEqual([r.id]);
        const down = await store.tokens.update(r.id, { userId: null, kind: 'app', scopes: ['read'] }, now);
        expect(down?.userId).toBeNull();
        expect(await store.tokens.listByUser(42, now)).toEqual([]);
        expect((await store.tokens.authenticate(r.id, r.secretHash, now)).ok).toBe(true);
        const moved = await store.tokens.update(r.id, { userId: 43, kind: 'user' }, now);
        expect(moved?.userId).toBe(43);
        await store.tokens.update(r.id, { userId: 44 }, now);
        expect(await store.tokens.listByUser(43, now)).toEqual([]);
        expect((await store.tokens.listByUser(44, now)).map((t) => t.id)).toEqual([r.id]);
      });

      it('deletes: true once, then false; the token never validates again', async () => {
        const r = record();
        await store.tokens.create(r);
        expect(await store.tokens.delete(r.id)).toBe(true);
        expect(await store.tokens.delete(r.id)).toBe(false);
        expect((await store.tokens.authenticate(r.id, r.secretHash, now)).ok).toBe(false);
        expect(await store.tokens.listByUser(7, now)).toEqual([]);
      });

      it("lists a user's live tokens oldest first, and nobody else's", async () => {
        const a = record({ createdAt: now - 3 });
        const b = record({ createdAt: now - 2 });
        const c = record({ createdAt: now - 1, idleExpiresAt: now + HOUR, idleTtl: HOUR });
        const other = record({ userId: 8 });
        const app = record({ userId: null, kind: 'app' });
        for (const r of [c, a, other, b, app]) await store.tokens.create(r);
        expect((await store.tokens.listByUser(7, now)).map((t) => t.id)).toEqual([a.id, b.id, c.id]);
        expect((await store.tokens.listByUser(7, now + HOUR)).map((t) => t.id)).toEqual([a.id, b.id]);
        expect((await store.tokens.listByUser(8, now)).map((t) => t.id)).toEqual([other.id]);
        expect(await store.tokens.listByUser(9, now)).toEqual([]);
        const listed = (await store.tokens.listByUser(7, now))[0];
        expect(listed).toEqual(a);
      });

      it('deletes all of a user\'s tokens except some, leaving other users alone', async () => {
        const keep = record();
        const drop1 = record();
        const drop2 = record();
        const other = record({ userId: 8 });
        for (const r of [keep, drop1, drop2, other]) await store.tokens.create(r);
        expect(await store.tokens.deleteByUser(7, [keep.id], now)).toBe(2);
        expect((await store.tokens.listByUser(7, now)).map((t) => t.id)).toEqual([keep.id]);
        expect((await store.tokens.authenticate(drop1.id, drop1.secretHash, now)).ok).toBe(false);
        expect((await store.tokens.authenticate(drop2.id, drop2.secretHash, now)).ok).toBe(false);
        expect((await store.tokens.authenticate(other.id, other.secretHash, now)).ok).toBe(true);
        expect(await store.tokens.deleteByUser(7, [], now)).toBe(1);
        expect(await store.tokens.listByUser(7, now)).toEqual([]);
      });

      it('hands out copies: mutating a returned record changes nothing stored', async () => {
        const r = record();
        await store.tokens.create(r);
        r.scopes.push('admin');
        const p = await store.tokens.peek(r.id, now);
        expect(p?.scopes).toEqual(['read', 'write']);
        p!.data.evil = true;
        p!.scopes.push('admin');
        expect(await store.tokens.peek(r.id, now)).toMatchObject({ data: {}, scopes: ['read', 'write'] });
      });

      it('lets exactly one of many concurrent creates with one id win', async () => {
        const r = record();
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.tokens.create({ ...r, device: `d${i}` })));
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('users', () => {
      const base = (over: Record<string, unknown> = {}) => ({
        login: 'alice',
        email: 'Alice@Example.com',
        passwordHash: '$argon2id$fake',
        createdAt: now,
        updatedAt: now,
        expiresAt: null,
        attributes: { name: 'Alice', tags: ['a'], nested: { x: 1 } },
        ...over,
      });

      it('creates users with distinct positive integer ids and finds them by id, login and e-mail (case-insensitive)', async () => {
        const a = await store.users.create(base());
        const b = await store.users.create(base({ login: 'bob', email: 'bob@example.com' }));
        expect(a.ok && b.ok).toBe(true);
        if (!a.ok || !b.ok) return;
        expect(Number.isSafeInteger(a.user.id) && a.user.id > 0).toBe(true);
        expect(b.user.id).not.toBe(a.user.id);
        expect(await store.users.findById(a.user.id, now)).toEqual(a.user);
        expect(await store.users.findByLogin('ALICE', now)).toEqual(a.user);
        expect(await store.users.findByEmail('alice@example.COM', now)).toEqual(a.user);
        expect(a.user.email).toBe('Alice@Example.com');
        expect(await store.users.findByLogin('carol', now)).toBeNull();
        expect(await store.users.findById(999999, now)).toBeNull();
      });

      it('refuses a taken login or e-mail, case-insensitively; null identifiers never collide', async () => {
        await store.users.create(base());
        expect(await store.users.create(base({ email: 'x@example.com', login: 'ALICE' }))).toEqual({ ok: false, conflict: 'login' });
        expect(await store.users.create(base({ login: 'x', email: 'alice@EXAMPLE.com' }))).toEqual({ ok: false, conflict: 'email' });
        const n1 = await store.users.create(base({ login: null, email: null }));
        const n2 = await store.users.create(base({ login: null, email: null }));
        expect(n1.ok && n2.ok).toBe(true);
      });

      it('lets exactly one of many concurrent registrations of one e-mail win', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.users.create(base({ login: `u${i}`, email: 'race@example.com' }))),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
      });

      it('updates, re-indexing a changed login and e-mail atomically', async () => {
        const a = await store.users.create(base());
        await store.users.create(base({ login: 'bob', email: 'bob@example.com' }));
        if (!a.ok) throw new Error('create failed');
        const id = a.user.id;
        const u = await store.users.update(id, { email: 'new@example.com', attributes: { name: 'A2' }, updatedAt: now + 1 }, now);
        expect(u).toMatchObject({ ok: true, user: { id, email: 'new@example.com', login: 'alice', attributes: { name: 'A2' }, updatedAt: now + 1 } });
        expect(await store.users.findByEmail('alice@example.com', now)).toBeNull();
        expect((await store.users.findByEmail('NEW@example.com', now))?.id).toBe(id);
        expect(await store.users.update(id, { login: 'Bob' }, now)).toEqual({ ok: false, conflict: 'login' });
        expect((await store.users.findByLogin('alice', now))?.id).toBe(id);
        expect(await store.users.update(id, { email: 'BOB@example.com' }, now)).toEqual({ ok: false, conflict: 'email' });
        expect(await store.users.update(id, { passwordHash: 'h2' }, now)).toMatchObject({ ok: true, user: { passwordHash: 'h2' } });
        expect(await store.users.update(999999, { passwordHash: 'x' }, now)).toBeNull();
        const sameLogin = await store.users.update(id, { login: 'ALICE' }, now);
        expect(sameLogin).toMatchObject({ ok: true, user: { login: 'ALICE' } });
      });

      it('deletes a user and frees its login and e-mail', async () => {
        const a = await store.users.create(base());
        if (!a.ok) throw new Error('create failed');
        expect(await store.users.delete(a.user.id)).toBe(true);
        expect(await store.users.delete(a.user.id)).toBe(false);
        expect(await store.users.findById(a.user.id, now)).toBeNull();
        expect(await store.users.findByLogin('alice', now)).toBeNull();
        expect((await store.users.create(base())).ok).toBe(true);
      });

      it('forgets a user after its expiresAt (guests) and frees its login', async () => {
        const g = await store.users.create(base({ login: 'guest_1', email: null, expiresAt: now + DAY }));
        if (!g.ok) throw new Error('create failed');
        expect((await store.users.findById(g.user.id, now + DAY - 1))?.id).toBe(g.user.id);
        expect(await store.users.findById(g.user.id, now + DAY)).toBeNull();
        expect(await store.users.findByLogin('guest_1', now + DAY)).toBeNull();
        expect(await store.users.update(g.user.id, { attributes: {} }, now + DAY)).toBeNull();
      });

      it('hands out copies of users', async () => {
        const a = await store.users.create(base());
        if (!a.ok) throw new Error('create failed');
        a.user.attributes.name = 'changed';
        const f = await store.users.findById(a.user.id, now);
        expect(f?.attributes.name).toBe('Alice');
      });
    });

    describe('codes', () => {
      it('takes a code exactly once', async () => {
        await store.codes.put('k1', '{"u":1}', now + MIN);
        expect(await store.codes.take('k1', now)).toBe('{"u":1}');
        expect(await store.codes.take('k1', now)).toBeNull();
        expect(await store.codes.take('nope', now)).toBeNull();
      });

      it('does not hand out an expired code', async () => {
        await store.codes.put('k2', 'v', now + MIN);
        expect(await store.codes.take('k2', now + MIN)).toBeNull();
      });

      it('gives a code to exactly one of many concurrent takers', async () => {
        await store.codes.put('k3', 'v', now + MIN);
        const got = await Promise.all(Array.from({ length: 25 }, () => store.codes.take('k3', now)));
        expect(got.filter((v) => v === 'v')).toHaveLength(1);
      });
    });

    describe('nonces', () => {
      it('accepts a nonce once per TTL window', async () => {
        expect(await store.nonces.putIfAbsent('n1', MIN, now)).toBe(true);
        expect(await store.nonces.putIfAbsent('n1', MIN, now + MIN - 1)).toBe(false);
        expect(await store.nonces.putIfAbsent('n1', MIN, now + MIN)).toBe(true);
        expect(await store.nonces.putIfAbsent('n2', MIN, now)).toBe(true);
      });

      it('accepts exactly one of many concurrent uses', async () => {
        const got = await Promise.all(Array.from({ length: 50 }, () => store.nonces.putIfAbsent('race', MIN, now)));
        expect(got.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('counters', () => {
      it('counts within a fixed window and restarts after it', async () => {
        expect(await store.counters.increment('c', MIN, now)).toEqual({ count: 1, resetAt: now + MIN });
        expect(await store.counters.increment('c', MIN, now + 10)).toEqual({ count: 2, resetAt: now + MIN });
        expect(await store.counters.peek('c', now + 20)).toEqual({ count: 2, resetAt: now + MIN });
        expect(await store.counters.increment('c', MIN, now + MIN)).toEqual({ count: 1, resetAt: now + 2 * MIN });
        expect((await store.counters.peek('c', now + 3 * MIN)).count).toBe(0);
        expect((await store.counters.peek('absent', now)).count).toBe(0);
      });

      it('resets', async () => {
        await store.counters.increment('r', MIN, now);
        await store.counters.reset('r');
        expect((await store.counters.peek('r', now)).count).toBe(0);
        expect((await store.counters.increment('r', MIN, now)).count).toBe(1);
      });

      it('never loses a concurrent increment', async () => {
        const states = await Promise.all(Array.from({ length: 40 }, () => store.counters.increment('p', MIN, now)));
        expect(states.map((s) => s.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        expect((await store.counters.peek('p', now)).count).toBe(40);
      });
    });
  });
}

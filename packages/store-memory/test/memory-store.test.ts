import fc from 'fast-check';
import { describeStoreConformance, tokenRecord } from '@authmount/core/conformance';
import { newTokenId, type TokenRecord } from '@authmount/core';
import { MemoryStore, memoryStore } from '../src';

describeStoreConformance({ name: 'memory', create: () => memoryStore({ sweepIntervalMs: 0 }), clients: true });

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

function token(i: number, over: Partial<TokenRecord> = {}): TokenRecord {
  return tokenRecord(T0, {
    id: newTokenId(i % 50),
    userId: i % 50,
    expiresAt: T0 + 24 * HOUR,
    idleTtl: HOUR,
    idleExpiresAt: T0 + HOUR,
    ...over,
  });
}

describe('memory store specifics', () => {
  let store: MemoryStore;
  beforeEach(() => {
    store = new MemoryStore({ sweepIntervalMs: 0 });
  });
  afterEach(() => store.close());

  it('reclaims expired entries without anyone reading them', async () => {
    for (let i = 0; i < 500; i++) await store.tokens.create(token(i));
    await store.codes.put('c', 'v', T0 + HOUR, T0);
    await store.counters.reserve([{ key: 'n', limit: 1, windowMs: HOUR }], T0);
    await store.counters.increment('k', HOUR, T0);
    const g = await store.users.create({
      login: 'g',
      email: null,
      passwordHash: null,
      createdAt: T0,
      updatedAt: T0,
      expiresAt: T0 + HOUR,
      attributes: {},
    });
    expect(g.ok).toBe(true);
    expect(store.stats()).toEqual({ tokens: 500, users: 1, codes: 1, counters: 2, clients: 0 });
    store.sweep(T0 + 30 * 60_000);
    expect(store.stats().tokens).toBe(500);
    store.sweep(T0 + 2 * HOUR);
    expect(store.stats()).toEqual({ tokens: 0, users: 0, codes: 0, counters: 0, clients: 0 });
  });

  it('keeps tokens that slid and reclaims them when they finally expire', async () => {
    const r = token(1);
    await store.tokens.create(r);
    const res = await store.tokens.authenticate(r.id, r.secretHash, T0 + 50 * 60_000);
    expect(res.ok).toBe(true);
    store.sweep(T0 + 90 * 60_000);
    expect(store.stats().tokens).toBe(1);
    store.sweep(T0 + 3 * HOUR);
    expect(store.stats().tokens).toBe(0);
    expect(await store.tokens.listByUser(1, T0 + 3 * HOUR)).toEqual([]);
  });

  it('is bounded: a full map refuses new entries with capacity instead of evicting live ones', async () => {
    const small = new MemoryStore({ sweepIntervalMs: 0, maxEntries: 3 });
    for (let i = 0; i < 3; i++) expect(await small.tokens.create(token(i))).toBe(true);
    await expect(small.tokens.create(token(9))).rejects.toMatchObject({ code: 'capacity' });
    // Each map has its own bound: counters still have room.
    await expect(small.counters.reserve([{ key: 'a', limit: 1, windowMs: HOUR }], T0)).resolves.toEqual({ ok: true });
    // Once the old tokens are dead, there is room again.
    expect(await small.tokens.create(token(10, { createdAt: T0 + 2 * HOUR, expiresAt: T0 + 9 * HOUR, idleExpiresAt: T0 + 3 * HOUR }))).toBe(
      true,
    );
    expect(small.stats().tokens).toBe(1);
    await small.close();
  });

  it('sweeps on its own timer with the clock it was given', async () => {
    jest.useFakeTimers();
    try {
      let now = T0;
      const timed = new MemoryStore({ sweepIntervalMs: 1000, clock: () => now });
      await timed.tokens.create(token(1));
      now = T0 + 2 * HOUR;
      jest.advanceTimersByTime(1000);
      expect(timed.stats().tokens).toBe(0);
      await timed.close();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('memory token store: compact records (issue 18)', () => {
  let store: MemoryStore;
  beforeEach(() => {
    store = new MemoryStore({ sweepIntervalMs: 0 });
  });
  afterEach(() => store.close());

  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

  it('matches only the exact base64url text of the hash (no other spelling of the same bytes)', async () => {
    const r = token(1);
    await store.tokens.create(r);
    const h = r.secretHash;
    // The last character of 32 bytes carries 2 padding bits: the next letter decodes to the same bytes.
    const padded = h.slice(0, -1) + B64[B64.indexOf(h.at(-1)!) + 1];
    // Node's decoder also takes the standard alphabet: '-' and '_' spelled '+' and '/'.
    const standard = h.replace(/-/g, '+').replace(/_/g, '/');
    for (const other of [padded, `${h}=`, ...(standard === h ? [] : [standard])]) {
      expect(await store.tokens.authenticate(r.id, other, T0)).toEqual({ ok: false, reason: 'mismatch' });
    }
    const ok = await store.tokens.authenticate(r.id, h, T0);
    expect(ok.ok && ok.record.secretHash).toBe(h);
    expect((await store.tokens.peek(r.id, T0))?.secretHash).toBe(h);
  });

  it('indexes a user with one, a few and many tokens (id, array, Set) for list, revoke and revoke-all', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = tokenRecord(T0 + i, { userId: 9, expiresAt: T0 + 24 * HOUR, idleExpiresAt: T0 + HOUR });
      await store.tokens.create(r);
      ids.push(r.id);
      if (i === 0 || i === 4 || i === 39) expect((await store.tokens.listByUser(9, T0 + 50)).map((t) => t.id)).toEqual(ids);
    }
    expect(await store.tokens.delete(ids[3])).toBe(true);
    expect((await store.tokens.listByUser(9, T0 + 50)).map((t) => t.id)).toEqual(ids.filter((_, i) => i !== 3));
    expect(await store.tokens.deleteByUser(9, [ids[0], ids[7]], T0 + 50)).toBe(37);
    expect((await store.tokens.listByUser(9, T0 + 50)).map((t) => t.id)).toEqual([ids[0], ids[7]]);
    expect(await store.tokens.delete(ids[7])).toBe(true);
    expect((await store.tokens.listByUser(9, T0 + 50)).map((t) => t.id)).toEqual([ids[0]]);
    // Moving the last token to another user leaves nothing behind in the first user's index.
    await store.tokens.update(ids[0], { userId: 10 }, T0 + 50);
    expect(await store.tokens.listByUser(9, T0 + 50)).toEqual([]);
    expect((await store.tokens.listByUser(10, T0 + 50)).map((t) => t.id)).toEqual([ids[0]]);
    expect(store.stats().tokens).toBe(1);
  });
});

describe('memory token store: the per-user index', () => {
  let store: MemoryStore;
  beforeEach(() => {
    store = new MemoryStore({ sweepIntervalMs: 0 });
  });
  afterEach(() => store.close());

  const owned = async (userId: number) => (await store.tokens.listByUser(userId, T0 + 1)).map((t) => t.id);

  it('keeps every owned token indexed exactly once through any mix of creates, moves and deletes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('create' as const), user: fc.integer({ min: 0, max: 3 }) }),
            fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
            fc.record({ op: fc.constant('move' as const), pick: fc.nat(), user: fc.option(fc.integer({ min: 0, max: 3 })) }),
            fc.record({ op: fc.constant('revokeAll' as const), user: fc.integer({ min: 0, max: 3 }), keep: fc.nat() }),
          ),
          { maxLength: 60 },
        ),
        async (ops) => {
          const s = new MemoryStore({ sweepIntervalMs: 0 });
          const model = new Map<string, number | null>();
          const pickId = (n: number) => [...model.keys()][n % model.size];
          for (const o of ops) {
            if (o.op === 'create') {
              const r = tokenRecord(T0, { userId: o.user, expiresAt: T0 + HOUR, idleExpiresAt: T0 + HOUR });
              await s.tokens.create(r);
              model.set(r.id, o.user);
            } else if (model.size === 0) continue;
            else if (o.op === 'delete') {
              const id = pickId(o.pick);
              await s.tokens.delete(id);
              model.delete(id);
            } else if (o.op === 'move') {
              const id = pickId(o.pick);
              await s.tokens.update(id, { userId: o.user }, T0 + 1);
              model.set(id, o.user);
            } else {
              const mine = [...model].filter(([, u]) => u === o.user).map(([id]) => id);
              const keep = mine.length ? [mine[o.keep % mine.length]] : [];
              expect(await s.tokens.deleteByUser(o.user, keep, T0 + 1)).toBe(mine.length - keep.length);
              for (const id of mine) if (!keep.includes(id)) model.delete(id);
            }
          }
          for (let u = 0; u <= 3; u++) {
            const want = [...model]
              .filter(([, x]) => x === u)
              .map(([id]) => id)
              .sort();
            expect((await s.tokens.listByUser(u, T0 + 1)).map((t) => t.id).sort()).toEqual(want);
          }
          expect(s.tokens.indexed).toBe([...model.values()].filter((u) => u !== null).length);
          expect(s.tokens.size).toBe(model.size);
          await s.close();
        },
      ),
      { numRuns: 150 },
    );
  });

  /** `n` tokens of `userId`, created a millisecond apart; their ids. */
  const createOwned = async (userId: number, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = tokenRecord(T0 + i, { userId, expiresAt: T0 + HOUR, idleExpiresAt: T0 + HOUR });
      await store.tokens.create(r);
      ids.push(r.id);
    }
    return ids;
  };

  it('a few tokens (an array): deleting one keeps the others listed; the last one leaves nothing behind', async () => {
    const ids = await createOwned(5, 3);
    await store.tokens.delete(ids[1]);
    expect(await owned(5)).toEqual([ids[0], ids[2]]);
    await store.tokens.delete(ids[0]);
    expect(await owned(5)).toEqual([ids[2]]);
    await store.tokens.delete(ids[2]);
    expect(await owned(5)).toEqual([]);
    expect([store.tokens.indexed, store.tokens.indexedOwners]).toEqual([0, 0]);
  });

  it('many tokens (a Set): deleting them all leaves nothing indexed', async () => {
    const ids = await createOwned(6, 40);
    for (const id of ids.slice(0, 39)) await store.tokens.delete(id);
    expect(store.tokens.indexed).toBe(1);
    await store.tokens.delete(ids[39]);
    expect([store.tokens.indexed, store.tokens.indexedOwners]).toEqual([0, 0]);
    expect(await owned(6)).toEqual([]);
  });

  it('keeps a null app id apart from the app ids "\\u0000" and "null" (profiles are shared by key)', async () => {
    const none = token(1, { appId: null });
    const nul = token(2, { appId: '\u0000' });
    const text = token(3, { appId: 'null' });
    for (const r of [none, nul, text]) await store.tokens.create(r);
    for (const r of [none, nul, text]) expect((await store.tokens.peek(r.id, T0))?.appId).toBe(r.appId);
  });

  it('reclaims a token on time when an update moved its deadline earlier', async () => {
    const r = token(1, { expiresAt: T0 + 24 * HOUR, idleTtl: 24 * HOUR, idleExpiresAt: T0 + 24 * HOUR });
    await store.tokens.create(r);
    await store.tokens.update(r.id, { expiresAt: T0 + HOUR }, T0);
    store.sweep(T0 + 2 * HOUR);
    expect(store.stats().tokens).toBe(0);
    expect(store.tokens.indexed).toBe(0);
  });
});

describe('memory counters: capacity', () => {
  const charge = (key: string) => ({ key, limit: 5, windowMs: HOUR });

  it('a full store refuses a new key (reserve or increment) and still counts the keys it holds', async () => {
    const s = new MemoryStore({ sweepIntervalMs: 0, maxEntries: 2 });
    await s.counters.reserve([charge('a'), charge('b')], T0);
    await expect(s.counters.reserve([charge('c')], T0)).rejects.toMatchObject({ code: 'capacity' });
    await expect(s.counters.reserve([charge('a'), charge('c')], T0)).rejects.toMatchObject({ code: 'capacity' });
    await expect(s.counters.increment('c', HOUR, T0)).rejects.toMatchObject({ code: 'capacity' });
    // A refused reservation counted nothing; one on held keys goes through.
    expect(await s.counters.peek('a', T0)).toEqual({ count: 1, resetAt: T0 + HOUR });
    expect(await s.counters.reserve([charge('a'), charge('b')], T0)).toEqual({ ok: true });
    expect(await s.counters.increment('a', HOUR, T0)).toEqual({ count: 3, resetAt: T0 + HOUR });
    expect(await s.counters.peek('b', T0)).toEqual({ count: 2, resetAt: T0 + HOUR });
    await s.close();
  });

  it('makes room by reclaiming ended windows first, for a reservation and for an increment', async () => {
    // An hour later than the windows' end: the expiry wheel files by coarse slots, reclaimed once passed.
    const s = new MemoryStore({ sweepIntervalMs: 0, maxEntries: 2 });
    await s.counters.reserve([charge('a'), charge('b')], T0);
    expect(await s.counters.reserve([charge('c')], T0 + 2 * HOUR)).toEqual({ ok: true });
    expect(s.stats().counters).toBe(1);
    const t = new MemoryStore({ sweepIntervalMs: 0, maxEntries: 2 });
    await t.counters.reserve([charge('a'), charge('b')], T0);
    expect(await t.counters.increment('d', HOUR, T0 + 2 * HOUR)).toEqual({ count: 1, resetAt: T0 + 3 * HOUR });
    expect(t.stats().counters).toBe(1);
    await s.close();
    await t.close();
  });

  it('checks room once per reservation: all new keys of one reservation are counted, never half of them', async () => {
    const s = new MemoryStore({ sweepIntervalMs: 0, maxEntries: 3 });
    await s.counters.reserve([charge('a'), charge('b')], T0);
    expect(await s.counters.reserve([charge('c'), charge('d')], T0)).toEqual({ ok: true });
    expect(await s.counters.peek('c', T0)).toEqual({ count: 1, resetAt: T0 + HOUR });
    expect(await s.counters.peek('d', T0)).toEqual({ count: 1, resetAt: T0 + HOUR });
    await s.close();
  });
});

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

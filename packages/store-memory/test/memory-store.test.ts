import { describeStoreConformance } from '@authmount/core/conformance';
import { hashSecret, newSecret, newTokenId, type TokenRecord } from '@authmount/core';
import { MemoryStore, memoryStore } from '../src';

describeStoreConformance({ name: 'memory', create: () => memoryStore({ sweepIntervalMs: 0 }) });

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

function token(i: number, over: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id: newTokenId(i % 50),
    secretHash: hashSecret(newSecret()),
    userId: i % 50,
    kind: 'user',
    appId: null,
    device: '',
    scopes: ['read', 'write'],
    createdAt: T0,
    expiresAt: T0 + 24 * HOUR,
    idleTtl: HOUR,
    idleExpiresAt: T0 + HOUR,
    lastUsedAt: T0,
    data: {},
    ...over,
  };
}

describe('memory store specifics', () => {
  let store: MemoryStore;
  beforeEach(() => {
    store = new MemoryStore({ sweepIntervalMs: 0 });
  });
  afterEach(() => store.close());

  it('reclaims expired entries without anyone reading them', async () => {
    for (let i = 0; i < 500; i++) await store.tokens.create(token(i));
    await store.codes.put('c', 'v', T0 + HOUR);
    await store.nonces.putIfAbsent('n', HOUR, T0);
    await store.counters.increment('k', HOUR, T0);
    const g = await store.users.create({ login: 'g', email: null, passwordHash: null, createdAt: T0, updatedAt: T0, expiresAt: T0 + HOUR, attributes: {} });
    expect(g.ok).toBe(true);
    expect(store.stats()).toEqual({ tokens: 500, users: 1, codes: 1, nonces: 1, counters: 1 });
    store.sweep(T0 + 30 * 60_000);
    expect(store.stats().tokens).toBe(500);
    store.sweep(T0 + 2 * HOUR);
    expect(store.stats()).toEqual({ tokens: 0, users: 0, codes: 0, nonces: 0, counters: 0 });
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
    await expect(small.nonces.putIfAbsent('a', HOUR, T0)).resolves.toBe(true);
    // Once the old tokens are dead, there is room again.
    expect(await small.tokens.create(token(10, { createdAt: T0 + 2 * HOUR, expiresAt: T0 + 9 * HOUR, idleExpiresAt: T0 + 3 * HOUR }))).toBe(true);
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

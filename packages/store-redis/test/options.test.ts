import { AuthError, createAuthCore, hashSecret, manualClock, newSecret, newTokenId, type AuthStore } from '@authmount/core';
import { redisStore, RedisStoreError } from '@authmount/store-redis';
import Redis from 'ioredis';
import { createServer } from 'node:net';
import { FAST_HASHING } from '../../../test-support/fast';
import {
  describeWithRedisServer,
  describeWithSharedRedis,
  startRedisSentinel,
  startRedisServer,
  uniquePrefix,
  type RedisSentinel,
  type RedisServer,
} from '../../../test-support/redis';

const DAY = 86_400_000;

/** The store works end to end: a token is created, authenticated (and slid), then deleted. */
async function roundTrip(store: AuthStore): Promise<void> {
  const now = Date.now();
  const id = newTokenId(9);
  const secretHash = hashSecret(newSecret());
  const created = await store.tokens.create({
    id,
    secretHash,
    userId: 9,
    kind: 'user',
    appId: null,
    device: 'options test',
    scopes: ['read'],
    createdAt: now,
    expiresAt: now + DAY,
    idleTtl: DAY,
    idleExpiresAt: now + DAY,
    lastUsedAt: now,
    data: {},
  });
  expect(created).toBe(true);
  expect((await store.tokens.authenticate(id, secretHash, now + 1)).ok).toBe(true);
  expect(await store.tokens.delete(id)).toBe(true);
}

describeWithSharedRedis('redisStore accepts every way of reaching Redis', (url) => {
  it('a URL', async () => {
    const store = redisStore({ url, prefix: uniquePrefix('url'), dropKeysOnClose: true });
    try {
      await roundTrip(store);
    } finally {
      await store.close();
    }
  });

  it('an ioredis options object', async () => {
    const u = new URL(url);
    const store = redisStore({
      redis: { host: u.hostname, port: Number(u.port || 6379), db: Number(u.pathname.slice(1) || 0) },
      prefix: uniquePrefix('opts'),
      dropKeysOnClose: true,
    });
    try {
      await roundTrip(store);
    } finally {
      await store.close();
    }
  });

  it('an existing Redis client, which it uses and never closes', async () => {
    const client = new Redis(url);
    try {
      const store = redisStore({ client, prefix: uniquePrefix('client'), dropKeysOnClose: true });
      await roundTrip(store);
      await store.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      await client.quit();
    }
  });
  // A Cluster client: see cluster.test.ts, which runs the whole conformance suite through one.

  it('refuses contradictory or unsafe options', () => {
    const client = new Redis(url, { lazyConnect: true });
    expect(() => redisStore({ client, url })).toThrow(TypeError);
    expect(() => redisStore({ client, prefix: 'a{b}:' })).toThrow(/braces|hash tag|"\{"/);
    expect(() => redisStore({ client, commandTimeout: 0 })).toThrow(RangeError);
    client.disconnect();
  });
});

describeWithRedisServer('redisStore through Sentinel', () => {
  let master: RedisServer;
  let sentinel: RedisSentinel;
  beforeAll(async () => {
    master = await startRedisServer();
    sentinel = await startRedisSentinel(master, 'authmount');
  }, 30_000);
  afterAll(async () => {
    await sentinel?.close();
    await master?.close();
  });

  it('finds the master through the sentinels given in the ioredis options', async () => {
    const store = redisStore({
      redis: { sentinels: [{ host: '127.0.0.1', port: sentinel.port }], name: 'authmount' },
      prefix: 'sentinel:',
    });
    try {
      await roundTrip(store);
    } finally {
      await store.close();
    }
  });
});

describe('redisStore with nothing listening', () => {
  async function deadPort(): Promise<number> {
    return new Promise((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      });
    });
  }

  it('fails each call within its deadline as a store error (store_unavailable in core), reports connection errors, and closes', async () => {
    const errors: Error[] = [];
    const store = redisStore({ url: `redis://127.0.0.1:${await deadPort()}`, commandTimeout: 200, onError: (e) => errors.push(e) });
    const secretHash = hashSecret(newSecret());
    const err = await store.tokens.authenticate(newTokenId(1), secretHash, Date.now()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisStoreError);
    // Nothing that went to Redis travels with the error (ioredis attaches command arguments to its errors).
    expect(JSON.stringify(err)).not.toContain(secretHash);
    expect((err as Error).message).not.toContain(secretHash);

    const core = createAuthCore({ store, clock: manualClock(), hashing: FAST_HASHING });
    const viaCore = await core.tokens.authenticate(`${newTokenId(1)}.${newSecret()}`).catch((e: unknown) => e);
    expect(viaCore).toBeInstanceOf(AuthError);
    expect((viaCore as AuthError).code).toBe('store_unavailable');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e instanceof RedisStoreError)).toBe(true);
    await core.close();
    await core.close(); // idempotent
  });
});

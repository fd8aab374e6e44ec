import { hashSecret, manualClock, newSecret, newTokenId, slotTagOfTokenId, slotTagOfUser, type TokenRecord } from '@authmount/core';
import { redisStore, type RedisStore } from '@authmount/store-redis';
import Redis from 'ioredis';
import { dropPrefix } from '../src/drop';
import { Keys } from '../src/keys';
import { INDEX_ADD, TOKEN_BEGIN } from '../src/scripts';
import { describeWithSharedRedis, uniquePrefix } from '../../../test-support/redis';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const SLACK = 1000;

describeWithSharedRedis('the per-user token index', (url) => {
  let raw: Redis;
  let store: RedisStore;
  let keys: Keys;
  let t0: number;

  beforeAll(() => {
    raw = new Redis(url);
  });
  afterAll(() => raw.quit());
  beforeEach(() => {
    store = redisStore({ url, prefix: uniquePrefix('index'), ttlSlackMs: SLACK, dropKeysOnClose: true });
    keys = new Keys(store.prefix);
    t0 = Date.now();
  });
  afterEach(() => store.close());

  function record(userId: number | null, over: Partial<TokenRecord> = {}): TokenRecord {
    return {
      id: newTokenId(userId),
      secretHash: hashSecret(newSecret()),
      userId,
      kind: userId === null ? 'app' : 'user',
      appId: null,
      device: '',
      scopes: ['read'],
      createdAt: t0,
      expiresAt: t0 + 7 * DAY,
      idleTtl: DAY,
      idleExpiresAt: t0 + DAY,
      lastUsedAt: t0,
      data: {},
      ...over,
    };
  }
  const size = (userId: number) => raw.zcard(keys.userTokens(userId));

  it('is a sorted set of "<id>:<generation>" members, never a JSON list', async () => {
    const a = record(7);
    await store.tokens.create(a);
    expect(await raw.type(keys.userTokens(7))).toBe('zset');
    expect(await raw.zrange(keys.userTokens(7), 0, -1, 'WITHSCORES')).toEqual([`${a.id}:0`, String(t0)]);
  });

  it('drops members of tokens that were reclaimed, expired or deleted when it is read', async () => {
    const live = record(7);
    const idle = record(7, { idleTtl: HOUR, idleExpiresAt: t0 + HOUR });
    const reclaimed = record(7);
    for (const r of [live, idle, reclaimed]) await store.tokens.create(r);
    await raw.unlink(keys.token(reclaimed.id)); // as if Redis had expired it
    expect(await size(7)).toBe(3);
    expect((await store.tokens.listByUser(7, t0 + HOUR)).map((t) => t.id)).toEqual([live.id]);
    expect(await size(7)).toBe(1);
    expect(await raw.exists(keys.token(idle.id))).toBe(0); // the dead token went with its member
    expect(await store.tokens.deleteByUser(7, [], t0 + HOUR)).toBe(1);
    expect(await raw.exists(keys.userTokens(7))).toBe(0); // an emptied index disappears
  });

  it('is swept in the background as it grows, even if nobody ever lists it', async () => {
    const prefix = uniquePrefix('sweep');
    const clock = manualClock(t0);
    const own = redisStore({ url, prefix, clock });
    const k = new Keys(prefix);
    try {
      for (let i = 0; i < 32; i++) await own.tokens.create(record(8, { idleTtl: HOUR, idleExpiresAt: t0 + HOUR }));
      expect(await raw.zcard(k.userTokens(8))).toBe(32);
      clock.advance(2 * HOUR);
      const fresh = record(8, { createdAt: clock(), idleExpiresAt: clock() + DAY, lastUsedAt: clock() });
      await own.tokens.create(fresh); // the 33rd member triggers a sweep
      await own.close(); // waits for the background sweep
      expect(await raw.zrange(k.userTokens(8), 0, -1)).toEqual([`${fresh.id}:0`]);
    } finally {
      await own.close();
      await dropPrefix(raw, prefix);
    }
  });

  it('keeps key TTLs at min(absolute, idle) from now, and the index alive as long as its longest token', async () => {
    const near = record(7, { expiresAt: t0 + 2 * HOUR, idleTtl: DAY, idleExpiresAt: t0 + 2 * HOUR });
    const far = record(7, { expiresAt: t0 + 10 * DAY });
    await store.tokens.create(near);
    await store.tokens.create(far);
    const within = async (key: string, expected: number) => {
      const pttl = await raw.pttl(key);
      expect(pttl).toBeLessThanOrEqual(expected);
      expect(pttl).toBeGreaterThan(expected - 10_000); // only real milliseconds elapsed since
    };
    await within(keys.token(near.id), 2 * HOUR + SLACK);
    await within(keys.token(far.id), DAY + SLACK);
    await within(keys.userTokens(7), 10 * DAY + SLACK);

    // Sliding 12 h later: the TTL counts from that `now`, not from Redis' clock.
    expect((await store.tokens.authenticate(far.id, far.secretHash, t0 + 12 * HOUR)).ok).toBe(true);
    await within(keys.token(far.id), DAY + SLACK);
    // Extending the absolute expiry raises the index TTL before the token may live longer.
    await store.tokens.update(far.id, { expiresAt: t0 + 30 * DAY, slide: true }, t0);
    await within(keys.userTokens(7), 30 * DAY + SLACK);
  });

  it('an interrupted move leaves a pending member that list and revoke-all ignore, and that goes with its token', async () => {
    const r = record(null);
    await store.tokens.create(r);
    const idx = keys.userTokens(42);
    // A process dies after steps 1 (begin) and 2 (index add) of a move to user 42, before the commit.
    const begun = (await raw.call('EVAL', TOKEN_BEGIN.lua, 1, keys.token(r.id), t0, '1', '42')) as string[];
    const gen = begun[0];
    await raw.call('EVAL', INDEX_ADD.lua, 1, idx, t0, SLACK, t0, `${r.id}:${gen}`, r.expiresAt, '0');

    expect((await store.tokens.peek(r.id, t0))?.userId).toBeNull(); // the token's owner did not change
    expect(await store.tokens.listByUser(42, t0)).toEqual([]);
    expect(await store.tokens.deleteByUser(42, [], t0)).toBe(0);
    expect(await raw.zrange(idx, 0, -1)).toEqual([`${r.id}:${gen}`]); // pending: kept, not cleaned
    expect((await store.tokens.authenticate(r.id, r.secretHash, t0)).ok).toBe(true);

    // A complete move goes through regardless; the leftover stays ignored (listed once, not twice).
    await store.tokens.update(r.id, { userId: 42, kind: 'user' }, t0);
    expect((await store.tokens.listByUser(42, t0)).map((t) => t.id)).toEqual([r.id]);

    // An interrupted downgrade (to no user) leaves the token with its owner, still revocable.
    await raw.call('EVAL', TOKEN_BEGIN.lua, 1, keys.token(r.id), t0, '1', '');
    expect((await store.tokens.listByUser(42, t0)).map((t) => t.id)).toEqual([r.id]);
    expect(await store.tokens.deleteByUser(42, [], t0)).toBe(1);
    expect((await store.tokens.authenticate(r.id, r.secretHash, t0)).ok).toBe(false);
    expect(await raw.exists(idx)).toBe(0); // every member, the leftover included, went with the token
  });

  it('never loses a token when revoke-all races an upgrade into the same user (across slots)', async () => {
    for (let i = 0; i < 25; i++) {
      const user = 1000 + i;
      let r = record(null);
      while (slotTagOfTokenId(r.id) === slotTagOfUser(user)) r = record(null);
      await store.tokens.create(r);
      await store.tokens.create(record(user));
      const [, deleted] = await Promise.all([
        store.tokens.update(r.id, { userId: user, kind: 'user' }, t0),
        store.tokens.deleteByUser(user, [], t0),
      ]);
      expect(deleted).toBeGreaterThanOrEqual(1);
      const after = await store.tokens.peek(r.id, t0);
      if (after) {
        // The upgrade won the race: the token belongs to the user, so list and revoke-all must reach it.
        expect(after.userId).toBe(user);
        expect((await store.tokens.listByUser(user, t0)).map((t) => t.id)).toEqual([r.id]);
        expect(await store.tokens.deleteByUser(user, [], t0)).toBe(1);
      }
      expect((await store.tokens.authenticate(r.id, r.secretHash, t0)).ok).toBe(false);
      expect(await store.tokens.listByUser(user, t0)).toEqual([]);
    }
  });
});

import { manualClock, newTokenId, type TokenRecord } from '@authmount/core';
import { tokenRecord } from '@authmount/core/conformance';
import { redisStore, type RedisStore } from '@authmount/store-redis';
import Redis from 'ioredis';
import { dropPrefix } from '../src/drop';
import { Keys } from '../src/keys';
import { describeWithSharedRedis, uniquePrefix } from '../../../test-support/redis';
import { indexMoveCases } from './index-cases';

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
    return tokenRecord(t0, { userId, id: newTokenId(userId), scopes: ['read'], expiresAt: t0 + 7 * DAY, device: '', ...over });
  }
  const size = (userId: number) => raw.zcard(keys.userTokens(userId));

  it('is a sorted set of "<id>:<generation>" members, never a JSON list', async () => {
    const a = record(7);
    await store.tokens.create(a);
    expect(await raw.type(keys.userTokens(7))).toBe('zset');
    expect(await raw.zrange(keys.userTokens(7), 0, '-1', 'WITHSCORES')).toEqual([`${a.id}:0`, String(t0)]);
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

  it('loses the member of a deleted token at once, and keeps a moved token findable by its new generation', async () => {
    const a = record(7);
    const b = record(7);
    for (const r of [a, b]) await store.tokens.create(r);
    expect(await store.tokens.delete(a.id)).toBe(true);
    expect(await raw.zrange(keys.userTokens(7), 0, '-1')).toEqual([`${b.id}:0`]);
    // Moved to user 8 (a new generation), then a patch that takes the general path (expiresAt): still one
    // member under 8, none left under 7, and the patch applied.
    await store.tokens.update(b.id, { userId: 8 }, t0);
    const moved = await store.tokens.update(b.id, { expiresAt: t0 + 2 * DAY }, t0);
    expect(moved).toMatchObject({ userId: 8, expiresAt: t0 + 2 * DAY });
    expect(await size(7)).toBe(0);
    expect(await raw.zrange(keys.userTokens(8), 0, '-1')).toEqual([expect.stringMatching(new RegExp(`^${b.id}:[^0]`))]);
    expect((await store.tokens.listByUser(8, t0)).map((t) => t.id)).toEqual([b.id]);
    expect(await store.tokens.delete(b.id)).toBe(true);
    expect(await size(8)).toBe(0);
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
      expect(await raw.zrange(k.userTokens(8), 0, '-1')).toEqual([`${fresh.id}:0`]);
    } finally {
      await own.close();
      await dropPrefix(raw, prefix);
    }
  });

  /** Redis' own clock, in ms (TIME). */
  const redisNow = async () => {
    const [sec, usec] = await raw.time();
    return Number(sec) * 1000 + Number(usec) / 1000;
  };
  /**
   * Run `call`, then check the TTL it gave each key exactly: Redis counts a TTL from its own clock at the
   * moment it runs the command, which lies between two TIME readings taken around the call, so the absolute
   * expiry (PEXPIRETIME) minus the expected TTL must fall in that interval. No allowance for elapsed time.
   */
  async function expectTtls<T>(call: () => Promise<T>, expected: Array<[key: string, ttlMs: number]>): Promise<T> {
    const before = Math.floor(await redisNow());
    const result = await call();
    const after = Math.ceil(await redisNow());
    for (const [key, ttl] of expected) {
      const setAt = Number(await raw.call('PEXPIRETIME', key)) - ttl;
      expect({ key, setAt: setAt >= before && setAt <= after }).toEqual({ key, setAt: true });
    }
    return result;
  }

  it('keeps key TTLs at min(absolute, idle) from now, and the index alive as long as its longest token', async () => {
    // The store's clock stands still at t0, so every TTL it asks for is exact.
    const own = redisStore({ url, prefix: uniquePrefix('ttl'), ttlSlackMs: SLACK, clock: manualClock(t0), dropKeysOnClose: true });
    const k = new Keys(own.prefix);
    try {
      const near = record(7, { expiresAt: t0 + 2 * HOUR, idleTtl: DAY, idleExpiresAt: t0 + 2 * HOUR });
      const far = record(7, { expiresAt: t0 + 10 * DAY });
      await expectTtls(
        () => own.tokens.create(near),
        [
          [k.token(near.id), 2 * HOUR + SLACK],
          [k.userTokens(7), 2 * HOUR + SLACK],
        ],
      );
      await expectTtls(
        () => own.tokens.create(far),
        [
          [k.token(far.id), DAY + SLACK], // the idle deadline comes first
          [k.userTokens(7), 10 * DAY + SLACK], // raised to the longest token's absolute expiry
        ],
      );

      // A record stamped ahead of this store's clock (another process's clock runs fast): its TTL still
      // counts from this store's own `now`, so the key never expires before its deadline here.
      const ahead = record(7, { createdAt: t0 + 10 * MIN, expiresAt: t0 + 2 * HOUR, idleExpiresAt: t0 + 2 * HOUR });
      await expectTtls(() => own.tokens.create(ahead), [[k.token(ahead.id), 2 * HOUR + SLACK]]);

      // Sliding 12 h later: the TTL counts from that `now`, not from Redis' clock.
      const slid = await expectTtls(
        () => own.tokens.authenticate(far.id, far.secretHash, t0 + 12 * HOUR),
        [[k.token(far.id), DAY + SLACK]],
      );
      expect(slid.ok).toBe(true);
      // Extending the absolute expiry raises the index TTL before the token may live longer.
      await expectTtls(
        () => own.tokens.update(far.id, { expiresAt: t0 + 30 * DAY, slide: true }, t0),
        [[k.userTokens(7), 30 * DAY + SLACK]],
      );
    } finally {
      await own.close();
    }
  });

  // The interrupted move and revoke-all racing an upgrade: shared with the cluster (cluster.test.ts).
  indexMoveCases(() => raw);
});

import { newTokenId, slotTagOfTokenId, slotTagOfUser, type TokenRecord } from '@authmount/core';
import { tokenRecord } from '@authmount/core/conformance';
import { redisStore, type RedisStore } from '@authmount/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { Keys } from '../src/keys';
import { INDEX_ADD, TOKEN_BEGIN } from '../src/scripts';
import { uniquePrefix } from '../../../test-support/redis';

const DAY = 24 * 3_600_000;
const SLACK = 1000;

/**
 * The per-user index cases that depend on keys living in different slots: a move interrupted between its
 * steps, and revoke-all racing an upgrade across slots. They run on the single node (index.test.ts) AND on
 * the 3-master cluster (cluster.test.ts), where the slots really are on different masters. Call inside a
 * describe; `client()` is that describe's connection (a Redis or a Cluster).
 */
export function indexMoveCases(client: () => Redis | Cluster): void {
  let raw: Redis | Cluster;
  let store: RedisStore;
  let keys: Keys;
  let t0: number;

  beforeEach(() => {
    raw = client();
    store = redisStore({ client: raw, prefix: uniquePrefix('moves'), ttlSlackMs: SLACK, dropKeysOnClose: true });
    keys = new Keys(store.prefix);
    t0 = Date.now();
  });
  afterEach(() => store.close());

  function record(userId: number | null, over: Partial<TokenRecord> = {}): TokenRecord {
    return tokenRecord(t0, { userId, id: newTokenId(userId), scopes: ['read'], expiresAt: t0 + 7 * DAY, device: '', ...over });
  }

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
    expect(await raw.zrange(idx, 0, '-1')).toEqual([`${r.id}:${gen}`]); // pending: kept, not cleaned
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
}

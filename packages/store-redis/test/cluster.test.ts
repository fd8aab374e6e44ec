import { newTokenId, slotTagOfTokenId, slotTagOfUser, type TokenRecord } from '@authmount/core';
import { describeStoreConformance, tokenRecord } from '@authmount/core/conformance';
import { redisStore, type RedisStore } from '@authmount/store-redis';
import { Cluster } from 'ioredis';
import { describeWithRedisServer, startRedisCluster, uniquePrefix, type RedisClusterHandle } from '../../../test-support/redis';
import { indexMoveCases } from './index-cases';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describeWithRedisServer('redis store on a 3-master cluster', () => {
  let cluster: RedisClusterHandle;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    client = new Cluster(cluster.nodes);
    await new Promise((resolve) => client.once('ready', resolve));
  }, 60_000);

  afterAll(async () => {
    await client?.quit();
    await cluster?.close();
  });

  describeStoreConformance({
    name: 'redis (3-master cluster)',
    create: () => redisStore({ client, prefix: uniquePrefix('cluster'), dropKeysOnClose: true }),
    clients: true,
  });

  describe('keys across slots', () => {
    let store: RedisStore;
    let now: number;
    beforeEach(() => {
      store = redisStore({ client, prefix: uniquePrefix('slots'), dropKeysOnClose: true });
      now = Date.now();
    });
    afterEach(() => store.close());

    const slotOf = async (key: string) => Number(await client.call('CLUSTER', 'KEYSLOT', key));
    const record = (userId: number | null, over: Partial<TokenRecord> = {}): TokenRecord =>
      tokenRecord(now, { userId, id: newTokenId(userId), scopes: ['read'], expiresAt: now + 7 * DAY, device: 'jest', ...over });
    /** An app token whose slot tag is NOT the user's, so upgrading it crosses slots. */
    const foreignAppToken = (userId: number) => {
      for (;;) {
        const r = record(null);
        if (slotTagOfTokenId(r.id) !== slotTagOfUser(userId)) return r;
      }
    };
    const indexMembers = (userId: number) => client.zrange(`${store.prefix}{t${slotTagOfUser(userId)}}:user:${userId}:tokens`, 0, '-1');

    it("puts a user's tokens and index in one slot, and the whole user directory in one slot", async () => {
      const r = record(42);
      await store.tokens.create(r);
      const tokenSlot = await slotOf(`${store.prefix}{t${slotTagOfTokenId(r.id)}}:tok:${r.id}`);
      expect(await slotOf(`${store.prefix}{t${slotTagOfUser(42)}}:user:42:tokens`)).toBe(tokenSlot);
      expect(await indexMembers(42)).toEqual([`${r.id}:0`]);
      const u = await store.users.create({
        login: 'Slot',
        email: 's@example.com',
        passwordHash: null,
        createdAt: now,
        updatedAt: now,
        expiresAt: null,
        attributes: {},
      });
      expect(u.ok).toBe(true);
      const slots = new Set(
        await Promise.all(
          [
            `${store.prefix}{u}:seq`,
            `${store.prefix}{u}:user:1`,
            `${store.prefix}{u}:login:slot`,
            `${store.prefix}{u}:email:s@example.com`,
          ].map(slotOf),
        ),
      );
      expect(slots.size).toBe(1);
    });

    it('upgrades an app token living in another slot to a user, lists it, moves it on, and revoke-all reaches it', async () => {
      const r = foreignAppToken(42);
      await store.tokens.create(r);
      expect(await slotOf(`${store.prefix}{t${slotTagOfTokenId(r.id)}}:tok:${r.id}`)).not.toBe(
        await slotOf(`${store.prefix}{t${slotTagOfUser(42)}}:user:42:tokens`),
      );
      const up = await store.tokens.update(r.id, { userId: 42, kind: 'user', scopes: ['read', 'write'] }, now);
      expect(up).toMatchObject({ id: r.id, userId: 42, kind: 'user' });
      expect((await store.tokens.listByUser(42, now)).map((t) => t.id)).toEqual([r.id]);
      expect((await store.tokens.authenticate(r.id, r.secretHash, now + 1)).ok).toBe(true);

      // Move it to another user: the old index no longer lists it, and keeps no member for it.
      await store.tokens.update(r.id, { userId: 43 }, now);
      expect(await store.tokens.listByUser(42, now)).toEqual([]);
      expect(await indexMembers(42)).toEqual([]);
      expect((await store.tokens.listByUser(43, now)).map((t) => t.id)).toEqual([r.id]);

      // Revoke-all of the new owner deletes it, across slots: it never validates again.
      const own = record(43);
      await store.tokens.create(own);
      expect(await store.tokens.deleteByUser(43, [], now)).toBe(2);
      expect((await store.tokens.authenticate(r.id, r.secretHash, now + 2)).ok).toBe(false);
      expect((await store.tokens.authenticate(own.id, own.secretHash, now + 2)).ok).toBe(false);
      expect(await indexMembers(43)).toEqual([]);
    });

    it('keeps ownership and indexes consistent under concurrent cross-slot moves of one token', async () => {
      const users = [101, 102, 103, 104, 105];
      const r = foreignAppToken(101);
      await store.tokens.create(r);
      const results = await Promise.all(
        users.flatMap((u) => [u, u].map((id) => store.tokens.update(r.id, { userId: id, kind: 'user' }, now))),
      );
      expect(results.every((x) => x !== null)).toBe(true);
      const owner = (await store.tokens.peek(r.id, now))!.userId;
      expect(users).toContain(owner);
      for (const u of users) {
        const listed = (await store.tokens.listByUser(u, now)).map((t) => t.id);
        expect(listed).toEqual(u === owner ? [r.id] : []);
      }
      // After one listing each, every index holds only the owner's single valid member.
      for (const u of users) expect((await indexMembers(u)).length).toBe(u === owner ? 1 : 0);
      expect(await store.tokens.deleteByUser(owner!, [], now)).toBe(1);
      expect((await store.tokens.authenticate(r.id, r.secretHash, now)).ok).toBe(false);
    });
  });

  // The same cases as on the single node (index.test.ts), here with the slots on different masters.
  describe('the per-user token index across masters', () => {
    indexMoveCases(() => client);
  });
});

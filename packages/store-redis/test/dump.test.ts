import { AuthError, manualClock, parseToken } from '@authmount/core';
import { createAuth } from '@authmount/express';
import { redisStore } from '@authmount/store-redis';
import Redis from 'ioredis';
import { FAST_HASHING } from '../../../test-support/fast';
import { describeWithSharedRedis, uniquePrefix } from '../../../test-support/redis';

const MIN = 60_000;
const PASSWORD = 'a long enough passphrase for the dump test';

/** Every key under `prefix` with every string it holds (key names, hash fields and values, zset members). */
async function dump(client: Redis, prefix: string): Promise<{ types: Set<string>; strings: string[] }> {
  const types = new Set<string>();
  const strings: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      strings.push(key);
      const type = await client.type(key);
      types.add(type);
      if (type === 'string') strings.push((await client.get(key)) ?? '');
      else if (type === 'hash') for (const [f, v] of Object.entries(await client.hgetall(key))) strings.push(f, v);
      else if (type === 'zset') strings.push(...(await client.zrange(key, 0, '-1')));
      else throw new Error(`unexpected key type ${type}`);
    }
  } while (cursor !== '0');
  return { types, strings };
}

describeWithSharedRedis('a Redis dump holds no usable credential', (url) => {
  it('yields no token secret, password or code, and nothing in it authenticates as a secret', async () => {
    const clock = manualClock(Date.now());
    const prefix = uniquePrefix('dump');
    const auth = createAuth({ store: redisStore({ url, prefix, clock, dropKeysOnClose: true }), clock, hashing: FAST_HASHING });
    const raw = new Redis(url);
    try {
      // Fill every kind of key: users and their indexes, tokens and the per-user index, a code, a nonce, counters.
      const alice = await auth.accounts.register({ login: 'alice', email: 'alice@example.com', password: PASSWORD });
      await expect(
        auth.accounts.login({ identifier: 'alice', password: 'not the passphrase at all', ip: '10.0.0.1', method: 'test' }),
      ).rejects.toThrow();
      await auth.accounts.login({ identifier: 'alice', password: PASSWORD, ip: '10.0.0.1', method: 'test' });
      const issued = [
        await auth.tokens.issue({ userId: alice.id, device: 'laptop' }),
        await auth.tokens.issue({ userId: alice.id, data: { client: 'sdk' } }),
        await auth.tokens.issue({ userId: null, appId: 'app1' }),
      ];
      await auth.tokens.upgrade(issued[2].info.id, alice.id);
      const code = await auth.codes.issue('reset', { userId: alice.id }, 10 * MIN);
      await auth.replay.accept('cb', 'nonce-1', MIN);

      const { types, strings } = await dump(raw, prefix);
      expect([...types].sort()).toEqual(['hash', 'string', 'zset']);
      const secrets = issued.map((i) => parseToken(i.token)!.secret);
      for (const s of strings) {
        for (const secret of [...secrets, ...issued.map((i) => i.token), PASSWORD, code]) expect(s).not.toContain(secret);
      }

      // Everything found, whole and split at separators, is tried as the secret of every token id.
      const candidates = new Set<string>();
      for (const s of strings) {
        candidates.add(s);
        for (const part of s.split(/[|:,"{}[\]\s]+/)) if (part) candidates.add(part);
      }
      const wellFormed = [...candidates].filter((c) => /^[A-Za-z0-9_-]{43}$/.test(c));
      expect(wellFormed.length).toBeGreaterThanOrEqual(3); // the stored SHA-256 digests have a secret's shape
      for (const { info } of issued) {
        for (const c of candidates) {
          const err = await auth.authenticate(`${info.id}.${c}`).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(AuthError);
          expect((err as AuthError).code).toBe('token_invalid');
        }
      }
      for (const c of wellFormed) await expect(auth.codes.consume('reset', c)).rejects.toMatchObject({ code: 'code_invalid' });

      // The real credentials still work: the attempts above were real checks, not a broken store.
      for (const i of issued) await expect(auth.authenticate(i.token)).resolves.toMatchObject({ userId: alice.id });
      await expect(auth.codes.consume('reset', code)).resolves.toEqual({ userId: alice.id });
    } finally {
      await raw.quit();
      await auth.close();
    }
  });
});

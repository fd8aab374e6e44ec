import { AuthError, ConfigError, createAuthCore, hashSecret, manualClock, newSecret, newTokenId, type AuthStore } from '@authmount/core';
import { createAuth, type AuthLogger } from '@authmount/express';
import { tokenRecord } from '@authmount/core/conformance';
import { redisStore, RedisStoreError } from '@authmount/store-redis';
import Redis from 'ioredis';
import { version as ioredisVersion } from 'ioredis/package.json';
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
  const created = await store.tokens.create(
    tokenRecord(now, { id, secretHash, userId: 9, scopes: ['read'], expiresAt: now + DAY, device: 'options test' }),
  );
  expect(created).toBe(true);
  expect((await store.tokens.authenticate(id, secretHash, now + 1)).ok).toBe(true);
  expect(await store.tokens.delete(id)).toBe(true);
}

it(`runs on the ioredis major of its jest project (ioredis ${ioredisVersion})`, () => {
  // jest.config.ts runs this file on ioredis 6 (the dev dependency) and on ioredis 5 (project `ioredis5`).
  expect(ioredisVersion.split('.')[0]).toBe(process.env.AUTHMOUNT_TEST_IOREDIS === 'ioredis5' ? '5' : '6');
});

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
    expect(() => redisStore({ client, url })).toThrow(ConfigError);
    expect(() => redisStore({ client, prefix: 'a{b}:' })).toThrow(/braces|hash tag|"\{"/);
    expect(() => redisStore({ client, commandTimeout: 0 })).toThrow(ConfigError);
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

/** The ConfigError `redisStore(options)` throws, or a failure when it accepts them. */
function configError(options: unknown): ConfigError {
  try {
    const store = redisStore(options as Parameters<typeof redisStore>[0]);
    void store.close();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/^Invalid authmount configuration \(redisStore\):/);
    return e as ConfigError;
  }
  throw new Error('redisStore accepted the options');
}

const messageOf = (e: ConfigError, option: string) => e.issues.find((i) => i.option === option)?.message;

describe('redisStore options are checked at construction (same format as createAuth)', () => {
  it('names a typo with the option it was meant to be, instead of connecting to 127.0.0.1:6379', () => {
    expect(messageOf(configError({ urll: 'redis://127.0.0.1:6379' }), 'urll')).toMatch(
      /unknown option; expected one of url, .*\(did you mean "url"\?\)/,
    );
    expect(messageOf(configError({ comandTimeout: 500 }), 'comandTimeout')).toMatch(/did you mean "commandTimeout"/);
  });

  it('names a URL that is not one, without echoing it (it may carry a password)', () => {
    for (const url of ['not a url', 'http://127.0.0.1:6379', 'redis://:hunter2@127.0.0.1:6379/zero', '']) {
      const err = configError({ url });
      expect(messageOf(err, 'url')).toMatch(/expected a redis:\/\/ or rediss:\/\/ URL/);
      expect(err.message).not.toContain('hunter2');
    }
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a negative db', { redis: { db: -1 } }, 'redis.db', /database number/],
    ['a db given as a string', { redis: { db: '2' } }, 'redis.db', /database number/],
    ['a port out of range', { redis: { port: 70000 } }, 'redis.port', /port number/],
    ['a prefix with a hash tag', { prefix: 'app{x}:' }, 'prefix', /without "\{" or "\}"/],
    ['a timeout given as text', { commandTimeout: '1s' }, 'commandTimeout', /positive integer number of milliseconds, received string/],
    ['a zero slack', { ttlSlackMs: 0 }, 'ttlSlackMs', /received 0/],
    ['a flag given as text', { dropKeysOnClose: 'yes' }, 'dropKeysOnClose', /true or false/],
    ['a client that is not one', { client: {} }, 'client.call', /ioredis Redis or Cluster client/],
  ])('rejects %s', (_what, options, option, message) => {
    expect(messageOf(configError(options), option)).toMatch(message);
  });

  it('refuses a client together with url/redis', () => {
    const client = new Redis({ lazyConnect: true });
    try {
      expect(messageOf(configError({ client, url: 'redis://127.0.0.1:6379' }), 'client')).toMatch(/either `client` or `url`\/`redis`/);
    } finally {
      client.disconnect();
    }
  });

  it('accepts undefined for every optional option (an unset environment variable)', async () => {
    const client = new Redis({ lazyConnect: true });
    const env: Record<string, string | undefined> = {};
    const store = redisStore({
      client,
      prefix: env.PREFIX,
      commandTimeout: undefined,
      ttlSlackMs: undefined,
      clock: undefined,
      onError: undefined,
    });
    await store.close();
    client.disconnect();
  });
});

async function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A logger that keeps what it is given (level, record, message). */
function capture(): AuthLogger & { lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> } {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

/** Wait (bounded) until `cond` holds: reconnection attempts are real, so there is nothing to advance. */
async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('redisStore: a failed token operation names itself (logs and RedisStoreError.operation)', () => {
  it('create, authenticate, peek, update (both paths), delete, listByUser and deleteByUser', async () => {
    const port = await deadPort();
    const store = redisStore({ url: `redis://127.0.0.1:${port}`, commandTimeout: 20_000, onError: () => undefined });
    try {
      await expect(store.ready!()).rejects.toThrow('ECONNREFUSED');
      const now = Date.now();
      const r = tokenRecord(now, { userId: 9 });
      const app = tokenRecord(now, { userId: null, kind: 'app' });
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['tokens.create', () => store.tokens.create(r)],
        ['tokens.create', () => store.tokens.create(app)],
        ['tokens.authenticate', () => store.tokens.authenticate(r.id, r.secretHash, now)],
        ['tokens.peek', () => store.tokens.peek(r.id, now)],
        ['tokens.update', () => store.tokens.update(r.id, { device: 'x' }, now)],
        ['tokens.update', () => store.tokens.update(r.id, { userId: 10 }, now)],
        ['tokens.delete', () => store.tokens.delete(r.id)],
        ['tokens.listByUser', () => store.tokens.listByUser(9, now)],
        ['tokens.deleteByUser', () => store.tokens.deleteByUser(9, [], now)],
      ];
      for (const [operation, call] of calls) {
        const err = await call().then(
          () => new Error('resolved'),
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(RedisStoreError);
        expect([operation, (err as RedisStoreError).operation, (err as Error).message]).toEqual([
          operation,
          operation,
          expect.stringContaining(`redis ${operation} failed`),
        ]);
      }
    } finally {
      await store.close();
    }
  });
});

describe('redisStore on a host that does not exist', () => {
  it("ready() rejects with the resolver's answer naming the host, and calls carry it as their cause", async () => {
    // `.invalid` never resolves (RFC 6761); EAI_AGAIN where no resolver answers at all.
    const store = redisStore({ url: 'redis://authmount-test.invalid:6379', commandTimeout: 20_000 });
    const auth = createAuth({ store, hashing: FAST_HASHING });
    try {
      await expect(auth.ready()).rejects.toThrow(/getaddrinfo (ENOTFOUND|EAI_AGAIN) authmount-test\.invalid/);
      const err = await auth.tokens.authenticate(`${newTokenId(1)}.${newSecret()}`).catch((e: unknown) => e);
      expect((err as AuthError & { cause: Error }).cause.message).toMatch(/authmount-test\.invalid/);
    } finally {
      await auth.close();
    }
  });
});

describeWithSharedRedis('auth.ready() and the real cause of a failure', (url) => {
  it('resolves once Redis answers', async () => {
    const auth = createAuth({ store: redisStore({ url, prefix: uniquePrefix('ready'), dropKeysOnClose: true }), hashing: FAST_HASHING });
    try {
      await expect(auth.ready()).resolves.toBeUndefined();
      await expect(auth.ready()).resolves.toBeUndefined(); // again, once connected
    } finally {
      await auth.close();
    }
  });

  it('a refused connection: ready() rejects with ECONNREFUSED host:port, calls carry that cause, the log gets one line', async () => {
    const port = await deadPort();
    const logger = capture();
    const reported: Error[] = [];
    // A long deadline: the failure must come from the connection, not from waiting the deadline out.
    const store = redisStore({ url: `redis://127.0.0.1:${port}`, commandTimeout: 20_000, onError: (e) => reported.push(e) });
    const auth = createAuth({ store, logger, hashing: FAST_HASHING });
    try {
      await expect(auth.ready()).rejects.toThrow(`connect ECONNREFUSED 127.0.0.1:${port}`);
      const err = await auth.tokens.authenticate(`${newTokenId(1)}.${newSecret()}`).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'store_unavailable' });
      const cause = (err as AuthError & { cause: Error }).cause;
      expect(cause).toBeInstanceOf(RedisStoreError);
      expect(cause.message).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
      expect(cause.message).not.toMatch(/timed out/);

      await until(() => reported.length >= 3, 'three reconnection attempts');
      const unavailable = logger.lines.filter((l) => l.msg === 'authmount store unavailable');
      expect(unavailable).toEqual([
        {
          level: 'warn',
          msg: 'authmount store unavailable',
          obj: { store: 'redis', state: 'unavailable', cause: `connect ECONNREFUSED 127.0.0.1:${port}` },
        },
      ]);
      expect(logger.lines.filter((l) => l.msg === 'authmount store ready')).toEqual([]);
    } finally {
      await auth.close();
    }
  });
});

describeWithRedisServer('Redis mistakes that used to be silent', () => {
  let server: RedisServer;
  const PASSWORD = 'the-right-redis-password';
  beforeAll(async () => {
    server = await startRedisServer({ extraArgs: ['--requirepass', PASSWORD, '--databases', '4'] });
  });
  afterAll(async () => {
    await server?.close();
  });
  const at = (auth: string, db = '') => `redis://${auth}@127.0.0.1:${server.port}${db}`;

  it('a database the server does not have: ready() and every call fail loudly, and nothing lands in db 0', async () => {
    const reported: Error[] = [];
    const store = redisStore({ url: at(`:${PASSWORD}`, '/7'), prefix: 'dbtest:', onError: (e) => reported.push(e) });
    const auth = createAuth({ store, hashing: FAST_HASHING });
    const admin = new Redis(at(`:${PASSWORD}`, '/0'));
    try {
      await expect(auth.ready()).rejects.toThrow(/ERR DB index is out of range .*the db in the URL/);
      await expect(
        auth.accounts.register({ login: 'alice', email: 'alice@example.com', password: 'correct horse battery staple' }),
      ).rejects.toMatchObject({
        code: 'store_unavailable',
        cause: expect.objectContaining({ message: expect.stringMatching(/DB index is out of range/) }),
      });
      await expect(auth.ready()).rejects.toThrow(/DB index is out of range/); // for good, not only the first time
      expect(await admin.dbsize()).toBe(0);
      expect(reported.some((e) => /DB index is out of range/.test(e.message))).toBe(true);
    } finally {
      await auth.close();
      await admin.quit();
    }
  });

  it("a wrong password: ready() rejects with the server's answer, and the password is in no error", async () => {
    const reported: Error[] = [];
    const wrong = 'a-wrong-password-9731';
    const store = redisStore({ url: at(`:${wrong}`), onError: (e) => reported.push(e) });
    try {
      const err = (await store.ready().catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(/WRONGPASS|invalid password/);
      await until(() => reported.length > 0, 'the connection error report');
      for (const e of [err, ...reported]) {
        expect(e.message).not.toContain(wrong);
        expect(JSON.stringify(e)).not.toContain(wrong);
      }
    } finally {
      await store.close();
    }
  });

  it('logs each state change once: ready, unavailable while stopped (however many retries), ready again', async () => {
    const plain = await startRedisServer(); // stop()/start() need a server without a password
    const logger = capture();
    const reported: Error[] = [];
    const auth = createAuth({ store: redisStore({ url: plain.url, onError: (e) => reported.push(e) }), logger, hashing: FAST_HASHING });
    const states = () => logger.lines.filter((l) => l.msg?.startsWith('authmount store')).map((l) => `${l.level} ${String(l.obj.state)}`);
    try {
      await auth.ready();
      expect(states()).toEqual(['info ready']);
      await plain.stop();
      await until(() => reported.length >= 3, 'three failed reconnection attempts');
      expect(states()).toEqual(['info ready', 'warn unavailable']);
      await plain.start();
      await until(() => states().length === 3, 'the reconnection');
      expect(states()).toEqual(['info ready', 'warn unavailable', 'info ready']);
      await expect(auth.ready()).resolves.toBeUndefined();
    } finally {
      await auth.close();
      await plain.close();
    }
  });
});

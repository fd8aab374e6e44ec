import { authRoutes, createAuth, type Auth } from '@authmount/express';
import { redisStore } from '@authmount/store-redis';
import express from 'express';
import { createServer, type Server } from 'node:http';
import Redis from 'ioredis';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { describeWithRedisServer, startRedisServer, uniquePrefix, type RedisServer } from '../../../test-support/redis';

/**
 * Redis faults seen through real HTTP (issue 8): a paused Redis (CLIENT PAUSE), connections killed
 * mid-request (CLIENT KILL), and races of authenticate against revoke, logout and changePassword. The
 * store runs on a private redis-server, so pausing or killing clients never disturbs other test files.
 * Assertions are on statuses only: no token or password is ever printed.
 *
 * No step depends on how fast the machine is: Redis is held with `CLIENT PAUSE <long> WRITE` (it blocks
 * every script, so every store call, while the admin connection can still `CLIENT KILL` and `CLIENT
 * UNPAUSE`) until the requests are really at Redis (`whenInFlight` counts the store client's unanswered
 * commands and fails the test if they never get there), and released only then. The pause is ended by
 * UNPAUSE, never by its own timer (the 60 s timer only guards against a test dying with Redis paused).
 */
describeWithRedisServer('redis faults and races through express', () => {
  let redis: RedisServer;
  let admin: Redis;
  let auth: Auth;
  let store: ReturnType<typeof redisStore>;
  let server: Server;

  const PASSWORD = 'correct horse battery staple 1';
  const NEW_PASSWORD = 'another long passphrase 22';

  beforeAll(async () => {
    redis = await startRedisServer();
    admin = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    admin.on('error', () => undefined);
  }, 30_000);

  afterAll(async () => {
    if (admin?.status === 'ready') await admin.quit().catch(() => undefined);
    else admin?.disconnect();
    await redis?.close();
  });

  /** The app on a fresh store. `commandTimeout`: how long a store call may wait for Redis before it fails. */
  async function serve(commandTimeout: number): Promise<void> {
    store = redisStore({ url: redis.url, prefix: uniquePrefix('faults'), commandTimeout });
    auth = createAuth({ store, hashing: FAST_HASHING });
    const app = express();
    app.get('/files', auth.requireAuth(), (req, res) => {
      res.json({ userId: req.auth!.userId });
    });
    app.use('/auth', authRoutes(auth));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }

  afterEach(async () => {
    await admin.call('CLIENT', 'UNPAUSE'); // whatever a failed test left behind
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await auth.close();
  });

  const files = (token: string) => request(server).get('/files').set('Authorization', `Bearer ${token}`);
  // supertest sends on then(): Promise.resolve starts the request now, not at a later await.
  const start = (token: string) => Promise.resolve(files(token));
  const statuses = (rs: Array<{ status: number }>) => rs.map((r) => r.status);

  /** Hold every store call at Redis (scripts are blocked; the admin connection is not) until unpause(). */
  const pause = async () => expect(await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE')).toBe('OK');
  const unpause = async () => expect(await admin.call('CLIENT', 'UNPAUSE')).toBe('OK');

  /** After recovery the store's own client is connected again and holds no stuck command. */
  function expectHealthyClient(): void {
    const client = store.client as Redis;
    expect(client.status).toBe('ready');
    expect(client.commandQueue.length).toBe(0);
  }

  /**
   * Resolves once at least `n` store commands are on the wire and unanswered (with Redis paused they stay
   * there); fails the test if that never happens (bounded), so what follows is known to overlap them.
   */
  async function whenInFlight(n: number): Promise<void> {
    const client = store.client as Redis;
    const deadline = Date.now() + 10_000;
    while (client.commandQueue.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${client.commandQueue.length} of ${n} store commands reached Redis`);
      await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * 50 authenticated requests with `action` started in their middle: 25 that are provably at Redis when it
   * starts (held there by the pause), 25 started after it. Redis is released once all are under way.
   */
  async function race<T>(token: string, action: () => Promise<T>): Promise<{ result: T; racing: number[] }> {
    await pause();
    const before = Array.from({ length: 25 }, () => start(token));
    await whenInFlight(25);
    const act = action();
    const during = Array.from({ length: 25 }, () => start(token));
    await unpause();
    const result = await act;
    return { result, racing: statuses(await Promise.all([...before, ...during])) };
  }

  /** Bounded wait until the app recovers by itself; every answer meanwhile is a fail-closed 503. */
  async function until200(token: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await files(token);
      if (res.status === 200) return;
      expect(res.status).toBe(503);
      if (Date.now() > deadline) throw new Error('the app did not recover after the Redis fault');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  describe('faults (200 ms command timeout)', () => {
    beforeEach(() => serve(200));

    it('CLIENT PAUSE: in-flight requests answer 503, then 200 again with the tokens Redis kept', async () => {
      const a = (await auth.tokens.issue({ userId: 1, device: 'pause a' })).token;
      const b = (await auth.tokens.issue({ userId: 2, device: 'pause b' })).token;
      expect((await files(a)).status).toBe(200);

      // Redis stays paused until every one of the five has answered: none can reach it after the pause.
      await pause();
      const stalled = await Promise.all(Array.from({ length: 5 }, () => files(a)));
      expect(statuses(stalled)).toEqual(Array(5).fill(503));
      expect(stalled[0]!.body.error.code).toBe('store_unavailable');
      await unpause();

      await until200(a);
      const after = await Promise.all([files(a), files(b)]);
      expect(statuses(after)).toEqual([200, 200]);
      expect(after.map((r) => r.body.userId)).toEqual([1, 2]);
      expectHealthyClient();
    });

    it('CLIENT KILL mid-burst: every answer is 200 or 503, never 500 or a hang, then 200 with the same token', async () => {
      const token = (await auth.tokens.issue({ userId: 7, device: 'kill' })).token;
      expect((await files(token)).status).toBe(200);

      // Redis holds the burst's commands; once some are on the wire, every normal connection is killed (the
      // admin's own is skipped: SKIPME defaults to yes), so the drop lands mid-request.
      await pause();
      const burst = Promise.all(Array.from({ length: 40 }, () => files(token)));
      await whenInFlight(1);
      const killed = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal'));
      expect(killed).toBeGreaterThanOrEqual(1); // the store's connection really was dropped
      await unpause();
      const answers = await burst;
      for (const s of statuses(answers)) expect([200, 503]).toContain(s);

      await until200(token);
      expect((await files(token)).body).toEqual({ userId: 7 });
      expectHealthyClient();
    });
  });

  describe('races (5 s command timeout: Redis is held while the requests gather)', () => {
    beforeEach(() => serve(5_000));

    it('revoke racing 50 authenticates: every request started after it resolved answers 401', async () => {
      const token = (await auth.tokens.issue({ userId: 3, device: 'race revoke' })).token;
      const id = token.split('.')[0]!;
      const { result: revoked, racing } = await race(token, () => auth.tokens.revoke(id));
      expect(revoked).toBe(true);
      const after = await Promise.all(Array.from({ length: 20 }, () => files(token)));
      expect(statuses(after)).toEqual(Array(20).fill(401));
      // The racing ones either got in before the revoke or were refused; nothing else.
      for (const s of racing) expect([200, 401]).toContain(s);
    });

    it('POST /logout racing authenticates: once it answered 204, the token answers 401', async () => {
      const token = (await auth.tokens.issue({ userId: 4, device: 'race logout' })).token;
      const { result: logout, racing } = await race(token, async () =>
        request(server).post('/auth/logout').set('Authorization', `Bearer ${token}`),
      );
      expect(logout.status).toBe(204);
      const after = await Promise.all(Array.from({ length: 20 }, () => files(token)));
      expect(statuses(after)).toEqual(Array(20).fill(401));
      for (const s of racing) expect([200, 401]).toContain(s);
    });

    it('changePassword racing authenticates of the other tokens: once it resolved they answer 401, the kept one 200', async () => {
      const user = await auth.accounts.register({ login: 'racer', password: PASSWORD });
      const issue = async (device: string) => (await auth.tokens.issue({ userId: user.id, device })).token;
      const keep = await issue('keep');
      const others = await Promise.all(['o1', 'o2', 'o3'].map(issue));
      const keepId = keep.split('.')[0]!;

      await pause();
      const racing = Promise.all(Array.from({ length: 48 }, (_, i) => start(others[i % others.length]!)));
      await whenInFlight(48);
      const change = auth.accounts.changePassword(
        user.id,
        PASSWORD,
        NEW_PASSWORD,
        { ip: undefined, method: 'test' },
        { keepTokenIds: [keepId] },
      );
      await unpause();
      expect((await change).tokensRevoked).toBe(3);

      const after = await Promise.all(Array.from({ length: 21 }, (_, i) => files(others[i % others.length]!)));
      expect(statuses(after)).toEqual(Array(21).fill(401));
      for (const s of statuses(await racing)) expect([200, 401]).toContain(s);
      expect((await files(keep)).status).toBe(200);
    });
  });
});

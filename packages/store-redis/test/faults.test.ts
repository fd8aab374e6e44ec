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

  beforeEach(async () => {
    // A small command timeout so a stalled Redis turns into 503 quickly.
    store = redisStore({ url: redis.url, prefix: uniquePrefix('faults'), commandTimeout: 200 });
    auth = createAuth({ store, hashing: FAST_HASHING });
    const app = express();
    app.get('/files', auth.requireAuth(), (req, res) => {
      res.json({ userId: req.auth!.userId });
    });
    app.use('/auth', authRoutes(auth));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await auth.close();
  });

  const files = (token: string) => request(server).get('/files').set('Authorization', `Bearer ${token}`);
  /** After recovery the store's own client is connected again and holds no stuck command. */
  function expectHealthyClient(): void {
    const client = store.client as Redis;
    expect(client.status).toBe('ready');
    expect(client.commandQueue.length).toBe(0);
  }

  /** Bounded wait until store commands are on the wire, so what follows lands mid-request. */
  async function whenInFlight(): Promise<void> {
    const client = store.client as Redis;
    const until = Date.now() + 2_000;
    while (client.commandQueue.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
  }

  /** 50 authenticated requests with `action` started in their middle: 25 before it (already in flight), 25 after. */
  async function race<T>(token: string, action: () => Promise<T>): Promise<{ result: T; racing: number[] }> {
    // supertest sends on then(): Promise.resolve starts each request now, not at the final await.
    const start = () => Promise.resolve(files(token));
    const before = Array.from({ length: 25 }, start);
    await whenInFlight();
    const act = action();
    const during = Array.from({ length: 25 }, start);
    const result = await act;
    return { result, racing: statuses(await Promise.all([...before, ...during])) };
  }

  const statuses = (rs: Array<{ status: number }>) => rs.map((r) => r.status);

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

  it('CLIENT PAUSE: in-flight requests answer 503, then 200 again with the tokens Redis kept', async () => {
    const a = (await auth.tokens.issue({ userId: 1, device: 'pause a' })).token;
    const b = (await auth.tokens.issue({ userId: 2, device: 'pause b' })).token;
    expect((await files(a)).status).toBe(200);

    // 800 ms of Redis time: well past the 200 ms command timeout (margin for a loaded CI machine), short
    // enough to wait out.
    expect(await admin.call('CLIENT', 'PAUSE', '800', 'ALL')).toBe('OK');
    const stalled = await Promise.all(Array.from({ length: 5 }, () => files(a)));
    expect(statuses(stalled)).toEqual(Array(5).fill(503));
    expect(stalled[0]!.body.error.code).toBe('store_unavailable');

    await until200(a);
    const after = await Promise.all([files(a), files(b)]);
    expect(statuses(after)).toEqual([200, 200]);
    expect(after.map((r) => r.body.userId)).toEqual([1, 2]);
    expectHealthyClient();
  });

  it('CLIENT KILL mid-burst: every answer is 200 or 503, never 500 or a hang, then 200 with the same token', async () => {
    const token = (await auth.tokens.issue({ userId: 7, device: 'kill' })).token;
    expect((await files(token)).status).toBe(200);

    const burst = Promise.all(Array.from({ length: 40 }, () => files(token)));
    // Wait (bounded) until store commands are really on the wire, then kill every normal connection (the
    // admin's own is skipped: SKIPME defaults to yes), so the drop lands mid-request.
    await whenInFlight();
    const killed = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal'));
    expect(killed).toBeGreaterThanOrEqual(1); // the store's connection really was dropped
    const answers = await burst;
    for (const s of statuses(answers)) expect([200, 503]).toContain(s);

    await until200(token);
    expect((await files(token)).body).toEqual({ userId: 7 });
    expectHealthyClient();
  });

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

    const racing = Promise.all(Array.from({ length: 48 }, (_, i) => files(others[i % others.length]!)));
    const { tokensRevoked } = await auth.accounts.changePassword(user.id, PASSWORD, NEW_PASSWORD, { keepTokenIds: [keepId] });
    expect(tokensRevoked).toBe(3);

    const after = await Promise.all(Array.from({ length: 21 }, (_, i) => files(others[i % others.length]!)));
    expect(statuses(after)).toEqual(Array(21).fill(401));
    for (const s of statuses(await racing)) expect([200, 401]).toContain(s);
    expect((await files(keep)).status).toBe(200);
  });
});

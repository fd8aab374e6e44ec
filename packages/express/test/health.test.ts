import { manualClock } from '@authmount/core';
import { redisStore } from '@authmount/store-redis';
import express from 'express';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { withOutage } from '../../../test-support/outage';
import { describeWithRedisServer, startRedisServer, type RedisServer } from '../../../test-support/redis';
import { testStores } from '../../../test-support/stores';
import { createAuth, describeCause, healthRoutes, PROBE_KEY, type Auth, type HealthOptions } from '../src';

function appFor(auth: Auth, opts?: HealthOptions) {
  const app = express();
  app.use('/health', healthRoutes(auth, opts));
  return app;
}

describe.each(testStores())('healthRoutes on the $name store', ({ make }) => {
  let auth: Auth;
  let outage: ReturnType<typeof withOutage>;
  const clock = manualClock();
  beforeEach(() => {
    outage = withOutage(make(clock));
    auth = createAuth({ store: outage.store, clock, hashing: FAST_HASHING });
  });
  afterEach(() => auth.close());

  it('ready: 200 with the store reachable; live: 200; both no-store', async () => {
    const app = appFor(auth);
    const r = await request(app).get('/health/ready').expect(200);
    expect(r.body).toEqual({ status: 'ok', store: { name: outage.store.name, reachable: true, latencyMs: expect.any(Number) } });
    expect(r.headers['cache-control']).toBe('no-store');
    const l = await request(app).get('/health/live').expect(200, { status: 'ok' });
    expect(l.headers['cache-control']).toBe('no-store');
  });

  it('store down: ready answers 503 with the cause (addresses masked), live stays 200, and ready recovers by itself', async () => {
    const app = appFor(auth);
    outage.setDown(true);
    const r = await request(app).get('/health/ready').expect(503);
    expect(r.headers['retry-after']).toBe('1');
    expect(r.body).toEqual({
      status: 'unavailable',
      store: {
        name: outage.store.name,
        reachable: false,
        latencyMs: expect.any(Number),
        cause: 'Error: connect ECONNREFUSED <address> internal-detail',
      },
    });
    expect(JSON.stringify(r.body)).not.toContain('10.0.0.7');
    await request(app).get('/health/live').expect(200);
    outage.setDown(false);
    await request(app).get('/health/ready').expect(200);
  });

  it('the probe only reads: the probe key is never created', async () => {
    const app = appFor(auth);
    await request(app).get('/health/ready').expect(200);
    expect(await outage.store.counters.peek(PROBE_KEY, clock())).toMatchObject({ count: 0 });
  });

  it('draining (graceful shutdown begun): 503 "draining" with the requests in flight, whatever the store', async () => {
    const shutdown = { draining: false, inFlight: 2 };
    const app = appFor(auth, { shutdown });
    expect((await request(app).get('/health/ready').expect(200)).body).toMatchObject({ status: 'ok', inFlight: 2 });
    shutdown.draining = true;
    expect((await request(app).get('/health/ready').expect(503)).body).toEqual({ status: 'draining', inFlight: 2 });
    outage.setDown(true);
    expect((await request(app).get('/health/ready').expect(503)).body.status).toBe('draining');
    await request(app).get('/health/live').expect(200);
  });
});

describeWithRedisServer('healthRoutes on a real Redis that stalls and goes away', () => {
  let server: RedisServer;
  let auth: Auth;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    server.resume();
    await auth?.close();
    await server.close();
  });

  it('stalled: 503 after timeoutMs, one probe for concurrent checks; back: 200; gone: 503 naming the refusal', async () => {
    const store = redisStore({ url: server.url, commandTimeout: 5000 });
    auth = createAuth({ store, hashing: FAST_HASHING });
    const app = appFor(auth, { timeoutMs: 200 });
    await request(app).get('/health/ready').expect(200);

    server.pause(); // SIGSTOP: the connection stays open, nothing answers
    const peek = jest.spyOn(store.counters, 'peek');
    const checks = await Promise.all([0, 1, 2, 3].map(() => request(app).get('/health/ready')));
    for (const c of checks) {
      expect(c.status).toBe(503);
      expect(c.body.store).toMatchObject({ reachable: false, cause: 'no answer within 200 ms' });
    }
    expect(peek.mock.calls.length).toBeLessThan(checks.length); // concurrent checks shared a probe
    server.resume();
    peek.mockRestore();
    // The stalled call completes once Redis runs again; the next check is fresh.
    await waitFor(async () => (await request(app).get('/health/ready')).status === 200);

    await server.stop();
    const gone = await request(app).get('/health/ready').expect(503);
    expect(gone.body.store.cause).toMatch(/^RedisStoreError: redis counters\.peek failed: /);
    expect(gone.body.store.cause).not.toMatch(new RegExp(String(server.port)));
    await server.start();
    await waitFor(async () => (await request(app).get('/health/ready')).status === 200);
  });
});

/** Retry `check` (bounded): reconnection is ioredis' own back-off, not something the test can drive. */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition never met');
}

describe('describeCause', () => {
  it('keeps the name, code and message; masks URLs and addresses; one bounded line', () => {
    const e = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:6379'), { code: 'ECONNREFUSED' });
    expect(describeCause(e)).toBe('Error [ECONNREFUSED]: connect ECONNREFUSED <address>');
    expect(describeCause(new Error('bad url redis://admin:hunter2@cache.internal:6380/0 refused'))).toBe('Error: bad url <url> refused');
    expect(describeCause(new Error('to [::1]:6379 and redis-1.prod.example:7000\nnext line'))).toBe(
      'Error: to <address> and <address> next line',
    );
    expect(describeCause(new TypeError('x'.repeat(500)))).toHaveLength(200);
    expect(describeCause('a string')).toBe('string');
  });

  it('refuses a bad timeoutMs at mount time', () => {
    const auth = createAuth();
    expect(() => healthRoutes(auth, { timeoutMs: 0 })).toThrow(/timeoutMs/);
    return auth.close();
  });
});

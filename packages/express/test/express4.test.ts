// Every `require('express')` in this file's module registry, including the ones inside
// packages/express/src (authRoutes builds its Router with it), gets Express 4 (npm alias `express4`).
jest.mock('express', () => jest.requireActual('express4'));

import { manualClock } from '@authmount/core';
import express from 'express';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { withOutage } from '../../../test-support/outage';
import { testStores } from '../../../test-support/stores';
import { authRoutes, createAuth, type Auth } from '../src';

const PASSWORD = 'correct horse battery staple';

/** An existing Express 4 app: its own routes, authmount's JSON API under /auth, guarded routes beside them. */
function existingApp(auth: Auth) {
  const app = express();
  app.get('/health', (_req, res) => res.json({ ok: true }));
  app.use('/auth', authRoutes(auth));
  app.get('/api/me', auth.requireAuth(), (req, res) => res.json({ userId: req.auth!.userId }));
  // A guard that reads the token from the query string, where Express 4's qs parser makes arrays and objects.
  app.get('/api/q', auth.requireAuth({ extractors: [(req) => req.query.token] }), (req, res) => res.json({ userId: req.auth!.userId }));
  app.use(auth.errorHandler());
  return app;
}

it('runs on Express 4 (the mock took effect: extended query parser by default)', () => {
  expect((jest.requireActual('express4/package.json') as { version: string }).version).toMatch(/^4\./);
  expect(express().get('query parser')).toBe('extended');
});

describe.each(testStores())('Express 4 on the $name store', ({ make }) => {
  let auth: Auth;
  let outage: ReturnType<typeof withOutage>;
  const clock = manualClock();

  beforeEach(async () => {
    outage = withOutage(make(clock));
    auth = createAuth({ store: outage.store, clock, hashing: FAST_HASHING });
    await auth.accounts.register({ login: 'alice', email: 'alice@example.com', password: PASSWORD });
  });
  afterEach(() => auth.close());

  it('logs in through authRoutes, calls a guarded route, logs out', async () => {
    const app = existingApp(auth);
    await request(app).get('/health').expect(200, { ok: true });
    const login = await request(app).post('/auth/login').send({ login: 'alice', password: PASSWORD }).expect(201);
    expect(login.headers['cache-control']).toBe('no-store');
    const token = login.body.token as string;
    const me = await request(app).get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body.userId).toBe(login.body.user.id);
    const list = await request(app).get('/auth/tokens').set('Authorization', `Bearer ${token}`).expect(200);
    expect(list.body.tokens).toHaveLength(1);
    await request(app)
      .get(`/api/q?token=${encodeURIComponent(token)}`)
      .expect(200);
    await request(app).post('/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
    const after = await request(app).get('/api/me').set('Authorization', `Bearer ${token}`).expect(401);
    expect(after.body.error.code).toBe('token_invalid');
  });

  it('answers coded 4xx, never 500, for qs arrays and objects in the query string', async () => {
    const app = existingApp(auth);
    const { token } = await auth.tokens.issue({ userId: 1 });
    for (const q of [
      `token[]=${token}`,
      `token[]=${token}&token[]=${token}`,
      `token[a]=${token}`,
      `token[a][b]=c`,
      'token[__proto__][x]=1',
      `token=${token}&token=${token}`,
    ]) {
      const r = await request(app).get(`/api/q?${q}`);
      expect([q, r.status]).toEqual([q, 401]);
      expect(r.body.error.code).toBe('token_invalid');
    }
    const none = await request(app).get('/api/q').expect(401);
    expect(none.body.error.code).toBe('token_missing');
  });

  it('answers coded 4xx for malformed, mistyped and oversized login bodies, 401 for a wrong password', async () => {
    const app = existingApp(auth);
    const bad = await request(app).post('/auth/login').set('Content-Type', 'application/json').send('{"login": ').expect(400);
    expect(bad.body.error.code).toBe('invalid_request');
    for (const body of [
      { login: ['alice'], password: PASSWORD },
      { login: { $ne: 1 }, password: PASSWORD },
      { login: 'alice', password: [PASSWORD] },
      [],
    ]) {
      const r = await request(app)
        .post('/auth/login')
        .send(body as object)
        .expect(400);
      expect(r.body.error.code).toBe('invalid_request');
    }
    // body-parser's 413 becomes authmount's coded invalid_request (a 400), as on Express 5.
    const big = await request(app)
      .post('/auth/login')
      .send({ login: 'alice', password: 'x'.repeat(100_000) })
      .expect(400);
    expect(big.body.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/too large/) });
    await request(app).post('/auth/login').send({ login: 'alice', password: 'wrong password here' }).expect(401);
  });

  it('fails closed with a coded 503 when the store is down', async () => {
    const app = existingApp(auth);
    const { token } = await auth.tokens.issue({ userId: 1 });
    outage.setDown(true);
    const r = await request(app).get('/api/me').set('Authorization', `Bearer ${token}`).expect(503);
    expect(r.body.error.code).toBe('store_unavailable');
    expect(JSON.stringify(r.body)).not.toContain('ECONNREFUSED');
    const l = await request(app).post('/auth/login').send({ login: 'alice', password: PASSWORD }).expect(503);
    expect(l.body.error.code).toBe('store_unavailable');
  });
});

import { MINUTE, manualClock } from '@authmount/core';
import express from 'express';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores } from '../../../test-support/stores';
import { authRoutes, createAuth, type Auth } from '../src';

const PW = 'correct horse battery staple';

describe.each(testStores())('authRoutes on the $name store', ({ make }) => {
  let auth: Auth;
  let app: express.Express;
  const clock = manualClock();
  beforeEach(async () => {
    auth = createAuth({ store: make(clock), clock, hashing: FAST_HASHING, throttle: { ip: { limit: 5, windowMs: MINUTE } } });
    await auth.accounts.register({ login: 'alice', email: 'alice@example.com', password: PW });
    app = express();
    app.use('/auth', authRoutes(auth));
    app.get('/me', auth.requireAuth(), (req, res) => res.json({ user: req.auth!.userId }));
  });
  afterEach(() => auth.close());

  const login = (body: unknown) => request(app).post('/auth/login').send(body as object);

  it('logs in, lists tokens with the current one marked, deletes one, logs out', async () => {
    const a = await login({ login: 'alice', password: PW, device: 'phone' }).expect(201);
    expect(a.headers['cache-control']).toBe('no-store');
    expect(a.body).toMatchObject({ token: expect.any(String), user: { login: 'alice', email: 'alice@example.com' } });
    clock.advance(1); // listings are oldest first
    const b = await login({ login: 'alice@example.com', password: PW }).set('User-Agent', 'ua-test').expect(201);
    const list = await request(app).get('/auth/tokens').set('Authorization', `Bearer ${a.body.token}`).expect(200);
    expect(list.body.tokens.map((t: { device: string; current: boolean }) => [t.device, t.current])).toEqual([
      ['phone', true],
      ['ua-test', false],
    ]);
    await request(app).delete(`/auth/tokens/${b.body.tokenId}`).set('Authorization', `Bearer ${a.body.token}`).expect(204);
    await request(app).get('/me').set('Authorization', `Bearer ${b.body.token}`).expect(401);
    await request(app).post('/auth/logout').set('Authorization', `Bearer ${a.body.token}`).expect(204);
    await request(app).get('/me').set('Authorization', `Bearer ${a.body.token}`).expect(401);
  });

  it('cannot delete another user’s token (answers like an unknown one)', async () => {
    await auth.accounts.register({ login: 'bob', password: PW });
    const a = await login({ login: 'alice', password: PW }).expect(201);
    const b = await login({ login: 'bob', password: PW }).expect(201);
    await request(app).delete(`/auth/tokens/${b.body.tokenId}`).set('Authorization', `Bearer ${a.body.token}`).expect(404);
    await request(app).delete('/auth/tokens/999').set('Authorization', `Bearer ${a.body.token}`).expect(404);
    await request(app).get('/me').set('Authorization', `Bearer ${b.body.token}`).expect(200);
  });

  it('changes the password and revokes the other tokens', async () => {
    const a = await login({ login: 'alice', password: PW }).expect(201);
    const b = await login({ login: 'alice', password: PW }).expect(201);
    const bad = await request(app).post('/auth/password').set('Authorization', `Bearer ${a.body.token}`).send({ oldPassword: PW, newPassword: 'short' }).expect(422);
    expect(bad.body.error.violations.map((v: { code: string }) => v.code)).toContain('too_short');
    await request(app).post('/auth/password').set('Authorization', `Bearer ${a.body.token}`).send({ oldPassword: 'nope', newPassword: 'a new long passphrase here' }).expect(403);
    await request(app).post('/auth/password').set('Authorization', `Bearer ${a.body.token}`).send({ oldPassword: PW, newPassword: 'a new long passphrase here' }).expect(204);
    await request(app).get('/me').set('Authorization', `Bearer ${a.body.token}`).expect(200);
    await request(app).get('/me').set('Authorization', `Bearer ${b.body.token}`).expect(401);
  });

  it('gives bad credentials and malformed bodies coded 4xx answers, never 5xx', async () => {
    const wrong = await login({ login: 'alice', password: 'wrong password here' }).expect(401);
    const unknown = await login({ login: 'nobody', password: 'wrong password here' }).expect(401);
    expect(wrong.body).toEqual(unknown.body);
    await login({ login: ['alice'], password: PW }).expect(400);
    await login({ login: 'alice', password: { $ne: 1 } }).expect(400);
    await login([1, 2]).expect(400);
    await request(app).post('/auth/login').set('Content-Type', 'application/json').send('{"login":').expect(400);
    await request(app).post('/auth/login').set('Content-Type', 'application/json').send(`{"login":"${'a'.repeat(70_000)}"}`).expect(400);
    await request(app).post('/auth/login').set('Content-Type', 'application/json').send('{"__proto__":{"admin":true},"login":"alice","password":"x"}').expect(401);
    // 3 attempts above reached the throttle (malformed ones are refused before it); limit is 5 per minute.
    await login({ login: 'alice', password: PW }).expect(201);
    await login({ login: 'alice', password: PW }).expect(201);
    const throttled = await login({ login: 'alice', password: PW }).expect(429);
    expect(throttled.headers['retry-after']).toBe('60');
  });
});

import { DAY, MINUTE, isAuthError, manualClock, type AuthStore } from '@authmount/core';
import express from 'express';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores } from '../../../test-support/stores';
import { authRoutes, createAuth, sendAuthError, type Auth } from '../src';

const PW = 'correct horse battery staple';

describe.each(testStores())('authRoutes on the $name store', ({ make }) => {
  let auth: Auth;
  let store: AuthStore;
  let app: express.Express;
  const clock = manualClock();
  beforeEach(async () => {
    store = make(clock);
    auth = createAuth({ store, clock, hashing: FAST_HASHING, throttle: { ip: { limit: 3, windowMs: MINUTE } } });
    await auth.accounts.register({ login: 'alice', email: 'alice@example.com', password: PW });
    app = express();
    app.use('/auth', authRoutes(auth));
    app.get('/me', auth.requireAuth(), (req, res) => res.json({ user: req.auth!.userId }));
  });
  afterEach(() => auth.close());

  const login = (body: unknown) =>
    request(app)
      .post('/auth/login')
      .send(body as object);

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
    const bad = await request(app)
      .post('/auth/password')
      .set('Authorization', `Bearer ${a.body.token}`)
      .send({ oldPassword: PW, newPassword: 'short' })
      .expect(422);
    expect(bad.body.error.violations.map((v: { code: string }) => v.code)).toContain('too_short');
    await request(app)
      .post('/auth/password')
      .set('Authorization', `Bearer ${a.body.token}`)
      .send({ oldPassword: 'nope', newPassword: 'a new long passphrase here' })
      .expect(403);
    await request(app)
      .post('/auth/password')
      .set('Authorization', `Bearer ${a.body.token}`)
      .send({ oldPassword: PW, newPassword: 'a new long passphrase here' })
      .expect(204);
    await request(app).get('/me').set('Authorization', `Bearer ${a.body.token}`).expect(200);
    await request(app).get('/me').set('Authorization', `Bearer ${b.body.token}`).expect(401);
  });

  it('the Bearer routes take only authmount tokens with the account scope: others 401 / 403, untouched', async () => {
    const alice = (await auth.accounts.findByIdentifier('alice'))!;
    const own = await login({ login: 'alice', password: PW }).expect(201);
    const foreign = await Promise.all(
      ['pcloud', 'x-auth-bearer', 'cb-token'].map((issuer) => auth.tokens.issue({ userId: alice.id, issuer })),
    );
    // A third party's token: the OAuth shape (no account scope), even under this router's issuer.
    const thirdParty = await auth.tokens.issue({ userId: alice.id, scopes: ['read', 'write'] });
    const oauth = await auth.tokens.issue({ userId: alice.id, issuer: 'oauth', appId: 'c', scopes: ['read', 'write'] });
    clock.advance(MINUTE);
    const routes = (token: string) => [
      request(app).get('/auth/tokens').set('Authorization', `Bearer ${token}`),
      request(app).delete(`/auth/tokens/${own.body.tokenId}`).set('Authorization', `Bearer ${token}`),
      request(app)
        .post('/auth/password')
        .set('Authorization', `Bearer ${token}`)
        .send({ oldPassword: PW, newPassword: 'a new long passphrase here' }),
      request(app).post('/auth/logout').set('Authorization', `Bearer ${token}`),
    ];
    for (const t of [...foreign, oauth]) for (const r of routes(t.token)) expect((await r).body.error.code).toBe('token_invalid');
    for (const r of routes(thirdParty.token)) {
      const res = await r;
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'forbidden_scope', missing: 'account' });
    }
    for (const t of [...foreign, oauth, thirdParty]) {
      expect(await store.tokens.peek(t.info.id, clock())).toMatchObject({
        lastUsedAt: t.info.lastUsedAt,
        idleExpiresAt: t.info.idleExpiresAt,
      });
    }
    // Nothing happened: the password is the old one, the token is still listed.
    await login({ login: 'alice', password: PW }).expect(201);
    const list = await request(app).get('/auth/tokens').set('Authorization', `Bearer ${own.body.token}`).expect(200);
    expect(list.body.tokens.find((t: { id: string }) => t.id === own.body.tokenId)).toMatchObject({ issuer: 'authmount', current: true });
  });

  it('issues authmount tokens whose ceiling is their absolute lifetime', async () => {
    const r = await login({ login: 'alice', password: PW }).expect(201);
    const info = await auth.tokens.get(r.body.tokenId);
    expect(info).toMatchObject({ issuer: 'authmount', scopes: ['read', 'write', 'account'] });
    expect(info!.maxExpiresAt).toBe(info!.expiresAt);
    // App code cannot stretch it either.
    expect((await auth.tokens.extend(info!.id, { absoluteTtl: 30 * DAY })).expiresAt).toBe(info!.expiresAt);
  });

  it('gives bad credentials and malformed bodies coded 4xx answers, never 5xx', async () => {
    const wrong = await login({ login: 'alice', password: 'wrong password here' }).expect(401);
    const unknown = await login({ login: 'nobody', password: 'wrong password here' }).expect(401);
    expect(wrong.body).toEqual(unknown.body);
    await login({ login: ['alice'], password: PW }).expect(400);
    await login({ login: 'alice', password: { $ne: 1 } }).expect(400);
    await login([1, 2]).expect(400);
    await request(app).post('/auth/login').set('Content-Type', 'application/json').send('{"login":').expect(400);
    await request(app)
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send(`{"login":"${'a'.repeat(70_000)}"}`)
      .expect(400);
    await request(app)
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"__proto__":{"admin":true},"login":"alice","password":"x"}')
      .expect(401);
    // 3 failures above reached the budgets (malformed input is refused before them); this IP may fail 3 per minute,
    // so it is now refused, even with the right password, before any hashing.
    const verified = auth.hasher.verifications;
    const throttled = await login({ login: 'alice', password: PW }).expect(429);
    expect(throttled.headers['retry-after']).toBe('60');
    expect(throttled.body.error).toMatchObject({ code: 'rate_limited', budget: 'ip' });
    expect(auth.hasher.verifications).toBe(verified);
  });

  it('finds the client address as Express does: X-Forwarded-For is ignored without trust proxy and honoured with it', async () => {
    await auth.close();
    auth = createAuth({ store: make(clock), clock, hashing: FAST_HASHING, throttle: { pair: { limit: 2, windowMs: MINUTE } } });
    await auth.accounts.register({ login: 'alice', password: PW });
    const seen: Array<string | undefined> = [];
    auth.events.on('login.failed', (e) => seen.push(e.ip));
    const appFor = (trust: boolean) => {
      const a = express();
      if (trust) a.set('trust proxy', 'loopback');
      a.use('/auth', authRoutes(auth));
      return a;
    };
    const wrong = (a: express.Express, xff: string) =>
      request(a).post('/auth/login').set('X-Forwarded-For', xff).send({ login: 'alice', password: 'wrong password here' });

    // Without trust proxy: the header is the client's word, not its address. Changing it changes nothing.
    const plain = appFor(false);
    await wrong(plain, '10.0.0.1').expect(401);
    await wrong(plain, '10.0.0.2').expect(401);
    await wrong(plain, '10.0.0.3').expect(429);
    expect(seen).toEqual([expect.stringMatching(/127\.0\.0\.1$/), expect.stringMatching(/127\.0\.0\.1$/)]);

    // With trust proxy (the balancer on loopback): each forwarded address has its own pair budget.
    const proxied = appFor(true);
    await wrong(proxied, '10.0.0.1').expect(401);
    await wrong(proxied, '10.0.0.1').expect(401);
    await wrong(proxied, '10.0.0.1').expect(429);
    await wrong(proxied, '10.0.0.2').expect(401);
    expect(seen.slice(2)).toEqual(['10.0.0.1', '10.0.0.1', '10.0.0.2']);
  });

  it('logins: ｂｏｂ logs in as bob; an app’s own sign-up route answers a refused login 422 invalid_login with its rule', async () => {
    const bob = await auth.accounts.register({ login: 'bob', email: 'bob@example.com', password: PW });
    expect((await login({ login: 'ｂｏｂ', password: PW }).expect(201)).body.user).toMatchObject({ id: bob.id, login: 'bob' });
    // authRoutes has no sign-up; this is how an app's own one renders core's refusal, through the same HTTP table.
    app.post('/signup', express.json(), (req, res) => {
      auth.accounts.register({ login: req.body.login, password: PW }).then(
        (a) => res.status(201).json({ login: a.login }),
        (e: unknown) => (isAuthError(e) ? sendAuthError(res, e) : res.status(500).end()),
      );
    });
    const cases: Array<[string, number, Record<string, unknown>]> = [
      ['ｂｏｂ', 409, { code: 'conflict', field: 'login' }],
      ['bob\u200B', 422, { code: 'invalid_login', field: 'login', rule: 'control' }],
      [' bob', 422, { code: 'invalid_login', field: 'login', rule: 'edge_whitespace' }],
      ['BOB@EXAMPLE.COM', 422, { code: 'invalid_login', field: 'login', rule: 'at_sign' }],
    ];
    for (const [name, status, error] of cases) {
      const res = await request(app).post('/signup').send({ login: name });
      expect([name, res.status, res.body.error]).toEqual([name, status, expect.objectContaining(error)]);
    }
    expect((await request(app).post('/signup').send({ login: 'ｍａｒｙ' }).expect(201)).body).toEqual({ login: 'mary' });
  });
});

import { AuthError, HOUR, MINUTE, manualClock, type AuthStore } from '@authmount/core';
import express from 'express';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { withOutage } from '../../../test-support/outage';
import { testStores } from '../../../test-support/stores';
import { authOf, createAuth, header, type Auth } from '../src';

function appFor(auth: Auth) {
  const app = express();
  app.get('/me', auth.requireAuth(), (req, res) => res.json({ user: authOf(req).userId, kind: req.auth!.kind }));
  app.post('/write', auth.requireAuth({ kinds: ['app', 'user', 'guest'], scopes: ['write'] }), (_req, res) => res.json({ ok: true }));
  app.get('/users-only', auth.requireAuth({ kinds: ['user'] }), (_req, res) => res.json({ ok: true }));
  app.get('/maybe', auth.optionalAuth(), (req, res) => res.json({ user: req.auth?.userId ?? null }));
  app.get('/custom', auth.requireAuth({ extractors: [header('x-api-key')] }), (req, res) => res.json({ user: req.auth!.userId }));
  app.get('/throws', (_req, _res, next) => next(new AuthError('forbidden_scope')));
  app.use(auth.errorHandler());
  return app;
}

describe.each(testStores())('requireAuth on the $name store', ({ make }) => {
  let auth: Auth;
  let store: AuthStore;
  const clock = manualClock();
  beforeEach(() => {
    store = make(clock);
    auth = createAuth({ store, clock, hashing: FAST_HASHING, tokens: { idleTtl: HOUR } });
  });
  afterEach(() => auth.close());

  it('lets a valid Bearer token through and sets req.auth', async () => {
    const { token } = await auth.tokens.issue({ userId: 7 });
    await request(appFor(auth)).get('/me').set('Authorization', `Bearer ${token}`).expect(200, { user: 7, kind: 'user' });
    await request(appFor(auth)).get('/me').set('authorization', `bearer   ${token}`).expect(200);
  });

  it('answers 401 with a challenge and a coded JSON body when the token is missing, bad or expired', async () => {
    const app = appFor(auth);
    const missing = await request(app).get('/me').expect(401);
    expect(missing.body).toEqual({ error: { code: 'token_missing', message: 'Authentication required.' } });
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="authmount"');
    for (const h of ['Bearer nope', 'Basic dXNlcjpwYXNz', 'Bearer ' + 'x'.repeat(10_000), `Bearer 1.${'a'.repeat(43)}`]) {
      const r = await request(app).get('/me').set('Authorization', h).expect(401);
      expect(r.body.error.code).toBe('token_invalid');
      expect(r.headers['www-authenticate']).toContain('error="invalid_token"');
    }
    const { token } = await auth.tokens.issue({ userId: 7 });
    clock.advance(HOUR);
    const expired = await request(app).get('/me').set('Authorization', `Bearer ${token}`).expect(401);
    expect(['token_expired', 'token_invalid']).toContain(expired.body.error.code);
    expect(JSON.stringify(expired.body)).not.toContain(token);
  });

  it('answers 403 for a missing scope or a kind not allowed', async () => {
    const app = appFor(auth);
    const { token } = await auth.tokens.issue({ userId: null, appId: 'a' });
    const r = await request(app).post('/write').set('Authorization', `Bearer ${token}`).expect(403);
    expect(r.body.error).toEqual({ code: 'forbidden_scope', message: 'The token lacks a required scope.', missing: 'write' });
    await request(app).get('/users-only').set('Authorization', `Bearer ${token}`).expect(403);
  });

  it('requireAuth() defaults to authmount user and guest tokens: app sessions get 403, other issuers 401, neither is slid', async () => {
    const app = appFor(auth);
    const user = await auth.tokens.issue({ userId: 7 });
    const guest = await auth.tokens.issue({ userId: 8, kind: 'guest' });
    const appSession = await auth.tokens.issue({ userId: null, appId: 'a' });
    const foreign = await Promise.all(
      ['pcloud', 'x-auth-bearer', 'cb-token', 'oauth'].map((issuer) =>
        auth.tokens.issue({ userId: 7, issuer, appId: issuer === 'oauth' ? 'c' : null }),
      ),
    );
    clock.advance(MINUTE);
    await request(app).get('/me').set('Authorization', `Bearer ${user.token}`).expect(200, { user: 7, kind: 'user' });
    await request(app).get('/me').set('Authorization', `Bearer ${guest.token}`).expect(200, { user: 8, kind: 'guest' });
    const r = await request(app).get('/me').set('Authorization', `Bearer ${appSession.token}`).expect(403);
    expect(r.body.error.code).toBe('forbidden_kind');
    for (const f of foreign) {
      const res = await request(app).get('/me').set('Authorization', `Bearer ${f.token}`).expect(401);
      expect(res.body.error.code).toBe('token_invalid');
    }
    for (const refused of [appSession, ...foreign]) {
      const stored = await store.tokens.peek(refused.info.id, clock());
      expect(stored).toMatchObject({
        lastUsedAt: refused.info.lastUsedAt,
        idleExpiresAt: refused.info.idleExpiresAt,
        expiresAt: refused.info.expiresAt,
      });
    }
    // auth.authenticate (custom guards) applies the same defaults.
    await expect(auth.authenticate(foreign[0].token)).rejects.toMatchObject({ code: 'token_invalid' });
    await expect(auth.authenticate(appSession.token)).rejects.toMatchObject({ code: 'forbidden_kind' });
    await expect(auth.authenticate(user.token)).resolves.toMatchObject({ userId: 7, issuer: 'authmount' });
  });

  it('shares other issuers and app sessions only when told: requireAuth({ issuers, kinds })', async () => {
    const app = express();
    app.get('/shared', auth.requireAuth({ issuers: ['authmount', 'pcloud'] }), (req, res) => res.json({ issuer: req.auth!.issuer }));
    app.get('/apps', auth.requireAuth({ issuers: ['cb-token'], kinds: ['app'] }), (req, res) => res.json({ kind: req.auth!.kind }));
    const own = await auth.tokens.issue({ userId: 1 });
    const pcloud = await auth.tokens.issue({ userId: 1, issuer: 'pcloud' });
    const xauth = await auth.tokens.issue({ userId: 1, issuer: 'x-auth-bearer' });
    const cbApp = await auth.tokens.issue({ userId: null, issuer: 'cb-token', appId: '42' });
    const cbUser = await auth.tokens.issue({ userId: 1, issuer: 'cb-token', appId: '42' });
    await request(app).get('/shared').set('Authorization', `Bearer ${own.token}`).expect(200, { issuer: 'authmount' });
    await request(app).get('/shared').set('Authorization', `Bearer ${pcloud.token}`).expect(200, { issuer: 'pcloud' });
    await request(app).get('/shared').set('Authorization', `Bearer ${xauth.token}`).expect(401);
    await request(app).get('/apps').set('Authorization', `Bearer ${cbApp.token}`).expect(200, { kind: 'app' });
    await request(app).get('/apps').set('Authorization', `Bearer ${cbUser.token}`).expect(403);
    await request(app).get('/apps').set('Authorization', `Bearer ${own.token}`).expect(401);
  });

  it('optionalAuth passes anonymous requests but still rejects a bad token', async () => {
    const app = appFor(auth);
    await request(app).get('/maybe').expect(200, { user: null });
    await request(app).get('/maybe').set('Authorization', 'Bearer junk').expect(401);
  });

  it('uses custom extractors and maps AuthErrors thrown by app handlers', async () => {
    const app = appFor(auth);
    const { token } = await auth.tokens.issue({ userId: 9 });
    await request(app).get('/custom').set('X-API-Key', token).expect(200, { user: 9 });
    await request(app).get('/throws').expect(403);
  });
});

describe.each(testStores())('fail closed on the $name store', ({ make }) => {
  it('answers 503 with Retry-After when the store is down, and recovers when it is back', async () => {
    const clock = manualClock();
    // The shared outage wrapper: every store call rejects while down, with internal detail in the message.
    const outage = withOutage(make(clock));
    const auth = createAuth({ store: outage.store, clock, hashing: FAST_HASHING });
    try {
      const { token } = await auth.tokens.issue({ userId: 1 });
      const app = appFor(auth);
      await request(app).get('/me').set('Authorization', `Bearer ${token}`).expect(200, { user: 1, kind: 'user' });
      outage.setDown(true);
      const answers = [
        await request(app).get('/me').set('Authorization', `Bearer ${token}`),
        await request(app).get('/maybe').set('Authorization', `Bearer ${token}`),
        await request(app).post('/write').set('Authorization', `Bearer ${token}`),
      ];
      for (const r of answers) {
        expect(r.status).toBe(503);
        expect(r.body.error.code).toBe('store_unavailable');
        expect(r.headers['retry-after']).toBe('1');
        expect(r.text).not.toContain('10.0.0.7'); // nothing of the store's error reaches the client
      }
      outage.setDown(false);
      await request(app).get('/me').set('Authorization', `Bearer ${token}`).expect(200, { user: 1, kind: 'user' });
    } finally {
      await auth.close();
    }
  });
});

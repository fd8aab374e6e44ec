import { AuthError, HOUR, manualClock, type AuthStore } from '@authmount/core';
import express from 'express';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores } from '../../../test-support/stores';
import { authOf, createAuth, header, type Auth } from '../src';

function appFor(auth: Auth) {
  const app = express();
  app.get('/me', auth.requireAuth(), (req, res) => res.json({ user: authOf(req).userId, kind: req.auth!.kind }));
  app.post('/write', auth.requireAuth({ scopes: ['write'] }), (_req, res) => res.json({ ok: true }));
  app.get('/users-only', auth.requireAuth({ kinds: ['user'] }), (_req, res) => res.json({ ok: true }));
  app.get('/maybe', auth.optionalAuth(), (req, res) => res.json({ user: req.auth?.userId ?? null }));
  app.get('/custom', auth.requireAuth({ extractors: [header('x-api-key')] }), (req, res) => res.json({ user: req.auth!.userId }));
  app.get('/throws', (_req, _res, next) => next(new AuthError('forbidden_scope')));
  app.use(auth.errorHandler());
  return app;
}

describe.each(testStores())('requireAuth on the $name store', ({ make }) => {
  let auth: Auth;
  const clock = manualClock();
  beforeEach(() => {
    auth = createAuth({ store: make(clock), clock, hashing: FAST_HASHING, tokens: { idleTtl: HOUR } });
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

describe('fail closed', () => {
  it('answers 503 with Retry-After when the store is down, and recovers when it is back', async () => {
    const clock = manualClock();
    const real = testStores()[0].make(clock);
    let down = false;
    const flaky = new Proxy(real.tokens, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (...a: unknown[]) => (down ? Promise.reject(new Error('down')) : v.apply(target, a)) : v;
      },
    });
    const store: AuthStore = { ...real, name: 'flaky', tokens: flaky, close: () => real.close() } as AuthStore;
    const auth = createAuth({ store, clock, hashing: FAST_HASHING });
    const { token } = await auth.tokens.issue({ userId: 1 });
    const app = appFor(auth);
    down = true;
    const r = await request(app).get('/me').set('Authorization', `Bearer ${token}`).expect(503);
    expect(r.body.error.code).toBe('store_unavailable');
    expect(r.headers['retry-after']).toBe('1');
    down = false;
    await request(app).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
    await auth.close();
  });
});

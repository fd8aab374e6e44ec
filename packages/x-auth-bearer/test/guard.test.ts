import { DAY, HOUR, MINUTE } from '@authmount/core';
import express from 'express';
import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { xAuthBearerGuard } from '../src';
import { xAuthBearer } from '../src';
import { ANNA, harness, PASSWORD, type Harness } from './helpers';

describe.each(testStores())('X-Auth-Bearer guard ($name store)', (ts) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(ts);
  });
  afterEach(async () => {
    await h.auth.close();
  });

  const login = async () => {
    const res = await request(h.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: PASSWORD });
    return res.body as { token: string; validTo: string };
  };
  const orders = () => request(h.app).get('/orders');

  it('lets a request with a valid X-Auth-Bearer through and sets req.auth', async () => {
    const { token } = await login();
    const res = await orders().set('X-Auth-Bearer', token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: h.annaId, tokenId: token.split('.')[0] });
  });

  it('answers 401 with the JSON error shape when the header is missing', async () => {
    const res = await orders();
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('X-Auth-Bearer');
    expect(res.body).toEqual({ status: 401, error: 'token_missing', message: 'Authentication required.' });
  });

  it.each([
    ['garbage', 'f87x9'],
    ['unknown', '987654321.' + 'c'.repeat(43)],
  ])('answers 401 to a %s token', async (_label, token) => {
    const res = await orders().set('X-Auth-Bearer', token);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, error: 'token_invalid' });
  });

  it('does not accept the token from the query or an Authorization: Bearer header', async () => {
    const { token } = await login();
    expect((await request(h.app).get('/orders').query({ token })).status).toBe(401);
    expect((await orders().set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });

  it('answers 401 once the token expired, although it was used all along (fixed expiry)', async () => {
    const { token, validTo } = await login();
    for (let i = 0; i < 23; i++) {
      h.clock.advance(HOUR);
      expect((await orders().set('X-Auth-Bearer', token)).status).toBe(200);
    }
    expect((await request(h.app).get('/xauth/login').query({ token })).body.validTo).toBe(validTo);
    h.clock.advance(HOUR);
    const res = await orders().set('X-Auth-Bearer', token);
    expect(res.status).toBe(401);
    expect(['token_expired', 'token_invalid']).toContain(res.body.error);
  });

  it('keeps working past the first expiry after a PUT', async () => {
    const { token } = await login();
    h.clock.advance(20 * HOUR);
    expect((await request(h.app).put('/xauth/login').send({ token, longtoken: true })).status).toBe(200);
    h.clock.advance(10 * DAY);
    expect((await orders().set('X-Auth-Bearer', token)).status).toBe(200);
  });

  it('refuses an app session without a user with 403 by default', async () => {
    const { token } = await h.auth.tokens.issue({ userId: null, issuer: 'x-auth-bearer' });
    const res = await orders().set('X-Auth-Bearer', token);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ status: 403, error: 'forbidden_kind' });
    // ...and /login does not know it either: it stands for no user.
    expect((await request(h.app).get('/xauth/login').query({ token })).status).toBe(404);
  });

  it('honours kinds and scopes given to the standalone guard', async () => {
    const app = express();
    app.get('/apps', xAuthBearerGuard(h.auth, { kinds: ['app'] }), (_req, res) => res.json({ ok: true }));
    app.get('/admin', xAuthBearerGuard(h.auth, { scopes: ['admin'] }), (_req, res) => res.json({ ok: true }));
    const appToken = (await h.auth.tokens.issue({ userId: null, issuer: 'x-auth-bearer' })).token;
    const { token } = await login();
    expect((await request(app).get('/apps').set('X-Auth-Bearer', appToken)).status).toBe(200);
    const admin = await request(app).get('/admin').set('X-Auth-Bearer', token);
    expect(admin.status).toBe(403);
    expect(admin.body).toMatchObject({ error: 'forbidden_scope' });
  });

  it('refuses tokens of other issuers with 401 (like unknown ones) without sliding them', async () => {
    const others = await Promise.all(
      ['authmount', 'pcloud', 'cb-token', 'oauth'].map((issuer) => h.auth.tokens.issue({ userId: h.annaId, issuer })),
    );
    h.clock.advance(MINUTE);
    for (const t of others) {
      const res = await orders().set('X-Auth-Bearer', t.token);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: 'token_invalid' });
      const stored = await h.outage.store.tokens.peek(t.info.id, h.clock());
      expect(stored).toMatchObject({ lastUsedAt: t.info.lastUsedAt, idleExpiresAt: t.info.idleExpiresAt, expiresAt: t.info.expiresAt });
    }
  });

  it('shares other issuers only when told: acceptIssuers on the router or the standalone guard', async () => {
    const own = await h.auth.tokens.issue({ userId: h.annaId });
    const pcloud = await h.auth.tokens.issue({ userId: h.annaId, issuer: 'pcloud' });
    const shared = xAuthBearer(h.auth, { acceptIssuers: ['x-auth-bearer', 'authmount'] });
    const app = express();
    app.use('/x', shared);
    app.get('/router', shared.guard(), (req, res) => res.json({ issuer: req.auth!.issuer }));
    app.get('/standalone', xAuthBearerGuard(h.auth, { acceptIssuers: ['pcloud'] }), (req, res) => res.json({ issuer: req.auth!.issuer }));
    expect((await request(app).get('/router').set('X-Auth-Bearer', own.token)).body).toEqual({ issuer: 'authmount' });
    expect((await request(app).get('/router').set('X-Auth-Bearer', pcloud.token)).status).toBe(401);
    expect((await request(app).get('/standalone').set('X-Auth-Bearer', pcloud.token)).body).toEqual({ issuer: 'pcloud' });
    expect((await request(app).get('/standalone').set('X-Auth-Bearer', own.token)).status).toBe(401);
    // /login is the protocol's own: it never acts on a shared token.
    expect((await request(app).get('/x/login').query({ token: own.token })).status).toBe(404);
    expect(() => xAuthBearer(h.auth, { acceptIssuers: [] })).toThrow(/acceptIssuers/);
  });
});

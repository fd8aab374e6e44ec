import { DAY, HOUR } from '@authmount/core';
import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { xAuthBearer } from '../src';
import { ANNA, harness, PASSWORD, type Harness } from './helpers';

describe.each(testStores())('GET, PUT, DELETE /login ($name store)', (ts) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(ts);
  });
  afterEach(async () => {
    await h.auth.close();
  });

  const login = async (longtoken?: 'true' | 'false') => {
    const res = await request(h.app)
      .post('/xauth/login')
      .type('form')
      .send({ login: ANNA.login, pass: PASSWORD, ...(longtoken ? { longtoken } : {}) });
    expect(res.status).toBe(200);
    return res.body as { token: string; validTo: string; user: Record<string, unknown> };
  };
  const check = (token: string) => request(h.app).get('/xauth/login').query({ token });
  const prolong = (body: unknown) =>
    request(h.app)
      .put('/xauth/login')
      .send(body as object);
  const remove = (token: string) => request(h.app).delete('/xauth/login').query({ token });
  /** Same id, another secret of the right shape. */
  const forge = (token: string) => `${token.split('.')[0]}.${'A'.repeat(43)}`;

  describe('GET', () => {
    it('answers a valid token exactly like the login did', async () => {
      const issued = await login();
      const res = await check(issued.token);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual(issued);
    });

    it('takes the token from the X-Auth-Bearer header too', async () => {
      const issued = await login();
      const res = await request(h.app).get('/xauth/login').set('X-Auth-Bearer', issued.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(issued);
    });

    it('answers 404 after 24 h, not a millisecond before', async () => {
      const { token } = await login();
      h.clock.advance(DAY - 1);
      expect((await check(token)).status).toBe(200);
      h.clock.advance(1);
      const res = await check(token);
      expect(res.status).toBe(404);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({ status: 404, error: 'not_found', message: 'The token does not exist or has expired.' });
    });

    it('keeps a long token 30 days from creation', async () => {
      const { token } = await login('true');
      h.clock.advance(30 * DAY - 1);
      expect((await check(token)).status).toBe(200);
      h.clock.advance(1);
      expect((await check(token)).status).toBe(404);
    });

    it('does not slide: checking never moves validTo', async () => {
      const { token, validTo } = await login();
      h.clock.advance(23 * HOUR);
      expect((await check(token)).body.validTo).toBe(validTo);
      h.clock.advance(HOUR);
      expect((await check(token)).status).toBe(404);
    });

    it.each([
      ['unknown', '123456789.' + 'b'.repeat(43)],
      ['malformed', 'f87x9'],
      ['overlong', '1.' + 'x'.repeat(500)],
    ])('answers 404 to an %s token', async (_label, token) => {
      const res = await check(token);
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('not_found');
    });

    it('answers 404 to a right id with a wrong secret, and never echoes what was sent', async () => {
      const { token } = await login();
      const res = await check(forge(token));
      expect(res.status).toBe(404);
      expect(res.text).not.toContain(token.split('.')[0]);
      expect(res.text).not.toContain('AAAA');
    });

    it('answers 400 without a token', async () => {
      const res = await request(h.app).get('/xauth/login');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, error: 'invalid_request', field: 'token' });
    });

    it('answers 400 to a repeated token parameter', async () => {
      const { token } = await login();
      const res = await request(h.app).get(`/xauth/login?token=${token}&token=${token}`);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('token');
    });

    it('accepts the header and the query when they agree, refuses them when they differ', async () => {
      const a = await login();
      const b = await login();
      expect((await check(a.token).set('X-Auth-Bearer', a.token)).status).toBe(200);
      const res = await check(a.token).set('X-Auth-Bearer', b.token);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('token');
    });
  });

  describe('PUT', () => {
    it('prolongs by 24 h from now before expiry', async () => {
      const { token, user } = await login();
      h.clock.advance(23 * HOUR);
      const res = await prolong({ token });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({ token, validTo: '2026-01-02T23:00:00Z', user });
      h.clock.advance(2 * HOUR); // past the original expiry
      expect((await check(token)).status).toBe(200);
      h.clock.advance(22 * HOUR - 1);
      expect((await check(token)).status).toBe(200);
      h.clock.advance(1);
      expect((await check(token)).status).toBe(404);
    });

    it.each([true, 'true'])('prolongs by 30 days from now with longtoken %j', async (longtoken) => {
      const { token } = await login();
      h.clock.advance(HOUR);
      const res = await prolong({ token, longtoken });
      expect(res.status).toBe(200);
      expect(res.body.validTo).toBe('2026-01-31T01:00:00Z');
      h.clock.advance(30 * DAY - 1);
      expect((await check(token)).status).toBe(200);
    });

    it('sets 24 h from now on a long token prolonged with longtoken false', async () => {
      const { token } = await login('true');
      h.clock.advance(DAY);
      const res = await prolong({ token, longtoken: false });
      expect(res.body.validTo).toBe('2026-01-03T00:00:00Z');
      h.clock.advance(DAY);
      expect((await check(token)).status).toBe(404);
    });

    it('takes the token from the header, with or without a body', async () => {
      const { token } = await login();
      h.clock.advance(HOUR);
      const withBody = await request(h.app).put('/xauth/login').set('X-Auth-Bearer', token).send({ longtoken: true });
      expect(withBody.status).toBe(200);
      expect(withBody.body.validTo).toBe('2026-01-31T01:00:00Z');
      h.clock.advance(HOUR);
      const bare = await request(h.app).put('/xauth/login').set('X-Auth-Bearer', token);
      expect(bare.status).toBe(200);
      expect(bare.body.validTo).toBe('2026-01-02T02:00:00Z');
    });

    it('answers 404 to an expired token and does not revive it', async () => {
      const { token } = await login();
      h.clock.advance(DAY);
      expect((await prolong({ token })).status).toBe(404);
      expect((await check(token)).status).toBe(404);
    });

    it('answers 404 to a wrong secret and leaves the token untouched', async () => {
      const { token, validTo } = await login();
      h.clock.advance(HOUR);
      const res = await prolong({ token: forge(token), longtoken: true });
      expect(res.status).toBe(404);
      expect((await check(token)).body.validTo).toBe(validTo);
    });

    it.each([
      ['a numeric token', { token: 12345 }, 'token'],
      ['an array body', [1, 2], 'body'],
      ['a non-boolean longtoken', { token: 'x', longtoken: 1 }, 'longtoken'],
      ['no token at all', { longtoken: true }, 'token'],
    ])('answers 400 to %s', async (_label, body, field) => {
      const res = await prolong(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, error: 'invalid_request', field });
    });

    it('answers 400 to malformed JSON', async () => {
      const res = await request(h.app).put('/xauth/login').set('Content-Type', 'application/json').send('{"token": ');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 400, error: 'invalid_request', message: 'The request body could not be parsed.', field: 'body' });
    });

    it('answers 415 to a form body: PUT takes JSON', async () => {
      const { token } = await login();
      const res = await request(h.app).put('/xauth/login').type('form').send({ token });
      expect(res.status).toBe(415);
      expect(res.body.error).toBe('unsupported_media_type');
    });
  });

  describe('tokens of other issuers', () => {
    it('GET, PUT and DELETE answer 404 to them and leave them untouched: PUT cannot prolong them', async () => {
      const others = await Promise.all(
        ['authmount', 'pcloud', 'cb-token', 'oauth'].map((issuer) =>
          h.auth.tokens.issue({ userId: h.annaId, issuer, appId: issuer === 'oauth' ? 'c' : null }),
        ),
      );
      h.clock.advance(HOUR);
      for (const t of others) {
        expect((await check(t.token)).status).toBe(404);
        expect((await prolong({ token: t.token, longtoken: true })).status).toBe(404);
        expect((await remove(t.token)).status).toBe(404);
        const stored = await h.outage.store.tokens.peek(t.info.id, h.clock());
        expect(stored).toMatchObject({ expiresAt: t.info.expiresAt, idleExpiresAt: t.info.idleExpiresAt, lastUsedAt: t.info.lastUsedAt });
      }
    });
  });

  describe('lifetime ceiling', () => {
    it('PUT prolongs from now, but never past creation + 90 days: repeated PUTs cannot make a token immortal', async () => {
      const { token } = await login('true');
      const created = h.clock();
      let last = '';
      for (let day = 1; day <= 100; day++) {
        h.clock.advance(DAY);
        const res = await prolong({ token, longtoken: true });
        if (res.status !== 200) {
          // Dead exactly at the ceiling, and not revived.
          expect(h.clock()).toBeGreaterThanOrEqual(created + 90 * DAY);
          expect(res.status).toBe(404);
          break;
        }
        last = res.body.validTo as string;
        expect(Date.parse(last)).toBeLessThanOrEqual(created + 90 * DAY);
      }
      expect(last).toBe(new Date(created + 90 * DAY).toISOString().replace('.000Z', 'Z'));
      expect((await check(token)).status).toBe(404);
    });

    it('the ceiling is configurable (maxLifetime), and must hold the lifetimes it caps', async () => {
      const h2 = await harness(ts, { adapter: { maxLifetime: 40 * DAY } });
      try {
        const res = await request(h2.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: PASSWORD, longtoken: 'true' });
        h2.clock.advance(20 * DAY);
        const put = await request(h2.app).put('/xauth/login').send({ token: res.body.token, longtoken: true });
        expect(put.body.validTo).toBe('2026-02-10T00:00:00Z'); // creation + 40 days, not now + 30
        const stored = await h2.auth.tokens.get(res.body.token.split('.')[0]);
        expect(stored).toMatchObject({ issuer: 'x-auth-bearer', maxExpiresAt: stored!.createdAt + 40 * DAY });
      } finally {
        await h2.auth.close();
      }
      expect(() => xAuthBearer(h.auth, { maxLifetime: 10 * DAY })).toThrow(/maxLifetime/);
    });
  });

  describe('DELETE', () => {
    it('deletes the token: 204 with an empty body, then it is gone everywhere', async () => {
      const { token } = await login();
      const res = await remove(token);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect((await check(token)).status).toBe(404);
      expect((await request(h.app).get('/orders').set('X-Auth-Bearer', token)).status).toBe(401);
      expect((await remove(token)).status).toBe(404);
    });

    it('takes the token from the header', async () => {
      const { token } = await login();
      expect((await request(h.app).delete('/xauth/login').set('X-Auth-Bearer', token)).status).toBe(204);
      expect((await check(token)).status).toBe(404);
    });

    it('answers 404 to a wrong secret and keeps the real token alive', async () => {
      const { token } = await login();
      expect((await remove(forge(token))).status).toBe(404);
      expect((await check(token)).status).toBe(200);
    });

    it('answers 404 to an expired token and 400 without one', async () => {
      const { token } = await login();
      h.clock.advance(DAY);
      expect((await remove(token)).status).toBe(404);
      const res = await request(h.app).delete('/xauth/login');
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('token');
    });

    it('deletes only the token given', async () => {
      const a = await login();
      const b = await login();
      expect((await remove(a.token)).status).toBe(204);
      expect((await check(b.token)).status).toBe(200);
    });
  });
});

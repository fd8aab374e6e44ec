import type { AuthEvent } from '@authmount/core';
import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { ANNA, harness, PASSWORD, type Harness } from './helpers';

describe.each(testStores())('outages, wrong methods, secrecy ($name store)', (ts) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(ts);
  });
  afterEach(async () => {
    h.outage.setDown(false);
    await h.auth.close();
  });

  const login = async () => {
    const res = await request(h.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: PASSWORD });
    expect(res.status).toBe(200);
    return res.body.token as string;
  };

  describe('store down: fail closed with 503 in the adapter format', () => {
    const expect503 = (res: request.Response) => {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({ status: 503, error: 'store_unavailable', message: 'The authentication store is unavailable.' });
      // The underlying error (host, port, driver text) never reaches the client.
      expect(res.text).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|internal/);
    };

    it('on every /login verb and on the guard', async () => {
      const token = await login();
      h.outage.setDown(true);
      expect503(await request(h.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: PASSWORD }));
      expect503(await request(h.app).get('/xauth/login').query({ token }));
      expect503(await request(h.app).put('/xauth/login').send({ token, longtoken: true }));
      expect503(await request(h.app).delete('/xauth/login').query({ token }));
      expect503(await request(h.app).get('/orders').set('X-Auth-Bearer', token));
    });

    it('loses nothing: the token works again once the store is back, with its old validTo', async () => {
      const token = await login();
      const before = await request(h.app).get('/xauth/login').query({ token });
      h.outage.setDown(true);
      expect((await request(h.app).put('/xauth/login').send({ token, longtoken: true })).status).toBe(503);
      expect((await request(h.app).delete('/xauth/login').query({ token })).status).toBe(503);
      h.outage.setDown(false);
      const after = await request(h.app).get('/xauth/login').query({ token });
      expect(after.status).toBe(200);
      expect(after.body).toEqual(before.body);
    });
  });

  it('answers other methods on /login with 405 and an Allow header, OPTIONS with 204', async () => {
    const res = await request(h.app).patch('/xauth/login').send({});
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, POST, PUT, DELETE, OPTIONS');
    expect(res.body).toEqual({ status: 405, error: 'method_not_allowed', message: 'Method not allowed.' });
    const options = await request(h.app).options('/xauth/login');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toContain('PUT');
  });

  it('never puts a token secret or a password in events', async () => {
    const events: AuthEvent[] = [];
    h.auth.events.onAny((e) => events.push(e));
    await request(h.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: 'a wrong password' });
    const token = await login();
    await request(h.app).get('/orders').set('X-Auth-Bearer', token);
    await request(h.app).put('/xauth/login').send({ token });
    await request(h.app)
      .get('/xauth/login')
      .query({ token: `${token.split('.')[0]}.${'Z'.repeat(43)}` });
    await request(h.app).delete('/xauth/login').query({ token });
    const types = events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['login.failed', 'login.succeeded', 'token.issued', 'token.extended', 'token.revoked']));
    const dump = JSON.stringify(events);
    expect(dump).not.toContain(token.split('.')[1]);
    expect(dump).not.toContain(PASSWORD);
    expect(dump).not.toContain('a wrong password');
  });
});

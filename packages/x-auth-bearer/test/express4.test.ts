// Every `require('express')` in this file's module registry, the adapter's own included, gets Express 4
// (npm alias `express4`): the package declares both majors as peers. Express 4 does not forward rejected
// handler promises by itself, so these tests fail (hang, then time out) if the adapter relied on that.
jest.mock('express', () => jest.requireActual('express4'));

import { DAY } from '@authmount/core';
import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { ANNA, harness, PASSWORD, type Harness } from './helpers';

describe.each(testStores())('on Express 4 ($name store)', (ts) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(ts);
  });
  afterEach(async () => {
    h.outage.setDown(false);
    await h.auth.close();
  });

  it('runs the whole /login cycle and the guard', async () => {
    const login = await request(h.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: PASSWORD });
    expect(login.status).toBe(200);
    const { token } = login.body as { token: string };
    expect((await request(h.app).get('/xauth/login').query({ token })).body).toEqual(login.body);
    const put = await request(h.app).put('/xauth/login').send({ token, longtoken: true });
    expect(put.body.validTo).toBe('2026-01-31T00:00:00Z');
    expect((await request(h.app).get('/orders').set('X-Auth-Bearer', token)).status).toBe(200);
    expect((await request(h.app).delete('/xauth/login').set('X-Auth-Bearer', token)).status).toBe(204);
    expect((await request(h.app).get('/orders').set('X-Auth-Bearer', token)).status).toBe(401);
  });

  it('answers failures of async handlers in the adapter format', async () => {
    const bad = await request(h.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: 'wrong' });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('invalid_credentials');
    const { token } = (await request(h.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: PASSWORD })).body;
    h.clock.advance(DAY);
    expect((await request(h.app).get('/xauth/login').query({ token })).status).toBe(404);
    const nested = await request(h.app).get('/xauth/login?token[a]=b');
    expect(nested.status).toBe(400);
    expect(nested.body.field).toBe('token');
  });

  it('answers parser errors and wrong content types', async () => {
    const json = await request(h.app).put('/xauth/login').set('Content-Type', 'application/json').send('{"token":');
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ error: 'invalid_request', field: 'body' });
    expect((await request(h.app).post('/xauth/login').send({ login: ANNA.login, pass: PASSWORD })).status).toBe(415);
  });

  it('fails closed with 503 when the store is down', async () => {
    h.outage.setDown(true);
    const res = await request(h.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: PASSWORD });
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('store_unavailable');
    expect(
      (
        await request(h.app)
          .get('/orders')
          .set('X-Auth-Bearer', '1.' + 'a'.repeat(43))
      ).status,
    ).toBe(503);
  });
});

import { AuthError, DAY } from '@authmount/core';
import { errorBody } from '../src';
import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { ANNA, harness, PASSWORD, type Harness } from './helpers';

const START = '2026-01-01T00:00:00Z';

describe.each(testStores())('POST /login ($name store)', (ts) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(ts);
  });
  afterEach(async () => {
    await h.auth.close();
  });

  const post = (body: Record<string, string> | string) => request(h.app).post('/xauth/login').type('form').send(body);

  it('logs in with the form fields and answers {token, validTo, user}, 24 h by default', async () => {
    const res = await post({ login: ANNA.login, pass: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(Object.keys(res.body)).toEqual(['token', 'validTo', 'user']);
    expect(res.body.token).toMatch(/^[0-9]+\.[A-Za-z0-9_-]{43}$/);
    expect(new Date(START).getTime()).toBe(h.clock());
    expect(res.body.validTo).toBe('2026-01-02T00:00:00Z');
    expect(res.body.user).toEqual({
      id: h.annaId,
      login: ANNA.login,
      email: ANNA.email,
      tel: '500600700',
      name: 'Anna Nowak',
      organization: ANNA.attributes.organization,
      permissions: 'main.admin;main.users.show',
    });
    expect(JSON.stringify(res.body)).not.toMatch(/pass|hash|argon/i);
  });

  it('finds the login in its NFKC form (full-width letters log in as the plain login)', async () => {
    const wide = [...ANNA.login].map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');
    expect(wide).not.toBe(ANNA.login);
    const res = await post({ login: wide, pass: PASSWORD });
    expect([res.status, res.body.user?.id]).toEqual([200, h.annaId]);
  });

  it('renders core’s invalid_login (a login refused by the normaliser) as 422 with field login', () => {
    const body = errorBody(
      new AuthError('invalid_login', 'login must not contain control, invisible formatting or line-separator characters.', {
        field: 'login',
        rule: 'control',
      }),
    );
    expect(body).toEqual({ status: 422, error: 'invalid_login', message: expect.stringContaining('login'), field: 'login' });
  });

  it('accepts the e-mail address as login', async () => {
    const res = await post({ login: ANNA.email, pass: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(h.annaId);
  });

  it.each([
    ['true', '2026-01-31T00:00:00Z'],
    ['TRUE', '2026-01-31T00:00:00Z'],
    ['false', '2026-01-02T00:00:00Z'],
    ['', '2026-01-02T00:00:00Z'],
  ])('longtoken=%j gives validTo %s', async (longtoken, validTo) => {
    const res = await post({ login: ANNA.login, pass: PASSWORD, longtoken });
    expect(res.status).toBe(200);
    expect(res.body.validTo).toBe(validTo);
  });

  it('drops the milliseconds of validTo, rounding down', async () => {
    h.clock.advance(1500);
    const res = await post({ login: ANNA.login, pass: PASSWORD });
    expect(res.body.validTo).toBe('2026-01-02T00:00:01Z');
  });

  it('refuses a longtoken that is neither true nor false, before checking the password', async () => {
    const res = await post({ login: ANNA.login, pass: 'wrong', longtoken: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 400, error: 'invalid_request', message: 'longtoken must be true or false.', field: 'longtoken' });
  });

  it('answers a wrong password and an unknown account with the same 401', async () => {
    const wrong = await post({ login: ANNA.login, pass: 'not the password' });
    const unknown = await post({ login: 'nobody', pass: 'not the password' });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('X-Auth-Bearer');
      expect(res.body).toEqual({ status: 401, error: 'invalid_credentials', message: 'Invalid login or password.' });
    }
  });

  it.each([
    ['login missing', { pass: PASSWORD }, 'login'],
    ['pass missing', { login: ANNA.login }, 'pass'],
    ['pass empty', { login: ANNA.login, pass: '' }, 'pass'],
  ])('answers 400 when %s', async (_label, body, field) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, error: 'invalid_request', field });
  });

  it('refuses a repeated field instead of picking one', async () => {
    const res = await post(`login=${ANNA.login}&login=other&pass=${encodeURIComponent(PASSWORD)}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', field: 'login' });
  });

  it('refuses JSON with 415: the vendor takes an HTML form here', async () => {
    const res = await request(h.app).post('/xauth/login').send({ login: ANNA.login, pass: PASSWORD });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ status: 415, error: 'unsupported_media_type' });
  });

  it('refuses a body without a Content-Type with 415', async () => {
    const res = await request(h.app).post('/xauth/login').set('Content-Type', '').send(Buffer.from('login=a&pass=b'));
    expect(res.status).toBe(415);
  });

  it('answers 400 to a POST without a body', async () => {
    const res = await request(h.app).post('/xauth/login');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', field: 'login' });
  });

  it('answers 413 to an oversized body and 415 to an unknown charset', async () => {
    const big = await post({ login: ANNA.login, pass: 'x'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ status: 413, error: 'payload_too_large' });
    const many = await post(Array.from({ length: 30 }, (_, i) => `f${i}=x`).join('&'));
    expect(many.status).toBe(413);
    expect(many.body.error).toBe('payload_too_large');
    const charset = await request(h.app)
      .post('/xauth/login')
      .set('Content-Type', 'application/x-www-form-urlencoded; charset=koi8-r')
      .send('login=a&pass=b');
    expect(charset.status).toBe(415);
    expect(charset.body.error).toBe('unsupported_media_type');
  });

  it('answers 429 with Retry-After once the account is throttled', async () => {
    await h.auth.close();
    h = await harness(ts, { config: { throttle: { account: { limit: 2, windowMs: 60_000 } } } });
    for (let i = 0; i < 2; i++) expect((await post({ login: ANNA.login, pass: 'nope' })).status).toBe(401);
    const res = await post({ login: ANNA.login, pass: PASSWORD });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('60');
    expect(res.body).toEqual({ status: 429, error: 'rate_limited', message: 'Too many attempts. Try again later.', retryAfter: 60 });
    h.clock.advance(60_000);
    expect((await post({ login: ANNA.login, pass: PASSWORD })).status).toBe(200);
  });

  it('gives absent attributes as null and permissions as ""', async () => {
    const bare = await h.auth.accounts.register({ login: 'bare', email: null, password: PASSWORD });
    const res = await post({ login: 'bare', pass: PASSWORD });
    expect(res.body.user).toEqual({ id: bare.id, login: 'bare', email: null, tel: null, name: null, organization: null, permissions: '' });
  });

  it('issues a fixed-expiry token: idle window equals the lifetime', async () => {
    const res = await post({ login: ANNA.login, pass: PASSWORD, longtoken: 'true' });
    const info = await h.auth.tokens.peek(res.body.token);
    expect(info.expiresAt - info.createdAt).toBe(30 * DAY);
    expect(info.idleExpiresAt).toBe(info.expiresAt);
    expect(info.userId).toBe(h.annaId);
  });
});

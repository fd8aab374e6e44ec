import { DAY, SECOND } from '@authmount/core';
import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { PcloudError } from '../src';
import { expectError, expectOk, harness, PW, type Harness } from './helpers';

const A = 'alice@example.com';

describe.each(testStores())('global login parameters on the $name store', (ts) => {
  let h: Harness;
  beforeEach(async () => {
    h = harness(ts);
    await h.user(A);
  });
  afterEach(() => h.close());

  it('logs in with username/password: auth only with getauth, then the token works as param and cookie', async () => {
    const plain = await h.get('userinfo', { username: A, password: PW });
    expectOk(plain);
    expect(plain.body.auth).toBeUndefined();
    expect(plain.body).toMatchObject({ userid: expect.any(Number), email: A, emailverified: false, language: 'en', premium: false });
    expect(await h.auth.tokens.list(plain.body.userid)).toHaveLength(0); // no token without getauth

    const r = await h.get('userinfo', { username: A, password: PW, getauth: 1, logout: 1 });
    expectOk(r);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body.auth).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    expect(Buffer.byteLength(r.body.auth)).toBeLessThanOrEqual(64);

    const byParam = await h.get('userinfo', { auth: r.body.auth });
    expectOk(byParam);
    expect(byParam.body.userid).toBe(r.body.userid);
    expect(byParam.body.auth).toBeUndefined();
    const byCookie = await request(h.app).get('/pcloud/userinfo').set('Cookie', `auth=${r.body.auth}`);
    expectOk(byCookie);
    expect(byCookie.body.userid).toBe(r.body.userid);
    // getauth with a token login hands back that same token.
    const again = await h.get('userinfo', { auth: r.body.auth, getauth: 1 });
    expect(again.body.auth).toBe(r.body.auth);
  });

  it('answers 1000 without credentials and 2000 for wrong ones, always HTTP 200 JSON', async () => {
    expectError(await h.get('userinfo'), 1000, 'Log in required.');
    expectError(await h.get('userinfo', { username: A }), 1000);
    expectError(await h.get('userinfo', { username: A, password: 'wrong-pass' }), 2000, 'Log in failed.');
    expectError(await h.get('userinfo', { username: 'nobody@example.com', password: PW }), 2000, 'Log in failed.');
    expectError(await h.get('userinfo', { username: '', password: PW }), 2000);
    expectError(await h.get('userinfo', { auth: 'garbage' }), 2000);
    expectError(await h.get('userinfo', { auth: `123.${'a'.repeat(43)}` }), 2000);
    expectError(await h.get('userinfo', { auth: 'x'.repeat(5000) }), 2000);
    const res = await h.get('userinfo', { auth: 'garbage' });
    expect(res.headers['x-error']).toBe('2000');
    // A wrong credential fails even on a method that needs none (pCloud lists 2000 for them).
    expectError(await h.get('lostpassword', { mail: A, auth: 'garbage' }), 2000);
  });

  it('echoes id on success and on failure, and formats datetimes per timeformat', async () => {
    const ok = await h.get('userinfo', { username: A, password: PW, id: 'req-7' });
    expect(ok.body.id).toBe('req-7');
    expect(ok.body.registered).toBe('Thu, 01 Jan 2026 00:00:00 +0000');
    expect(ok.body.registered).toHaveLength(31);
    const bad = await h.get('userinfo', { id: 42 });
    expect(bad.body).toEqual({ result: 1000, error: 'Log in required.', id: '42' });
    const ts = await h.get('userinfo', { username: A, password: PW, timeformat: 'timestamp' });
    expect(ts.body.registered).toBe(1767225600); // 2026-01-01T00:00:00Z in unix seconds
    const other = await h.get('userinfo', { username: A, password: PW, timeformat: 'iso' });
    expect(other.body.registered).toBe('Thu, 01 Jan 2026 00:00:00 +0000');
    // timeformat as a cookie, the way the Java SDK sends it.
    const cookie = await request(h.app).get('/pcloud/userinfo').query({ username: A, password: PW }).set('Cookie', 'timeformat=timestamp');
    expect(cookie.body.registered).toBe(1767225600); // 2026-01-01T00:00:00Z in unix seconds
  });

  it('applies pCloud precedence: GET < POST body < cookie', async () => {
    const good = await h.login(A);
    const r1 = await request(h.app).post('/pcloud/userinfo?auth=garbage').type('form').send({ auth: good });
    expectOk(r1);
    const r2 = await request(h.app).post(`/pcloud/userinfo?auth=${good}`).type('form').send({ auth: 'garbage' });
    expectError(r2, 2000);
    const r3 = await request(h.app)
      .post('/pcloud/userinfo?auth=garbage')
      .type('form')
      .send({ auth: 'garbage' })
      .set('Cookie', `auth=${good}`);
    expectOk(r3);
    // Repeated keys: the last one wins.
    const r4 = await request(h.app).get(`/pcloud/userinfo?auth=garbage&auth=${good}`);
    expectOk(r4);
  });

  it('reads multipart/form-data bodies (PHP SDK) and ignores file parts', async () => {
    const r = await request(h.app)
      .post('/pcloud/userinfo')
      .field('username', A)
      .field('password', PW)
      .field('getauth', '1')
      .attach('f', Buffer.alloc(1000, 1), 'x.bin');
    expectOk(r);
    expect(r.body.auth).toEqual(expect.any(String));
  });

  it('uses a form body the host app already parsed', async () => {
    const express = (await import('express')).default;
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use('/pcloud', h.router);
    const r = await request(app).post('/pcloud/userinfo').type('form').send({ username: A, password: PW });
    expectOk(r);
    // A stream the host consumed in a form we cannot use (raw bytes) must not leave the call hanging.
    const raw = express();
    raw.use(express.raw({ type: 'multipart/form-data' }));
    raw.use('/pcloud', h.router);
    expectError(await request(raw).post('/pcloud/userinfo').field('username', A).field('password', PW), 1000);
  });

  it('treats an unreadable body as absent: the method answers its own error, never a 4xx/5xx', async () => {
    const big = await request(h.app)
      .post('/pcloud/userinfo')
      .type('form')
      .send(`username=${A}&password=${PW}&pad=${'x'.repeat(100_000)}`);
    expectError(big, 1000);
    const broken = await request(h.app)
      .post('/pcloud/userinfo')
      .set('Content-Type', 'multipart/form-data; boundary=zzz')
      .send('--zzz\r\nnonsense');
    expectError(broken, 1000);
    const noBoundary = await request(h.app).post('/pcloud/userinfo').set('Content-Type', 'multipart/form-data').send('abc');
    expectError(noBoundary, 1000);
    const json = await request(h.app).post('/pcloud/userinfo').send({ username: A, password: PW });
    expectError(json, 1000); // JSON bodies are not a pCloud transport
    const badCookie = await request(h.app).get('/pcloud/userinfo').set('Cookie', 'auth=%E0%A4%A; =;;');
    expectError(badCookie, 2000);
  });

  it('records device (param, else User-Agent) on the token', async () => {
    await h.get('userinfo', { username: A, password: PW, getauth: 1, device: 'my phone' });
    h.clock.advance(SECOND); // listtokens is oldest first
    await request(h.app).get('/pcloud/userinfo').query({ username: A, password: PW, getauth: 1 }).set('User-Agent', 'agent/1.0');
    h.clock.advance(SECOND);
    const t = await h.login(A);
    const list = await h.get('listtokens', { auth: t });
    expect(list.body.tokens.map((x: { device: string }) => x.device)).toEqual(['my phone', 'agent/1.0', expect.any(String)]);
  });

  it('authexpire sets the absolute lifetime (seconds), enforced with the injected clock', async () => {
    const t = await h.login(A, PW, { authexpire: 3600 });
    const info = (await h.get('listtokens', { auth: t, timeformat: 'timestamp' })).body.tokens[0];
    expect(info.expires - info.created).toBe(3600);
    h.clock.advance(3599 * SECOND);
    expectOk(await h.get('userinfo', { auth: t }));
    h.clock.advance(SECOND);
    expectError(await h.get('userinfo', { auth: t }), 2000);
  });

  it('authinactiveexpire sets the idle lifetime, which every use slides', async () => {
    const t = await h.login(A, PW, { authinactiveexpire: 600 });
    h.clock.advance(590 * SECOND);
    expectOk(await h.get('userinfo', { auth: t })); // slides to now + 600 s
    h.clock.advance(590 * SECOND);
    expectOk(await h.get('userinfo', { auth: t }));
    const info = (await h.get('listtokens', { auth: t, timeformat: 'timestamp' })).body.tokens[0];
    expect(info.expires_inactive - h.clock() / 1000).toBe(600);
    h.clock.advance(600 * SECOND);
    expectError(await h.get('userinfo', { auth: t }), 2000);
  });

  it("uses pCloud's defaults and clamps to pCloud's maxima", async () => {
    const d = await h.login(A);
    h.clock.advance(SECOND);
    const big = await h.login(A, PW, { authexpire: 999_999_999, authinactiveexpire: 999_999_999 });
    h.clock.advance(SECOND);
    const junk = await h.login(A, PW, { authexpire: '-5', authinactiveexpire: 'soon' });
    // Read through core: listing over the wire would slide the calling token.
    const userId = (await h.auth.tokens.get(d.split('.')[0]))!.userId!;
    const list = await h.auth.tokens.list(userId);
    expect(list.map((x) => [(x.expiresAt - x.createdAt) / SECOND, (x.idleExpiresAt - x.createdAt) / SECOND])).toEqual([
      [31_536_000, 2_678_400],
      [63_072_000, 5_356_800],
      [31_536_000, 2_678_400],
    ]);
    // The clamp is real: unused for 62 days, even the idle-maxed token is gone.
    h.clock.advance(62 * DAY);
    expectError(await h.get('userinfo', { auth: big }), 2000);
    expectError(await h.get('userinfo', { auth: junk }), 2000);
  });

  it('an explicit username login wins over an auth token (e.g. a stale cookie)', async () => {
    const bobId = await h.user('bob@example.com');
    const aliceToken = await h.login(A);
    const r = await request(h.app)
      .get('/pcloud/userinfo')
      .query({ username: 'bob@example.com', password: PW, getauth: 1, logout: 1 })
      .set('Cookie', `auth=${aliceToken}`);
    expect(r.body.userid).toBe(bobId);
    // password wins over digest params when both are sent
    const both = await h.get('userinfo', { username: A, password: PW, digest: 'x', passworddigest: 'y' });
    expectOk(both);
  });

  it('app methods get every global parameter and can be the login point', async () => {
    h.router.method('listfolder', async (call) => ({ metadata: { name: '/', created: call.time(0), owner: call.userId } }));
    h.router.method('publicinfo', () => ({ hello: 'world' }), { auth: false });
    h.router.method('fail', () => {
      throw new PcloudError({ result: 2005, error: 'Directory does not exist.' });
    });
    h.router.method('crash', () => {
      throw new Error('boom');
    });
    expectError(await h.get('listfolder'), 1000);
    const r = await h.get('listfolder', { username: A, password: PW, getauth: 1, timeformat: 'timestamp', id: 'x' });
    expectOk(r);
    expect(r.body).toMatchObject({ metadata: { name: '/', created: 0, owner: expect.any(Number) }, auth: expect.any(String), id: 'x' });
    expectOk(await h.get('listfolder', { auth: r.body.auth }));
    expectOk(await request(h.app).get('/pcloud/listfolder').set('Cookie', `auth=${r.body.auth}`));
    expect((await h.get('publicinfo')).body).toEqual({ result: 0, hello: 'world' });
    expectError(await h.get('publicinfo', { auth: 'bad' }), 2000);
    expectError(await h.get('fail', { auth: r.body.auth }), 2005, 'Directory does not exist.');
    const crash = await h.get('crash', { auth: r.body.auth });
    expectError(crash, 5000, 'Internal error. Try again later.');
    expect(h.errors).toHaveLength(1);
    expect(() => h.router.method('userinfo', () => ({}))).toThrow(/already defined/);
    expect(() => h.router.method('Bad Name', () => ({}))).toThrow(/invalid method name/);
  });

  it('app methods can demand token scopes (1000 when the token lacks them)', async () => {
    h.router.method('deletefile', () => ({}), { scopes: ['admin'] });
    const t = await h.login(A);
    expectError(await h.get('deletefile', { auth: t }), 1000);
  });

  it('the guard protects ordinary Express routes with the same parameters', async () => {
    h.app.get('/files', h.router.guard(), (req, res) => {
      res.json({ who: req.pcloud!.userId, token: req.auth?.tokenId ?? null });
    });
    h.app.get('/files2', h.router.guard(), (req) => req.pcloud!.reply({ ok: true }));
    expectError(await request(h.app).get('/files'), 1000);
    expectError(await request(h.app).get('/files?auth=bad&id=3'), 2000);
    const t = await h.login(A);
    const r = await request(h.app).get('/files').set('Cookie', `auth=${t}`);
    expect(r.body).toEqual({ who: expect.any(Number), token: t.split('.')[0] });
    const r2 = await request(h.app).get('/files2').query({ username: A, password: PW, getauth: 1, id: 9 });
    expect(r2.body).toEqual({ result: 0, ok: true, auth: expect.any(String), id: '9' });
  });

  it('unknown methods fall through to the host app', async () => {
    h.app.use((_req, res) => res.status(404).json({ notfound: true }));
    const r = await request(h.app).get('/pcloud/nosuchmethod');
    expect(r.status).toBe(404);
  });

  it('a token of a deleted account answers 2000', async () => {
    const t = await h.login(A);
    const id = (await h.get('userinfo', { auth: t })).body.userid as number;
    await h.store.users.delete(id); // bypass core: the token survives its user
    expectError(await h.get('userinfo', { auth: t }), 2000);
  });

  it('fails closed with 5000 (HTTP 200, pCloud’s retryable class) while the store is down', async () => {
    const t = await h.login(A);
    h.store.down = true;
    for (const r of [
      await h.get('userinfo', { auth: t }),
      await h.get('userinfo', { username: A, password: PW }),
      await h.get('getdigest'),
      await h.get('register', { mail: 'new@example.com', password: 'n3wpass!', termsaccepted: 'yes' }),
      await h.get('lostpassword', { mail: A }),
    ]) {
      expectError(r, 5000, 'Internal error. Try again later.');
    }
    h.store.down = false;
    expectOk(await h.get('userinfo', { auth: t }));
    expect(h.errors).toHaveLength(0); // an outage is an expected failure, not a bug report
  });
});

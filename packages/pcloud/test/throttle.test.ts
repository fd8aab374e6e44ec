import { HOUR, MINUTE } from '@authmount/core';
import express from 'express';
import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { expectError, expectOk, harness, PW, type Harness } from './helpers';

const A = 'alice@example.com';

describe.each(testStores())('abuse budgets on the $name store', (ts) => {
  let h: Harness;
  afterEach(() => h.close());

  /** Requests from a chosen client address (trust proxy on loopback). */
  const from = (ip: string, method: string, params: Record<string, string>) =>
    request(h.app).get(`/pcloud/${method}`).query(params).set('X-Forwarded-For', ip);

  it('answers 4000 per (account, IP) after consecutive failures, before any hashing, and lets the window pass', async () => {
    h = harness(ts, { throttle: { pair: { limit: 3, windowMs: 15 * MINUTE } } });
    h.app.set('trust proxy', 'loopback');
    await h.user(A);
    for (let i = 0; i < 3; i++) expectError(await from('1.1.1.1', 'userinfo', { username: A, password: 'wrong-pass' }), 2000);
    const verified = h.auth.hasher.verifications;
    const r = await from('1.1.1.1', 'userinfo', { username: A, password: PW, id: '1' });
    expectError(r, 4000, 'Too many login tries from this IP address.');
    expect(r.body.id).toBe('1');
    expect(h.auth.hasher.verifications).toBe(verified);
    // The account key is case-insensitive.
    expectError(await from('1.1.1.1', 'userinfo', { username: A.toUpperCase(), password: PW }), 4000);
    // The owner from another address, and another account from this one, are not affected.
    expectOk(await from('2.2.2.2', 'userinfo', { username: A, password: PW }));
    await h.user('bob@example.com');
    expectOk(await from('1.1.1.1', 'userinfo', { username: 'bob@example.com', password: PW }));
    h.clock.advance(15 * MINUTE);
    expectOk(await from('1.1.1.1', 'userinfo', { username: A, password: PW }));
  });

  it('answers 4000 per IP after failures over all accounts (spraying), before any hashing; token logins keep working', async () => {
    h = harness(ts, { throttle: { ip: { limit: 3, windowMs: MINUTE } } });
    await h.user(A);
    const t = await h.login(A);
    for (let i = 0; i < 3; i++) expectError(await h.get('userinfo', { username: `u${i}@example.com`, password: 'wrong-pass' }), 2000);
    const verified = h.auth.hasher.verifications;
    expectError(await h.get('userinfo', { username: A, password: PW }), 4000);
    expect(h.auth.hasher.verifications).toBe(verified);
    for (let i = 0; i < 5; i++) expectOk(await h.get('userinfo', { auth: t }));
    h.clock.advance(MINUTE);
    expectOk(await h.get('userinfo', { username: A, password: PW }));
  });

  it('successes spend nothing: 50 password logins from one address with budgets of 2', async () => {
    const two = { limit: 2, windowMs: HOUR };
    h = harness(ts, { throttle: { pair: two, account: two, ip: two } });
    await h.user(A);
    for (let i = 0; i < 50; i++) expectOk(await h.get('userinfo', { username: A, password: PW }));
  });

  it('uses the client IP Express resolves (trust proxy honoured)', async () => {
    h = harness(ts, { throttle: { pair: { limit: 2, windowMs: MINUTE } } });
    h.app.set('trust proxy', true);
    await h.user(A);
    const wrong = (ip: string) => from(ip, 'userinfo', { username: A, password: 'wrong-pass' });
    expectError(await wrong('10.0.0.1'), 2000);
    expectError(await wrong('10.0.0.1'), 2000);
    expectError(await wrong('10.0.0.1'), 4000);
    expectError(await wrong('10.0.0.2'), 2000);
  });

  it('password re-checks (changepassword, changemail, deactivateuser) spend the account’s login budgets', async () => {
    h = harness(ts, { throttle: { pair: { limit: 3, windowMs: 15 * MINUTE } } });
    await h.user(A);
    const t = await h.login(A);
    expectError(await h.get('changepassword', { auth: t, oldpassword: 'wrong-1', newpassword: 'n3w-pass' }), 2031);
    expectError(await h.get('changemail', { auth: t, password: 'wrong-1', code: 'x' }), 2272);
    expectError(await h.get('deactivateuser', { auth: t, password: 'wrong-1', code: 'x' }), 2272);
    const verified = h.auth.hasher.verifications;
    expectError(await h.get('changepassword', { auth: t, oldpassword: PW, newpassword: 'n3w-pass' }), 4000);
    expectError(await h.get('changemail', { auth: t, password: PW, code: 'x' }), 4000);
    expect(h.auth.hasher.verifications).toBe(verified);
    // and a password login for the account from this address is refused too
    expectError(await h.get('userinfo', { username: A, password: PW }), 4000);
  });

  it('resetpassword: wrong codes spend the IP’s failure budget; a right one is refunded', async () => {
    h = harness(ts, { throttle: { ip: { limit: 2, windowMs: MINUTE } } });
    await h.user(A);
    expectOk(await h.get('lostpassword', { mail: A }));
    const code = (await h.lastMail('reset')).code;
    expectError(await h.get('resetpassword', { code: 'guess-1', newpassword: 'n3w-pass' }), 2012);
    expectOk(await h.get('resetpassword', { code, newpassword: 'n3w-pass' }));
    expectError(await h.get('resetpassword', { code: 'guess-2', newpassword: 'n3w-pass' }), 2012);
    expectError(await h.get('resetpassword', { code: 'guess-3', newpassword: 'n3w-pass' }), 4000);
  });

  it('register spends the IP’s sign-up budget (4000 when over), before hashing', async () => {
    h = harness(ts, { throttle: { signup: { limit: 2, windowMs: MINUTE } } });
    expectOk(await h.get('register', { mail: 'a1@example.com', password: PW, termsaccepted: 'yes' }));
    expectOk(await h.get('register', { mail: 'a2@example.com', password: PW, termsaccepted: 'yes' }));
    const hash = jest.spyOn(h.auth.hasher, 'hash');
    expectError(await h.get('register', { mail: 'a3@example.com', password: PW, termsaccepted: 'yes' }), 4000);
    expect(hash).not.toHaveBeenCalled();
    // Logins from that address are not sign-ups: unaffected.
    expectOk(await h.get('userinfo', { username: 'a1@example.com', password: PW }));
  });

  it('mails: per account and per IP; lostpassword still answers success when over, sending nothing', async () => {
    h = harness(ts, { throttle: { mailIp: { limit: 3, windowMs: HOUR }, mailAccount: { limit: 2, windowMs: HOUR } } });
    h.app.set('trust proxy', 'loopback');
    await h.user(A);
    const t = await h.login(A);
    expectOk(await from('1.1.1.1', 'sendverificationemail', { auth: t }));
    expectOk(await from('1.1.1.1', 'lostpassword', { mail: A }));
    // The account's 2 are spent: over HTTP the authenticated sender gets 4000, the anonymous one success.
    expectError(await from('2.2.2.2', 'sendverificationemail', { auth: t }), 4000);
    expectOk(await from('2.2.2.2', 'lostpassword', { mail: A }));
    expect(await h.sentMails()).toHaveLength(2);
    // Address 1.1.1.1 has one mail left: one unknown address spends it, then even a new account gets nothing.
    expectOk(await from('1.1.1.1', 'lostpassword', { mail: 'nobody@example.com' }));
    await h.user('bob@example.com');
    expectOk(await from('1.1.1.1', 'lostpassword', { mail: 'bob@example.com' }));
    expect(await h.sentMails()).toHaveLength(2);
    expect(h.errors).toEqual([]);
  });

  it('lostpassword does the same store work before its reply for a known and an unknown address; the mail comes after', async () => {
    h = harness(ts);
    await h.user(A);
    // The pCloud router mounted behind a middleware that marks the moment the reply is written.
    let replied = -1;
    const app = express();
    app.use((_req, res, next) => {
      const end = res.end.bind(res) as (...a: unknown[]) => typeof res;
      res.end = ((...a: unknown[]) => {
        replied = h.store.calls.length;
        return end(...a);
      }) as typeof res.end;
      next();
    });
    app.use('/pcloud', h.router);
    const work = async (mail: string) => {
      await h.router.mailQueue.idle();
      const start = h.store.calls.length;
      expectOk(await request(app).get('/pcloud/lostpassword').query({ mail }));
      await h.router.mailQueue.idle();
      return { before: h.store.calls.slice(start, replied), after: h.store.calls.slice(replied) };
    };
    const known = await work(A);
    const unknown = await work('nobody@example.com');
    expect(known.before).toEqual(['users.findByEmail', 'counters.reserve']);
    expect(unknown.before).toEqual(known.before);
    // Issuing the code happens after the reply, for the known address only.
    expect(known.after.length).toBeGreaterThan(0);
    expect(unknown.after).toEqual([]);
    expect((await h.lastMail('reset')).to).toBe(A);
  });
});

import { MINUTE } from '@authmount/core';
import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { expectError, expectOk, harness, PW, type Harness } from './helpers';

const A = 'alice@example.com';

describe.each(testStores())('login throttling on the $name store', (ts) => {
  let h: Harness;
  afterEach(() => h.close());

  const hashing = (x: Harness) => {
    const verify = jest.spyOn(x.auth.hasher, 'verify');
    return () => verify.mock.calls.length;
  };

  it('answers 4000 per account after repeated failures, before any hashing, and lets the window pass', async () => {
    h = harness(ts, { throttle: { ip: false, account: { limit: 3, windowMs: 15 * MINUTE } } });
    await h.user(A);
    for (let i = 0; i < 3; i++) expectError(await h.get('userinfo', { username: A, password: 'wrong-pass' }), 2000);
    const count = hashing(h);
    const r = await h.get('userinfo', { username: A, password: PW, id: 1 });
    expectError(r, 4000, 'Too many login tries from this IP address.');
    expect(r.body.id).toBe('1');
    expect(count()).toBe(0);
    // The account key is case-insensitive.
    expectError(await h.get('userinfo', { username: A.toUpperCase(), password: PW }), 4000);
    // Other accounts are not affected.
    await h.user('bob@example.com');
    expectOk(await h.get('userinfo', { username: 'bob@example.com', password: PW }));
    h.clock.advance(15 * MINUTE);
    expectOk(await h.get('userinfo', { username: A, password: PW }));
  });

  it('answers 4000 per IP, before any hashing', async () => {
    h = harness(ts, { throttle: { ip: { limit: 3, windowMs: MINUTE } } });
    await h.user(A);
    for (let i = 0; i < 3; i++) await h.get('userinfo', { username: `u${i}@example.com`, password: 'wrong-pass' });
    const count = hashing(h);
    expectError(await h.get('userinfo', { username: A, password: PW }), 4000);
    expect(count()).toBe(0);
    // Token logins are not password attempts and keep working.
    h.clock.advance(MINUTE);
    const t = await h.login(A);
    for (let i = 0; i < 5; i++) expectOk(await h.get('userinfo', { auth: t }));
  });

  it('uses the client IP Express resolves (trust proxy honoured)', async () => {
    h = harness(ts, { throttle: { ip: { limit: 2, windowMs: MINUTE } } });
    h.app.set('trust proxy', true);
    await h.user(A);
    const from = (ip: string) =>
      request(h.app).get('/pcloud/userinfo').query({ username: A, password: 'wrong-pass' }).set('X-Forwarded-For', ip);
    expectError(await from('10.0.0.1'), 2000);
    expectError(await from('10.0.0.1'), 2000);
    expectError(await from('10.0.0.1'), 4000);
    expectError(await from('10.0.0.2'), 2000);
  });

  it('throttles password re-checks (changepassword, changemail, deactivateuser) with the login counters', async () => {
    h = harness(ts, { throttle: { ip: false, account: { limit: 3, windowMs: 15 * MINUTE } } });
    await h.user(A);
    const t = await h.login(A);
    expectError(await h.get('changepassword', { auth: t, oldpassword: 'wrong-1', newpassword: 'n3w-pass' }), 2031);
    expectError(await h.get('changemail', { auth: t, password: 'wrong-1', code: 'x' }), 2272);
    expectError(await h.get('deactivateuser', { auth: t, password: 'wrong-1', code: 'x' }), 2272);
    const count = hashing(h);
    expectError(await h.get('changepassword', { auth: t, oldpassword: PW, newpassword: 'n3w-pass' }), 4000);
    expect(count()).toBe(0);
    // and a password login for the account is locked too
    expectError(await h.get('userinfo', { username: A, password: PW }), 4000);
  });

  it('bounds registrations per IP like logins', async () => {
    h = harness(ts, { throttle: { ip: { limit: 2, windowMs: MINUTE } } });
    expectOk(await h.get('register', { mail: 'a1@example.com', password: PW, termsaccepted: 'yes' }));
    expectOk(await h.get('register', { mail: 'a2@example.com', password: PW, termsaccepted: 'yes' }));
    expectError(await h.get('register', { mail: 'a3@example.com', password: PW, termsaccepted: 'yes' }), 4000);
  });
});

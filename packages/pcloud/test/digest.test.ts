import { SECOND } from '@authmount/core';
import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { passwordDigest } from '../src';
import { newDigest, sameDigest } from '../src/digest';
import { open, parseKey, seal } from '../src/password-copy';
import { expectError, expectOk, harness, KEY, type Harness } from './helpers';

const USER = 'Alice@Example.com';
const PASS = 'secret1';

describe('passworddigest formula', () => {
  it('matches the test vector of the protocol notes', () => {
    expect(passwordDigest(PASS, USER, 'YGtAxbUpI85Zvs7lC7Z62rBwv907TBXhV2L867Hkh')).toBe('02fb5f030a5e52c16cd9a8ae8f0040abd7458838');
  });
});

describe('sameDigest', () => {
  const d = passwordDigest(PASS, USER, 'YGtAxbUpI85Zvs7lC7Z62rBwv907TBXhV2L867Hkh');

  it('accepts the digest in any letter case', () => {
    expect(sameDigest(d, d)).toBe(true);
    expect(sameDigest(d, d.toUpperCase())).toBe(true);
  });

  it('refuses any other digest, and anything that is not exactly 40 hex characters, without throwing', () => {
    const last = d.slice(0, 39) + (d.endsWith('0') ? '1' : '0');
    const first = (d.startsWith('0') ? '1' : '0') + d.slice(1);
    for (const bad of [last, first, '0' + d, d + '0', d.slice(1), d.slice(0, 39), ` ${d}`, `${d}\n`, 'g'.repeat(40), '', '0'.repeat(80)]) {
      expect(sameDigest(d, bad)).toBe(false);
    }
  });
});

describe('newDigest', () => {
  it('is 40 alphanumeric characters from the whole alphabet, fresh every time', () => {
    const all = Array.from({ length: 200 }, newDigest);
    for (const x of all) expect(x).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(new Set(all).size).toBe(200);
    const chars = new Set(all.join(''));
    for (const c of ['A', 'Z', 'a', 'z', '0', '9']) expect(chars.has(c)).toBe(true); // 8000 draws of 62
  });
});

describe('password copy (AES-256-GCM)', () => {
  it('round-trips, and refuses another key, tampering and garbage', () => {
    const s = seal(KEY, 'pässword ✓');
    expect(s).not.toContain('pässword');
    expect(open(KEY, s)).toBe('pässword ✓');
    expect(open(Buffer.alloc(32, 8), s)).toBeNull();
    const parts = s.split('.');
    parts[2] = Buffer.from('x').toString('base64url');
    expect(open(KEY, parts.join('.'))).toBeNull();
    expect(open(KEY, 'v1.a.b')).toBeNull();
    expect(open(KEY, 12)).toBeNull();
    expect(seal(KEY, 'same')).not.toBe(seal(KEY, 'same')); // fresh IV each time
  });

  it('takes 32-byte keys as bytes, hex or base64 and refuses others', () => {
    expect(parseKey(KEY)).toEqual(KEY);
    expect(parseKey(KEY.toString('hex'))).toEqual(KEY);
    expect(parseKey(KEY.toString('base64'))).toEqual(KEY);
    expect(() => parseKey(Buffer.alloc(16))).toThrow(/32 bytes/);
    expect(() => parseKey('short')).toThrow(/32 bytes/);
  });
});

describe.each(testStores())('digest login on the $name store', (ts) => {
  let h: Harness;
  let uid: number;
  beforeEach(async () => {
    h = harness(ts);
    // Registered through the adapter, so the encrypted copy is written.
    const r = await h.get('register', { mail: USER, password: PASS, termsaccepted: 'yes' });
    expectOk(r);
    uid = r.body.userid;
  });
  afterEach(() => h.close());

  const digestLogin = async (digest: string, pass = PASS, extra: Record<string, string> = {}) =>
    h.get('userinfo', { username: USER, digest, passworddigest: passwordDigest(pass, USER, digest), getauth: 1, logout: 1, ...extra });

  it('getdigest → userinfo with passworddigest logs in and returns auth', async () => {
    const d = await h.get('getdigest');
    expectOk(d);
    expect(d.body.digest).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(d.body.expires).toBe('Thu, 01 Jan 2026 00:00:30 +0000');
    const ts = await h.get('getdigest', { timeformat: 'timestamp' });
    expect(ts.body.expires).toBe(1767225630); // 2026-01-01T00:00:30Z in unix seconds
    const r = await digestLogin(d.body.digest);
    expectOk(r);
    expect(r.body).toMatchObject({ userid: uid, email: USER, auth: expect.any(String) });
    expectOk(await h.get('userinfo', { auth: r.body.auth }));
    // The username is lowercased inside the formula, so any case of it works.
    const d2 = (await h.get('getdigest')).body.digest as string;
    const r2 = await h.get('userinfo', {
      username: USER.toLowerCase(),
      digest: d2,
      passworddigest: passwordDigest(PASS, USER.toLowerCase(), d2).toUpperCase(),
    });
    expectOk(r2);
  });

  it('a digest is single-use', async () => {
    const d = (await h.get('getdigest')).body.digest as string;
    expectOk(await digestLogin(d));
    expectError(await digestLogin(d), 2000, 'Log in failed.');
  });

  it('a wrong password burns the digest too', async () => {
    const d = (await h.get('getdigest')).body.digest as string;
    expectError(await digestLogin(d, 'wrong1'), 2000);
    expectError(await digestLogin(d), 2000);
  });

  it('a digest expires after 30 seconds', async () => {
    const d = (await h.get('getdigest')).body.digest as string;
    h.clock.advance(30 * SECOND);
    expectError(await digestLogin(d), 2000);
    const d2 = (await h.get('getdigest')).body.digest as string;
    h.clock.advance(29 * SECOND);
    expectOk(await digestLogin(d2));
  });

  it('unknown users, made-up digests and malformed passworddigests answer 2000', async () => {
    const d = (await h.get('getdigest')).body.digest as string;
    const dummies = h.auth.hasher.dummyVerifications;
    expectError(
      await h.get('userinfo', { username: 'nobody@example.com', digest: d, passworddigest: passwordDigest(PASS, 'nobody@example.com', d) }),
      2000,
    );
    // An unknown account costs one (dummy) argon2 verification, like a known one: no timing oracle.
    expect(h.auth.hasher.dummyVerifications).toBe(dummies + 1);
    expectError(await digestLogin('made-up-digest'), 2000);
    const d2 = (await h.get('getdigest')).body.digest as string;
    expectError(await h.get('userinfo', { username: USER, digest: d2, passworddigest: 'not-hex' }), 2000);
    const d3 = (await h.get('getdigest')).body.digest as string;
    expectError(await h.get('userinfo', { username: USER, digest: d3, passworddigest: '0' + passwordDigest(PASS, USER, d3) }), 2000);
    expectError(await h.get('userinfo', { username: USER, passworddigest: 'a'.repeat(40) }), 2000);
    expectError(await h.get('userinfo', { username: '', digest: d2, passworddigest: 'a'.repeat(40) }), 2000);
  });

  it('follows password changes made through the adapter, and never accepts a stale copy', async () => {
    const t = await h.login(USER, PASS);
    expectOk(await h.get('changepassword', { auth: t, oldpassword: PASS, newpassword: 'n3w-pass' }));
    expectError(await digestLogin((await h.get('getdigest')).body.digest), 2000);
    expectOk(await digestLogin((await h.get('getdigest')).body.digest, 'n3w-pass'));
    // A change outside the adapter (core directly) leaves the copy stale: the old password must not work.
    await h.auth.accounts.setPassword(uid, 'other-pass-2');
    expectError(await digestLogin((await h.get('getdigest')).body.digest, 'n3w-pass'), 2000);
    expectError(await digestLogin((await h.get('getdigest')).body.digest, 'other-pass-2'), 2000);
    // ...until the next password login through the adapter refreshes it.
    expectOk(await h.get('userinfo', { username: USER, password: 'other-pass-2' }));
    expectOk(await digestLogin((await h.get('getdigest')).body.digest, 'other-pass-2'));
  });

  it('accounts created outside the adapter gain digest login at their next password login', async () => {
    await h.user('core@example.com', 'corepass1');
    const digest = async () => (await h.get('getdigest')).body.digest as string;
    const dl = async () => {
      const d = await digest();
      return h.get('userinfo', {
        username: 'core@example.com',
        digest: d,
        passworddigest: passwordDigest('corepass1', 'core@example.com', d),
      });
    };
    expectError(await dl(), 2000);
    expectOk(await h.get('userinfo', { username: 'core@example.com', password: 'corepass1' }));
    expectOk(await dl());
  });

  it('stores the copy encrypted, never the password', async () => {
    const u = await h.store.users.findById(uid, h.clock());
    expect(JSON.stringify(u)).not.toContain(PASS);
    expect(open(KEY, u!.attributes.pcloud_pwenc)).toBe(PASS);
  });

  it('throttles digest logins per account before any hashing (4000)', async () => {
    const verify = jest.spyOn(h.auth.hasher, 'verify');
    for (let i = 0; i < 10; i++) expectError(await digestLogin((await h.get('getdigest')).body.digest, 'wrong1'), 2000);
    const before = verify.mock.calls.length;
    const r = await digestLogin((await h.get('getdigest')).body.digest);
    expectError(r, 4000, 'Too many login tries from this IP address.');
    expect(verify.mock.calls.length).toBe(before);
  });
});

describe.each(testStores())('digest login switched off on the $name store', (ts) => {
  let h: Harness;
  beforeEach(() => {
    h = harness(ts, { adapter: { digest: false } });
  });
  afterEach(() => h.close());

  it('answers 2237 to getdigest and to a digest login, and keeps no password copy', async () => {
    expectError(await h.get('getdigest'), 2237);
    const r = await h.get('register', { mail: USER, password: PASS, termsaccepted: 'yes' });
    expectOk(r);
    expectError(await h.get('userinfo', { username: USER, digest: 'x', passworddigest: 'a'.repeat(40) }), 2237);
    const u = await h.store.users.findById(r.body.userid, h.clock());
    expect(u!.attributes.pcloud_pwenc).toBeUndefined();
    expectOk(await request(h.app).get('/pcloud/userinfo').query({ username: USER, password: PASS }));
  });

  it('drops a copy left from when it was on, at the next password change', async () => {
    const id = (await h.auth.accounts.register({ email: USER, password: PASS, attributes: { pcloud_pwenc: seal(KEY, PASS) } })).id;
    const t = await h.login(USER);
    expectOk(await h.get('changepassword', { auth: t, oldpassword: PASS, newpassword: 'n3w-pass' }));
    expect((await h.auth.accounts.find(id))!.attributes.pcloud_pwenc).toBeNull();
  });
});

import { HOUR } from '@authmount/core';
import { testStores } from '../../../test-support/stores';
import { expectError, expectOk, harness, PW, type Harness } from './helpers';

const A = 'alice@example.com';

describe.each(testStores())('account methods on the $name store', (ts) => {
  let h: Harness;
  let uid: number;
  let t: string;
  beforeEach(async () => {
    h = harness(ts);
    uid = await h.user(A);
    t = await h.login(A);
  });
  afterEach(() => h.close());

  describe('changepassword', () => {
    it('changes it, keeps the caller’s token, revokes the others', async () => {
      const other = await h.login(A);
      expectOk(await h.get('changepassword', { auth: t, oldpassword: PW, newpassword: 'n3w-pass' }));
      expectOk(await h.get('userinfo', { auth: t }));
      expectError(await h.get('userinfo', { auth: other }), 2000);
      expectError(await h.get('userinfo', { username: A, password: PW }), 2000);
      expectOk(await h.get('userinfo', { username: A, password: 'n3w-pass' }));
    });

    it('documented errors 1000, 1031, 1032, 2000, 2030, 2031 and the policy codes 2032–2035', async () => {
      const cp = (p: Record<string, string>) => h.get('changepassword', { auth: t, ...p });
      expectError(await h.get('changepassword', { oldpassword: PW, newpassword: 'n3w-pass' }), 1000);
      expectError(await h.get('changepassword', { auth: 'x', oldpassword: PW, newpassword: 'n3w-pass' }), 2000);
      expectError(await cp({ newpassword: 'n3w-pass' }), 1031, "Please provide 'oldpassword'.");
      expectError(await cp({ oldpassword: PW }), 1032, "Please provide 'newpassword'.");
      expectError(await cp({ oldpassword: PW, newpassword: PW }), 2030, 'New password is the same as the old one.');
      expectError(await cp({ oldpassword: 'wrong-1', newpassword: 'n3w-pass' }), 2031, "Wrong 'oldpassword' provided.");
      expectError(await cp({ oldpassword: PW, newpassword: 'ab1!' }), 2032, 'Password too short. Minimum length is 6 characters.');
      expectError(await cp({ oldpassword: PW, newpassword: ' n3w-pass' }), 2033, 'Password can not start or end with space.');
      expectError(
        await cp({ oldpassword: PW, newpassword: 'aaabbb' }),
        2034,
        'Password does not contain enough different characters. The minimum is 4.',
      );
      expectError(await cp({ oldpassword: PW, newpassword: 'abcdef' }), 2035, 'Password can not contain only consecutive characters.');
      expectError(await cp({ oldpassword: PW, newpassword: '987654' }), 2035);
      expectError(await cp({ oldpassword: PW, newpassword: 'qwerty' }), 2035);
      expectError(await cp({ oldpassword: PW, newpassword: 'x'.repeat(60) + 'abcd'.repeat(20) }), 2032); // too_long: our 2032 class
      expectOk(await h.get('userinfo', { username: A, password: PW })); // nothing changed
    });

    it('5000 when the store fails mid-way', async () => {
      h.store.down = true;
      expectError(await h.get('changepassword', { auth: t, oldpassword: PW, newpassword: 'n3w-pass' }), 5000);
    });
  });

  describe('register', () => {
    const reg = (p: Record<string, string>) => h.get('register', { termsaccepted: 'yes', ...p });

    it('creates the account, replies userid (no token, even with getauth), mails a verification code', async () => {
      const r = await reg({ mail: 'new@example.com', password: 'n3w-pass', getauth: '1', logout: '1', language: 'de' });
      expectOk(r);
      expect(r.body).toEqual({ result: 0, userid: expect.any(Number) });
      expect(await h.auth.tokens.list(r.body.userid)).toEqual([]);
      const info = await h.get('userinfo', { username: 'new@example.com', password: 'n3w-pass' });
      expect(info.body).toMatchObject({ userid: r.body.userid, email: 'new@example.com', emailverified: false, language: 'de' });
      expect(await h.lastMail('verify')).toMatchObject({ to: 'new@example.com', userId: r.body.userid, code: expect.any(String) });
      const plain = await reg({ mail: 'n2@example.com', password: 'n3w-pass' });
      expect(plain.body).toEqual({ result: 0, userid: expect.any(Number) });
    });

    it('documented errors 1033, 1034, 2018, 2032–2035, 2037, 2038', async () => {
      expectError(await reg({ password: 'n3w-pass' }), 1033, "Please provide 'mail'.");
      expectError(await reg({ mail: 'n@example.com' }), 1034, "Please provide 'password'.");
      expectError(await h.get('register', { mail: 'n@example.com', password: 'n3w-pass' }), 2037);
      expectError(
        await h.get('register', { mail: 'n@example.com', password: 'n3w-pass', termsaccepted: 'no' }),
        2037,
        'You need to accept Terms of Service and all other agreements to register.',
      );
      expectError(await reg({ mail: 'not-an-email', password: 'n3w-pass' }), 2018, "Invalid 'mail' provided.");
      expectError(await reg({ mail: 'n@example.com', password: 'abc' }), 2032);
      expectError(await reg({ mail: 'n@example.com', password: 'n3w-pass ' }), 2033);
      expectError(await reg({ mail: 'n@example.com', password: 'ababab' }), 2034);
      expectError(await reg({ mail: 'n@example.com', password: '123456' }), 2035);
      expectError(await reg({ mail: 'ALICE@example.com', password: 'n3w-pass' }), 2038, 'User with this email is already registered.');
      expectError(await reg({ mail: 'n@example.com', password: 'n3w-pass', auth: 'bad' }), 2000);
    });

    it('keeps the Auth’s own policy too: on a NIST Auth, short pCloud-valid passwords are refused with 2032 and the real limit', async () => {
      const nist = harness(ts, { policy: 'nist' });
      try {
        const r = await nist.get('register', { mail: 'n@example.com', password: 'n3w-pass', termsaccepted: 'yes' });
        expectError(r, 2032);
        expect(r.body.error).toMatch(/15/);
        expectOk(await nist.get('register', { mail: 'n@example.com', password: 'a much longer pass phrase', termsaccepted: 'yes' }));
      } finally {
        await nist.close();
      }
    });
  });

  describe('lostpassword / resetpassword', () => {
    it('mails a code; resetpassword sets the password and revokes every token', async () => {
      expectOk(await h.get('lostpassword', { mail: A.toUpperCase() }));
      const m = await h.lastMail('reset');
      expect(m).toMatchObject({ to: A, userId: uid });
      expectOk(await h.get('resetpassword', { code: m.code, newpassword: 'n3w-pass' }));
      expectError(await h.get('userinfo', { auth: t }), 2000);
      expectOk(await h.get('userinfo', { username: A, password: 'n3w-pass' }));
      // single use
      expectError(await h.get('resetpassword', { code: m.code, newpassword: 'an0ther-pass' }), 2012, "Invalid 'code' provided.");
    });

    it('a reset code is refused after a password change (changepassword, or a change made outside pCloud)', async () => {
      await h.get('lostpassword', { mail: A });
      const before = (await h.lastMail('reset')).code;
      expectOk(await h.get('changepassword', { auth: t, oldpassword: PW, newpassword: 'n3w-pass' }));
      expectError(await h.get('resetpassword', { code: before, newpassword: 'th1rd-pass' }), 2012, "Invalid 'code' provided.");
      expectOk(await h.get('userinfo', { username: A, password: 'n3w-pass' }));
      // A password changed outside pCloud (core) voids it too.
      await h.get('lostpassword', { mail: A });
      const outside = (await h.lastMail('reset')).code;
      await h.auth.accounts.setPassword(uid, 'f0urth-pass');
      expectError(await h.get('resetpassword', { code: outside, newpassword: 'th1rd-pass' }), 2012);
      expectOk(await h.get('userinfo', { username: A, password: 'f0urth-pass' }));
    });

    it('a second code voids the first; the newest works', async () => {
      await h.get('lostpassword', { mail: A });
      const first = (await h.lastMail('reset')).code;
      await h.get('lostpassword', { mail: A });
      const second = (await h.lastMail('reset')).code;
      expect(second).not.toBe(first);
      expectError(await h.get('resetpassword', { code: first, newpassword: 'n3w-pass' }), 2012);
      expectOk(await h.get('resetpassword', { code: second, newpassword: 'n3w-pass' }));
      expectOk(await h.get('userinfo', { username: A, password: 'n3w-pass' }));
    });

    it('answers success for unknown addresses and sends nothing (no account enumeration)', async () => {
      expectOk(await h.get('lostpassword', { mail: 'nobody@example.com' }));
      expectOk(await h.get('lostpassword', { mail: 'not-an-email' }));
      expect(await h.sentMails()).toHaveLength(0);
    });

    it('limits mails per account, still answering success', async () => {
      for (let i = 0; i < 7; i++) expectOk(await h.get('lostpassword', { mail: A }));
      expect(await h.sentMails()).toHaveLength(5);
      h.clock.advance(HOUR);
      expectOk(await h.get('lostpassword', { mail: A }));
      expect(await h.sentMails()).toHaveLength(6);
    });

    it('lostpassword documented errors: 1033, 2000', async () => {
      expectError(await h.get('lostpassword'), 1033);
      expectError(await h.get('lostpassword', { mail: A, auth: 'bad' }), 2000);
    });

    it('resetpassword documented errors: 1022, 1032, 2012, 2032–2035, 2036', async () => {
      await h.get('lostpassword', { mail: A });
      const code = (await h.lastMail('reset')).code;
      expectError(await h.get('resetpassword', { newpassword: 'n3w-pass' }), 1022, "Please provide 'code'.");
      expectError(await h.get('resetpassword', { code }), 1032);
      expectError(await h.get('resetpassword', { code: 'made-up', newpassword: 'n3w-pass' }), 2012);
      // A rejected password does not use the code up.
      expectError(await h.get('resetpassword', { code, newpassword: 'abc' }), 2032);
      expectError(await h.get('resetpassword', { code, newpassword: ' abcdefg' }), 2033);
      expectError(await h.get('resetpassword', { code, newpassword: 'aaaaaaa' }), 2034);
      expectError(await h.get('resetpassword', { code, newpassword: 'zyxwvu' }), 2035);
      h.clock.advance(HOUR);
      expectError(
        await h.get('resetpassword', { code, newpassword: 'n3w-pass' }),
        2036,
        "Verification 'code' expired. Please request password reset again.",
      );
      expectOk(await h.get('userinfo', { username: A, password: PW }));
    });
  });

  describe('sendverificationemail / verifyemail', () => {
    it('verifies the address; the code works without being logged in', async () => {
      expectOk(await h.get('sendverificationemail', { auth: t }));
      const m = await h.lastMail('verify');
      expect(m).toMatchObject({ to: A, userId: uid });
      const r = await h.get('verifyemail', { code: m.code });
      expect(r.body).toEqual({ result: 0, email: A, userid: uid });
      expect((await h.get('userinfo', { auth: t })).body.emailverified).toBe(true);
      expectError(await h.get('sendverificationemail', { auth: t }), 2013, 'Email is already verified.');
    });

    it('verifyemail errors: 1022, 2012 (unknown, used, expired), 2013', async () => {
      await h.get('sendverificationemail', { auth: t });
      const c1 = (await h.lastMail('verify')).code;
      await h.get('sendverificationemail', { auth: t });
      const c2 = (await h.lastMail('verify')).code;
      expectError(await h.get('verifyemail'), 1022);
      expectError(await h.get('verifyemail', { code: 'nope' }), 2012);
      expectOk(await h.get('verifyemail', { code: c1 }));
      expectError(await h.get('verifyemail', { code: c1 }), 2012);
      expectError(await h.get('verifyemail', { code: c2 }), 2013);
      const r = await h.get('register', { mail: 'late@example.com', password: 'n3w-pass', termsaccepted: 'yes' });
      const late = await h.lastMail('verify');
      expect(late.userId).toBe(r.body.userid);
      h.clock.advance(7 * 24 * HOUR);
      expectError(await h.get('verifyemail', { code: late.code }), 2012);
    });

    it('sendverificationemail errors: 1000, 2000, and 4000 over the mail limit', async () => {
      expectError(await h.get('sendverificationemail'), 1000);
      expectError(await h.get('sendverificationemail', { auth: 'bad' }), 2000);
      for (let i = 0; i < 5; i++) expectOk(await h.get('sendverificationemail', { auth: t }));
      expectError(await h.get('sendverificationemail', { auth: t }), 4000);
    });

    it('without a mailer the sending methods answer 5000 and report it', async () => {
      const bare = harness(ts, { adapter: { mailer: undefined } });
      try {
        await bare.user(A);
        const tk = await bare.login(A);
        expectError(await bare.get('sendverificationemail', { auth: tk }), 5000);
        expect(bare.errors).toHaveLength(1);
        expectOk(await bare.get('lostpassword', { mail: A }));
      } finally {
        await bare.close();
      }
    });
  });

  describe('sendchangemail / changemail', () => {
    const NEW = 'alice.new@example.com';

    async function toNewAddress(): Promise<string> {
      expectOk(await h.get('sendchangemail', { auth: t }));
      const c = await h.lastMail('changemail-confirm');
      expect(c).toMatchObject({ to: A, userId: uid });
      expectOk(await h.get('sendchangemail', { auth: t, code: c.code, newmail: NEW }));
      const n = await h.lastMail('changemail-new');
      expect(n).toMatchObject({ to: NEW, newmail: NEW, userId: uid });
      return n.code;
    }

    it('moves the account to the confirmed new address, verified', async () => {
      const code = await toNewAddress();
      expectOk(await h.get('changemail', { auth: t, password: PW, code }));
      const info = await h.get('userinfo', { auth: t });
      expect(info.body).toMatchObject({ email: NEW, emailverified: true });
      expectOk(await h.get('userinfo', { username: NEW, password: PW }));
    });

    it('sendchangemail errors: 1000, 2000, 2012, 2018, 2038, 2074, 2271', async () => {
      expectError(await h.get('sendchangemail'), 1000);
      expectError(await h.get('sendchangemail', { auth: 'bad' }), 2000);
      expectError(await h.get('sendchangemail', { auth: t, code: 'nope', newmail: NEW }), 2012);
      await h.get('sendchangemail', { auth: t });
      let c = (await h.lastMail('changemail-confirm')).code;
      expectError(await h.get('sendchangemail', { auth: t, code: c }), 2018);
      expectError(await h.get('sendchangemail', { auth: t, code: c, newmail: 'bad' }), 2018);
      expectError(await h.get('sendchangemail', { auth: t, code: c, newmail: A.toUpperCase() }), 2271, 'User is already with this mail.');
      await h.get('sendchangemail', { auth: t });
      c = (await h.lastMail('changemail-confirm')).code;
      await h.user('taken@example.com');
      expectError(await h.get('sendchangemail', { auth: t, code: c, newmail: 'taken@example.com' }), 2038);
      await h.get('sendchangemail', { auth: t });
      c = (await h.lastMail('changemail-confirm')).code;
      h.clock.advance(HOUR);
      expectError(await h.get('sendchangemail', { auth: t, code: c, newmail: NEW }), 2074, "Expired 'code' provided.");
    });

    it('changemail errors: 1000, 1022, 1034, 2000, 2012, 2038, 2074, 2272', async () => {
      expectError(await h.get('changemail', { password: PW, code: 'x' }), 1000);
      expectError(await h.get('changemail', { auth: 'bad', password: PW, code: 'x' }), 2000);
      expectError(await h.get('changemail', { auth: t, password: PW }), 1022);
      expectError(await h.get('changemail', { auth: t, code: 'x' }), 1034);
      const code = await toNewAddress();
      expectError(await h.get('changemail', { auth: t, password: 'wrong-1', code }), 2272, "Wrong 'password' provided.");
      expectError(await h.get('changemail', { auth: t, password: PW, code: 'nope' }), 2012);
      // someone else took the address meanwhile
      await h.user(NEW);
      expectError(await h.get('changemail', { auth: t, password: PW, code }), 2038);
      const code2 = await (async () => {
        await h.get('sendchangemail', { auth: t });
        const c = (await h.lastMail('changemail-confirm')).code;
        await h.get('sendchangemail', { auth: t, code: c, newmail: 'third@example.com' });
        return (await h.lastMail('changemail-new')).code;
      })();
      h.clock.advance(HOUR);
      expectError(await h.get('changemail', { auth: t, password: PW, code: code2 }), 2074);
    });

    it('a code issued to one user is invalid for another', async () => {
      const code = await toNewAddress();
      await h.user('bob@example.com');
      const bob = await h.login('bob@example.com');
      expectError(await h.get('changemail', { auth: bob, password: PW, code }), 2012);
    });
  });

  describe('senddeactivatemail / deactivateuser', () => {
    it('deletes the account with the mailed code and the password; its tokens die', async () => {
      expectOk(await h.get('senddeactivatemail', { auth: t }));
      const m = await h.lastMail('deactivate');
      expect(m).toMatchObject({ to: A, userId: uid });
      const r = await h.get('deactivateuser', { auth: t, password: PW, code: m.code, getauth: 1 });
      expect(r.body).toEqual({ result: 0 });
      expectError(await h.get('userinfo', { auth: t }), 2000);
      expectError(await h.get('userinfo', { username: A, password: PW }), 2000);
      expect(await h.auth.accounts.find(uid)).toBeNull();
    });

    it('errors: 1000, 1022, 1034, 2000, 2012, 2074, 2272', async () => {
      expectError(await h.get('senddeactivatemail'), 1000);
      expectError(await h.get('deactivateuser', { password: PW, code: 'x' }), 1000);
      expectError(await h.get('deactivateuser', { auth: 'bad', password: PW, code: 'x' }), 2000);
      expectError(await h.get('deactivateuser', { auth: t, password: PW }), 1022);
      expectError(await h.get('deactivateuser', { auth: t, code: 'x' }), 1034);
      await h.get('senddeactivatemail', { auth: t });
      const code = (await h.lastMail('deactivate')).code;
      expectError(await h.get('deactivateuser', { auth: t, password: 'wrong-1', code }), 2272);
      expectError(await h.get('deactivateuser', { auth: t, password: PW, code: 'nope' }), 2012);
      h.clock.advance(HOUR);
      expectError(await h.get('deactivateuser', { auth: t, password: PW, code }), 2074);
      expectOk(await h.get('userinfo', { auth: t }));
    });
  });

  describe('invite / userinvites', () => {
    it('gives an invite url; registrations through it show up masked, pending until verified', async () => {
      const r = await h.get('invite', { auth: t });
      expectOk(r);
      expect(r.body).toEqual({ result: 0, url: expect.stringContaining(`invite=${uid}`), spacelimitreached: false });
      expect((await h.get('userinvites', { auth: t })).body).toEqual({ result: 0, invites: [] });
      const friend = await h.get('register', {
        mail: 'friend@example.org',
        password: 'n3w-pass',
        termsaccepted: 'yes',
        invite: String(uid),
      });
      await h.get('register', { mail: 'viaref@example.org', password: 'n3w-pass', termsaccepted: 'yes', ref: String(uid) });
      await h.get('register', { mail: 'bogus@example.org', password: 'n3w-pass', termsaccepted: 'yes', referer: '999999' });
      expectOk(await h.get('verifyemail', { code: (await h.sentMails()).find((m) => m.userId === friend.body.userid)!.code }));
      const list = await h.get('userinvites', { auth: t });
      expect(list.body.invites).toEqual([
        { email: 'f**@example.org', is_pending: false },
        { email: 'v**@example.org', is_pending: true },
      ]);
    });

    it('errors: 1000, 2000', async () => {
      expectError(await h.get('invite'), 1000);
      expectError(await h.get('userinvites', { auth: 'bad' }), 2000);
    });
  });

  it('userinfo merges the app’s own fields', async () => {
    const custom = harness(ts, { adapter: { userinfo: (a) => ({ quota: 1000, usedquota: a.id, plan: 1 }) } });
    try {
      const id = await custom.user(A);
      const r = await custom.get('userinfo', { username: A, password: PW });
      expect(r.body).toMatchObject({ quota: 1000, usedquota: id, plan: 1, userid: id });
    } finally {
      await custom.close();
    }
  });
});

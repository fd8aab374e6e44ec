import { SECOND } from '@authmount/core';
import { testStores } from '../../../test-support/stores';
import { expectError, expectOk, harness, PW, type Harness } from './helpers';

const A = 'alice@example.com';

describe.each(testStores())('token methods on the $name store', (ts) => {
  let h: Harness;
  beforeEach(async () => {
    h = harness(ts);
    await h.user(A);
  });
  afterEach(() => h.close());

  describe('logout', () => {
    it('revokes the calling token: auth_deleted true, then 2000 with it', async () => {
      const t = await h.login(A);
      const other = await h.login(A);
      const r = await h.get('logout', { auth: t, getauth: 1 });
      expectOk(r);
      expect(r.body).toEqual({ result: 0, auth_deleted: true }); // never hands back the dead token
      expectError(await h.get('userinfo', { auth: t }), 2000);
      expectOk(await h.get('userinfo', { auth: other }));
    });

    it('answers auth_deleted false for a password login that holds no token', async () => {
      const r = await h.get('logout', { username: A, password: PW });
      expect(r.body).toEqual({ result: 0, auth_deleted: false });
    });

    it('documented errors: 1000, 2000', async () => {
      expectError(await h.get('logout'), 1000);
      expectError(await h.get('logout', { auth: 'nope' }), 2000);
    });
  });

  describe('listtokens', () => {
    it('lists live tokens with tokenid, device, created, expires_inactive, expires and marks the caller', async () => {
      const t1 = await h.login(A, PW, { device: 'laptop' });
      h.clock.advance(SECOND);
      const t2 = await h.login(A, PW, { device: 'phone' });
      const r = await h.get('listtokens', { auth: t2 });
      expectOk(r);
      expect(r.body.tokens).toEqual([
        {
          tokenid: Number(t1.split('.')[0]),
          device: 'laptop',
          created: 'Thu, 01 Jan 2026 00:00:00 +0000',
          expires_inactive: 'Sun, 01 Feb 2026 00:00:00 +0000',
          expires: 'Fri, 01 Jan 2027 00:00:00 +0000',
          current: false,
        },
        {
          tokenid: Number(t2.split('.')[0]),
          device: 'phone',
          created: 'Thu, 01 Jan 2026 00:00:01 +0000',
          expires_inactive: 'Sun, 01 Feb 2026 00:00:01 +0000',
          expires: 'Fri, 01 Jan 2027 00:00:01 +0000',
          current: true,
        },
      ]);
      expect(Number.isSafeInteger(r.body.tokens[0].tokenid)).toBe(true);
      const ts2 = await h.get('listtokens', { auth: t1, timeformat: 'timestamp' });
      expect(ts2.body.tokens[0]).toMatchObject({ created: Date.UTC(2026, 0, 1) / 1000, current: true });
    });

    it('keeps a device name without its control characters (a NUL byte is no store error on any store)', async () => {
      const t = await h.login(A, PW, { device: 'lap\u0000top\u001b[31m\r\n' });
      expect((await h.get('listtokens', { auth: t })).body.tokens.map((x: { device: string }) => x.device)).toEqual(['laptop[31m']);
    });

    it('shows no other user’s tokens and no expired ones', async () => {
      await h.user('bob@example.com');
      await h.login('bob@example.com');
      await h.login(A, PW, { authexpire: 10 });
      const t = await h.login(A);
      expect((await h.get('listtokens', { auth: t })).body.tokens).toHaveLength(2);
      h.clock.advance(10 * SECOND);
      const after = (await h.get('listtokens', { auth: t })).body.tokens;
      expect(after).toHaveLength(1);
    });

    it('documented errors: 1000, 2000', async () => {
      expectError(await h.get('listtokens'), 1000);
      expectError(await h.get('listtokens', { auth: 'nope' }), 2000);
    });
  });

  describe('deletetoken', () => {
    it('deletes one of the caller’s tokens; the deleted one then fails with 2000', async () => {
      const t1 = await h.login(A);
      const t2 = await h.login(A);
      expectOk(await h.get('deletetoken', { auth: t1, tokenid: t2.split('.')[0] }));
      expectError(await h.get('userinfo', { auth: t2 }), 2000);
      expectOk(await h.get('userinfo', { auth: t1 }));
      // deleting the calling token works too, and getauth never returns it
      const self = await h.get('deletetoken', { auth: t1, tokenid: t1.split('.')[0], getauth: 1 });
      expect(self.body).toEqual({ result: 0 });
      expectError(await h.get('userinfo', { auth: t1 }), 2000);
    });

    it('1076 without tokenid; 2102 for unknown, malformed or another user’s tokenid', async () => {
      await h.user('bob@example.com');
      const bob = await h.login('bob@example.com');
      const t = await h.login(A);
      expectError(await h.get('deletetoken', { auth: t }), 1076, "Please provide 'tokenid'.");
      expectError(await h.get('deletetoken', { auth: t, tokenid: '' }), 1076);
      for (const id of ['999', 'abc', '-1', '1e5', '99999999999999999', bob.split('.')[0]]) {
        expectError(await h.get('deletetoken', { auth: t, tokenid: id }), 2102, "Provided 'tokenid' not found.");
      }
      expectOk(await h.get('userinfo', { auth: bob }));
    });

    it('documented errors: 1000, 2000', async () => {
      expectError(await h.get('deletetoken', { tokenid: 1 }), 1000);
      expectError(await h.get('deletetoken', { auth: 'nope', tokenid: 1 }), 2000);
    });
  });
});

import { DAY, MINUTE, SECOND, type Issued } from '@authmount/core';
import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { hashClientSecret } from '../src';
import { expectError, expectOk, PW, type Harness } from './helpers';
import { A, accessTokenFor, CLIENT, oauthHarness } from './oauth-helpers';

/** Every built-in method that manages the account: OAuth tokens never carry the scope they need. */
const ACCOUNT_METHODS: Array<[string, Record<string, string>]> = [
  ['listtokens', {}],
  ['deletetoken', { tokenid: '1' }],
  ['changepassword', { oldpassword: PW, newpassword: 'another1' }],
  ['sendverificationemail', {}],
  ['sendchangemail', {}],
  ['changemail', { code: 'x', password: PW }],
  ['senddeactivatemail', {}],
  ['deactivateuser', { code: 'x', password: PW }],
];

describe.each(testStores())('issuers and scopes on the pCloud methods ($name store)', (ts) => {
  let h: Harness;
  let alice: number;
  beforeEach(async () => {
    h = oauthHarness(ts);
    alice = await h.user(A);
  });
  afterEach(() => h.close());

  /** The stored expiries and last use, to prove a refused token was not slid. */
  const snapshot = async (t: Issued | string) => {
    const id = typeof t === 'string' ? t.split('.')[0] : t.info.id;
    const r = await h.store.tokens.peek(id, h.clock());
    return r && { expiresAt: r.expiresAt, idleExpiresAt: r.idleExpiresAt, lastUsedAt: r.lastUsedAt };
  };

  it('tokens of other issuers answer 2000 on built-ins, app methods and guard(), and are not slid', async () => {
    h.router.method('files', (call) => ({ user: call.userId }));
    h.app.get('/guarded', h.router.guard(), (req, res) => res.json({ issuer: req.auth!.issuer }));
    const foreign = await Promise.all(
      ['authmount', 'x-auth-bearer', 'cb-token'].map((issuer) => h.auth.tokens.issue({ userId: alice, issuer })),
    );
    const before = await Promise.all(foreign.map(snapshot));
    h.clock.advance(MINUTE);
    for (const t of foreign) {
      expectError(await h.get('userinfo', { auth: t.token }), 2000, 'Log in failed.');
      expectError(await h.get('listtokens', { auth: t.token }), 2000);
      expectError(await h.get('logout', { auth: t.token }), 2000);
      expectError(await h.get('files', { auth: t.token }), 2000);
      expectError(await request(h.app).get('/guarded').query({ auth: t.token }), 2000);
      // ...and as access_token: not an OAuth token, so 2094 ("authorize again").
      expectError(await h.get('userinfo', { access_token: t.token }), 2094);
    }
    expect(await Promise.all(foreign.map(snapshot))).toEqual(before);
  });

  it('acceptIssuers shares other issuers on guard() and app methods, never on the built-ins', async () => {
    await h.close();
    h = oauthHarness(ts, {}, { adapter: { acceptIssuers: ['pcloud', 'authmount'] } });
    alice = await h.user(A);
    h.router.method('files', (call) => ({ issuer: call.token?.issuer }));
    h.app.get('/guarded', h.router.guard(), (req, res) => res.json({ issuer: req.auth!.issuer }));
    const own = await h.auth.tokens.issue({ userId: alice });
    expect((await h.get('files', { auth: own.token })).body).toEqual({ result: 0, issuer: 'authmount' });
    expect((await request(h.app).get('/guarded').query({ auth: own.token })).body).toEqual({ issuer: 'authmount' });
    expectError(await h.get('userinfo', { auth: own.token }), 2000);
    // OAuth was left out of this list: access tokens are refused on the app's routes, still fine on built-ins.
    const t = await accessTokenFor(h);
    expectError(await h.get('files', { access_token: t }), 2094);
    expectOk(await h.get('userinfo', { access_token: t }));
  });

  it('OAuth tokens: userinfo yes; every account method answers 1000 "Log in required." (as access_token and as auth), unslid', async () => {
    const t = await accessTokenFor(h);
    const before = await snapshot(t);
    h.clock.advance(MINUTE);
    for (const [method, params] of ACCOUNT_METHODS) {
      expectError(await h.get(method, { ...params, access_token: t }), 1000, 'Log in required.');
      expectError(await h.get(method, { ...params, auth: t }), 1000, 'Log in required.');
    }
    expect(await snapshot(t)).toEqual(before);
    expect(h.mails).toEqual([]);
    // The account is untouched: the old password still logs in, the e-mail is the same.
    expect(await h.login(A, PW)).toEqual(expect.any(String));
    expectOk(await h.get('userinfo', { access_token: t }));
  });

  it('the same account methods work for a first-party session token (it carries the account scope)', async () => {
    const session = await h.login(A, PW);
    expect((await h.auth.tokens.get(session.split('.')[0]))?.scopes).toContain('account');
    expectOk(await h.get('listtokens', { auth: session }));
    expectOk(await h.get('sendverificationemail', { auth: session }));
    expectOk(await h.get('changepassword', { auth: session, oldpassword: PW, newpassword: 'another1' }));
  });

  it('OAuth access tokens: issuer oauth, the client’s grant scopes, 365 days at most and 90 days idle by default', async () => {
    const t = await accessTokenFor(h);
    const info = await h.auth.tokens.get(t.split('.')[0]);
    expect(info).toMatchObject({ issuer: 'oauth', appId: CLIENT.clientId, kind: 'user', scopes: ['read', 'write'], data: {} });
    expect(info!.expiresAt - info!.createdAt).toBe(365 * DAY);
    expect(info!.maxExpiresAt).toBe(info!.expiresAt);
    expect(info!.idleExpiresAt - info!.createdAt).toBe(90 * DAY);
    // An unused grant lapses after 90 days: the client must ask again.
    h.clock.advance(90 * DAY);
    expectError(await h.get('userinfo', { access_token: t }), 2094);
  });

  it('a client’s configured scopes are what its tokens carry (never account)', async () => {
    await h.close();
    const readOnly = { ...CLIENT, scopes: ['read'] };
    h = oauthHarness(ts, { clients: [readOnly] });
    alice = await h.user(A);
    h.router.method('upload', () => ({ ok: true }), { scopes: ['write'] });
    const t = await accessTokenFor(h, readOnly);
    expect((await h.auth.tokens.get(t.split('.')[0]))?.scopes).toEqual(['read']);
    expectOk(await h.get('userinfo', { access_token: t }));
    expectError(await h.get('upload', { access_token: t }), 1000, 'Log in required.');
  });

  it('a custom registry that hands back the account scope still grants tokens without it', async () => {
    await h.close();
    const registry = {
      find: async (id: string) =>
        id === CLIENT.clientId ? { ...CLIENT, secretHash: hashClientSecret(CLIENT.clientSecret), scopes: ['read', 'account'] } : null,
    };
    h = oauthHarness(ts, { clients: registry });
    alice = await h.user(A);
    const t = await accessTokenFor(h);
    expect((await h.auth.tokens.get(t.split('.')[0]))?.scopes).toEqual(['read']);
    expectError(await h.get('listtokens', { access_token: t }), 1000, 'Log in required.');
  });

  it('a pCloud token never outlives its authexpire: its ceiling is creation + authexpire', async () => {
    const t = await h.login(A, PW, { authexpire: 3600 });
    const info = await h.auth.tokens.get(t.split('.')[0]);
    expect(info).toMatchObject({ issuer: 'pcloud', scopes: ['read', 'write', 'account'] });
    expect(info!.maxExpiresAt).toBe(info!.createdAt + 3600 * SECOND);
    // Nothing can move it further: not even a direct extend by app code.
    const extended = await h.auth.tokens.extend(info!.id, { absoluteTtl: 30 * DAY });
    expect(extended.expiresAt).toBe(info!.createdAt + 3600 * SECOND);
    h.clock.advance(3600 * SECOND);
    expectError(await h.get('userinfo', { auth: t }), 2000);
  });
});

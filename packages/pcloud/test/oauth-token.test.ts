import { DAY, MINUTE } from '@authmount/core';
import express from 'express';
import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { pcloud } from '../src';
import { credentialOf } from '../src/login';
import { expectError, expectOk, PW, type Harness } from './helpers';
import { A, accessTokenFor, allow, CLIENT, codeFor, codeQuery, exchange, OTHER, oauthHarness, pkcePair } from './oauth-helpers';

const creds = (code: string, extra: Record<string, string> = {}) => ({
  client_id: CLIENT.clientId,
  client_secret: CLIENT.clientSecret,
  code,
  ...extra,
});

describe.each(testStores())('oauth2_token on the $name store', (ts) => {
  let h: Harness;
  let alice: number;
  beforeEach(async () => {
    h = oauthHarness(ts);
    alice = await h.user(A);
  });
  afterEach(() => h.close());

  it('exchanges a code once for { access_token, token_type: "bearer", uid }, as GET or POST, never cached', async () => {
    const r = await exchange(h, creds(await codeFor(h)));
    expectOk(r);
    expect(r.body).toEqual({
      result: 0,
      access_token: expect.stringMatching(/^\d+\.[A-Za-z0-9_-]{43}$/),
      token_type: 'bearer',
      uid: alice,
    });
    expect(r.headers['cache-control']).toBe('no-store');
    expectOk(await h.post('oauth2_token', creds(await codeFor(h))));
  });

  it('a code used twice: 2012, and the token of the first exchange is revoked (RFC 6749 §4.1.2)', async () => {
    const code = await codeFor(h);
    const first = (await exchange(h, creds(code))).body.access_token as string;
    expectOk(await h.get('userinfo', { access_token: first }));
    expectError(await exchange(h, creds(code)), 2012, "Invalid 'code' provided.");
    expectError(await h.get('userinfo', { access_token: first }), 2094);
    expectError(await exchange(h, creds(code)), 2012); // and stays dead
  });

  it('documented errors: 1103, 2111, 1104, 2112, 1022, 2012', async () => {
    const code = await codeFor(h);
    expectError(await exchange(h, { code }), 1103, "Please provide 'client_id'.");
    expectError(await exchange(h, { client_id: '', code }), 1103);
    for (const client_id of ['nope', 'bad id!', 'x'.repeat(100)]) {
      expectError(await exchange(h, { client_id, client_secret: CLIENT.clientSecret, code }), 2111, "Invalid 'client_id' provided.");
    }
    expectError(await exchange(h, { client_id: CLIENT.clientId, code }), 1104, "Please provide 'client_secret'.");
    for (const client_secret of ['wrong', OTHER.clientSecret, CLIENT.clientSecret + 'x', 's'.repeat(600)]) {
      expectError(await exchange(h, creds(code, { client_secret })), 2112, "Invalid 'client_secret' provided.");
    }
    expectError(await exchange(h, { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }), 1022, "Please provide 'code'.");
    for (const bad of ['nope', 'x'.repeat(600), `${code}x`]) expectError(await exchange(h, creds(bad)), 2012);
    // None of that burned the code: the right secret still gets the token.
    expectOk(await exchange(h, creds(code)));
  });

  it('a code is bound to its client: another client (with its own valid secret) gets 2012 and the code is spent', async () => {
    const code = await codeFor(h);
    expectError(await exchange(h, { client_id: OTHER.clientId, client_secret: OTHER.clientSecret, code }), 2012);
    expectError(await exchange(h, creds(code)), 2012);
  });

  it('a code is bound to its redirect URI: a different one is refused, the same one or none is accepted', async () => {
    expectError(await exchange(h, creds(await codeFor(h), { redirect_uri: CLIENT.redirectUris[1] })), 2012);
    expectError(await exchange(h, creds(await codeFor(h), { redirect_uri: 'https://photos.example/cb/' })), 2012);
    expectOk(await exchange(h, creds(await codeFor(h), { redirect_uri: CLIENT.redirectUris[0] })));
    expectOk(await exchange(h, creds(await codeFor(h))));
    // A code shown on the page (no redirect_uri) accepts no redirect_uri.
    const shown = await allow(h, { client_id: CLIENT.clientId, response_type: 'code' });
    const code = /<code class="code">([^<]+)<\/code>/.exec(shown.text)![1];
    expectError(await exchange(h, creds(code, { redirect_uri: CLIENT.redirectUris[0] })), 2012);
    // ... and takes an empty one as none.
    const shownAgain = await allow(h, { client_id: CLIENT.clientId, response_type: 'code' });
    expectOk(await exchange(h, creds(/<code class="code">([^<]+)<\/code>/.exec(shownAgain.text)![1], { redirect_uri: '' })));
  });

  it('a code expires after 10 minutes', async () => {
    const code = await codeFor(h);
    h.clock.advance(10 * MINUTE);
    expectError(await exchange(h, creds(code)), 2012);
    const fresh = await codeFor(h);
    h.clock.advance(10 * MINUTE - 1);
    expectOk(await exchange(h, creds(fresh)));
  });

  it('PKCE (S256): the right verifier passes; a missing, wrong or malformed one fails; a verifier without a challenge fails', async () => {
    const pkce = pkcePair();
    const withPkce = { code_challenge: pkce.challenge, code_challenge_method: 'S256' };
    expectOk(await exchange(h, creds(await codeFor(h, withPkce), { code_verifier: pkce.verifier })));
    expectError(await exchange(h, creds(await codeFor(h, withPkce))), 1105, "Please provide 'code_verifier'.");
    expectError(await exchange(h, creds(await codeFor(h, withPkce), { code_verifier: pkcePair().verifier })), 2012);
    expectError(await exchange(h, creds(await codeFor(h, withPkce), { code_verifier: pkce.challenge })), 2012);
    expectError(await exchange(h, creds(await codeFor(h, withPkce), { code_verifier: 'short' })), 2012);
    expectError(await exchange(h, creds(await codeFor(h, withPkce), { code_verifier: `${pkce.verifier}!` })), 2012);
    // Downgrade: the challenge was stripped from the authorization request, the client still sends its verifier.
    expectError(await exchange(h, creds(await codeFor(h), { code_verifier: pkce.verifier })), 2012);
  });

  it('a user deleted after approving gets no token', async () => {
    const code = await codeFor(h);
    await h.auth.accounts.delete(alice);
    expectError(await exchange(h, creds(code)), 2012);
  });

  it('fails closed with 5000 when the store is down', async () => {
    const code = await codeFor(h);
    h.store.down = true;
    expectError(await exchange(h, creds(code)), 5000, 'Internal error. Try again later.');
    h.store.down = false;
    expect(h.errors).toEqual([]);
  });
});

describe.each(testStores())('OAuth access tokens on the pCloud methods ($name store)', (ts) => {
  let h: Harness;
  let alice: number;
  beforeEach(async () => {
    h = oauthHarness(ts);
    alice = await h.user(A);
  });
  afterEach(() => h.close());

  it('are accepted as access_token, as Authorization: Bearer, and as auth', async () => {
    const t = await accessTokenFor(h);
    for (const r of [
      await h.get('userinfo', { access_token: t }),
      await h.post('userinfo', { access_token: t }),
      await request(h.app).get('/pcloud/userinfo').set('Authorization', `Bearer ${t}`),
      await request(h.app).get('/pcloud/userinfo').set('Authorization', `bearer   ${t}`),
      await h.get('userinfo', { auth: t }),
    ]) {
      expectOk(r);
      expect(r.body).toMatchObject({ userid: alice, email: A });
    }
  });

  it('work on app methods and on guard() routes (req.auth carries the client)', async () => {
    const t = await accessTokenFor(h);
    h.router.method('whoami', (call) => ({ user: call.userId, app: call.token?.appId }));
    h.app.get('/files', h.router.guard(), (req, res) => res.json({ user: req.auth?.userId, app: req.auth?.appId }));
    expect((await h.get('whoami', { access_token: t })).body).toMatchObject({ result: 0, user: alice, app: CLIENT.clientId });
    expect((await request(h.app).get('/files').set('Authorization', `Bearer ${t}`)).body).toEqual({ user: alice, app: CLIENT.clientId });
  });

  it('are listed by listtokens with the client’s name as device; deletetoken revokes one (then 2094)', async () => {
    const session = await h.login(A, PW, { device: 'laptop' });
    h.clock.advance(1000);
    const t = await accessTokenFor(h);
    h.clock.advance(1000);
    const other = await accessTokenFor(h, OTHER);
    const list = (await h.get('listtokens', { auth: session })).body.tokens as Array<{ tokenid: number; device: string }>;
    expect(list.map((x) => x.device)).toEqual(['laptop', CLIENT.name, 'Other']);
    expect(list[1].tokenid).toBe(Number(t.split('.')[0]));
    // The app itself does not see the list: managing the account is not in its grant (1000, as pCloud answers).
    expectError(await h.get('listtokens', { access_token: t }), 1000, 'Log in required.');
    expectOk(await h.get('deletetoken', { auth: session, tokenid: t.split('.')[0] }));
    expectError(await h.get('userinfo', { access_token: t }), 2094, "Invalid 'access_token' provided.");
    expectOk(await h.get('userinfo', { access_token: other }));
  });

  it('logout with an access token revokes it', async () => {
    const t = await accessTokenFor(h);
    expect((await h.get('logout', { access_token: t })).body).toEqual({ result: 0, auth_deleted: true });
    expectError(await h.get('userinfo', { access_token: t }), 2094);
  });

  it('2094 for garbage, revoked and expired tokens and for session tokens sent as access_token', async () => {
    const session = await h.login(A);
    expectError(await h.get('userinfo', { access_token: 'nope' }), 2094);
    expectError(await request(h.app).get('/pcloud/userinfo').set('Authorization', 'Bearer nope'), 2094);
    expectError(await h.get('userinfo', { access_token: session }), 2094);
    expectError(await request(h.app).get('/pcloud/userinfo').set('Authorization', `Bearer ${session}`), 2094);
    expectOk(await h.get('userinfo', { auth: session }));
    // Even on a method that needs no login, a bad credential is an error (as for auth: 2000 there).
    expectError(await h.get('getdigest', { access_token: 'nope' }), 2094);
    const t = await accessTokenFor(h);
    await h.auth.tokens.revokeAll(alice);
    expectError(await h.get('userinfo', { access_token: t }), 2094);
    const later = await accessTokenFor(h);
    h.clock.advance(366 * DAY);
    expectError(await h.get('userinfo', { access_token: later }), 2094);
  });

  it('other Authorization schemes are not credentials; explicit parameters win over the header', async () => {
    const session = await h.login(A);
    expectError(await request(h.app).get('/pcloud/userinfo').set('Authorization', 'Basic YTpi'), 1000);
    expectOk(await request(h.app).get('/pcloud/userinfo').query({ auth: session }).set('Authorization', 'Bearer nope'));
    expect(credentialOf({ auth: 'a', access_token: 'b' }, { oauth: true })).toEqual({ type: 'token', token: 'a' });
    expect(credentialOf({ access_token: 'b' }, { oauth: true, authorization: 'Bearer c' })).toEqual({ type: 'access_token', token: 'b' });
    expect(credentialOf({}, { oauth: true, authorization: 'Bearer c' })).toEqual({ type: 'access_token', token: 'c' });
    expect(credentialOf({ access_token: 'b' }, { authorization: 'Bearer c' })).toEqual({ type: 'none' });
  });

  it('fail closed with 5000 when the store is down', async () => {
    const t = await accessTokenFor(h);
    h.store.down = true;
    expectError(await h.get('userinfo', { access_token: t }), 5000);
    h.store.down = false;
  });

  it('without the oauth option: access_token and Bearer are no credentials, OAuth tokens are refused as auth, no oauth2_token', async () => {
    const t = await accessTokenFor(h);
    // A second router on the same Auth and store, configured without OAuth.
    const plain = express().use('/pcloud', pcloud(h.auth, { onError: (e) => h.errors.push(e) }));
    expectError(await request(plain).get('/pcloud/userinfo').query({ access_token: t }), 1000);
    expectError(await request(plain).get('/pcloud/userinfo').set('Authorization', `Bearer ${t}`), 1000);
    // (2237: this router has no digest login; the point is that the header is not read as a credential)
    expectError(await request(plain).get('/pcloud/getdigest').set('Authorization', 'Bearer nope'), 2237);
    // No registry can vouch for the token's client there.
    expectError(await request(plain).get('/pcloud/userinfo').query({ auth: t }), 2000);
    expect((await request(plain).get('/pcloud/oauth2_token').query(creds('x'))).status).toBe(404);
    expect((await request(plain).get('/pcloud/oauth2/authorize').query(codeQuery())).status).toBe(404);
    expectOk(await h.get('userinfo', { auth: t }));
  });
});

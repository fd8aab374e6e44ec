import express from 'express';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { pcloud, type OAuthOptions } from '../src';
import { expectError, expectOk, PW, type Harness } from './helpers';
import { A, allow, CLIENT, OTHER, oauthHarness, requestId, submit } from './oauth-helpers';

(global as unknown as { locationid: unknown }).locationid = undefined; // pcloud-sdk-js reads this undeclared global
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require('pcloud-sdk-js') as { createClient(token: string, type?: 'oauth' | 'pcloud'): SdkClient };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ApiMethod = (require('pcloud-sdk-js/lib/api/ApiMethod') as { default: (m: string, o: object) => Promise<Record<string, unknown>> })
  .default;
interface SdkClient {
  api(method: string, opts?: Record<string, unknown>): Promise<Record<string, unknown>>;
  userinfo(): Promise<Record<string, unknown>>;
}

const pollQuery = (rid: string, clientId = CLIENT.clientId) => ({ client_id: clientId, response_type: 'poll_token', request_id: rid });
// Long enough that only the notifier (or an interval the test sets) can end a wait in time.
const SLOW: OAuthOptions['poll'] = { timeoutMs: 20_000, intervalMs: 20_000 };
const SHORT: OAuthOptions['poll'] = { timeoutMs: 30, intervalMs: 10 };

/** Resolves once a poll has made its first store check (it is then registered for wake-ups). */
function whenPolling(h: Harness): Promise<void> {
  const codes = h.auth.codes;
  const original = codes.consume.bind(codes);
  return new Promise((resolve) => {
    jest.spyOn(codes, 'consume').mockImplementation((async (purpose: string, code: unknown) => {
      try {
        return await original(purpose, code); // throws code_invalid while there is no decision
      } finally {
        if (purpose === 'pcloud-oauth-poll') resolve();
      }
    }) as never);
  });
}

describe.each(testStores())('poll_token on the $name store', (ts) => {
  let h: Harness;
  let alice: number;
  const start = async (poll: OAuthOptions['poll']) => {
    h = oauthHarness(ts, { poll });
    alice = await h.user(A);
  };
  const pollFor = (rid: string, clientId = CLIENT.clientId) => h.get('oauth2_token', { client_id: clientId, request_id: rid });
  afterEach(async () => {
    jest.restoreAllMocks();
    await h.close();
  });

  it('a waiting oauth2_token call gets the token the moment the user allows (in-process notifier)', async () => {
    await start(SLOW);
    const rid = requestId();
    const polling = whenPolling(h);
    const pending = pollFor(rid).then((r) => r);
    await polling;
    const page = await allow(h, pollQuery(rid));
    expect(page.status).toBe(200);
    expect(page.text).toContain('Access allowed');
    expect(page.headers.location).toBeUndefined();
    const r = await pending;
    expectOk(r);
    expect(r.body).toEqual({ result: 0, access_token: expect.any(String), token_type: 'bearer', uid: alice });
    expect(r.headers['cache-control']).toBe('no-store');
    expect(await h.auth.tokens.get(r.body.access_token.split('.')[0])).toMatchObject({ device: CLIENT.name, issuer: 'oauth' });
  });

  it('a decision made before the poll is answered at once; it is single-use (the next poll for it times out)', async () => {
    await start(SHORT);
    const rid = requestId();
    await allow(h, pollQuery(rid));
    expectOk(await pollFor(rid));
    expectError(await pollFor(rid), 6001, 'The request was not approved yet. Call oauth2_token again.');
  });

  it('deny answers 2114 to the poll', async () => {
    await start(SLOW);
    const rid = requestId();
    const polling = whenPolling(h);
    const pending = pollFor(rid).then((r) => r);
    await polling;
    const page = await submit(h, pollQuery(rid), { decision: 'deny' });
    expect(page.text).toContain('Access denied');
    expectError(await pending, 2114, 'The user denied access to the application.');
    expect(await h.auth.tokens.list(alice)).toEqual([]);
  });

  it('an account deleted after approving gets no token: 2114, as a denial', async () => {
    await start(SHORT);
    const rid = requestId();
    await allow(h, pollQuery(rid));
    await h.auth.accounts.delete(alice);
    expectError(await pollFor(rid), 2114, 'The user denied access to the application.');
  });

  it('times out with 6001 when nobody decides; a wrong password decides nothing', async () => {
    await start(SHORT);
    const rid = requestId();
    expect((await allow(h, pollQuery(rid), A, 'wrong-password')).status).toBe(401);
    expectError(await pollFor(rid), 6001);
  });

  it('a decision is bound to its client: another client polling the same request_id gets nothing', async () => {
    h = oauthHarness(ts, { poll: SHORT, clients: [CLIENT, { ...OTHER, pollToken: true }] });
    alice = await h.user(A);
    const rid = requestId();
    await allow(h, pollQuery(rid));
    expectError(await pollFor(rid, OTHER.clientId), 6001);
    expectOk(await pollFor(rid));
  });

  it('a decision made by another process is found by the interval re-check (no notifier across processes)', async () => {
    await start(SLOW);
    // A second router on the same Auth/store stands for a second process: its notifier never fires.
    const other = express().use('/pcloud', pcloud(h.auth, { oauth: { clients: [CLIENT], poll: { timeoutMs: 20_000, intervalMs: 10 } } }));
    const rid = requestId();
    const polling = whenPolling(h);
    const pending = request(other)
      .get('/pcloud/oauth2_token')
      .query({ client_id: CLIENT.clientId, request_id: rid })
      .then((r) => r);
    await polling;
    await allow(h, pollQuery(rid));
    const r = await pending;
    expectOk(r);
    expect(r.body.uid).toBe(alice);
  });

  it('is a per-client opt-in: without pollToken the page refuses the request and oauth2_token answers 2113', async () => {
    await start(SHORT);
    const page = await request(h.app).get('/pcloud/oauth2/authorize').query(pollQuery(requestId(), OTHER.clientId));
    expect(page.status).toBe(400);
    expect(page.text).toContain('This application may not use response_type=poll_token.');
    expect(page.headers['set-cookie']).toBeUndefined(); // no form, no CSRF pair: nothing to approve
    expectError(await pollFor(requestId(), OTHER.clientId), 2113, "Invalid 'request_id' provided.");
    // The code flow of the same client is unaffected.
    expect((await request(h.app).get('/pcloud/oauth2/authorize').query({ client_id: OTHER.clientId, response_type: 'code' })).status).toBe(
      200,
    );
  });

  it('errors: 1103, 2111, 2113, 1022', async () => {
    await start(SHORT);
    expectError(await h.get('oauth2_token', { request_id: requestId() }), 1103);
    expectError(await h.get('oauth2_token', { client_id: 'nope', request_id: requestId() }), 2111);
    for (const request_id of ['short', 'has spaces in it', 'x'.repeat(129), 'ünïcödé-chars']) {
      expectError(await h.get('oauth2_token', { client_id: CLIENT.clientId, request_id }), 2113, "Invalid 'request_id' provided.");
    }
    expectError(await h.get('oauth2_token', { client_id: CLIENT.clientId }), 1022);
  });

  it('over maxWaiting a poll answers 6001 at once; the waiting one still gets its token', async () => {
    h = oauthHarness(ts, { poll: { ...SLOW, maxWaiting: 1 } });
    alice = await h.user(A);
    const rid = requestId();
    const polling = whenPolling(h);
    const pending = pollFor(rid).then((r) => r);
    await polling;
    expectError(await pollFor(requestId()), 6001);
    await allow(h, pollQuery(rid));
    expectOk(await pending);
  });

  it('a client that disconnects stops waiting and leaves the decision for its next poll', async () => {
    await start(SLOW);
    const server: Server = h.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const port = (server.address() as AddressInfo).port;
      const rid = requestId();
      const closedOnServer = new Promise<void>((resolve) => {
        // (req.url is already rewritten by Express's mount at this point: match loosely)
        server.on('request', (req, res) => {
          if (req.url?.includes('oauth2_token')) res.on('close', () => resolve());
        });
      });
      const polling = whenPolling(h);
      const req = http.get(`http://127.0.0.1:${port}/pcloud/oauth2_token?client_id=${CLIENT.clientId}&request_id=${rid}`);
      req.on('error', () => undefined);
      await polling;
      req.destroy();
      await closedOnServer;
      await allow(h, pollQuery(rid));
      const r = await pollFor(rid);
      expectOk(r);
      expect(r.body.uid).toBe(alice);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('pcloud-sdk-js: ApiMethod("oauth2_token", {client_id, request_id}) resolves after approval; createClient(token) then calls userinfo', async () => {
    await start(SLOW);
    const server: Server = h.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const apiServer = `127.0.0.1:${(server.address() as AddressInfo).port}/pcloud`;
      const rid = requestId();
      const polling = whenPolling(h);
      const pending = ApiMethod('oauth2_token', {
        apiServer,
        apiProtocol: 'http',
        params: { client_id: CLIENT.clientId, request_id: rid },
      });
      await polling;
      await allow(h, pollQuery(rid), A, PW);
      const res = await pending;
      expect(res).toMatchObject({ result: 0, token_type: 'bearer', uid: alice });
      const client = sdk.createClient(res.access_token as string); // the SDK's default type: 'oauth' → access_token
      const orig = client.api;
      client.api = (m, o = {}) => orig(m, { apiServer, apiProtocol: 'http', ...o });
      expect(await client.userinfo()).toMatchObject({ result: 0, userid: alice, email: A });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

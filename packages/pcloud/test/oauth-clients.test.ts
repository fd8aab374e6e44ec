import { manualClock, type AuthStore, type OAuthClientRecord, type OAuthClientRegistry } from '@authmount/core';
import { createAuth, type Auth } from '@authmount/express';
import express from 'express';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores } from '../../../test-support/stores';
import {
  hashClientSecret,
  managedClients,
  pcloud,
  redirectUriProblem,
  staticClients,
  storeClients,
  type OAuthClientConfig,
  type StoreClientRegistry,
} from '../src';
import { expectError, expectOk, PW } from './helpers';
import { A, csrfOf, PAGE } from './oauth-helpers';

const ok: OAuthClientConfig = { clientId: 'app', clientSecret: 's'.repeat(16), redirectUris: ['https://app.example/cb'], name: 'App' };

describe('client configuration', () => {
  it('accepts https, loopback http and an app’s own scheme; refuses fragments, other http and script schemes', () => {
    for (const u of [
      'https://app.example/cb',
      'http://localhost:8080/cb',
      'http://127.0.0.1/cb',
      'http://[::1]:9/cb',
      'com.example.app:/oauth',
      'myapp://cb?x=1',
    ]) {
      expect(redirectUriProblem(u)).toBeNull();
    }
    expect(redirectUriProblem('https://app.example/cb#x')).toMatch(/fragment/);
    expect(redirectUriProblem('http://app.example/cb')).toMatch(/https/);
    expect(redirectUriProblem('javascript:alert(1)')).toMatch(/javascript:/);
    expect(redirectUriProblem('data:text/html,x')).toMatch(/data:/);
    expect(redirectUriProblem('/relative')).toMatch(/absolute/);
    expect(redirectUriProblem('')).toMatch(/1 to 2048/);
  });

  it('fails at start-up, naming the client and the field', async () => {
    const bad: Array<[Partial<OAuthClientConfig>, RegExp]> = [
      [{ clientId: 'bad id' }, /clientId/],
      [{ clientId: '' }, /clientId/],
      [{ clientSecret: 'short' }, /clientSecret must be 16/],
      [{ name: '' }, /name/],
      [{ name: 'x'.repeat(101) }, /name/],
      [{ redirectUris: ['http://app.example/cb'] }, /redirect URI "http:\/\/app.example\/cb" must use https/],
      [{ redirectUris: 'https://app.example/cb' as unknown as string[] }, /redirectUris must be an array/],
      [{ scopes: ['read', 'account'] }, /scopes must not include "account"/],
      [{ scopes: ['bad scope'] }, /scopes must be an array/],
      [{ scopes: 'read' as unknown as string[] }, /scopes must be an array/],
      [{ pollToken: 'yes' as unknown as boolean }, /pollToken must be true or false/],
    ];
    for (const [patch, message] of bad) expect(() => staticClients([{ ...ok, ...patch }])).toThrow(message);
    expect(() => staticClients([ok, ok])).toThrow(/defined twice/);
    const auth = createAuth({ hashing: FAST_HASHING });
    expect(() => pcloud(auth, { oauth: { clients: 'nope' as never } })).toThrow(/oauth.clients/);
    expect(() => pcloud(auth, { oauth: { clients: [ok], codeTtlMs: 0 } })).toThrow(/codeTtlMs/);
    expect(() => pcloud(auth, { oauth: { clients: [ok], poll: { timeoutMs: -1 } } })).toThrow(/poll.timeoutMs/);
    await auth.close();
  });

  it('keeps only the secret’s hash', async () => {
    const c = await staticClients([ok]).find('app');
    expect(c).toEqual({
      clientId: 'app',
      name: 'App',
      redirectUris: ['https://app.example/cb'],
      secretHash: hashClientSecret(ok.clientSecret),
      scopes: ['read', 'write'],
      pollToken: false,
    });
    expect(JSON.stringify(c)).not.toContain(ok.clientSecret);
  });
});

describe.each(testStores())('clients kept in the $name store (storeClients)', (ts) => {
  let auth: Auth;
  let store: AuthStore;
  let clients: StoreClientRegistry;
  let app: express.Express;
  beforeEach(async () => {
    const clock = manualClock();
    store = ts.make(clock);
    auth = createAuth({ store, clock, hashing: FAST_HASHING, passwordPolicy: 'pcloud' });
    clients = storeClients(auth);
    app = express().use('/pcloud', pcloud(auth, { oauth: { clients } }));
    await auth.accounts.register({ email: A, password: PW });
  });
  afterEach(() => auth.close());

  /** The full code flow against `app`, returning the access token. */
  async function tokenFor(clientId: string, clientSecret: string, redirectUri: string): Promise<string> {
    const q = { client_id: clientId, response_type: 'code', redirect_uri: redirectUri };
    const pair = csrfOf(await request(app).get(PAGE).query(q));
    const res = await request(app)
      .post(PAGE)
      .type('form')
      .set('Cookie', pair.cookie)
      .send({ ...q, csrf: pair.field, decision: 'allow', username: A, password: PW });
    expect(res.status).toBe(303);
    const code = new URL(res.headers.location as string).searchParams.get('code')!;
    const r = await request(app).get('/pcloud/oauth2_token').query({ client_id: clientId, client_secret: clientSecret, code });
    expectOk(r);
    return r.body.access_token as string;
  }

  it('registers a client (secret returned once, only its hash stored) and runs the code flow with it', async () => {
    const { client, clientSecret } = await clients.create({ name: 'Stored <App>', redirectUris: ['https://stored.example/cb'] });
    expect(client.clientId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await clients.find(client.clientId)).toEqual(client);
    expect(await clients.list()).toEqual([client]);
    // In the store's client registry, as the secret's hash only; no user record stands in for it.
    const record = await store.clients!.find(client.clientId);
    expect(record).toEqual({ ...client, secretHash: hashClientSecret(clientSecret), createdAt: auth.clock() });
    expect(JSON.stringify(record)).not.toContain(clientSecret);
    expect(await auth.accounts.findByLogin(`oauth-client:${client.clientId}`)).toBeNull();
    const t = await tokenFor(client.clientId, clientSecret, 'https://stored.example/cb');
    expectOk(await request(app).get('/pcloud/userinfo').query({ access_token: t }));
    expect(await auth.tokens.get(t.split('.')[0])).toMatchObject({
      device: 'Stored <App>',
      issuer: 'oauth',
      appId: client.clientId,
      scopes: ['read', 'write'],
    });
  });

  it('removing a client cuts its tokens off at once: 2094 as access_token, 2000 as auth', async () => {
    const { client, clientSecret } = await clients.create({
      name: 'Doomed',
      redirectUris: ['https://doomed.example/cb'],
      clientId: 'doomed',
    });
    const t = await tokenFor('doomed', clientSecret, 'https://doomed.example/cb');
    expectOk(await request(app).get('/pcloud/userinfo').query({ access_token: t }));
    expect(await clients.remove(client.clientId)).toBe(true);
    expect(await clients.remove(client.clientId)).toBe(false);
    expectError(await request(app).get('/pcloud/userinfo').query({ access_token: t }), 2094);
    expectError(await request(app).get('/pcloud/userinfo').query({ auth: t }), 2000);
    expect((await request(app).get(PAGE).query({ client_id: 'doomed', response_type: 'code' })).status).toBe(400);
  });

  it('accounts and clients never mix; a taken id is a conflict; ids are exact and case-sensitive', async () => {
    // The login the old user-record scheme used makes nobody a client, and blocks no client id.
    await auth.accounts.register({ login: 'oauth-client:squat', password: 'squatter-password-1' });
    expect(await clients.find('squat')).toBeNull();
    const { client } = await clients.create({ name: 'Mine', redirectUris: [], clientId: 'squat' });
    await expect(clients.create({ name: 'x', redirectUris: [], clientId: 'squat' })).rejects.toMatchObject({
      code: 'conflict',
      details: { field: 'clientId' },
    });
    expect(await clients.find('squat')).toEqual(client); // the loser changed nothing
    await clients.create({ name: 'Case', redirectUris: [], clientId: 'CaseApp' });
    expect(await clients.find('caseapp')).toBeNull();
    expect(await clients.find('CaseApp')).not.toBeNull();
    expect((await clients.list()).map((c) => c.clientId)).toEqual(['CaseApp', 'squat']);
    expect(await clients.find('not an id')).toBeNull();
    expect(await clients.remove('not an id')).toBe(false);
  });

  it('refuses bad input with invalid_request', async () => {
    await expect(clients.create({ name: 'x', redirectUris: ['http://evil.example/cb'] })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(clients.create({ name: '', redirectUris: [] })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(clients.create({ name: 'x', redirectUris: [], clientId: 'no spaces' })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('a store outage while looking a client up fails closed: 5000 on oauth2_token, a 503 page', async () => {
    const { client } = await clients.create({ name: 'App', redirectUris: ['https://app.example/cb'] });
    const unexpected: unknown[] = [];
    const app2 = express().use('/pcloud', pcloud(auth, { oauth: { clients }, onError: (e) => unexpected.push(e) }));
    // The raw store's registry goes down; auth's fail-closed wrapper turns that into store_unavailable.
    store.clients!.find = () => Promise.reject(new Error('ECONNREFUSED'));
    expectError(await request(app2).get('/pcloud/oauth2_token').query({ client_id: client.clientId, code: 'x' }), 5000);
    expect((await request(app2).get(PAGE).query({ client_id: client.clientId, response_type: 'code' })).status).toBe(503);
    expect(unexpected).toEqual([]); // an expected outage, not an unexpected error
  });
});

describe('managedClients over a registry of your own; storeClients without one', () => {
  /** A registry over a case-insensitive column: it answers `caseapp` with `CaseApp`. */
  function caseInsensitive(): OAuthClientRegistry {
    const rows = new Map<string, OAuthClientRecord>();
    return {
      find: async (id) => rows.get(id.toLowerCase()) ?? null,
      create: async (c) => !rows.has(c.clientId.toLowerCase()) && !!rows.set(c.clientId.toLowerCase(), c),
      remove: async (id) => rows.delete(id.toLowerCase()),
      list: async () => [...rows.values()],
    };
  }

  it('checks input and issues secrets like storeClients, and only ever answers the exact id', async () => {
    const clients = managedClients(caseInsensitive(), () => 42);
    const { client, clientSecret } = await clients.create({ name: 'Case', redirectUris: ['https://case.example/cb'], clientId: 'CaseApp' });
    expect(client).toMatchObject({
      clientId: 'CaseApp',
      createdAt: 42,
      secretHash: hashClientSecret(clientSecret),
      scopes: ['read', 'write'],
    });
    expect(await clients.find('CaseApp')).toEqual(client);
    expect(await clients.find('caseapp')).toBeNull();
    await expect(clients.create({ name: 'x', redirectUris: [], clientId: 'caseAPP' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(clients.create({ name: 'x', redirectUris: [], scopes: ['account'] })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('storeClients refuses a store that keeps no clients, at start-up', () => {
    expect(() => storeClients({ clients: undefined, clock: () => 0 })).toThrow(/keeps no OAuth clients/);
  });
});

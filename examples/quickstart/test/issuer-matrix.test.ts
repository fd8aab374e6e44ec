/**
 * The cross-issuer matrix (issue 13): one app mounting everything (like the quick-start demo), a token
 * from every issuer obtained the way its clients obtain it, and every entry point, over HTTP, on every
 * test store. Each cell asserts accept or refuse as MATRIX says (the table in docs/SECURITY.md), and that a
 * refused token was neither slid nor touched (expiresAt, idleExpiresAt, lastUsedAt, owner and kind as before).
 * Every cell gets a fresh user and a fresh token, so destructive entry points (logout, password change)
 * never affect another cell.
 */
import { MINUTE, manualClock, type AuthStore, type ManualClock } from '@authmount/core';
import { authRoutes, createAuth, type Auth } from '@authmount/express';
import { cbToken } from '@authmount/cb-token';
import { pcloud } from '@authmount/pcloud';
import { xAuthBearer } from '@authmount/x-auth-bearer';
import express, { type Express } from 'express';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores } from '../../../test-support/stores';
import { MATRIX, MATRIX_END, MATRIX_START, renderMatrix, TOKEN_LABELS, TOKENS, type TokenSource } from './issuer-matrix';

const PW = 'correct horse battery staple';
const NEW_PW = 'another horse battery staple';
const CB_APP = { applicationId: 42, authKey: 'matrix-auth-key', authSecret: 'matrix-auth-secret-0123456789', allowUnsigned: true };
const CLIENT = {
  clientId: 'matrix-app',
  clientSecret: 'matrix-client-secret-0123',
  redirectUris: ['https://app.example/cb'],
  name: 'Matrix App',
};

interface World {
  auth: Auth;
  /** The store under `auth`, read directly to see that a refusal changed nothing. */
  store: AuthStore;
  app: Express;
  clock: ManualClock;
}

/** The demo's composition (examples/quickstart/app.ts), plus a route per guard variant under test. */
function build(store: AuthStore, clock: ManualClock): World {
  const auth = createAuth({ store, clock, hashing: FAST_HASHING });
  const app = express();
  const who = (req: express.Request, res: express.Response) =>
    res.json({ userId: req.auth!.userId, issuer: req.auth!.issuer, kind: req.auth!.kind });
  app.use('/auth', authRoutes(auth));
  app.get('/me', auth.requireAuth(), who);
  app.get('/me/shared', auth.requireAuth({ issuers: ['authmount', 'pcloud'] }), who);
  app.get('/me/cb-apps', auth.requireAuth({ issuers: ['cb-token'], kinds: ['app'] }), who);
  const pc = pcloud(auth, { oauth: { clients: [CLIENT] }, onError: (e) => console.error('pcloud', e) });
  app.use('/pcloud', pc);
  app.get('/pcloud-guarded', pc.guard(), who);
  const xauth = xAuthBearer(auth);
  app.use('/xauth', xauth);
  app.get('/xauth-guarded', xauth.guard(), who);
  app.get('/xauth-shared', xauth.guard({ acceptIssuers: ['x-auth-bearer', 'authmount'] }), who);
  const cb = cbToken(auth, { apps: [CB_APP] });
  app.use('/cb', cb);
  app.get('/cb-guarded', cb.guard(), who);
  app.post('/cb-guarded', cb.guard(), who);
  app.use(auth.errorHandler());
  return { auth, store, app, clock };
}

interface Cell {
  w: World;
  token: string;
  /** The cell's own user (a fresh one per cell). */
  login: string;
  email: string;
  /** Another live token of the token's owner (or of the cell's user for an app session), for the delete routes. */
  spareId: string;
}

let seq = 0;

/** Obtain a token of `source` for `login` the way its clients do. */
async function obtain(w: World, source: TokenSource, login: string, email: string): Promise<string> {
  const http = request(w.app);
  const session = async (extra: object) => {
    const r = await http.post('/cb/session').send({ application_id: CB_APP.applicationId, auth_key: CB_APP.authKey, ...extra });
    if (r.status !== 201) throw new Error(`CB session: ${r.status} ${r.text}`);
    return r.body.session.token as string;
  };
  switch (source) {
    case 'auth':
      return (await http.post('/auth/login').send({ login, password: PW }).expect(201)).body.token;
    case 'pcloud': {
      const r = await http.get('/pcloud/userinfo').query({ username: email, password: PW, getauth: 1 });
      if (r.body.result !== 0) throw new Error(`pCloud login: ${r.text}`);
      return r.body.auth;
    }
    case 'xauth':
      return (await http.post('/xauth/login').type('form').send({ login, pass: PW }).expect(200)).body.token;
    case 'cbApp':
      return session({});
    case 'cbUser':
      return session({ user: { login, password: PW } });
    case 'cbGuest':
      return session({ user: { guest: '1', full_name: 'Guest' } });
    case 'oauth': {
      const query = { client_id: CLIENT.clientId, response_type: 'code', redirect_uri: CLIENT.redirectUris[0] };
      const page = await http.get('/pcloud/oauth2/authorize').query(query).expect(200);
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1];
      const cookie = ([] as string[])
        .concat(page.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('pcloud_oauth_csrf='))!
        .split(';')[0];
      const back = await http
        .post('/pcloud/oauth2/authorize')
        .type('form')
        .set('Cookie', cookie)
        .send({ ...query, csrf, decision: 'allow', username: email, password: PW })
        .expect(303);
      const code = new URL(back.headers.location as string).searchParams.get('code')!;
      const r = await http.get('/pcloud/oauth2_token').query({ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, code });
      if (r.body.result !== 0) throw new Error(`OAuth exchange: ${r.text}`);
      return r.body.access_token;
    }
  }
}

type Verdict = 'accept' | 'refuse';

/** pCloud carries OAuth tokens as access_token (as its OAuth clients do), session tokens as auth. */
const pcloudCredential = (c: Cell, source: TokenSource) => (source === 'oauth' ? { access_token: c.token } : { auth: c.token });

function byStatus(ok: number, refused: readonly number[]) {
  return (res: request.Response): Verdict => {
    if (res.status === ok) return 'accept';
    if (refused.includes(res.status)) return 'refuse';
    throw new Error(`unexpected ${res.status}: ${res.text.slice(0, 300)}`);
  };
}

/** pCloud: result 0 is accepted; 1000 (login required), 2000 (login failed), 2094 (bad access_token) are refusals. */
function byResult(res: request.Response): Verdict {
  if (res.status !== 200) throw new Error(`pCloud answered HTTP ${res.status}`);
  if (res.body.result === 0) return 'accept';
  if ([1000, 2000, 2094].includes(res.body.result)) return 'refuse';
  throw new Error(`unexpected pCloud result: ${res.text.slice(0, 300)}`);
}

const bearer = (c: Cell) => ({ Authorization: `Bearer ${c.token}` });
const guardRefusals = [401, 403];

/** How each row's entry point is called, and how its answer reads. */
const CALLS: Readonly<Record<string, (c: Cell, source: TokenSource) => Promise<Verdict>>> = {
  me: async (c) => byStatus(200, guardRefusals)(await request(c.w.app).get('/me').set(bearer(c))),
  'me-shared': async (c) => byStatus(200, guardRefusals)(await request(c.w.app).get('/me/shared').set(bearer(c))),
  'me-cb-apps': async (c) => byStatus(200, guardRefusals)(await request(c.w.app).get('/me/cb-apps').set(bearer(c))),
  'xauth-guard': async (c) => byStatus(200, guardRefusals)(await request(c.w.app).get('/xauth-guarded').set('X-Auth-Bearer', c.token)),
  'xauth-guard-shared': async (c) =>
    byStatus(200, guardRefusals)(await request(c.w.app).get('/xauth-shared').set('X-Auth-Bearer', c.token)),
  'pcloud-guard': async (c, s) => {
    const res = await request(c.w.app).get('/pcloud-guarded').query(pcloudCredential(c, s));
    return res.body.result === undefined && res.status === 200 ? 'accept' : byResult(res);
  },
  'cb-guard-read': async (c) => byStatus(200, guardRefusals)(await request(c.w.app).get('/cb-guarded').set('CB-Token', c.token)),
  'cb-guard-write': async (c) => byStatus(200, guardRefusals)(await request(c.w.app).post('/cb-guarded').set('CB-Token', c.token)),
  'xauth-get-login': async (c) => byStatus(200, [404])(await request(c.w.app).get('/xauth/login').query({ token: c.token })),
  'xauth-put-login': async (c) =>
    byStatus(200, [404])(await request(c.w.app).put('/xauth/login').send({ token: c.token, longtoken: true })),
  'xauth-delete-login': async (c) => byStatus(204, [404])(await request(c.w.app).delete('/xauth/login').query({ token: c.token })),
  'pcloud-userinfo': async (c, s) => byResult(await request(c.w.app).get('/pcloud/userinfo').query(pcloudCredential(c, s))),
  'pcloud-listtokens': async (c, s) => byResult(await request(c.w.app).get('/pcloud/listtokens').query(pcloudCredential(c, s))),
  'pcloud-deletetoken': async (c, s) =>
    byResult(
      await request(c.w.app)
        .get('/pcloud/deletetoken')
        .query({ ...pcloudCredential(c, s), tokenid: c.spareId }),
    ),
  'pcloud-logout': async (c, s) => byResult(await request(c.w.app).get('/pcloud/logout').query(pcloudCredential(c, s))),
  'pcloud-changepassword': async (c, s) =>
    byResult(
      await request(c.w.app)
        .get('/pcloud/changepassword')
        .query({ ...pcloudCredential(c, s), oldpassword: PW, newpassword: NEW_PW }),
    ),
  'cb-get-session': async (c) => byStatus(200, guardRefusals)(await request(c.w.app).get('/cb/session').set('CB-Token', c.token)),
  'cb-delete-session': async (c) => byStatus(200, guardRefusals)(await request(c.w.app).delete('/cb/session').set('CB-Token', c.token)),
  'cb-post-login': async (c) =>
    byStatus(200, guardRefusals)(await request(c.w.app).post('/cb/login').set('CB-Token', c.token).send({ login: c.login, password: PW })),
  'cb-delete-login': async (c) => byStatus(200, guardRefusals)(await request(c.w.app).delete('/cb/login').set('CB-Token', c.token)),
  'auth-logout': async (c) => byStatus(204, guardRefusals)(await request(c.w.app).post('/auth/logout').set(bearer(c))),
  'auth-tokens': async (c) => byStatus(200, guardRefusals)(await request(c.w.app).get('/auth/tokens').set(bearer(c))),
  'auth-delete-token': async (c) => byStatus(204, guardRefusals)(await request(c.w.app).delete(`/auth/tokens/${c.spareId}`).set(bearer(c))),
  'auth-password': async (c) =>
    byStatus(
      204,
      guardRefusals,
    )(await request(c.w.app).post('/auth/password').set(bearer(c)).send({ oldPassword: PW, newPassword: NEW_PW })),
};

/** What a refusal must leave exactly as it was. */
async function state(w: World, token: string) {
  const r = await w.store.tokens.peek(token.split('.')[0], w.clock());
  return (
    r && {
      expiresAt: r.expiresAt,
      idleExpiresAt: r.idleExpiresAt,
      lastUsedAt: r.lastUsedAt,
      userId: r.userId,
      kind: r.kind,
      scopes: r.scopes,
    }
  );
}

describe('the issuer matrix table', () => {
  it('has a call for every row, and docs/SECURITY.md carries exactly this table', () => {
    expect(Object.keys(CALLS).sort()).toEqual(MATRIX.map((r) => r.key).sort());
    const doc = readFileSync(path.join(__dirname, '../../../docs/SECURITY.md'), 'utf8');
    const start = doc.indexOf(MATRIX_START);
    const end = doc.indexOf(MATRIX_END);
    expect(start).toBeGreaterThanOrEqual(0);
    // On a mismatch: node --import tsx scripts/security-matrix.ts
    expect(doc.slice(start, end + MATRIX_END.length)).toBe(renderMatrix());
  });
});

describe.each(testStores())('issuer matrix on the $name store', ({ make }) => {
  let w: World;
  beforeAll(() => {
    const clock = manualClock();
    w = build(make(clock), clock);
  });
  afterAll(() => w.auth.close());

  it.each(MATRIX.map((r) => [r.label, r] as const))(
    '%s: accepts exactly its column’s tokens; refused ones untouched',
    async (_label, row) => {
      const wrong: string[] = [];
      for (const source of TOKENS) {
        // A new window for the per-IP login budget, and a fresh account for this cell.
        w.clock.advance(MINUTE + 1);
        const n = ++seq;
        const login = `user${n}`;
        const email = `user${n}@example.com`;
        const user = await w.auth.accounts.register({ login, email, password: PW });
        const token = await obtain(w, source, login, email);
        const owner = (await w.auth.tokens.get(token.split('.')[0]))!.userId ?? user.id;
        const spare = await w.auth.tokens.issue({ userId: owner, issuer: 'pcloud', device: 'spare' });
        const cell: Cell = { w, token, login, email, spareId: spare.info.id };
        const before = await state(w, token);
        // Time passes before the call, so a slide would show in idleExpiresAt and lastUsedAt.
        w.clock.advance(MINUTE);
        const verdict = await CALLS[row.key](cell, source);
        const expected: Verdict = row.accepts.includes(source) ? 'accept' : 'refuse';
        const said = (v: Verdict) => (v === 'accept' ? 'accepted' : 'refused');
        if (verdict !== expected) wrong.push(`${TOKEN_LABELS[source]}: ${said(verdict)}, expected ${said(expected)}`);
        if (verdict === 'refuse') {
          const after = await state(w, token);
          if (JSON.stringify(after) !== JSON.stringify(before)) {
            wrong.push(`${TOKEN_LABELS[source]}: refused but changed: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
          }
          // Nothing the call could have done to the account happened either.
          if ((await w.auth.tokens.get(spare.info.id)) === null)
            wrong.push(`${TOKEN_LABELS[source]}: refused but the spare token was deleted`);
        }
      }
      expect(wrong).toEqual([]);
    },
  );
});

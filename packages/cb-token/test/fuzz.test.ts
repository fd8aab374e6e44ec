import { manualClock } from '@authmount/core';
import { createAuth } from '@authmount/express';
import { memoryStore } from '@authmount/store-memory';
import { cbToken, CB_ERRORS } from '@authmount/cb-token';
import express from 'express';
import request from 'supertest';
import { FAST_HASHING, NO_BUDGETS } from '../../../test-support/fast';
import { fuzzEndpoints, type FuzzEndpoint, type FuzzReply } from '../../../test-support/fuzz';
import { APP, OPEN_APP, PASSWORD } from './helpers';

/** Every parameter the routes read, flat and in CB's bracketed form (the fuzzer adds `[]`, `[a][b]`, ...). */
const PARAMS = [
  'application_id',
  'auth_key',
  'nonce',
  'timestamp',
  'signature',
  'user',
  'user[login]',
  'user[email]',
  'user[password]',
  'user[full_name]',
  'user[guest]',
  'provider',
  'keys[token]',
  'keys[secret]',
  'login',
  'email',
  'password',
] as const;
const HEADERS = ['cb-token', 'cb-authkey', 'content-type'] as const;

/** Every status in CB_ERRORS (the one table), so an answer outside it is caught. */
const ERROR_STATUSES = new Set(Object.values(CB_ERRORS as unknown as Record<string, { status: number }>).map((r) => r.status));

describe('fuzzing the CB-Token adapter and its guard', () => {
  it("never answers 5xx, always answers CB's error bodies, and rejected requests change nothing", async () => {
    const clock = manualClock();
    const store = memoryStore({ clock, sweepIntervalMs: 0 });
    const auth = createAuth({ store, clock, hashing: FAST_HASHING, throttle: NO_BUDGETS });
    const cb = cbToken(auth, { apps: [APP, OPEN_APP] });
    const app = express();
    app.use('/cb', cb);
    app.get(['/cb/data/Note', '/cb/data/Note.json'], cb.guard(), (req, res) => res.json({ items: [], user_id: req.auth!.userId }));
    // No body parser here: the app's own parser (and its HTML errors) is not what is fuzzed, the guard is.
    app.post(['/cb/data/Note', '/cb/data/Note.json'], cb.guard(), (req, res) => res.status(201).json({ user_id: req.auth!.userId }));

    const anna = await auth.accounts.register({ login: 'anna', email: 'anna@example.com', password: PASSWORD });
    const appSession = await request(app).post('/cb/session').send({ application_id: 7, auth_key: 'OPENKEY' }).expect(201);
    const userSession = await request(app)
      .post('/cb/session')
      .send({ application_id: 7, auth_key: 'OPENKEY', user: { login: 'anna', password: PASSWORD } })
      .expect(201);
    const appToken = (appSession.body as { session: { token: string } }).session.token;
    const userToken = (userSession.body as { session: { token: string } }).session.token;

    // Users 1..5 (anna and anything a fuzzed signup creates), anna's sessions, and the app session's expiry.
    const state = async () => {
      const users = await Promise.all([1, 2, 3, 4, 5].map((id) => store.users.findById(id, clock())));
      const appInfo = await auth.tokens.peek(appToken).then(
        (t) => [t.id, t.userId, t.expiresAt],
        (e: Error) => e.message,
      );
      return JSON.stringify([users, (await auth.tokens.list(anna.id)).map((t) => [t.id, t.kind, t.expiresAt]), appInfo]);
    };
    const at = (method: FuzzEndpoint['method'], path: string): FuzzEndpoint => ({
      method,
      path,
      params: PARAMS,
      headers: HEADERS,
      suffixes: ['.json'],
    });
    const endpoints: FuzzEndpoint[] = [
      at('POST', '/cb/session'),
      at('GET', '/cb/session'),
      at('DELETE', '/cb/session'),
      at('POST', '/cb/login'),
      at('DELETE', '/cb/login'),
      at('POST', '/cb/users'),
      at('GET', '/cb/data/Note'),
      at('POST', '/cb/data/Note'),
    ];
    const reports = await fuzzEndpoints({
      app,
      seeds: [appToken, userToken, '7', 'OPENKEY', '42', 'AKEY', 'anna', 'anna@example.com', PASSWORD, String(Math.floor(clock() / 1000))],
      endpoints,
      isRejected: (r: FuzzReply) => r.status >= 400,
      checkReply: (r: FuzzReply) => {
        if (r.status < 400) {
          if (r.body !== '') JSON.parse(r.body); // successes are JSON too (or empty)
          return;
        }
        if (!ERROR_STATUSES.has(r.status)) throw new Error(`status ${r.status} is not in CB_ERRORS`);
        if (!String(r.headers['content-type']).startsWith('application/json'))
          throw new Error(`error not JSON: ${String(r.headers['content-type'])}`);
        const body = JSON.parse(r.body) as { errors?: unknown };
        if (!isCbErrors(body.errors)) throw new Error(`not a CB error body: ${r.body.slice(0, 200)}`);
      },
      state,
    });
    const total = reports.reduce((n, r) => n + r.cases, 0);
    console.log(`fuzz (cb-token): ${reports.map((r) => `${r.endpoint}=${r.cases}`).join(', ')}; ${total} cases`);
    expect(reports).toHaveLength(endpoints.length);
    await auth.close();
  }, 60_000);
});

/** CB's two shapes: `["message", ...]` or `{ field: ["message", ...] }`, never empty. */
function isCbErrors(e: unknown): boolean {
  const strings = (a: unknown) => Array.isArray(a) && a.length > 0 && a.every((s) => typeof s === 'string' && s !== '');
  if (Array.isArray(e)) return strings(e);
  if (e === null || typeof e !== 'object') return false;
  const entries = Object.entries(e);
  return entries.length > 0 && entries.every(([, v]) => strings(v));
}

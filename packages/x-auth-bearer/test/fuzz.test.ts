import { manualClock } from '@authmount/core';
import { createAuth } from '@authmount/express';
import { memoryStore } from '@authmount/store-memory';
import express from 'express';
import { FAST_HASHING, NO_BUDGETS } from '../../../test-support/fast';
import { fuzzEndpoints, type FuzzReply } from '../../../test-support/fuzz';
import { XAUTH_ERROR_STATUS, xAuthBearer } from '../src';
import { ANNA, PASSWORD } from './helpers';

/** Statuses the adapter answers with: its error table plus the documented successes. */
const ERROR_STATUSES = new Set(Object.values(XAUTH_ERROR_STATUS));

describe('fuzzing the X-Auth-Bearer adapter and its guard', () => {
  it('never answers 5xx, always answers the adapter JSON error shape, and rejected requests change nothing', async () => {
    const clock = manualClock();
    const store = memoryStore({ clock, sweepIntervalMs: 0 });
    const auth = createAuth({ store, clock, hashing: FAST_HASHING, throttle: NO_BUDGETS });
    const anna = await auth.accounts.register({ ...ANNA, password: PASSWORD });
    const { token } = await auth.tokens.issue({ userId: anna.id });
    const app = express();
    const xauth = xAuthBearer(auth);
    app.use('/xauth', xauth);
    app.get('/orders', xauth.guard(), (req, res) => res.json({ userId: req.auth!.userId }));
    const state = async () =>
      JSON.stringify([(await auth.tokens.list(anna.id)).map((t) => [t.id, t.expiresAt]), await store.users.findById(anna.id, clock())]);
    const reports = await fuzzEndpoints({
      app,
      seeds: [token, ANNA.login, ANNA.email, PASSWORD, 'true', 'false'],
      endpoints: [
        { method: 'POST', path: '/xauth/login', params: ['login', 'pass', 'longtoken'], headers: ['user-agent'] },
        { method: 'GET', path: '/xauth/login', params: ['token'], headers: ['x-auth-bearer'] },
        { method: 'PUT', path: '/xauth/login', params: ['token', 'longtoken'], headers: ['x-auth-bearer'] },
        { method: 'DELETE', path: '/xauth/login', params: ['token'], headers: ['x-auth-bearer'] },
        { method: 'GET', path: '/orders', params: ['token'], headers: ['x-auth-bearer', 'authorization'] },
      ],
      isRejected: (r: FuzzReply) => r.status >= 400,
      checkReply: (r: FuzzReply) => {
        if (r.status === 204) {
          if (r.body !== '') throw new Error(`204 with a body: ${r.body.slice(0, 100)}`);
          return;
        }
        let body: { status?: unknown; error?: unknown; message?: unknown; token?: unknown; validTo?: unknown };
        try {
          body = JSON.parse(r.body) as typeof body;
        } catch {
          throw new Error(`status ${r.status} with a non-JSON body: ${r.body.slice(0, 100)}`);
        }
        if (r.status >= 400) {
          if (!ERROR_STATUSES.has(r.status)) throw new Error(`status ${r.status} is not in the adapter's table`);
          if (body.status !== r.status || typeof body.error !== 'string' || typeof body.message !== 'string')
            throw new Error(`error body not in the X-Auth-Bearer shape: ${r.body.slice(0, 200)}`);
          if (XAUTH_ERROR_STATUS[body.error as keyof typeof XAUTH_ERROR_STATUS] !== r.status)
            throw new Error(`error ${String(body.error)} answered with ${r.status}`);
          if (!String(r.headers['cache-control']).includes('no-store')) throw new Error('error without Cache-Control: no-store');
        } else if (typeof body.token === 'string') {
          if (typeof body.validTo !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(body.validTo))
            throw new Error(`bad validTo: ${r.body.slice(0, 200)}`);
          if (!String(r.headers['cache-control']).includes('no-store')) throw new Error('token reply without Cache-Control: no-store');
        }
      },
      state,
    });
    const total = reports.reduce((n, r) => n + r.cases, 0);
    console.log(`fuzz (x-auth-bearer): ${reports.map((r) => `${r.endpoint}=${r.cases}`).join(', ')}; ${total} cases`);
    expect(total).toBeGreaterThan(0);
    await auth.close();
  }, 60_000);
});

import { manualClock } from '@authmount/core';
import express from 'express';
import { FAST_HASHING, NO_BUDGETS } from '../../../test-support/fast';
import { fuzzEndpoints, type FuzzReply } from '../../../test-support/fuzz';
import { memoryStore } from '@authmount/store-memory';
import { authRoutes, createAuth } from '../src';

const PW = 'correct horse battery staple';

describe('fuzzing authmount JSON routes and the Bearer guard', () => {
  it('never answers 5xx, always answers coded JSON errors, and rejected requests change nothing', async () => {
    const clock = manualClock();
    const store = memoryStore({ clock, sweepIntervalMs: 0 });
    const auth = createAuth({ store, clock, hashing: FAST_HASHING, throttle: NO_BUDGETS });
    const alice = await auth.accounts.register({ login: 'alice', password: PW });
    const { token } = await auth.tokens.issue({ userId: alice.id });
    const app = express();
    app.use('/auth', authRoutes(auth));
    app.get('/me', auth.requireAuth(), (req, res) => res.json({ user: req.auth!.userId }));
    const state = async () =>
      JSON.stringify([(await auth.tokens.list(alice.id)).map((t) => [t.id, t.expiresAt]), await store.users.findById(alice.id, clock())]);
    const reports = await fuzzEndpoints({
      app,
      seeds: [token, `Bearer ${token}`, 'alice', PW],
      endpoints: [
        { method: 'POST', path: '/auth/login', params: ['login', 'password', 'device'] },
        { method: 'POST', path: '/auth/logout', params: [], headers: ['authorization'] },
        { method: 'GET', path: '/auth/tokens', params: [], headers: ['authorization'] },
        { method: 'DELETE', path: `/auth/tokens/1`, params: [], headers: ['authorization'] },
        { method: 'POST', path: '/auth/password', params: ['oldPassword', 'newPassword'], headers: ['authorization'] },
        { method: 'GET', path: '/me', params: ['access_token'], headers: ['authorization'] },
      ],
      isRejected: (r: FuzzReply) => r.status >= 400,
      checkReply: (r: FuzzReply) => {
        if (r.status === 204) return;
        let body: { error?: { code?: unknown } };
        try {
          body = JSON.parse(r.body) as typeof body;
        } catch {
          throw new Error(`status ${r.status} with a non-JSON body: ${r.body.slice(0, 100)}`);
        }
        if (r.status >= 400 && typeof body.error?.code !== 'string') throw new Error(`uncoded error body: ${r.body.slice(0, 200)}`);
      },
      state,
    });
    const total = reports.reduce((n, r) => n + r.cases, 0);
    console.log(`fuzz (authRoutes): ${reports.map((r) => `${r.endpoint}=${r.cases}`).join(', ')}; ${total} cases`);
    expect(total).toBeGreaterThan(0);
    await auth.close();
  });
});

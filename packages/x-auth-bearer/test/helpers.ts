import { manualClock, type AuthStore, type ManualClock } from '@authmount/core';
import { createAuth, type Auth, type AuthConfig } from '@authmount/express';
import express, { type Express } from 'express';
import { FAST_HASHING } from '../../../test-support/fast';
import type { TestStore } from '../../../test-support/stores';
import { xAuthBearer, type XAuthBearerOptions } from '../src';

export const PASSWORD = 'correct horse battery staple';

export const ANNA = {
  login: 'anna_nowak',
  email: 'anna@example.com',
  attributes: {
    tel: '500600700',
    name: 'Anna Nowak',
    organization: { id: 1, registerDate: '2022-04-16T13:09:00Z', prefix: 'acme', name: 'Acme', taxId: '1234', countryCode: 'PL' },
    permissions: ['main.admin', 'main.users.show'],
  },
};

/** Switches every store call to a rejection, as a Redis outage would; the wrapped store itself stays real. */
export interface Outage {
  store: AuthStore;
  setDown(down: boolean): void;
}

export function withOutage(inner: AuthStore): Outage {
  let down = false;
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const v = Reflect.get(t, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) =>
          down
            ? Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:6379 internal-detail'))
            : (v as (...a: unknown[]) => unknown).apply(t, args);
      },
    });
  const store: AuthStore = {
    name: inner.name,
    tokens: wrap(inner.tokens),
    users: wrap(inner.users),
    codes: wrap(inner.codes),
    nonces: wrap(inner.nonces),
    counters: wrap(inner.counters),
    close: () => inner.close(),
  };
  return { store, setDown: (d) => (down = d) };
}

export interface Harness {
  app: Express;
  auth: Auth;
  clock: ManualClock;
  outage: Outage;
  annaId: number;
}

/** An app with the adapter at /xauth and one guarded route, GET /orders, on a fresh store. */
export async function harness(ts: TestStore, opts: { adapter?: XAuthBearerOptions; config?: Partial<AuthConfig> } = {}): Promise<Harness> {
  const clock = manualClock();
  const outage = withOutage(ts.make(clock));
  const auth = createAuth({ store: outage.store, clock, hashing: FAST_HASHING, ...opts.config });
  const anna = await auth.accounts.register({ ...ANNA, password: PASSWORD });
  const app = express();
  const xauth = xAuthBearer(auth, opts.adapter);
  app.use('/xauth', xauth);
  app.get('/orders', xauth.guard(), (req, res) => {
    res.json({ userId: req.auth!.userId, tokenId: req.auth!.tokenId });
  });
  return { app, auth, clock, outage, annaId: anna.id };
}

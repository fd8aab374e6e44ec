import { manualClock, type ManualClock } from '@authmount/core';
import { createAuth, type Auth, type AuthConfig } from '@authmount/express';
import express, { type Express } from 'express';
import { FAST_HASHING } from '../../../test-support/fast';
import { withOutage, type Outage } from '../../../test-support/outage';
import type { TestStore } from '../../../test-support/stores';

export { withOutage, type Outage };
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

import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { manualClock, type AuthStore, type ManualClock } from '@authmount/core';
import { createAuth, type Auth } from '@authmount/express';
import express, { type Express } from 'express';
import { cbToken, type CbApp, type CbTokenOptions, type CbTokenRouter } from '@authmount/cb-token';
import { FAST_HASHING } from '../../../test-support/fast';
import { v3Sign as sign } from '../../../test-support/protocol-clients';
import { withOutage } from '../../../test-support/outage';
import type { TestStore } from '../../../test-support/stores';

/** The test application's HMAC key: 16+ characters, as cbToken requires (signature.test.ts keeps the SDK's own vectors). */
export const APP_SECRET = 'SECRET-of-the-cb-test-app';
export const APP: CbApp = { applicationId: 42, authKey: 'AKEY', authSecret: APP_SECRET };
export const OPEN_APP: CbApp = { applicationId: 7, authKey: 'OPENKEY', allowUnsigned: true };
export const PASSWORD = 'correct horse battery staple';

export interface Harness {
  app: Express;
  auth: Auth;
  /** The store under `auth` (auth hands out services only), for reading what a call left behind. */
  store: AuthStore;
  clock: ManualClock;
  cb: CbTokenRouter;
  /** Makes every store call reject (an outage) while true. */
  setStoreDown(down: boolean): void;
  close(): Promise<void>;
}

/**
 * An Express app with the CB route set at /cb and two app routes behind the CB-Token guard:
 * GET /cb/data/Note(.json) (readable with an app session) and POST /cb/data/Note(.json) (needs a user).
 */
export function harness(ts: TestStore, opts: Partial<CbTokenOptions> = {}, start?: number): Harness {
  const clock = manualClock(start);
  const b = withOutage(ts.make(clock));
  const auth = createAuth({ store: b.store, clock, hashing: FAST_HASHING });
  const app = express();
  const cb = cbToken(auth, { apps: [APP, OPEN_APP], ...opts });
  app.use('/cb', cb);
  app.get(['/cb/data/Note', '/cb/data/Note.json'], cb.guard(), (req, res) => {
    res.json({ items: [], user_id: req.auth!.userId, kind: req.auth!.kind });
  });
  app.post(['/cb/data/Note', '/cb/data/Note.json'], express.json(), cb.guard(), (req, res) => {
    res.status(201).json({ _id: 'n1', user_id: req.auth!.userId });
  });
  return { app, auth, store: b.store, clock, cb, setStoreDown: b.setDown, close: () => auth.close() };
}

/** Sign like SDK v3 with the test application's secret by default (test-support/protocol-clients.ts). */
export function v3Sign(params: Record<string, unknown>, secret = APP_SECRET, algo: 'sha1' | 'sha256' = 'sha1'): string {
  return sign(params, secret, algo);
}

let nonceSeq = 1000;

/** A signed POST /session body for APP at the harness clock's time. */
export function signedBody(clock: () => number, extra: Record<string, unknown> = {}, secret = APP_SECRET): Record<string, unknown> {
  const body: Record<string, unknown> = {
    application_id: 42,
    auth_key: 'AKEY',
    nonce: nonceSeq++,
    timestamp: Math.floor(clock() / 1000),
    ...extra,
  };
  body.signature = v3Sign(body, secret);
  return body;
}

export async function listen(app: Express): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

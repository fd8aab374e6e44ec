import { manualClock, type AuthStore, type ManualClock, type PolicySpec, type ThrottleOptions } from '@authmount/core';
import { createAuth, type Auth } from '@authmount/express';
import express from 'express';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { withOutage } from '../../../test-support/outage';
import type { TestStore } from '../../../test-support/stores';
import { pcloud, type MailMessage, type PcloudOptions, type PcloudRouter } from '../src';

export const KEY = Buffer.alloc(32, 7);
export const PW = 'secret1';

/**
 * A store whose every operation rejects while `down` is true (a real store underneath): the shared outage
 * wrapper (test-support/outage.ts) with a `down` switch. `calls` records every operation by name
 * ("users.findByEmail", ...), for tests that compare the store work of two paths.
 */
export function downable(store: AuthStore): AuthStore & { down: boolean; calls: string[] } {
  const outage = withOutage(store, 'ECONNREFUSED');
  let down = false;
  Object.defineProperty(outage.store, 'down', {
    get: () => down,
    set: (v: boolean) => outage.setDown((down = v)),
  });
  Object.defineProperty(outage.store, 'calls', { value: outage.calls });
  return outage.store as AuthStore & { down: boolean; calls: string[] };
}

export interface Harness {
  auth: Auth;
  clock: ManualClock;
  store: AuthStore & { down: boolean; calls: string[] };
  app: express.Express;
  router: PcloudRouter;
  mails: MailMessage[];
  errors: unknown[];
  /** GET /pcloud/<method>?<params>. */
  get(method: string, params?: Record<string, string | number>): request.Test;
  /** POST form-urlencoded. */
  post(method: string, params?: Record<string, string | number>): request.Test;
  /** Register a user directly through core (fast) and return its id. */
  user(email: string, password?: string): Promise<number>;
  /** Log in with username/password + getauth and return the token. */
  login(email: string, password?: string, extra?: Record<string, string | number>): Promise<string>;
  /** The last mail of a kind, once every queued mail was handed to the mailer. */
  lastMail(kind: MailMessage['kind']): Promise<MailMessage>;
  /** Every mail so far, once every queued mail was handed to the mailer. */
  sentMails(): Promise<MailMessage[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  adapter?: PcloudOptions;
  policy?: PolicySpec;
  throttle?: ThrottleOptions;
}

export function harness(ts: TestStore, o: HarnessOptions = {}): Harness {
  const clock = manualClock();
  const store = downable(ts.make(clock));
  const auth = createAuth({
    store,
    clock,
    hashing: FAST_HASHING,
    passwordPolicy: o.policy ?? 'pcloud',
    throttle: o.throttle,
  });
  const mails: MailMessage[] = [];
  const errors: unknown[] = [];
  const router = pcloud(auth, {
    digest: { key: KEY },
    mailer: async (m) => {
      mails.push(m);
    },
    onError: (e) => errors.push(e),
    ...o.adapter,
  });
  const app = express();
  app.use('/pcloud', router);
  const h: Harness = {
    auth,
    clock,
    store,
    app,
    router,
    mails,
    errors,
    get: (method, params = {}) => request(app).get(`/pcloud/${method}`).query(params),
    post: (method, params = {}) => request(app).post(`/pcloud/${method}`).type('form').send(stringify(params)),
    async user(email, password = PW) {
      return (await auth.accounts.register({ email, password, attributes: {} })).id;
    },
    async login(email, password = PW, extra = {}) {
      const r = await h.get('userinfo', { username: email, password, getauth: 1, logout: 1, ...extra });
      if (r.body.result !== 0) throw new Error(`login failed: ${JSON.stringify(r.body)}`);
      return r.body.auth as string;
    },
    async lastMail(kind) {
      await router.mailQueue.idle();
      const m = [...mails].reverse().find((x) => x.kind === kind);
      if (!m) throw new Error(`no ${kind} mail`);
      return m;
    },
    async sentMails() {
      await router.mailQueue.idle();
      return mails;
    },
    close: async () => {
      await router.mailQueue.idle();
      await auth.close();
    },
  };
  return h;
}

function stringify(p: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)]));
}

/** Expect a pCloud error reply: HTTP 200, JSON, the numeric code and message. */
export function expectError(res: request.Response, result: number, error?: string): void {
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body.result).toBe(result);
  expect(typeof res.body.error).toBe('string');
  if (error !== undefined) expect(res.body.error).toBe(error);
}

export function expectOk(res: request.Response): void {
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  if (res.body.result !== 0) throw new Error(`expected success, got ${JSON.stringify(res.body)}`);
}

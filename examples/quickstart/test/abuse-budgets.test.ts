import argon2 from 'argon2';
import { manualClock, type AuthEvent, type ManualClock } from '@authmount/core';
import { authRoutes, createAuth, type Auth, type AuthConfig } from '@authmount/express';
import { cbToken, type CbApp } from '@authmount/cb-token';
import { passwordDigest, pcloud, type Mailer, type PcloudRouter } from '@authmount/pcloud';
import { xAuthBearer } from '@authmount/x-auth-bearer';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores, type TestStore } from '../../../test-support/stores';

/**
 * Issue 14, "Done when", over HTTP on every test store: the abuse budgets stop guessing, not people.
 * One app with every credential-checking route of every protocol (as the quick-start demo mounts them),
 * `trust proxy` on loopback so each request says its client address in X-Forwarded-For. Budgets are
 * core's defaults unless a test says otherwise.
 */

const PW = 'correct horse battery staple';
const WRONG = 'not the right passphrase';
const KEY = Buffer.alloc(32, 9);
const APP: CbApp = { applicationId: 7, authKey: 'OPENKEY', allowUnsigned: true };
const CLIENT = {
  clientId: 'budget-app',
  clientSecret: 'budget-app-secret-0123456789',
  redirectUris: ['https://app.example/cb'],
  name: 'App',
};
const PAGE = '/pcloud/oauth2/authorize';

interface World {
  auth: Auth;
  clock: ManualClock;
  url: string;
  pc: PcloudRouter;
  events: AuthEvent[];
  close(): Promise<void>;
}

async function world(ts: TestStore, over: Partial<AuthConfig> = {}, mailer: Mailer = async () => undefined): Promise<World> {
  const clock = manualClock();
  const auth = createAuth({ store: ts.make(clock), clock, hashing: FAST_HASHING, ...over });
  const events: AuthEvent[] = [];
  auth.events.onAny((e) => events.push(e));
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use('/auth', authRoutes(auth));
  const pc = pcloud(auth, { digest: { key: KEY }, mailer, oauth: { clients: [CLIENT] } });
  app.use('/pcloud', pc);
  app.use('/xauth', xAuthBearer(auth));
  app.use('/cb', cbToken(auth, { apps: [APP] }));
  // One listening server (keep-alive), not one per request: hundreds of requests go out in parallel.
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    auth,
    clock,
    url,
    pc,
    events,
    close: async () => {
      await pc.mailQueue.idle();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await auth.close();
    },
  };
}

type Outcome = 'ok' | 'wrong' | 'throttled' | 'overloaded';

/** One credential check through one protocol, prepared (digest, session, CSRF form) then sent. */
interface Protocol {
  name: string;
  prepare(w: World, ip: string): Promise<(login: string, password: string) => Promise<Outcome>>;
}

const from = (w: World, ip: string) => {
  const agent = request(w.url);
  return {
    get: (path: string) => agent.get(path).set('X-Forwarded-For', ip),
    post: (path: string) => agent.post(path).set('X-Forwarded-For', ip),
  };
};

/** Each protocol's refusal in its own format, with Retry-After wherever HTTP allows. */
function httpOutcome(res: request.Response, ok: number, wrong: number): Outcome {
  if (res.status === ok) return 'ok';
  if (res.status === wrong) return 'wrong';
  if (res.status === 429 && Number(res.headers['retry-after']) > 0) return 'throttled';
  if (res.status === 503 && Number(res.headers['retry-after']) > 0) return 'overloaded';
  throw new Error(`unexpected ${res.status}: ${res.text.slice(0, 200)}`);
}

function pcloudOutcome(res: request.Response): Outcome {
  if (res.status !== 200) throw new Error(`pCloud answered HTTP ${res.status}`);
  if (res.body.result === 0) return 'ok';
  if (res.body.result === 2000) return 'wrong';
  if (res.body.result === 4000 && res.body.error === 'Too many login tries from this IP address.') return 'throttled';
  // Shed argon2 work: pCloud's retryable 5xxx class (4000 would make pclsync sleep 5 minutes).
  if (res.body.result === 5000) return 'overloaded';
  throw new Error(`unexpected pCloud reply ${JSON.stringify(res.body)}`);
}

const PROTOCOLS: Protocol[] = [
  {
    name: '/auth POST /login',
    prepare: async (w, ip) => async (login, password) => {
      const res = await from(w, ip).post('/auth/login').send({ login, password });
      if (res.status === 429) expect(res.body.error).toMatchObject({ code: 'rate_limited' });
      if (res.status === 503) expect(res.body.error).toMatchObject({ code: 'overloaded' });
      return httpOutcome(res, 201, 401);
    },
  },
  {
    name: 'pCloud password login',
    prepare: async (w, ip) => async (login, password) =>
      pcloudOutcome(await from(w, ip).get('/pcloud/userinfo').query({ username: login, password })),
  },
  {
    name: 'pCloud digest login',
    prepare: async (w, ip) => {
      const digest = (await from(w, ip).get('/pcloud/getdigest')).body.digest as string;
      return async (login, password) =>
        pcloudOutcome(
          await from(w, ip)
            .get('/pcloud/userinfo')
            .query({ username: login, digest, passworddigest: passwordDigest(password, login, digest) }),
        );
    },
  },
  {
    name: 'pCloud OAuth authorize form',
    prepare: async (w, ip) => {
      const query = { client_id: CLIENT.clientId, response_type: 'code', redirect_uri: CLIENT.redirectUris[0] };
      const page = await from(w, ip).get(PAGE).query(query).expect(200);
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1];
      const cookie = ([] as string[])
        .concat(page.headers['set-cookie'])
        .find((c) => c.startsWith('pcloud_oauth_csrf='))!
        .split(';')[0];
      return async (login, password) => {
        const res = await from(w, ip)
          .post(PAGE)
          .type('form')
          .set('Cookie', cookie)
          .send({ ...query, csrf, decision: 'allow', username: login, password });
        return httpOutcome(res, 303, 401);
      };
    },
  },
  {
    name: 'X-Auth POST /login',
    prepare: async (w, ip) => async (login, pass) => {
      const res = await from(w, ip).post('/xauth/login').type('form').send({ login, pass });
      if (res.status === 429) expect(res.body).toMatchObject({ status: 429, error: 'rate_limited', retryAfter: expect.any(Number) });
      if (res.status === 503) expect(res.body).toMatchObject({ status: 503, error: 'overloaded' });
      return httpOutcome(res, 200, 401);
    },
  },
  {
    name: 'CB POST /session with user credentials',
    prepare: async (w, ip) => async (login, password) => {
      const res = await from(w, ip).post('/cb/session.json').send({ application_id: 7, auth_key: 'OPENKEY', user: { login, password } });
      if (res.status === 429) expect(res.body).toEqual({ errors: { base: ['Too many requests. Try again later.'] } });
      if (res.status === 503) expect(res.body).toEqual({ errors: { base: ['Service temporarily unavailable. Try again later.'] } });
      return httpOutcome(res, 201, 401);
    },
  },
  {
    name: 'CB POST /login',
    prepare: async (w, ip) => {
      // An app session first: honest app sessions count against nothing.
      const s = await from(w, ip).post('/cb/session.json').send({ application_id: 7, auth_key: 'OPENKEY' }).expect(201);
      const token = s.body.session.token as string;
      return async (login, password) =>
        httpOutcome(await from(w, ip).post('/cb/login.json').set('CB-Token', token).send({ login, password }), 200, 401);
    },
  },
];

let ipSeq = 0;
/** A client address of its own (TEST-NET-3). */
const newIp = () => `203.0.${113 + Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A hash that takes argon2 about a second to verify: holding the only hashing slot with it is deterministic. */
let slowHash: Promise<string> | undefined;
const slow = () => (slowHash ??= argon2.hash('hold the slot', { type: argon2.argon2id, memoryCost: 65536, timeCost: 6, parallelism: 1 }));

describe.each(testStores())('abuse budgets over HTTP on the $name store', (ts) => {
  let w: World;
  afterEach(() => w.close());

  const users = async (prefix: string, n: number) => {
    for (let i = 0; i < n; i++)
      await w.auth.accounts.register({ login: `${prefix}${i}`, email: `${prefix}${i}@example.com`, password: PW });
  };

  it('30 different accounts log in through each protocol from one address within seconds: all succeed', async () => {
    w = await world(ts);
    await users('office', 30);
    const ip = newIp();
    for (const p of PROTOCOLS) {
      const checks = await Promise.all(Array.from({ length: 30 }, () => p.prepare(w, ip)));
      const outcomes = await Promise.all(checks.map((check, i) => check(`office${i}@example.com`, PW)));
      expect([p.name, outcomes]).toEqual([p.name, Array(30).fill('ok')]);
    }
    // A few typos along the way spend a little budget and refuse nobody.
    const typo = await PROTOCOLS[0].prepare(w, ip);
    for (let i = 0; i < 5; i++) expect(await typo(`office${i}@example.com`, WRONG)).toBe('wrong');
    for (let i = 0; i < 30; i++) expect(await typo(`office${i}@example.com`, PW)).toBe('ok');
    expect(w.events.filter((e) => e.type === 'login.throttled')).toEqual([]);
  }, 60_000);

  it.each(PROTOCOLS)(
    '$name: 200 parallel wrong passwords for one account from one address reach argon2 at most 10 times, then even the right one is refused',
    async (p) => {
      w = await world(ts);
      await w.auth.accounts.register({ login: 'victim', email: 'victim@example.com', password: PW });
      const ip = newIp();
      const checks = await Promise.all(Array.from({ length: 201 }, () => p.prepare(w, ip)));
      const before = w.auth.hasher.verifications;
      const outcomes = await Promise.all(checks.slice(0, 200).map((check) => check('victim@example.com', WRONG)));
      expect(w.auth.hasher.verifications - before).toBeLessThanOrEqual(10);
      expect(outcomes.filter((o) => o === 'wrong')).toHaveLength(10);
      expect(outcomes.filter((o) => o === 'throttled')).toHaveLength(190);
      const settled = w.auth.hasher.verifications;
      expect(await checks[200]('victim@example.com', PW)).toBe('throttled');
      expect(w.auth.hasher.verifications).toBe(settled);
      expect(w.events).toContainEqual(expect.objectContaining({ type: 'login.throttled', budget: 'pair', ip }));
    },
    60_000,
  );

  it.each(PROTOCOLS)('$name: 10 wrong passwords for A from X leave A free from Y and B free from X', async (p) => {
    w = await world(ts);
    await users('p', 2);
    const [A, B] = ['p0@example.com', 'p1@example.com'];
    const [X, Y] = [newIp(), newIp()];
    // A pCloud password login stores the copy digest login needs (accounts made through core have none yet).
    for (const who of [A, B]) expect(await (await PROTOCOLS[1].prepare(w, newIp()))(who, PW)).toBe('ok');
    for (let i = 0; i < 10; i++) expect(await (await p.prepare(w, X))(A, WRONG)).toBe('wrong');
    expect(await (await p.prepare(w, X))(A, PW)).toBe('throttled');
    expect(await (await p.prepare(w, Y))(A, PW)).toBe('ok');
    expect(await (await p.prepare(w, X))(B, PW)).toBe('ok');
  });

  it('30 CB sign-ups from one address hit the sign-up budget with 429; the budget is per address and shared by every sign-up route', async () => {
    w = await world(ts);
    const ip = newIp();
    const signUp = (n: number, at = ip) =>
      from(w, at)
        .post('/cb/users.json')
        .set('CB-AuthKey', 'OPENKEY')
        .send({ user: { login: `signup-${n}`, password: PW } });
    const statuses: number[] = [];
    for (let n = 0; n < 30; n++) statuses.push((await signUp(n)).status);
    expect(statuses).toEqual([...Array(20).fill(201), ...Array(10).fill(429)]);
    const refused = await signUp(99);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toEqual({ errors: { base: ['Too many requests. Try again later.'] } });
    expect(w.events).toContainEqual(expect.objectContaining({ type: 'login.throttled', budget: 'signup', ip }));
    // pCloud register and CB guest sessions from that address spend the same budget.
    expect(
      (await from(w, ip).get('/pcloud/register').query({ mail: 'late@example.com', password: PW, termsaccepted: 'yes' })).body.result,
    ).toBe(4000);
    await from(w, ip)
      .post('/cb/session.json')
      .send({ application_id: 7, auth_key: 'OPENKEY', user: { guest: 1 } })
      .expect(429);
    // Another address is not affected, and logins from the full one still work (only sign-ups are spent).
    await signUp(100, newIp()).expect(201);
    await from(w, ip).post('/auth/login').send({ login: 'signup-0', password: PW }).expect(201);
  });

  it('/auth/password is refused after its budget (the account’s failure budgets), before any hashing', async () => {
    w = await world(ts);
    await users('pw', 1);
    const ip = newIp();
    const token = (await from(w, ip).post('/auth/login').send({ login: 'pw0', password: PW }).expect(201)).body.token as string;
    const change = (oldPassword: string, at = ip) =>
      from(w, at)
        .post('/auth/password')
        .set('Authorization', `Bearer ${token}`)
        .send({ oldPassword, newPassword: 'a brand new passphrase here' });
    for (let i = 0; i < 10; i++) await change(WRONG).expect(403);
    const verified = w.auth.hasher.verifications;
    const refused = await change(PW).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', budget: 'pair' });
    expect(w.auth.hasher.verifications).toBe(verified);
    await change(PW, newIp()).expect(204);
  });

  it('lostpassword answers a known and an unknown address in the same time (150 ms mailer), mailing only the known one', async () => {
    const delivered: string[] = [];
    const slowMailer: Mailer = async (m) => {
      await new Promise((r) => setTimeout(r, 150)); // the mailer's latency: what must not show in the reply
      delivered.push(m.to);
    };
    // Budgets far away, so every sample takes the full path (one look-up, one reservation, reply).
    const lots = { limit: 100_000, windowMs: 60_000 };
    w = await world(ts, { throttle: { mailIp: lots, mailAccount: lots } }, slowMailer);
    await users('known', 1);
    const ip = newIp();
    const time = async (mail: string) => {
      const t0 = process.hrtime.bigint();
      const res = await from(w, ip).get('/pcloud/lostpassword').query({ mail });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      expect(res.body).toEqual({ result: 0 });
      return ms;
    };
    for (let i = 0; i < 5; i++) await Promise.all([time('known0@example.com'), time('nobody@example.com')]); // warm-up
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved (order flipped every round) so machine load hits both sides alike; medians resist outliers.
    for (let i = 0; i < 60; i++) {
      if (i % 2) {
        known.push(await time('known0@example.com'));
        unknown.push(await time(`nobody${i}@example.com`));
      } else {
        unknown.push(await time(`nobody${i}@example.com`));
        known.push(await time('known0@example.com'));
      }
    }
    const [mk, mu] = [median(known), median(unknown)];
    console.log(
      `lostpassword on ${ts.name}: median ${mk.toFixed(2)} ms known vs ${mu.toFixed(2)} ms unknown address (60 each, 150 ms mailer)`,
    );
    // The reply never waits for the 150 ms mailer, and the two medians differ by less than 10 ms.
    expect(mk).toBeLessThan(150);
    expect(Math.abs(mk - mu)).toBeLessThan(10);
    await w.pc.mailQueue.idle();
    expect(delivered).toHaveLength(65);
    expect(new Set(delivered)).toEqual(new Set(['known0@example.com']));
  }, 60_000);

  it('argon2 load shedding: with the hashing line full every protocol answers its 503-class refusal at once, then recovers', async () => {
    // A pair budget of ONE per account: a shed attempt that kept its reservation would lock its account out here.
    w = await world(ts, {
      hashing: { ...FAST_HASHING, maxConcurrent: 1, maxQueue: 0 },
      throttle: { pair: { limit: 1, windowMs: 60_000 } },
    });
    await users('busy', PROTOCOLS.length);
    // A pCloud password login stores the copy digest login needs (accounts made through core have none yet).
    for (let i = 0; i < PROTOCOLS.length; i++)
      expect(await (await PROTOCOLS[1].prepare(w, newIp()))(`busy${i}@example.com`, PW)).toBe('ok');
    const ip = newIp();
    const checks = await Promise.all(PROTOCOLS.map((p) => p.prepare(w, ip)));
    const signUp = () =>
      from(w, ip)
        .post('/cb/users.json')
        .set('CB-AuthKey', 'OPENKEY')
        .send({ user: { login: 'newcomer', password: PW } });
    // The only slot is busy for about a second: nothing may wait for it (maxQueue 0).
    const holder = w.auth.hasher.verify(await slow(), 'x');
    const outcomes = await Promise.all(checks.map((check, i) => check(`busy${i}@example.com`, PW)));
    const shedSignUp = await signUp();
    expect(outcomes).toEqual(Array(PROTOCOLS.length).fill('overloaded'));
    expect([shedSignUp.status, Number(shedSignUp.headers['retry-after'])]).toEqual([503, 1]);
    await holder;
    // Nothing was tried, so the reservations were given back: the same logins succeed now, from the same address.
    // (One at a time: with one slot and no line, parallel logins would shed each other.)
    for (const [i, p] of PROTOCOLS.entries()) {
      expect([p.name, await (await p.prepare(w, ip))(`busy${i}@example.com`, PW)]).toEqual([p.name, 'ok']);
    }
  }, 60_000);
});

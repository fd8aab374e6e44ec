import { passwordDigest } from '@authmount/pcloud';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { csrfOf, v3Sign } from '../../../test-support/protocol-clients';
import { freePort, killDemos, spawnDemo, startDemo, type DemoProcess } from '../../../test-support/demo-procs';
import { startLoad, type TargetStats } from '../../../test-support/load';
import { describeWithRedisServer, startRedisCluster, startRedisServer } from '../../../test-support/redis';

/**
 * Scale-out (issue 19): three quick-start demo processes, started at the same moment on one fresh Redis
 * (a private single node, then a 3-master cluster), behave as one server. Real processes (node --import
 * tsx examples/quickstart/server.ts), real Redis, real HTTP, the demo's real argon2 parameters.
 *
 * Requests carry X-Forwarded-For (the demos run with TRUST_PROXY=loopback, as behind a load balancer):
 * each test logs in from its own client address, so the per-address failure budget of one test does not
 * spend another's, and the budget test chooses which budget it exhausts.
 */

const ALICE = { login: 'alice', email: 'alice@example.com', password: 'correct horse battery staple' };
const PUBLIC_URL = 'http://localhost:8080'; // the "load balancer" address every process registers for OAuth
const PAGE = '/pcloud/oauth2/authorize';

interface Topology {
  name: string;
  start(): Promise<{ env: Record<string, string>; close(): Promise<void> }>;
}

const topologies: Topology[] = [
  {
    name: 'one Redis node',
    async start() {
      const s = await startRedisServer();
      return { env: { REDIS_URL: s.url }, close: () => s.close() };
    },
  },
  {
    name: '3-master Redis Cluster',
    async start() {
      const c = await startRedisCluster(3);
      return { env: { REDIS_CLUSTER_NODES: c.nodes.map((n) => `${n.host}:${n.port}`).join(',') }, close: () => c.close() };
    },
  },
];

let ipSeq = 0;
/** A client address of its own (TEST-NET-2 range). */
const newIp = () => `198.51.${100 + Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;

describeWithRedisServer('scale-out: three demo processes on one Redis', () => {
  describe.each(topologies)('on a $name', (topology) => {
    let redis: { env: Record<string, string>; close(): Promise<void> } | undefined;
    let env: Record<string, string>;
    let demos: DemoProcess[] = [];
    const [A, B, C] = [0, 1, 2];
    const at = (i: number, ip: string) => {
      const agent = request(demos[i].url);
      return {
        get: (path: string) => agent.get(path).set('X-Forwarded-For', ip),
        post: (path: string) => agent.post(path).set('X-Forwarded-For', ip),
        put: (path: string) => agent.put(path).set('X-Forwarded-For', ip),
        delete: (path: string) => agent.delete(path).set('X-Forwarded-For', ip),
      };
    };

    beforeAll(async () => {
      redis = await topology.start();
      env = {
        ...redis.env,
        CB_APPLICATION_ID: '31337',
        CB_AUTH_KEY: randomBytes(8).toString('hex'),
        CB_AUTH_SECRET: randomBytes(16).toString('hex'),
        PCLOUD_OAUTH_SECRET: randomBytes(24).toString('hex'),
        PCLOUD_DIGEST_KEY: randomBytes(32).toString('hex'),
        PUBLIC_URL,
        TRUST_PROXY: 'loopback',
        SHUTDOWN_DRAIN_MS: '15000',
      };
      // Spawned in the same tick on an empty store: their seeding runs concurrently.
      const ports = await Promise.all([freePort(), freePort(), freePort()]);
      demos = ports.map((p, i) => spawnDemo(`demo ${'ABC'[i]}`, p, env));
      await Promise.all(demos.map((d) => d.waitFor(/listening on/, 60_000)));
    }, 120_000);

    afterAll(async () => {
      await killDemos();
      await redis?.close();
    }, 30_000);

    it('all three start at once on the empty store, and share one set of users', async () => {
      for (const d of demos) expect(d.output()).not.toContain('failed to start');
      const ip = newIp();
      const ids = new Set<number>();
      for (const i of [A, B, C]) {
        const r = await at(i, ip).post('/auth/login').send({ login: ALICE.login, password: ALICE.password }).expect(201);
        ids.add(r.body.user.id);
        await at(i, ip).get('/health/ready').expect(200);
      }
      expect(ids.size).toBe(1);
      // Each process's start-up token (issued by it) works on the others.
      const startTokens = demos.map((d) => /Bearer ([^"\s]+)/.exec(d.output())![1]);
      for (const [k, t] of startTokens.entries()) {
        await at((k + 1) % 3, ip)
          .get('/me')
          .set('Authorization', `Bearer ${t}`)
          .expect(200);
      }
    });

    it('JSON API: log in on one, use on a second, log out on a third: the token is dead on all three', async () => {
      const ip = newIp();
      const login = await at(A, ip).post('/auth/login').send({ login: ALICE.login, password: ALICE.password }).expect(201);
      const bearer = `Bearer ${login.body.token}`;
      const me = await at(B, ip).get('/me').set('Authorization', bearer).expect(200);
      expect(me.body).toMatchObject({ login: 'alice', kind: 'user' });
      const list = await at(C, ip).get('/auth/tokens').set('Authorization', bearer).expect(200);
      expect(list.body.tokens.some((t: { id: string; current: boolean }) => t.id === login.body.tokenId && t.current)).toBe(true);
      await at(C, ip).post('/auth/logout').set('Authorization', bearer).expect(204);
      for (const i of [A, B, C]) await at(i, ip).get('/me').set('Authorization', bearer).expect(401);
    });

    it('pCloud: getauth on one, listtokens on a second, logout on a third; digest login crosses processes', async () => {
      const ip = newIp();
      const r = await at(A, ip).get('/pcloud/userinfo').query({ username: ALICE.email, password: ALICE.password, getauth: 1 });
      expect(r.body).toMatchObject({ result: 0, email: ALICE.email });
      const auth = r.body.auth as string;
      const list = await at(B, ip).get('/pcloud/listtokens').query({ auth });
      expect(list.body.result).toBe(0);
      expect(list.body.tokens.length).toBeGreaterThanOrEqual(1);
      expect((await at(C, ip).get('/pcloud/logout').query({ auth })).body).toMatchObject({ result: 0, auth_deleted: true });
      for (const i of [A, B, C]) expect((await at(i, ip).get('/pcloud/userinfo').query({ auth })).body.result).toBe(2000);

      // Digest: issued by one process, answered on another (single-use, shared), with the password copy
      // sealed by whichever process saw the password (PCLOUD_DIGEST_KEY is the same everywhere).
      const digest = (await at(C, ip).get('/pcloud/getdigest')).body.digest as string;
      const q = { username: ALICE.email, digest, passworddigest: passwordDigest(ALICE.password, ALICE.email, digest) };
      expect((await at(B, ip).get('/pcloud/userinfo').query(q)).body).toMatchObject({ result: 0, email: ALICE.email });
      expect((await at(A, ip).get('/pcloud/userinfo').query(q)).body.result).not.toBe(0); // the digest was used up
    });

    it('X-Auth-Bearer: POST /login on one, GET on a second, DELETE on a third: 404 on all three', async () => {
      const ip = newIp();
      const r = await at(A, ip).post('/xauth/login').type('form').send({ login: ALICE.login, pass: ALICE.password }).expect(200);
      const token = r.body.token as string;
      await at(B, ip).get('/xauth/login').set('X-Auth-Bearer', token).expect(200);
      await at(C, ip).delete('/xauth/login').set('X-Auth-Bearer', token).expect(204);
      for (const i of [A, B, C]) await at(i, ip).get('/xauth/login').set('X-Auth-Bearer', token).expect(404);
    });

    it('CB-Token: a session created on one is used on another; a replayed nonce is refused on a third; logout kills it everywhere', async () => {
      const ip = newIp();
      const body: Record<string, unknown> = {
        application_id: Number(env.CB_APPLICATION_ID),
        auth_key: env.CB_AUTH_KEY,
        nonce: Math.floor(Math.random() * 1e9),
        timestamp: Math.floor(Date.now() / 1000),
      };
      body.signature = v3Sign(body, env.CB_AUTH_SECRET);
      const created = await at(A, ip).post('/cb/session.json').send(body).expect(201);
      const token = created.body.session.token as string;
      // The same signed request again, on another process: the nonce store is shared.
      const replay = await at(C, ip).post('/cb/session.json').send(body).expect(422);
      expect(replay.body).toEqual({ errors: ['Unexpected nonce'] });
      // The app session becomes a user session on B, and C sees the user.
      const login = await at(B, ip).post('/cb/login.json').set('CB-Token', token).send({ login: ALICE.login, password: ALICE.password });
      expect(login.status).toBe(200);
      const seen = await at(C, ip).get('/cb/session.json').set('CB-Token', token).expect(200);
      expect(seen.body.session.user_id).toBe(login.body.user.id);
      await at(C, ip).delete('/cb/session.json').set('CB-Token', token).expect(200);
      for (const i of [A, B, C]) await at(i, ip).get('/cb/session.json').set('CB-Token', token).expect(401);
    });

    it('OAuth code flow: page on one, approval on a second, code exchanged on a third, access token used on the first', async () => {
      const ip = newIp();
      const q = { client_id: 'demo-app', response_type: 'code', redirect_uri: `${PUBLIC_URL}/`, state: 's1' };
      const pair = csrfOf(await at(A, ip).get(PAGE).query(q).expect(200));
      const approved = await at(B, ip)
        .post(PAGE)
        .type('form')
        .set('Cookie', pair.cookie)
        .send({ ...q, csrf: pair.field, decision: 'allow', username: ALICE.email, password: ALICE.password })
        .expect(303);
      const code = new URL(approved.headers.location as string).searchParams.get('code')!;
      const token = await at(C, ip)
        .get('/pcloud/oauth2_token')
        .query({ client_id: 'demo-app', client_secret: env.PCLOUD_OAUTH_SECRET, code });
      expect(token.body).toMatchObject({ result: 0, token_type: 'bearer' });
      const info = await at(A, ip).get('/pcloud/userinfo').set('Authorization', `Bearer ${token.body.access_token}`);
      expect(info.body).toMatchObject({ result: 0, email: ALICE.email });
      // The code was spent on C: replaying it on B fails.
      const again = await at(B, ip)
        .get('/pcloud/oauth2_token')
        .query({ client_id: 'demo-app', client_secret: env.PCLOUD_OAUTH_SECRET, code });
      expect(again.body.result).not.toBe(0);
    });

    it('OAuth poll_token: a poll waiting on one gets the token when the user allows on another', async () => {
      const ip = newIp();
      const rid = randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
      const pending = at(A, ip)
        .get('/pcloud/oauth2_token')
        .query({ client_id: 'demo-app', request_id: rid })
        .then((r) => r);
      await waitInFlight(demos[A], 2); // the poll (and this check) are being served by A
      await allowPoll(at(B, ip), rid);
      const r = await pending;
      expect(r.body).toMatchObject({ result: 0, access_token: expect.any(String), token_type: 'bearer' });
      const info = await at(C, ip).get('/pcloud/userinfo').query({ access_token: r.body.access_token });
      expect(info.body).toMatchObject({ result: 0, email: ALICE.email });
    });

    /**
     * Failure budgets are shared: failures spread over the three processes are counted once (core's
     * defaults: 10 consecutive per account + address, 100 per account, 100 per address; only failures
     * count). The pair budget is measured twice, on one process and round-robin over the three, until the
     * first refusal: both counts are equal; with a budget per process the spread count would be three times
     * larger. The account and address budgets are sent 110 at a time spread over the three (in waves of
     * 10 in parallel): exactly 100 reach argon2 anywhere, because one reservation in the shared store
     * admits or refuses each. Then every process refuses, even the right password.
     */
    it('abuse budgets: failures spread over the three processes count once (pair, account, address)', async () => {
      const ip = newIp();
      const cbKey = env.CB_AUTH_KEY;
      const pass = 'a long enough passphrase for carol';
      const register = async (login: string) =>
        at(A, ip)
          .post('/cb/users.json')
          .set('CB-AuthKey', cbKey)
          .send({ user: { login, password: pass } })
          .expect(201);
      const tag = randomBytes(3).toString('hex');
      for (const who of ['carol', 'dave', 'erin']) await register(`${who}-${tag}`);
      const wrong = (i: number, from: string, login: string) =>
        at(i, from).post('/auth/login').send({ login, password: 'wrong password, wrong' });

      // Pair: wrong passwords for one account from one address.
      const pairBudget = async (login: string, spread: boolean) => {
        const from = newIp();
        for (let n = 0; n < 50; n++) {
          const r = await wrong(spread ? n % 3 : A, from, login);
          if (r.status === 429) return { n, from };
          expect(r.status).toBe(401);
        }
        throw new Error('never throttled');
      };
      const single = await pairBudget(`carol-${tag}`, false);
      const spread = await pairBudget(`dave-${tag}`, true);
      expect(single.n).toBe(10);
      expect(spread.n).toBe(single.n);
      for (const i of [A, B, C]) {
        await at(i, spread.from)
          .post('/auth/login')
          .send({ login: `dave-${tag}`, password: pass })
          .expect(429);
      }

      /** 110 requests, 10 at a time round-robin over the three processes: how many got 401 and 429. */
      const waves = async (send: (n: number) => request.Test) => {
        const statuses: number[] = [];
        for (let wave = 0; wave < 11; wave++) {
          statuses.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => send(wave * 10 + k)))).map((r) => r.status));
        }
        return { failed: statuses.filter((s) => s === 401).length, refused: statuses.filter((s) => s === 429).length };
      };
      // Account: wrong passwords for erin, each from a fresh address (no pair or address budget involved).
      expect(await waves((n) => wrong(n % 3, newIp(), `erin-${tag}`))).toEqual({ failed: 100, refused: 10 });
      for (const i of [A, B, C])
        await at(i, newIp())
          .post('/auth/login')
          .send({ login: `erin-${tag}`, password: pass })
          .expect(429);

      // Address: one address, ever-new unknown accounts (no pair or account budget involved).
      const sprayer = newIp();
      expect(await waves((n) => wrong(n % 3, sprayer, `nobody-${tag}-${n}`))).toEqual({ failed: 100, refused: 10 });
      for (const i of [A, B, C]) {
        await at(i, sprayer).post('/auth/login').send({ login: ALICE.login, password: ALICE.password }).expect(429);
      }
      // Everyone else is unaffected.
      await at(B, newIp()).post('/auth/login').send({ login: ALICE.login, password: ALICE.password }).expect(201);
    }, 120_000);

    /**
     * Rolling restart under load: a balancer-like load generator (test-support/load.ts) sends
     * authenticated GET /me round-robin to the three; C is stopped (SIGTERM) while a poll_token request
     * waits on it, and started again. Survivors: zero failed requests. C: it finishes what it was serving
     * before it exits (the poll answers with a token after the signal), never answers an error status,
     * and every token (issued before, during and after) works everywhere afterwards.
     */
    it('rolling restart under load: no failed request on the survivors, C drains before it exits, no token lost', async () => {
      const ip = newIp();
      const tokens: string[] = [];
      for (let k = 0; k < 6; k++) {
        const r = await at(k % 3, ip)
          .post('/auth/login')
          .send({ login: ALICE.login, password: ALICE.password })
          .expect(201);
        tokens.push(r.body.token);
      }
      const stopping = demos[C];
      // A long-poll in flight on C when it is told to stop.
      const rid = randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
      const poll = at(C, ip)
        .get('/pcloud/oauth2_token')
        .query({ client_id: 'demo-app', request_id: rid })
        .then((r) => r);
      await waitInFlight(stopping, 2);

      const targets = demos.map((d, i) => ({ label: 'ABC'[i], url: d.url }));
      const loadStarted = Date.now();
      const load = startLoad(targets, {
        path: '/me',
        headers: (i) => ({ Authorization: `Bearer ${tokens[i % tokens.length]}` }),
        concurrency: 6,
      });
      const okNow = () => Object.fromEntries(Object.entries(load.stats).map(([k, s]) => [k, s.ok]));
      let stats: Record<string, TargetStats>;
      let beforeStop: string;
      let duringStop: string;
      let accessToken: string;
      let drainLine = '(no drain line)';
      try {
        await load.until((s) => s.A.ok >= 100 && s.B.ok >= 100 && s.C.ok >= 100);
        beforeStop = (await at(C, ip).post('/auth/login').send({ login: ALICE.login, password: ALICE.password }).expect(201)).body.token;

        stopping.kill('SIGTERM');
        await stopping.waitFor(/shutdown \(SIGTERM\)/);
        duringStop = (await at(A, ip).post('/auth/login').send({ login: ALICE.login, password: ALICE.password }).expect(201)).body.token;
        await allowPoll(at(B, ip), rid);
        const polled = await poll;
        expect(polled.body).toMatchObject({ result: 0, access_token: expect.any(String) });
        accessToken = polled.body.access_token;
        expect(await stopping.exited()).toEqual({ code: 0, signal: null });
        const drained = /shutdown: drained \(in flight at start: (\d+), finished: (\d+), aborted: (\d+), cut: (\d+)\)/.exec(
          stopping.output(),
        );
        expect(drained).not.toBeNull();
        drainLine = drained![0];
        const [inFlightAtStart, finished, , cut] = drained!.slice(1).map(Number);
        expect(inFlightAtStart).toBeGreaterThanOrEqual(1); // at least the poll
        expect(finished).toBeGreaterThanOrEqual(inFlightAtStart);
        expect(cut).toBe(0);

        // While C is down the survivors carry the load.
        const downAt = okNow();
        await load.until((s) => s.A.ok >= downAt.A + 100 && s.B.ok >= downAt.B + 100);

        demos[C] = await startDemo('demo C (restarted)', stopping.port, env);
        const upAt = okNow();
        await load.until((s) => s.C.ok >= upAt.C + 100 && s.A.ok >= upAt.A + 50 && s.B.ok >= upAt.B + 50);
      } finally {
        stats = await load.stop();
        // The figures docs/DEPLOYMENT.md quotes.
        const per = (k: string) => {
          const t = stats[k];
          const why = Object.entries(t.errors).map(([code, n]) => `${code} ×${n}`);
          return `${k} sent ${t.sent}, failed ${t.sent - t.ok}${why.length ? ` (${why.join(', ')})` : ''}`;
        };
        console.log(
          `rolling restart on a ${topology.name}: ${((Date.now() - loadStarted) / 1000).toFixed(1)} s of load, 6 connections; ` +
            `${['A', 'B', 'C'].map(per).join('; ')}. C: ${drainLine}`,
        );
      }

      for (const s of [stats.A, stats.B]) {
        expect(s).toMatchObject({ badStatus: 0, connectionErrors: 0, outOfRotation: 0 });
        expect(s.ok).toBe(s.sent);
      }
      // C: never an error answer; the only failures are connections refused or closed while it was down.
      expect(stats.C.badStatus).toBe(0);
      expect(stats.C.ok + stats.C.connectionErrors).toBe(stats.C.sent);
      for (const code of Object.keys(stats.C.errors)) expect(['ECONNREFUSED', 'ECONNRESET', 'socket hang up']).toContain(code);
      expect(stats.C.backInRotation).toBe(stats.C.outOfRotation);

      // No token lost: every token, whoever issued it and when, works on every process, the restarted one included.
      for (const t of [...tokens, beforeStop, duringStop]) {
        for (const i of [A, B, C]) await at(i, ip).get('/me').set('Authorization', `Bearer ${t}`).expect(200);
      }
      for (const i of [A, B, C]) {
        const info = await at(i, ip).get('/pcloud/userinfo').query({ access_token: accessToken });
        expect(info.body.result).toBe(0);
      }
    }, 120_000);
  });
});

/** Poll the process's readiness until it reports at least `n` requests in flight (this check included). */
async function waitInFlight(d: DemoProcess, n: number): Promise<void> {
  for (let k = 0; k < 200; k++) {
    const r = await request(d.url).get('/health/ready');
    if (r.body.inFlight >= n) return;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`${d.label}: never ${n} requests in flight`);
}

type At = { get(p: string): request.Test; post(p: string): request.Test };

/** Open the authorize page for a poll_token request and allow it as alice. */
async function allowPoll(at: At, rid: string): Promise<void> {
  const q = { client_id: 'demo-app', response_type: 'poll_token', request_id: rid };
  const pair = csrfOf(await at.get(PAGE).query(q).expect(200));
  const page = await at
    .post(PAGE)
    .type('form')
    .set('Cookie', pair.cookie)
    .send({ ...q, csrf: pair.field, decision: 'allow', username: ALICE.email, password: ALICE.password });
  expect(page.status).toBe(200);
  expect(page.text).toContain('Access allowed');
}

/**
 * A legitimate login's latency while 150 sign-ups arrive in parallel from other addresses (issue 14),
 * before and after argon2 load shedding, in the same run.
 *
 * Two roles in one file. `serve <maxQueue>`: a server process (default argon2id parameters, core's
 * hashing concurrency, memory store, `trust proxy` on loopback) with authmount's `POST /auth/login` and
 * CB-Token's sign-up `POST /cb/users`; it reports its port over IPC. Without arguments: the driver. For
 * each round and each set-up (interleaved) it starts a fresh server, times 5 idle logins, then sends
 * 150 sign-ups at once (each from its own X-Forwarded-For address, so no per-address sign-up budget
 * refuses them: only argon2 limits them), waits 50 ms so they are queued, and times one login of the
 * seeded user from another address. "before" is `hashing.maxQueue: false` (one unbounded first-come
 * line: the behaviour before shedding); "after" is core's default (bounded lines, verifications first).
 */
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nextMessage, spawnTs, stopChild } from './spawn';
import { median } from './stats';

const USER = { login: 'legit', email: 'legit@example.com', password: 'correct horse battery staple' };
const AUTH_KEY = 'FLOODKEY';
const FLOOD = 150;

type Setup = 'before' | 'after';

export interface FloodRound {
  setup: Setup;
  round: number;
  /** Median of 5 sequential logins with nothing else going on, ms. */
  idleMs: number;
  /** The login sent 50 ms into the flood: latency (ms) and HTTP status. */
  loginMs: number;
  loginStatus: number;
  /** Sign-up answers by status ("201", "503", ...). */
  signups: Record<string, number>;
  /** From the first sign-up sent to the last answered, ms. */
  floodMs: number;
}

export interface FloodResult {
  flood: number;
  rounds: FloodRound[];
  /** Per set-up medians over the rounds. */
  summary: Record<Setup, { idleMs: number; loginMs: number; statuses: number[]; shed: number }>;
  maxQueueAfter: number;
}

// ----------------------------------------------------------------------------------------------------
// Server role

async function serve(maxQueue: string): Promise<void> {
  const { createAuth, authRoutes } = await import('@authmount/express');
  const { memoryStore } = await import('@authmount/store-memory');
  const { cbToken } = await import('@authmount/cb-token');
  const express = (await import('express')).default;
  const auth = createAuth({ store: memoryStore(), hashing: { maxQueue: maxQueue === 'false' ? false : Number(maxQueue) } });
  await auth.accounts.register(USER);
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use('/auth', authRoutes(auth));
  app.use('/cb', cbToken(auth, { apps: [{ applicationId: 1, authKey: AUTH_KEY, allowUnsigned: true }] }));
  const server = app.listen(0, '127.0.0.1', () => {
    process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
  });
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'stop') {
      server.closeAllConnections();
      server.close(() => void auth.close().then(() => process.exit(0)));
    }
  });
}

// ----------------------------------------------------------------------------------------------------
// Driver role

let agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function post(port: number, p: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; ms: number }> {
  const t0 = process.hrtime.bigint();
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: p,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
      },
    );
    req.on('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error('timeout')));
    req.end(data);
  });
}

const login = (port: number, ip: string) =>
  post(port, '/auth/login', { login: USER.login, password: USER.password }, { 'x-forwarded-for': ip });

async function one(setup: Setup, round: number, maxQueueAfter: number): Promise<FloodRound> {
  const server = spawnTs(__filename, ['serve', setup === 'before' ? 'false' : String(maxQueueAfter)]);
  try {
    const { port } = await nextMessage<{ type: 'ready'; port: number }>(server, (m) => m.type === 'ready', 60_000, 'flood server');
    const idle: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await login(port, '198.51.100.1');
      if (r.status !== 201) throw new Error(`idle login answered ${r.status}`);
      idle.push(r.ms);
    }
    const t0 = process.hrtime.bigint();
    const flood = Array.from({ length: FLOOD }, (_, i) =>
      post(
        port,
        '/cb/users.json',
        { user: { login: `flood-${round}-${i}`, password: 'a long enough flood password' } },
        { 'cb-authkey': AUTH_KEY, 'x-forwarded-for': `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}` },
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    const legit = await login(port, '198.51.100.2');
    const answers = await Promise.all(flood);
    const floodMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const signups: Record<string, number> = {};
    for (const a of answers) signups[a.status] = (signups[a.status] ?? 0) + 1;
    return { setup, round, idleMs: median(idle), loginMs: legit.ms, loginStatus: legit.status, signups, floodMs };
  } finally {
    agent.destroy();
    agent = new Agent({ keepAlive: true, maxSockets: Infinity });
    await stopChild(server, { type: 'stop' });
  }
}

async function drive(rounds: number): Promise<FloodResult> {
  const { DEFAULT_MAX_QUEUE } = await import('@authmount/core');
  const out: FloodRound[] = [];
  for (let r = 1; r <= rounds; r++) {
    // Interleaved, the order flipped every round, so machine load hits both set-ups alike.
    for (const setup of (r % 2 ? ['before', 'after'] : ['after', 'before']) as Setup[]) out.push(await one(setup, r, DEFAULT_MAX_QUEUE));
  }
  const summarise = (s: Setup) => {
    const mine = out.filter((x) => x.setup === s);
    return {
      idleMs: median(mine.map((x) => x.idleMs)),
      loginMs: median(mine.map((x) => x.loginMs)),
      statuses: mine.map((x) => x.loginStatus),
      shed: median(mine.map((x) => x.signups['503'] ?? 0)),
    };
  };
  return {
    flood: FLOOD,
    rounds: out,
    summary: { before: summarise('before'), after: summarise('after') },
    maxQueueAfter: DEFAULT_MAX_QUEUE,
  };
}

async function main(): Promise<void> {
  if (process.argv[2] === 'serve') return serve(process.argv[3]);
  const result = await drive(Number(process.argv[2] ?? 3));
  process.send?.({ type: 'result', result }, () => process.exit(0));
}

main().catch((e: unknown) => {
  process.send?.({ type: 'error', message: e instanceof Error ? e.message : String(e) }, () => process.exit(1));
});

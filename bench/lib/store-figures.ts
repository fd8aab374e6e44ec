/**
 * Child process: store-level figures that need no HTTP.
 *   bytes  <redisUrl> <n>      Redis `used_memory` delta per token (authmount), with two peers' records
 *                              (the one-GETEX floor's key, a connect-redis session) as references.
 *   list   <redisUrl|-> <n>    `tokens.list(user)` latency with other users' tokens in the store.
 *   pgbytes <pgUrl> <n>        PostgreSQL table + index bytes per token (authmount), the one-statement floor's
 *                              row as a reference, and the Node heap the store keeps per token (run with --expose-gc).
 * Tokens are issued through core, as logins leave them.
 */
import type { AuthStore } from '@authmount/core';
import { createAuth, type Auth } from '@authmount/express';
import { memoryStore } from '@authmount/store-memory';
import { redisStore } from '@authmount/store-redis';
import { postgresStore } from '@authmount/store-postgres';
import Redis from 'ioredis';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { usedMemory } from './redis-procs';
import { median } from './stats';
import { SLIDE_TTL_MS, SLIDE_TTL_S } from './types';

export interface BytesResult {
  tokens: number;
  tokensPerUser: number;
  authmountBytesPerToken: number;
  keysPerToken: number;
  floorBytesPerToken: number;
  sessionBytesPerSession: number;
}

export interface PgBytesResult {
  tokens: number;
  tokensPerUser: number;
  /** Table (heap pages, incl. fillfactor slack and TOAST), indexes, and both, per token. */
  tableBytesPerToken: number;
  indexBytesPerToken: number;
  totalBytesPerToken: number;
  /** The floor's `floor_tokens` row (token text primary key, user id, expiry), table + index. */
  floorBytesPerToken: number;
  /** Node heap of the process holding the store, per token issued (the store keeps nothing per token). */
  heapBytesPerToken: number;
}

export interface ListCase {
  store: string;
  own: number;
  others: number;
  medianUs: number;
  p90Us: number;
}

const TOKENS = { idleTtl: SLIDE_TTL_MS, absoluteTtl: 7 * 24 * 3600_000 };

async function issueMany(auth: Auth, n: number, firstUser: number, perUser: number): Promise<void> {
  const users = Math.max(1, Math.ceil(n / perUser));
  for (let s = 0; s < n; s += 500) {
    const jobs: Array<Promise<unknown>> = [];
    for (let i = s; i < Math.min(n, s + 500); i++) jobs.push(auth.tokens.issue({ userId: firstUser + (i % users), device: 'bench' }));
    await Promise.all(jobs);
  }
}

async function settle(c: Redis): Promise<number> {
  // used_memory moves a little on its own (client buffers); read it after a short pause.
  await new Promise((r) => setTimeout(r, 200));
  return usedMemory(c);
}

async function bytes(url: string, n: number): Promise<BytesResult> {
  const c = new Redis(url);
  const perUser = 5;
  await c.flushall();
  const auth = createAuth({ store: redisStore({ url, prefix: 'bench:' }), tokens: TOKENS });
  await issueMany(auth, 10, 900_000_000, 1); // loads the scripts and the connection before the baseline
  const before = await settle(c);
  const keysBefore = await c.dbsize();
  await issueMany(auth, n, 1, perUser);
  const after = await settle(c);
  const keys = (await c.dbsize()) - keysBefore;
  await auth.close();

  // References: what the two Redis peers keep per credential, written the way they write it.
  await c.flushall();
  const f0 = await settle(c);
  for (let s = 0; s < n; s += 1000) {
    const p = c.pipeline();
    for (let i = s; i < Math.min(n, s + 1000); i++)
      p.set(`tok:${randomBytes(32).toString('base64url')}`, JSON.stringify({ userId: i + 1 }), 'EX', SLIDE_TTL_S);
    await p.exec();
  }
  const f1 = await settle(c);
  await c.flushall();
  const s0 = await settle(c);
  for (let s = 0; s < n; s += 1000) {
    const p = c.pipeline();
    for (let i = s; i < Math.min(n, s + 1000); i++) {
      const sess = {
        cookie: { originalMaxAge: SLIDE_TTL_MS, expires: new Date(Date.now() + SLIDE_TTL_MS).toISOString(), httpOnly: true, path: '/' },
        userId: i + 1,
      };
      p.set(`sess:${randomBytes(24).toString('base64url')}`, JSON.stringify(sess), 'EX', SLIDE_TTL_S);
    }
    await p.exec();
  }
  const s1 = await settle(c);
  await c.flushall();
  c.disconnect();
  return {
    tokens: n,
    tokensPerUser: perUser,
    authmountBytesPerToken: (after - before) / n,
    keysPerToken: keys / n,
    floorBytesPerToken: (f1 - f0) / n,
    sessionBytesPerSession: (s1 - s0) / n,
  };
}

async function relationBytes(c: pg.Client, table: string): Promise<{ table: number; indexes: number }> {
  const r = await c.query<{ t: string; i: string }>(`SELECT pg_table_size($1::regclass) AS t, pg_indexes_size($1::regclass) AS i`, [table]);
  return { table: Number(r.rows[0].t), indexes: Number(r.rows[0].i) };
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function pgBytes(url: string, n: number): Promise<PgBytesResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('DROP SCHEMA IF EXISTS bench CASCADE; DROP TABLE IF EXISTS public.floor_tokens');
  const perUser = 5;
  const store = postgresStore({ connectionString: url, schema: 'bench', sweepIntervalMs: 0 });
  await store.migrate();
  const auth = createAuth({ store, tokens: TOKENS });
  // Warm-up before the baseline: statements prepared, the pool's connections and buffers grown, code
  // optimised (with only a few tokens, that one-time growth would show as tens of bytes per token).
  await issueMany(auth, 2000, 900_000_000, 1);
  const before = await relationBytes(c, 'bench.tokens');
  const heap0 = heapUsed();
  await issueMany(auth, n, 1, perUser);
  const heap1 = heapUsed();
  const after = await relationBytes(c, 'bench.tokens');
  await auth.close();

  await c.query(
    'CREATE TABLE public.floor_tokens (token text PRIMARY KEY, user_id integer NOT NULL, expires_at bigint NOT NULL) WITH (fillfactor = 80)',
  );
  const f0 = await relationBytes(c, 'public.floor_tokens');
  for (let s = 0; s < n; s += 1000) {
    const values: unknown[] = [];
    const rows: string[] = [];
    for (let i = s; i < Math.min(n, s + 1000); i++) {
      values.push(randomBytes(32).toString('base64url'), i + 1, Date.now() + SLIDE_TTL_MS);
      rows.push(`($${values.length - 2}, $${values.length - 1}, $${values.length})`);
    }
    await c.query(`INSERT INTO public.floor_tokens VALUES ${rows.join(', ')}`, values);
  }
  const f1 = await relationBytes(c, 'public.floor_tokens');
  await c.query('DROP SCHEMA IF EXISTS bench CASCADE; DROP TABLE IF EXISTS public.floor_tokens');
  await c.end();
  return {
    tokens: n,
    tokensPerUser: perUser,
    tableBytesPerToken: (after.table - before.table) / n,
    indexBytesPerToken: (after.indexes - before.indexes) / n,
    totalBytesPerToken: (after.table + after.indexes - before.table - before.indexes) / n,
    floorBytesPerToken: (f1.table + f1.indexes - f0.table - f0.indexes) / n,
    heapBytesPerToken: (heap1 - heap0) / n,
  };
}

async function timeList(auth: Auth, userId: number, calls: number): Promise<{ med: number; p90: number }> {
  for (let i = 0; i < 20; i++) await auth.tokens.list(userId);
  const xs: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await auth.tokens.list(userId);
    xs.push((performance.now() - t) * 1000);
  }
  xs.sort((a, b) => a - b);
  return { med: median(xs), p90: xs[Math.floor(xs.length * 0.9)] };
}

/** One user's listing with 0 and with `others` tokens of other users in the store, and with 10× its own. */
async function list(url: string | undefined, others: number): Promise<ListCase[]> {
  const out: ListCase[] = [];
  const make = (): AuthStore => (url ? redisStore({ url, prefix: 'bench:' }) : memoryStore());
  const name = url ? 'redis' : 'memory';
  const cases: Array<[own: number, others: number]> = [
    [10, 0],
    [10, others],
    [100, others],
  ];
  for (const [own, oth] of cases) {
    if (url) {
      const c = new Redis(url);
      await c.flushall();
      c.disconnect();
    }
    const auth = createAuth({ store: make(), tokens: TOKENS });
    const me = 1;
    await issueMany(auth, own, me, own);
    await issueMany(auth, oth, 1000, 5);
    const r = await timeList(auth, me, 300);
    const listed = (await auth.tokens.list(me)).length;
    if (listed !== own) throw new Error(`list returned ${listed} tokens, expected ${own}`);
    out.push({ store: name, own, others: oth, medianUs: r.med, p90Us: r.p90 });
    await auth.close();
  }
  return out;
}

async function main(): Promise<void> {
  const [what, url, nArg] = process.argv.slice(2);
  const n = Number(nArg);
  const result =
    what === 'bytes' ? await bytes(url, n) : what === 'pgbytes' ? await pgBytes(url, n) : await list(url === '-' ? undefined : url, n);
  process.send?.({ type: 'result', result }, () => process.exit(0));
}

main().catch((e: unknown) => {
  process.send?.({ type: 'error', message: e instanceof Error ? e.message : String(e) }, () => process.exit(1));
});

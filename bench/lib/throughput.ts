import type { ChildProcess } from 'node:child_process';
import { MAX_SLIDE_GRANULARITY_MS } from '@authmount/core';
import type Redis from 'ioredis';
import * as path from 'node:path';
import type { HostReply, HostRequest } from './host';
import { closeClient, send } from './http-client';
import type { LoadConfig, LoadMessage, LoadResult } from './loadgen';
import { postgresPids, resetDatabase, resetStatements, statementCounts, type PostgresProc } from './postgres-procs';
import { allProcs, foreignUse, machineCpu, procCpuMs, type ForeignUse, type MachineCpu, type ProcSnapshot } from './procstat';
import { commandStats, monitorCounts, resetStats } from './redis-procs';
import type { ServerEntry } from './registry';
import { nextMessage, spawnTs, stopChild } from './spawn';
import type { ReqSpec, ServerContext } from './types';

/** CPU layout on the 2-core machine: the server alone on CPU 0; load generator and Redis share CPU 1. */
export const SERVER_CPU = 0;
export const LOADGEN_CPU = 1;

export interface SeriesConfig {
  rounds: number;
  warmMs: number;
  windowMs: number;
  connections: number;
  count: number;
  hot: number;
  /** Sequential requests for the exact Redis command count. */
  exactRequests: number;
  /** Repeat a run once when other processes used more than this % of one core in its window. */
  otherLimitPct: number;
  /** Write V8 CPU profiles of the servers' measured windows here. */
  profileDir?: string;
  /** Stop repeating runs once this much wall time (ms since start) has been used. */
  repeatBudgetMs: number;
  startedAt: number;
}

export interface RedisTarget {
  ctx: Pick<ServerContext, 'redisUrl' | 'clusterNodes'>;
  clients: Redis[];
  pids: number[];
}

/** The bench's private PostgreSQL, for the servers that run on it. */
export interface PgTarget {
  ctx: Pick<ServerContext, 'pgUrl'>;
  proc: PostgresProc;
}

export interface Run {
  round: number;
  server: string;
  ok: boolean;
  error?: string;
  discarded?: boolean;
  load?: LoadResult;
  serverCpuPct?: number;
  serverUsPerReq?: number;
  loadgenCpuPct?: number;
  redisCpuPct?: number;
  redisUsPerReq?: number;
  machineBusyPct?: number;
  otherCpuPct?: number;
  stealPct?: number;
  foreign?: ForeignUse[];
  redisCmdsPerReq?: number;
  redisCmds?: Record<string, number>;
  /** PostgreSQL: its processes' CPU over the window, and statements executed per 2xx response in it (pg_stat_statements). */
  pgCpuPct?: number;
  pgUsPerReq?: number;
  pgXactPerReq?: number;
  /**
   * Sequential exact count: client commands (round trips) and commands run inside scripts, per request.
   * For a PostgreSQL server: top-level statements per request (pg_stat_statements), by kind.
   */
  exact?: { perReq: number; cmds: Record<string, number>; scriptPerReq: number; scriptCmds: Record<string, number>; requests: number };
  preflight: string[];
  seedMs?: number;
  describe?: string;
}

interface Snap {
  t: bigint;
  server: number;
  loadgen: number;
  redis: number;
  machine: MachineCpu;
  procs: ProcSnapshot;
}

function snap(serverPid: number, loadgenPid: number, redisPids: number[]): Snap {
  return {
    t: process.hrtime.bigint(),
    server: procCpuMs(serverPid),
    loadgen: procCpuMs(loadgenPid),
    redis: redisPids.reduce((s, p) => s + procCpuMs(p), 0),
    machine: machineCpu(),
    procs: allProcs(),
  };
}

/** Start one server module (`servers/<name>` or `lib/...`) in a fresh process and wait until it listens. */
export async function startHost(
  module: string,
  ctx: ServerContext,
  hot: number,
  opts: { cpu?: number; loopMonitor?: boolean; root?: string } = {},
) {
  // A compared commit's tree (lib/compare-tree.ts) runs its own copy of this host, in its own directory.
  const root = opts.root ?? path.resolve(__dirname, '..', '..');
  const child = spawnTs(path.join(root, 'bench', 'lib', 'host.ts'), [module, JSON.stringify(ctx), String(hot)], {
    cpu: opts.cpu,
    cwd: root,
    env: {
      NODE_ENV: 'production',
      BENCH_LOOP_MONITOR: opts.loopMonitor ? '1' : '0',
      TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json'),
    },
  });
  const ready = await nextMessage<HostReply>(child, (m) => m.type === 'ready' || m.type === 'error', 180_000, `${module} start`);
  if (ready.type === 'error') {
    await stopChild(child);
    throw new Error(ready.message.split('\n')[0]);
  }
  return { child, ready: ready as Extract<HostReply, { type: 'ready' }> };
}

let seq = 0;

/** Server-side event-loop delay since the last reset (hosts started with loopMonitor). */
export async function loopDelay(child: ChildProcess, reset: boolean): Promise<{ p50: number; p99: number; max: number }> {
  const s = ++seq;
  child.send({ type: 'loop', seq: s } satisfies HostRequest);
  const m = await nextMessage<HostReply>(child, (r) => r.type === 'loop' && r.seq === s, 10_000, 'loop');
  if (reset) child.send({ type: 'loop-reset' } satisfies HostRequest);
  if (m.type !== 'loop') throw new Error('bad reply');
  return { p50: m.p50, p99: m.p99, max: m.max };
}
async function deadlineOf(child: ChildProcess, index: number): Promise<number> {
  const s = ++seq;
  child.send({ type: 'deadline', index, seq: s } satisfies HostRequest);
  const m = await nextMessage<HostReply>(child, (r) => r.type === 'deadline' && r.seq === s, 10_000, 'deadline');
  if (m.type !== 'deadline' || m.value === undefined) throw new Error(m.type === 'deadline' ? (m.error ?? 'no value') : 'bad reply');
  return m.value;
}

async function countsOf(child: ChildProcess): Promise<{ requests: number; served: number }> {
  const s = ++seq;
  child.send({ type: 'counts', seq: s } satisfies HostRequest);
  const m = await nextMessage<HostReply>(child, (r) => r.type === 'counts' && r.seq === s, 10_000, 'counts');
  if (m.type !== 'counts') throw new Error('bad reply');
  return m;
}

async function quiet(child: ChildProcess): Promise<void> {
  let last = -1;
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const c = await countsOf(child);
    if (c.requests === last) return;
    last = c.requests;
  }
}

/** Checks every server must pass before it is measured: a broken server must not produce a number. */
export async function preflight(port: number, child: ChildProcess, ready: Extract<HostReply, { type: 'ready' }>): Promise<string[]> {
  const out: string[] = [];
  const first = ready.hot[0];
  const r = await send(port, first.request);
  let body: { userId?: unknown } = {};
  try {
    body = JSON.parse(r.body) as { userId?: unknown };
  } catch {
    // checked below
  }
  if (r.status !== 200 || body.userId !== first.userId) {
    throw new Error(`preflight: valid credentials answered ${r.status} ${r.body.slice(0, 80)} (want 200 + user ${first.userId})`);
  }
  out.push('valid credentials → 200 + correct user id');
  if (ready.missing && ready.invalid) {
    const want = ready.refusal;
    const refused = (x: { status: number; body: string }) =>
      x.status === want.status && (want.bodyIncludes === undefined || x.body.includes(want.bodyIncludes));
    const a = await send(port, ready.missing);
    const b = await send(port, ready.invalid);
    const label = `${want.status}${want.bodyIncludes ? ` + ${want.bodyIncludes}` : ''}`;
    if (!refused(a) || !refused(b)) {
      throw new Error(
        `preflight: missing → ${a.status} ${a.body.slice(0, 60)}, invalid → ${b.status} ${b.body.slice(0, 60)} (want ${label})`,
      );
    }
    out.push(`missing / invalid credentials → ${label}`);
  }
  if (ready.canSlide) {
    const idx = ready.hot[1 % ready.hot.length].index;
    const cred = ready.hot[1 % ready.hot.length].request;
    // A store may skip a slide that would move the deadline by less than its granularity (core's
    // slideGranularity, ≤ MAX_SLIDE_GRANULARITY_MS): if 50 ms moved nothing, wait out the granularity once.
    for (const pause of [50, MAX_SLIDE_GRANULARITY_MS + 50]) {
      const before = await deadlineOf(child, idx);
      await new Promise((res) => setTimeout(res, pause));
      const s = await send(port, cred);
      const after = await deadlineOf(child, idx);
      if (s.status === 200 && after - before >= pause / 2) {
        out.push(`one request slides the expiry (deadline moved +${Math.round(after - before)} ms after a ${pause} ms pause)`);
        break;
      }
      if (pause > 50)
        throw new Error(`preflight: one request did not slide the expiry (deadline moved ${after - before} ms in ${pause} ms)`);
    }
  }
  return out;
}

/**
 * The authoritative per-request count: with the load stopped, `n` sequential requests under MONITOR,
 * split into commands the server sent (round trips) and commands its scripts ran inside Redis.
 */
async function exactCount(port: number, hot: ReqSpec[], n: number, redis: RedisTarget) {
  const counts = await monitorCounts(redis.clients, async () => {
    for (let i = 0; i < n; i++) {
      const r = await send(port, hot[i % hot.length]);
      if (r.status !== 200) throw new Error(`exact count: request answered ${r.status}`);
    }
  });
  const per = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v / n]));
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0) / n;
  return {
    perReq: sum(counts.client),
    cmds: per(counts.client),
    scriptPerReq: sum(counts.script),
    scriptCmds: per(counts.script),
    requests: n,
  };
}

/** The same for PostgreSQL: `n` sequential requests, top-level statements counted by pg_stat_statements. */
async function exactPgCount(port: number, hot: ReqSpec[], n: number, pgt: PgTarget) {
  await resetStatements(pgt.proc);
  for (let i = 0; i < n; i++) {
    const r = await send(port, hot[i % hot.length]);
    if (r.status !== 200) throw new Error(`exact count: request answered ${r.status}`);
  }
  const counts = await statementCounts(pgt.proc);
  const per = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / n]));
  return { perReq: Object.values(counts).reduce((x, y) => x + y, 0) / n, cmds: per, scriptPerReq: 0, scriptCmds: {}, requests: n };
}

async function flush(redis: RedisTarget): Promise<void> {
  await Promise.all(redis.clients.map((c) => c.flushall()));
}

/** The load generator process shared by every run of a series, pinned next to Redis. */
export function startLoadgen(): ChildProcess {
  return spawnTs(path.join(__dirname, 'loadgen.ts'), [], { cpu: LOADGEN_CPU });
}

/** One server, one fresh process, one continuous load: warm-up, then the measured window. */
/** A server of the series: a registry entry, or its twin running a compared commit's code (`name@sha`). */
export type SeriesEntry = ServerEntry & { module?: string; root?: string };

export async function runOnce(
  entry: SeriesEntry,
  round: number,
  cfg: SeriesConfig,
  ctxBase: ServerContext,
  loadgen: ChildProcess,
  redis?: RedisTarget,
  pgt?: PgTarget,
): Promise<Run> {
  const run: Run = { round, server: entry.name, ok: false, preflight: [] };
  let host: Awaited<ReturnType<typeof startHost>> | undefined;
  let onWindow: ((m: LoadMessage) => void) | undefined;
  try {
    if (redis) await flush(redis);
    if (pgt) await resetDatabase(pgt.proc);
    const ctx: ServerContext = { ...ctxBase, ...(redis?.ctx ?? {}), ...(pgt?.ctx ?? {}) };
    host = await startHost(`servers/${entry.module ?? entry.name}`, ctx, cfg.hot, { cpu: SERVER_CPU, root: entry.root });
    const { child, ready } = host;
    run.seedMs = ready.seedMs;
    run.describe = ready.describe;
    run.preflight = await preflight(ready.port, child, ready);

    const lg = loadgen;
    const serverPid = child.pid!;
    // Store processes (Redis, or PostgreSQL's postmaster and backends): their CPU is not "other" CPU.
    let redisPids = redis?.pids ?? [];
    let pgStatements = 0;
    let a: Snap | undefined;
    let b: Snap | undefined;
    let cmds: Record<string, number> | undefined;
    const pending: Array<Promise<void>> = [];
    onWindow = (m: LoadMessage) => {
      if (m.type === 'window-start') {
        if (cfg.profileDir) child.send({ type: 'profile-start' } satisfies HostRequest);
        if (pgt) redisPids = postgresPids(pgt.proc); // the pool's backends are open after the warm-up
        a = snap(serverPid, lg.pid!, redisPids);
        if (redis) pending.push(resetStats(redis.clients));
        if (pgt) pending.push(resetStatements(pgt.proc));
      } else if (m.type === 'window-end') {
        b = snap(serverPid, lg.pid!, redisPids);
        if (cfg.profileDir) {
          const s = ++seq;
          const file = path.join(cfg.profileDir, `${entry.name}-r${round}.cpuprofile`);
          child.send({ type: 'profile-stop', file, seq: s } satisfies HostRequest);
          pending.push(nextMessage<HostReply>(child, (r) => r.type === 'profiled' && r.seq === s, 30_000, 'profile').then(() => undefined));
        }
        if (redis) pending.push(commandStats(redis.clients).then((c) => void (cmds = c)));
        if (pgt) pending.push(statementCounts(pgt.proc).then((c) => void (pgStatements = Object.values(c).reduce((x, y) => x + y, 0))));
      }
    };
    lg.on('message', onWindow);
    const config: LoadConfig = {
      port: ready.port,
      requests: ready.hot.map((h) => h.request),
      connections: cfg.connections,
      warmMs: cfg.warmMs,
      windowMs: cfg.windowMs,
      announce: true,
    };
    lg.send(config);
    const res = await nextMessage<LoadMessage>(
      lg,
      (m) => m.type === 'result' || m.type === 'error',
      cfg.warmMs + cfg.windowMs + 60_000,
      `${entry.name} load`,
    );
    await Promise.all(pending);
    if (res.type === 'error') throw new Error(`load generator: ${res.message}`);
    if (res.type !== 'result' || !a || !b) throw new Error('load generator: no window');
    const load = res.result;
    run.load = load;
    const ms = Number(b.t - a.t) / 1e6;
    const serverMs = b.server - a.server;
    const loadgenMs = b.loadgen - a.loadgen;
    const redisMs = b.redis - a.redis;
    const busyMs = b.machine.busy - a.machine.busy;
    const totalMs = b.machine.total - a.machine.total;
    run.serverCpuPct = (serverMs / ms) * 100;
    run.serverUsPerReq = (serverMs * 1000) / load.ok;
    run.loadgenCpuPct = (loadgenMs / ms) * 100;
    run.redisCpuPct = redis ? (redisMs / ms) * 100 : undefined;
    run.redisUsPerReq = redis ? (redisMs * 1000) / load.ok : undefined;
    run.pgCpuPct = pgt ? (redisMs / ms) * 100 : undefined;
    run.pgUsPerReq = pgt ? (redisMs * 1000) / load.ok : undefined;
    run.pgXactPerReq = pgt ? pgStatements / load.ok : undefined;
    run.machineBusyPct = (busyMs / totalMs) * 100;
    run.otherCpuPct = Math.max(0, ((busyMs - serverMs - loadgenMs - redisMs) / ms) * 100);
    run.stealPct = ((b.machine.steal - a.machine.steal) / totalMs) * 100;
    run.foreign = foreignUse(a.procs, b.procs, new Set([serverPid, lg.pid!, process.pid, ...redisPids]), 4);
    if (redis && cmds) {
      run.redisCmds = cmds;
      run.redisCmdsPerReq = Object.values(cmds).reduce((x, y) => x + y, 0) / load.ok;
      // Requests still queued in the server when the load generator closed its sockets are still being
      // answered (and are sending Redis commands): wait until the server is quiet before counting.
      await quiet(child);
      run.exact = await exactCount(
        ready.port,
        ready.hot.map((h) => h.request),
        cfg.exactRequests,
        redis,
      );
    }
    if (pgt) {
      await quiet(child);
      run.exact = await exactPgCount(
        ready.port,
        ready.hot.map((h) => h.request),
        cfg.exactRequests,
        pgt,
      );
    }
    const counts = await countsOf(child);
    // Every request of the run but the refused preflight ones must have reached the protected handler.
    const unserved = counts.requests - counts.served - (ready.missing && ready.invalid ? 2 : 0);
    if (unserved !== 0) throw new Error(`${unserved} request(s) did not reach the protected handler (refused with HTTP 2xx?)`);
    if (load.non2xx > 0 || load.errors > 0) {
      throw new Error(`${load.non2xx} non-2xx (${JSON.stringify(load.statuses)}) and ${load.errors} errors under load`);
    }
    run.ok = true;
  } catch (e) {
    run.error = e instanceof Error ? e.message : String(e);
  } finally {
    if (onWindow) loadgen.off('message', onWindow);
    if (host) await stopChild(host.child, { type: 'stop' } satisfies HostRequest);
    closeClient();
  }
  return run;
}

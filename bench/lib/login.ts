import * as path from 'node:path';
import type { HostRequest } from './host';
import type { LoadConfig, LoadMessage, LoadResult } from './loadgen';
import type { LoginRatioResult } from './login-ratio';
import { STORM_USER } from './login-server';
import { median } from './stats';
import { nextMessage, spawnTs, stopChild } from './spawn';
import { LOADGEN_CPU, loopDelay, preflight, startHost, startLoadgen } from './throughput';
import type { ReqSpec } from './types';
import type { ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';

export interface LoginConfig {
  rounds: number;
  /** Length of each in-process rate measurement. */
  ratioMs: number;
  /** `/me` measurement window, idle and during the storm. */
  windowMs: number;
  /** Fixed `/me` request rate (well below saturation, so p99 reflects stalls, not queueing). */
  meRate: number;
  /** Warm-up of each `/me` run, and how long the storm runs before the `/me` run starts. */
  meWarmMs: number;
  stormRampMs: number;
  stormConnections: number;
  /** Also run the storm with this hashing concurrency (to show what leaving a core to the event loop buys). */
  altConcurrency?: number;
}

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export interface StormRound {
  idle: LoadResult;
  storm: LoadResult;
  logins: LoadResult;
  /** Server event-loop delay during the idle and the storm /me runs. */
  idleLoop: LoopDelay;
  stormLoop: LoopDelay;
}

export interface StormResult {
  hashConcurrency: number;
  rounds: StormRound[];
  idleP99: number;
  stormP99: number;
  loginsPerSec: number;
  factor: number;
  idleLoopP99: number;
  stormLoopP99: number;
  preflight: string[];
}

export interface LoginResults {
  ratio?: LoginRatioResult;
  ratioError?: string;
  storm?: StormResult;
  /** The same storm with another hashing concurrency (core's `hashing.maxConcurrent`). */
  altStorm?: StormResult;
  stormError?: string;
}

export async function loginRatio(cfg: LoginConfig): Promise<LoginRatioResult> {
  // Unpinned: argon2 runs on libuv's thread pool and should get both cores, as in production.
  const child = spawnTs(path.join(__dirname, 'login-ratio.ts'), [String(cfg.rounds), String(cfg.ratioMs)]);
  type Msg = { type: 'result'; result: LoginRatioResult } | { type: 'error'; message: string };
  const m = await nextMessage<Msg>(child, () => true, cfg.rounds * cfg.ratioMs * 3 + 60_000, 'login ratio');
  await stopChild(child);
  if (m.type === 'error') throw new Error(m.message);
  return m.result;
}

async function load(lg: ChildProcess, cfg: LoadConfig): Promise<LoadResult> {
  lg.send(cfg);
  const m = await nextMessage<LoadMessage>(
    lg,
    (x) => x.type === 'result' || x.type === 'error',
    cfg.warmMs + cfg.windowMs + 60_000,
    'load',
  );
  if (m.type === 'error') throw new Error(m.message);
  if (m.type !== 'result') throw new Error('no result');
  return m.result;
}

/**
 * `/me` p99 at a fixed rate, idle and while a login storm keeps argon2 busy, rounds interleaved. The
 * server is unpinned (its argon2 threads use both cores, as in production); both load generators share
 * CPU 1, as in the throughput series.
 */
export async function loginStorm(cfg: LoginConfig, hashConcurrency?: number): Promise<StormResult> {
  const host = await startHost('lib/login-server', { count: 200, hashConcurrency }, 50, { loopMonitor: true });
  const me = startLoadgen();
  const storm = spawnTs(path.join(__dirname, 'loadgen.ts'), [], { cpu: LOADGEN_CPU });
  try {
    const checks = await preflight(host.ready.port, host.child, host.ready);
    const meReq: ReqSpec[] = host.ready.hot.map((h) => h.request);
    const loginReq: ReqSpec = {
      method: 'POST',
      path: '/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: STORM_USER.login, password: STORM_USER.password }),
    };
    const meCfg: LoadConfig = {
      port: host.ready.port,
      requests: meReq,
      connections: 10,
      warmMs: cfg.meWarmMs,
      windowMs: cfg.windowMs,
      paced: cfg.meRate,
      announce: false,
    };
    const rounds: StormRound[] = [];
    for (let r = 0; r < cfg.rounds; r++) {
      await loopDelay(host.child, true);
      const idle = await load(me, meCfg);
      const idleLoop = await loopDelay(host.child, true);
      // The storm ramps up first, then covers the whole /me run (warm-up + window) and 0.5 s more.
      const stormRun = load(storm, {
        port: host.ready.port,
        requests: [loginReq],
        connections: cfg.stormConnections,
        warmMs: cfg.stormRampMs,
        windowMs: meCfg.warmMs + cfg.windowMs + 500,
        announce: false,
      });
      await new Promise((res) => setTimeout(res, cfg.stormRampMs));
      await loopDelay(host.child, true);
      const during = await load(me, meCfg);
      const stormLoop = await loopDelay(host.child, true);
      const logins = await stormRun;
      rounds.push({ idle, storm: during, logins, idleLoop, stormLoop });
    }
    const idleP99 = median(rounds.map((x) => x.idle.p99));
    const stormP99 = median(rounds.map((x) => x.storm.p99));
    return {
      hashConcurrency: hashConcurrency ?? cpus().length,
      rounds,
      idleP99,
      stormP99,
      loginsPerSec: median(rounds.map((x) => x.logins.rps)),
      factor: median(rounds.map((x) => x.storm.p99 / x.idle.p99)),
      idleLoopP99: median(rounds.map((x) => x.idleLoop.p99)),
      stormLoopP99: median(rounds.map((x) => x.stormLoop.p99)),
      preflight: checks,
    };
  } finally {
    await stopChild(me);
    await stopChild(storm);
    await stopChild(host.child, { type: 'stop' } satisfies HostRequest);
  }
}

export async function runLogin(cfg: LoginConfig): Promise<LoginResults> {
  const out: LoginResults = {};
  try {
    out.ratio = await loginRatio(cfg);
  } catch (e) {
    out.ratioError = e instanceof Error ? e.message : String(e);
  }
  try {
    out.storm = await loginStorm(cfg);
    if (cfg.altConcurrency) out.altStorm = await loginStorm(cfg, cfg.altConcurrency);
  } catch (e) {
    out.stormError = e instanceof Error ? e.message : String(e);
  }
  return out;
}

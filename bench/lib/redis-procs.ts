import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';

/**
 * Private Redis servers for the bench (never the shared 127.0.0.1:6379): nothing else writes to them, so
 * `INFO commandstats` and `INFO memory` deltas are ours alone. No persistence; pinned with taskset when
 * a CPU is given.
 */

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** `n` consecutive free ports whose cluster-bus twins (+10000) are free too. */
export async function freePorts(n: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 9000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = (await portFree(base + i)) && (await portFree(base + i + 10000));
    if (ok) return base;
  }
  throw new Error('no free port range found');
}

export function redisServerVersion(): string | null {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return /v=(\S+)/.exec(r.stdout)?.[1] ?? r.stdout.trim();
}

export interface RedisProc {
  port: number;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

function pinned(cpu: number | undefined, cmd: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [cmd, args] : ['taskset', ['-c', String(cpu), cmd, ...args]];
}

async function waitPing(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited (${child.exitCode})`);
    const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.ping();
      c.disconnect();
      return;
    } catch {
      c.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

export async function startRedis(port: number, opts: { cpu?: number; cluster?: boolean } = {}): Promise<RedisProc> {
  const dir = mkdtempSync(path.join(tmpdir(), 'authmount-bench-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'];
  if (opts.cluster) args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000');
  const [cmd, argv] = pinned(opts.cpu, 'redis-server', args);
  const child = spawn(cmd, argv, { stdio: 'ignore' });
  await waitPing(port, child);
  return {
    port,
    pid: child.pid!,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  nodes: RedisProc[];
  stop(): Promise<void>;
}

/** Three masters, no replicas, slots spread by `redis-cli --cluster create`. */
export async function startCluster(cpu?: number, masters = 3): Promise<RedisCluster> {
  const base = await freePorts(masters);
  const nodes: RedisProc[] = [];
  try {
    for (let i = 0; i < masters; i++) nodes.push(await startRedis(base + i, { cpu, cluster: true }));
    const r = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (r.status !== 0) throw new Error(`redis-cli --cluster create failed: ${(r.stderr || r.stdout).slice(0, 300)}`);
    const deadline = Date.now() + 15_000;
    for (const n of nodes) {
      const c = new Redis({ port: n.port, host: '127.0.0.1' });
      try {
        for (;;) {
          const info = await c.cluster('INFO');
          if (/cluster_state:ok/.test(String(info))) break;
          if (Date.now() > deadline) throw new Error('cluster did not reach cluster_state:ok');
          await new Promise((res) => setTimeout(res, 100));
        }
      } finally {
        c.disconnect();
      }
    }
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw e;
  }
  return { nodes, stop: async () => void (await Promise.all(nodes.map((n) => n.stop()))) };
}

/** The bench's own bookkeeping commands, left out of every count. */
const OURS = new Set(['info', 'config', 'ping', 'cluster', 'monitor', 'flushall', 'client', 'select']);

/**
 * Per-command call counts from `INFO commandstats`, without our own bookkeeping commands. Redis counts
 * the commands a Lua script runs (`redis.call`) here too, next to the EVALSHA that ran it.
 */
export async function commandStats(clients: Redis[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of clients) {
    const text = await c.info('commandstats');
    for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      const cmd = m[1];
      if (OURS.has(cmd.split('|')[0])) continue;
      out[cmd] = (out[cmd] ?? 0) + Number(m[2]);
    }
  }
  return out;
}

export async function resetStats(clients: Redis[]): Promise<void> {
  await Promise.all(clients.map((c) => c.config('RESETSTAT')));
}

export async function usedMemory(c: Redis): Promise<number> {
  const text = await c.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(text)?.[1]);
}

export interface MonitorCounts {
  /** Commands sent by clients (each one a round trip, or part of a pipeline). */
  client: Record<string, number>;
  /** Commands run inside Lua scripts (no round trip of their own). */
  script: Record<string, number>;
}

/**
 * Count commands with MONITOR while `work` runs, split into client commands and commands run by
 * scripts. MONITOR is costly, so it is only used for the sequential exact count, never under load.
 * Arguments are inspected for nothing but the command name, and never stored.
 */
export async function monitorCounts(clients: Redis[], work: () => Promise<void>): Promise<MonitorCounts> {
  const counts: MonitorCounts = { client: {}, script: {} };
  const monitors = await Promise.all(clients.map((c) => c.monitor()));
  for (const m of monitors) {
    m.on('monitor', (_time: string, args: string[], source: string) => {
      const cmd = String(args[0]).toLowerCase();
      if (OURS.has(cmd)) return;
      const bucket = source === 'lua' ? counts.script : counts.client;
      bucket[cmd] = (bucket[cmd] ?? 0) + 1;
    });
  }
  try {
    await work();
    // MONITOR lines may trail the replies a little.
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    for (const m of monitors) m.disconnect();
  }
  return counts;
}

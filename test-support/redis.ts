import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { dependencyMissing, isCI, skippedTitle } from './ci';

/**
 * Redis for tests.
 *
 * - The SHARED Redis (protocol tests through testStores(), the Redis conformance suite) is found or
 *   started once per jest run by the global setup (test-support/redis-global-setup.ts): REDIS_URL (default
 *   redis://127.0.0.1:6379) if it answers PING, else a redis-server of our own on a free port. Its URL is
 *   handed to the test workers in AUTHMOUNT_TEST_REDIS_URL. Every store made for a test gets a unique key
 *   prefix (uniquePrefix), so parallel files and parallel runs never see each other's keys.
 * - PRIVATE servers (outage, command counting) and a 3-master CLUSTER are started by the test files that
 *   need them, on free ports, and torn down in afterAll (and killed at process exit whatever happens).
 * - With no Redis and no redis-server: outside CI the Redis tests are registered as SKIPPED (every test
 *   of the block counts in the summary, the reason is in the title and printed); under CI (ci.ts) that is
 *   an error, never a silent skip.
 */

export const SHARED_URL_ENV = 'AUTHMOUNT_TEST_REDIS_URL';
export const SKIP_REASON_ENV = 'AUTHMOUNT_TEST_REDIS_SKIP';

/** Outside CI: print why Redis tests are skipped. Under CI: throw. */
export function redisUnavailable(reason: string): void {
  dependencyMissing('REDIS TESTS', reason, 'Start a Redis (or put redis-server on PATH) to run them.');
}

/** Why the shared Redis is missing in this run (set by the global setup), for skip titles. */
export function sharedRedisSkipReason(): string {
  return process.env[SKIP_REASON_ENV] ?? 'the jest global setup did not provide a Redis (was jest.config.ts used?)';
}

// ---------------------------------------------------------------------------------------------------------
// The shared Redis

/** The shared Redis URL for this run, or null when Redis tests must be skipped (the reason was printed). */
export function sharedRedisUrl(): string | null {
  const url = process.env[SHARED_URL_ENV];
  if (url) return url;
  if (isCI()) throw new Error(`Redis tests cannot run under CI: ${sharedRedisSkipReason()}`);
  return null;
}

const RUN_ID = randomBytes(4).toString('hex');
let prefixCounter = 0;

/** A key prefix no other store, test file or run uses: "amtest:<run>:<pid>:<n>:". */
export function uniquePrefix(label = 't'): string {
  return `amtest:${RUN_ID}:${process.pid}:${label}${++prefixCounter}:`;
}

async function ping(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    await shut(client);
  }
}

/** Close a helper connection without leaving ioredis' 2 s destroy timer behind (see store-redis connection.ts). */
async function shut(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => undefined);
  else if (client.status !== 'end') client.disconnect();
}

export interface SharedRedis {
  url: string;
  /** Set when this process started the server (it stops it at teardown). */
  server?: RedisServer;
}

/** Used by the global setup: the configured Redis if it answers, else one of our own, else null. */
export async function findOrStartSharedRedis(): Promise<SharedRedis | { skip: string }> {
  const configured = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  if (await ping(configured)) return { url: configured };
  if (!redisServerAvailable()) return { skip: `no Redis answers at ${configured} and redis-server is not on PATH` };
  const server = await startRedisServer();
  return { url: server.url, server };
}

// ---------------------------------------------------------------------------------------------------------
// Private servers

let binaryChecked: boolean | undefined;
export function redisServerAvailable(): boolean {
  binaryChecked ??= spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  return binaryChecked;
}

const children = new Set<ChildProcess>();
let exitHooked = false;
/** Whatever happens to the test process, no redis-server it spawned outlives it. Registered on first spawn. */
function killChildrenAtExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const c of children) c.kill('SIGKILL');
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (+10000) is free too. */
async function freeClusterPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await freePort();
    if (p < 55535 && (await portFree(p + 10000))) return p;
  }
  throw new Error('no free port pair for a cluster node');
}

/** Spawn redis-server with `args` and resolve once its log matches `ready` (bounded). */
async function spawnRedis(args: string[], ready: RegExp, label: string): Promise<ChildProcess> {
  killChildrenAtExit();
  const c = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(c);
  c.once('exit', () => children.delete(c));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${label} did not start:\n${out}`)), 15_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        c.stdout?.off('data', onData);
        c.stdout?.resume(); // keep draining the log so the pipe never blocks the server
        resolve();
      }
    };
    c.stdout?.on('data', onData);
    c.stderr?.resume();
    c.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code}:\n${out}`));
    });
  });
  return c;
}

const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => c.once('exit', () => resolve()));

async function kill(c: ChildProcess | undefined): Promise<void> {
  if (c && c.exitCode === null && c.signalCode === null) {
    c.kill('SIGCONT');
    c.kill('SIGKILL');
    await exited(c);
  }
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Graceful stop that SAVES the dataset (SHUTDOWN SAVE), so a later start() comes back with the data. */
  stop(): Promise<void>;
  /** Start again on the same port and directory (after stop()). */
  start(): Promise<void>;
  /** Freeze the process (SIGSTOP): connections stay open but nothing answers — a "slow" Redis. */
  pause(): void;
  resume(): void;
  /** Kill it for good and remove its directory. */
  close(): Promise<void>;
}

interface ServerSpec {
  port?: number;
  extraArgs?: string[];
}

/** Spawn redis-server on a free port (no persistence unless stopped with stop()), ready to accept connections. */
export async function startRedisServer(spec: ServerSpec = {}): Promise<RedisServer> {
  const port = spec.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), `amredis-${port}-`));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--dbfilename',
    'dump.rdb',
    ...(spec.extraArgs ?? []),
  ];
  let child: ChildProcess | undefined;

  const launch = async () => {
    child = await spawnRedis(args, /Ready to accept connections/, `redis-server on ${port}`);
  };

  await launch();
  const url = `redis://127.0.0.1:${port}`;
  return {
    port,
    url,
    async stop() {
      const c = child!;
      const admin = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
      admin.on('error', () => undefined);
      const ended = new Promise((resolve) => admin.once('end', resolve));
      await admin.call('SHUTDOWN', 'SAVE').catch(() => undefined); // the connection drops as it exits
      await Promise.all([ended, exited(c)]);
    },
    start: launch,
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async close() {
      await kill(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisSentinel {
  readonly port: number;
  close(): Promise<void>;
}

/** A Sentinel (redis-server --sentinel) on a free port, monitoring `master` under `name` (quorum 1). */
export async function startRedisSentinel(master: RedisServer, name: string): Promise<RedisSentinel> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `amsentinel-${port}-`));
  const conf = join(dir, 'sentinel.conf'); // Sentinel rewrites its config file: it must be writable
  writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor ${name} 127.0.0.1 ${master.port} 1\n`);
  const child = await spawnRedis([conf, '--sentinel'], /\+monitor master/, `redis sentinel on ${port}`);
  return {
    port,
    async close() {
      await kill(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisClusterHandle {
  nodes: Array<{ host: string; port: number }>;
  close(): Promise<void>;
}

/** A real Redis Cluster of `masters` masters (no replicas) on free local ports, state ok. */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freeClusterPort();
      servers.push(
        await startRedisServer({
          port,
          extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000'],
        }),
      );
    }
    const addrs = servers.map((s) => `127.0.0.1:${s.port}`);
    const res = spawnSync('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${res.stdout}\n${res.stderr}`);
    await waitClusterOk(servers.map((s) => s.url));
    return {
      nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
      close: async () => {
        await Promise.all(servers.map((s) => s.close()));
      },
    };
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    throw e;
  }
}

/** Cluster state propagates by gossip: poll each node (bounded) until it reports cluster_state:ok. */
async function waitClusterOk(urls: string[]): Promise<void> {
  const until = Date.now() + 20_000;
  for (const url of urls) {
    const c = new Redis(url, { maxRetriesPerRequest: 0 });
    c.on('error', () => undefined);
    try {
      for (;;) {
        const info = (await c.call('CLUSTER', 'INFO')) as string;
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > until) throw new Error(`cluster not ok in time:\n${info}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await shut(c);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// jest helpers

/** Passed to a skipped block's body, which only registers its tests (no hook or test of it runs). */
const NO_REDIS_URL = 'redis://redis-unavailable.invalid:0';

/**
 * `describe` when the shared Redis is available, else the same block SKIPPED: its tests are registered
 * (so the summary counts each one as skipped), the title says why, and a loud message is printed; an error
 * under CI.
 */
export function describeWithSharedRedis(name: string, fn: (url: string) => void): void {
  const url = sharedRedisUrl();
  if (url) return describe(name, () => fn(url));
  const reason = sharedRedisSkipReason();
  redisUnavailable(reason);
  describe.skip(skippedTitle(name, reason), () => fn(NO_REDIS_URL));
}

/** `describe` when redis-server can be spawned (private servers, cluster), else SKIPPED as above / CI error. */
export function describeWithRedisServer(name: string, fn: () => void): void {
  if (redisServerAvailable()) return describe(name, fn);
  const reason = 'redis-server is not on PATH (needed for private servers and the cluster)';
  redisUnavailable(reason);
  describe.skip(skippedTitle(name, reason), fn);
}

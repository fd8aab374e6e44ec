import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { isCI } from './ci';

/**
 * PostgreSQL for tests.
 *
 * - The SHARED server: AUTHMOUNT_TEST_PG_URL, else PGURL/DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test
 *   (trust authentication). The jest global setup checks once per run that it answers (and that a
 *   schema can be created) and hands the URL to the workers in AUTHMOUNT_TEST_PG_URL. Every store made
 *   for a test gets a schema of its own (uniqueSchema) and drops it on close, so parallel files and
 *   parallel runs never see each other's tables.
 * - PRIVATE servers (the outage test, the bench): initdb into a temporary directory and pg_ctl on a free
 *   port, so a test can stop and start a real server without touching the shared one others use.
 * - Without a PostgreSQL: outside CI the PostgreSQL tests are skipped with a loud message; under CI=true
 *   that is an error, never a silent skip (.ci/run starts the server).
 */

export const PG_URL_ENV = 'AUTHMOUNT_TEST_PG_URL';
export const PG_SKIP_ENV = 'AUTHMOUNT_TEST_PG_SKIP';

function banner(lines: string[]): string {
  const bar = '!'.repeat(78);
  return ['', bar, ...lines.map((l) => `!! ${l}`), bar, ''].join('\n');
}

/** Outside CI: print why PostgreSQL tests are skipped. Under CI: throw. */
export function postgresUnavailable(reason: string): void {
  if (isCI()) throw new Error(`PostgreSQL tests cannot run under CI=true: ${reason}`);
  console.warn(banner([`POSTGRESQL TESTS SKIPPED: ${reason}`, 'Start PostgreSQL (see .ci/run) to run them.']));
}

export function configuredPostgresUrl(): string {
  return process.env.PGURL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
}

/** Used by the global setup: null when the server answers and a schema can be created, else why not. */
export async function probePostgres(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const schema = `amprobe_${randomBytes(4).toString('hex')}`;
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`DROP SCHEMA ${schema}`);
    return null;
  } catch (e) {
    return `no usable PostgreSQL at ${url.replace(/:[^:@/]*@/, ':***@')}: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The shared PostgreSQL URL for this run, or null when PostgreSQL tests must be skipped (reason printed). */
export function sharedPostgresUrl(): string | null {
  const url = process.env[PG_URL_ENV];
  if (url) return url;
  const reason = process.env[PG_SKIP_ENV] ?? 'the jest global setup did not check PostgreSQL (was jest.config.ts used?)';
  if (isCI()) throw new Error(`PostgreSQL tests cannot run under CI=true: ${reason}`);
  return null;
}

/** Why the shared PostgreSQL is not available (for the skipped tests' titles). */
export function sharedPostgresSkipReason(): string {
  return process.env[PG_SKIP_ENV] ?? 'no PostgreSQL was found';
}

/** Set by the global setup for the whole run, so the teardown can drop whatever schema a run left. */
export const RUN_ENV = 'AUTHMOUNT_TEST_PG_RUN';
const runId = () => (process.env[RUN_ENV] ??= randomBytes(3).toString('hex'));
let schemaCounter = 0;

/** A schema name no other store, test file or run uses: "amtest_<run>_<pid>_<label><n>". */
export function uniqueSchema(label = 't'): string {
  return `amtest_${runId()}_${process.pid}_${label}${++schemaCounter}`;
}

/** Drop every schema this run created (global teardown: stores a test forgot to close). */
export async function dropRunSchemas(url: string, run: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ s: string }>(`SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE $1`, [
      `amtest\\_${run}\\_%`,
    ]);
    for (const r of rows) await client.query(`DROP SCHEMA IF EXISTS "${r.s}" CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A fresh, empty database on the shared server, for code that uses a database as a reader's app would
 * (the README samples: default schema, the app's own `users` table), so nothing it writes meets another
 * run's. Named like uniqueSchema(); `drop()` removes it, ending connections still open to it.
 */
export async function createScratchDatabase(url: string, label = 'db'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = uniqueSchema(label);
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(sql);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return { url: scratch.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * `describe` when the shared PostgreSQL is available, else a skipped describe whose title says why (and a
 * loud message; an error under CI).
 */
export function describeWithPostgres(name: string, fn: (url: string) => void): void {
  const url = sharedPostgresUrl();
  if (url) return describe(name, () => fn(url));
  const reason = process.env[PG_SKIP_ENV] ?? 'no PostgreSQL';
  postgresUnavailable(reason);
  describe.skip(`${name} [SKIPPED: ${reason}]`, () => {
    it('needs PostgreSQL', () => undefined);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Private servers

/** The directory of PostgreSQL's server binaries (initdb, pg_ctl), or null. */
export function postgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : null;
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

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user. */
const asRoot = () => process.getuid?.() === 0;
function run(bin: string, args: string[]): { ok: boolean; out: string } {
  const res = asRoot()
    ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' })
    : spawnSync(bin, args, { encoding: 'utf8' });
  return { ok: res.status === 0, out: `${res.stdout ?? ''}${res.stderr ?? ''}${res.error ? String(res.error) : ''}` };
}

export interface PostgresServer {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly dataDir: string;
  /** Fast shutdown (open connections are terminated); the data stays, start() brings it back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop for good and remove the directory. */
  close(): Promise<void>;
}

export interface PrivateServerOptions {
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
  /** Run the server under `taskset -c <cpu>` (bench). */
  cpu?: number;
}

/** Reason a private server cannot be started here, or null. */
export function privatePostgresUnavailable(): string | null {
  const bin = postgresBinDir();
  if (!bin) return 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin';
  if (asRoot() && spawnSync('id', ['postgres'], { stdio: 'ignore' }).status !== 0) return 'running as root and there is no postgres user';
  return null;
}

/** initdb + pg_ctl start on a free port, trust authentication, no fsync (a test server). */
export async function startPostgresServer(opts: PrivateServerOptions = {}): Promise<PostgresServer> {
  const why = privatePostgresUnavailable();
  if (why) throw new Error(why);
  const bin = postgresBinDir()!;
  const dir = mkdtempSync(join(tmpdir(), 'ampg-'));
  const dataDir = join(dir, 'data');
  if (asRoot()) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const init = run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  if (!init.ok) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed:\n${init.out}`);
  }
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dir,
    fsync: 'off',
    full_page_writes: 'off',
    max_connections: '50',
    ...opts.settings,
  };
  const pgOpts = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  const log = join(dir, 'server.log');
  const ctl = join(bin, 'pg_ctl');
  let running = false;
  const start = async () => {
    const args = ['-D', dataDir, '-l', log, '-o', pgOpts, '-w', '-t', '30', 'start'];
    const res = opts.cpu === undefined ? run(ctl, args) : run('taskset', ['-c', String(opts.cpu), ctl, ...args]);
    if (!res.ok) throw new Error(`pg_ctl start failed:\n${res.out}`);
    running = true;
  };
  const stop = async () => {
    const res = run(ctl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
    if (!res.ok) throw new Error(`pg_ctl stop failed:\n${res.out}`);
    running = false;
  };
  await start();
  process.once('exit', () => {
    if (running) run(ctl, ['-D', dataDir, '-m', 'immediate', 'stop']);
  });
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    stop,
    start,
    async close() {
      if (running) await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `describe` when a private server can be started, else skipped loudly (an error under CI). */
export function describeWithPrivatePostgres(name: string, fn: () => void): void {
  const why = privatePostgresUnavailable();
  if (!why) return describe(name, fn);
  postgresUnavailable(why);
  describe.skip(`${name} [SKIPPED: ${why}]`, () => {
    it('needs PostgreSQL server binaries', () => undefined);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Stores for tests

const pools = new Map<string, pg.Pool>();

/**
 * One pool per URL per test process (a store per test must not cost a connection handshake each).
 * allowExitOnIdle: an idle pool never keeps a jest worker alive.
 */
export function testPool(url: string): pg.Pool {
  let pool = pools.get(url);
  if (!pool) {
    pool = new pg.Pool({
      connectionString: url,
      max: 6,
      idleTimeoutMillis: 2000,
      allowExitOnIdle: true,
      application_name: 'authmount-test',
    });
    pool.on('error', () => undefined); // a server restart between tests must not crash the worker
    pools.set(url, pool);
  }
  return pool;
}

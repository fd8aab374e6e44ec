import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import pg from 'pg';
import { privatePostgresUnavailable, startPostgresServer, type PostgresServer } from '../../test-support/postgres';

/**
 * The bench's private PostgreSQL (never the shared 127.0.0.1:5432): initdb into a temporary directory,
 * pinned like Redis, with pg_stat_statements loaded so the statements each request sends can be counted
 * exactly. Durability is off the way the bench's Redis has no persistence (fsync, synchronous_commit):
 * what is compared is CPU work per request, not the disk.
 */
export interface PostgresProc {
  url: string;
  /** The postmaster; backends are its children. */
  pid: number;
  version: string;
  admin: pg.Client;
  server: PostgresServer;
  stop(): Promise<void>;
}

export function postgresUnavailableForBench(): string | null {
  return privatePostgresUnavailable();
}

export async function startPostgres(opts: { cpu?: number } = {}): Promise<PostgresProc> {
  const server = await startPostgresServer({
    cpu: opts.cpu,
    settings: {
      shared_preload_libraries: 'pg_stat_statements',
      'pg_stat_statements.track': 'top',
      synchronous_commit: 'off',
      max_connections: '100',
      shared_buffers: '128MB',
    },
  });
  const admin = new pg.Client({ connectionString: server.url });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v;
  const pid = Number(readFileSync(path.join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: server.url,
    pid,
    version,
    admin,
    server,
    stop: async () => {
      await admin.end().catch(() => undefined);
      await server.close();
    },
  };
}

/** The postmaster and every backend (the pool's connections), for CPU accounting. */
export function postgresPids(p: PostgresProc): number[] {
  const r = spawnSync('pgrep', ['-P', String(p.pid)], { encoding: 'utf8' });
  return [p.pid, ...r.stdout.split('\n').filter(Boolean).map(Number)];
}

/** Drop whatever the previous server left (each server creates its tables at start). */
export async function resetDatabase(p: PostgresProc): Promise<void> {
  await p.admin.query('DROP SCHEMA IF EXISTS bench CASCADE; DROP TABLE IF EXISTS public.floor_tokens');
}

export async function resetStatements(p: PostgresProc): Promise<void> {
  await p.admin.query('SELECT pg_stat_statements_reset()');
}

/** Top-level statements executed since the reset by other sessions than ours, by their first words. */
export async function statementCounts(p: PostgresProc): Promise<Record<string, number>> {
  const r = await p.admin.query<{ q: string; calls: string }>(
    `SELECT s.query AS q, s.calls FROM pg_stat_statements s
      WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND s.query NOT ILIKE '%pg_stat_statements%' AND s.query NOT ILIKE '%pg_stat_database%'`,
  );
  const out: Record<string, number> = {};
  for (const row of r.rows) {
    const first = (/^\s*(\w+)/.exec(row.q)?.[1] ?? 'other').toLowerCase();
    const verb = first === 'with' ? /\b(UPDATE|DELETE|INSERT)\b/i.exec(row.q)?.[1].toLowerCase() : undefined;
    const label = verb ? `with…${verb}` : first;
    out[label] = (out[label] ?? 0) + Number(row.calls);
  }
  return out;
}

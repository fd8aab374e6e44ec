import { createHash } from 'node:crypto';
import type pg from 'pg';
import { sanitize } from './db';
import { Names } from './names';
import { bookkeeping, migrationFile, migrations } from './schema';
import { lowerUniqueIndex, resolveMapping, UNIQUE_INDEX_DEFS, userIndexStatements, type UsersTableMapping } from './users-table';

export interface MigrateOptions {
  /** Schema holding authmount's tables (created if absent). Default "authmount". */
  schema?: string;
  /** Prepended to every table and function name of authmount's. Default "". */
  tablePrefix?: string;
  /**
   * The app's own users table, when authmount maps onto it (see `postgresStore({ users })`). migrate()
   * then also creates the two indexes authmount needs there, if they are missing: unique on lower(login)
   * and lower(email). It changes nothing else in the app's table.
   */
  users?: UsersTableMapping;
}

export interface MigrateResult {
  /** Names of the versions applied by this call (empty when the schema was up to date). */
  applied: string[];
}

/** Signed 64-bit advisory lock key for one schema/prefix (as a decimal string). */
function lockKey(n: Names): string {
  return createHash('sha256').update(`authmount-migrate:${n.schema}:${n.prefix}`).digest().readBigInt64BE(0).toString();
}

/**
 * Bring authmount's schema up to date: every missing version, in order, in ONE transaction (PostgreSQL's
 * DDL is transactional, so a failed migration leaves nothing half done). A transaction-scoped advisory
 * lock serialises concurrent callers, so N processes may all call migrate() at start-up.
 *
 *   const pool = new pg.Pool({ connectionString });
 *   await migrate(pool, { schema: 'authmount' });
 */
export async function migrate(pool: pg.Pool | pg.Client, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const n = new Names(opts.schema, opts.tablePrefix);
  const mapping = opts.users ? resolveMapping(opts.users) : undefined;
  const isPool = typeof (pool as pg.Pool).connect === 'function' && 'totalCount' in pool;
  const client = isPool ? await (pool as pg.Pool).connect() : (pool as pg.Client);
  let failed: unknown;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey(n)]);
    await client.query(bookkeeping(n));
    const done = new Set((await client.query<{ version: number }>(`SELECT version FROM ${n.migrations}`)).rows.map((r) => r.version));
    const applied: string[] = [];
    for (const m of migrations(n)) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query(`INSERT INTO ${n.migrations} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.name);
    }
    if (mapping) {
      // Only the indexes that are missing: an equivalent one under another name is left alone.
      const defs = (await client.query<{ name: string; def: string }>(UNIQUE_INDEX_DEFS, [mapping.table.sql])).rows;
      const missing = new Set(
        [mapping.cols.login, mapping.cols.email].filter((c): c is string => c !== null && lowerUniqueIndex(defs, c) === undefined),
      );
      for (const stmt of userIndexStatements(mapping, missing)) await client.query(stmt);
    }
    await client.query('COMMIT');
    return { applied };
  } catch (e) {
    failed = e;
    await client.query('ROLLBACK').catch(() => undefined);
    throw sanitize(e, 'migrate');
  } finally {
    if (isPool) (client as pg.PoolClient).release(failed instanceof Error ? failed : undefined);
  }
}

/**
 * The migrations as self-contained SQL files, for an app that applies schema changes with its own tool
 * (Flyway, node-pg-migrate, psql). Each file records itself in the `migrations` table, so `migrate()` and
 * your tool can be mixed. `packages/store-postgres/migrations/` holds them for the default schema.
 */
export function migrationFiles(opts: Omit<MigrateOptions, 'users'> = {}): Array<{ name: string; sql: string }> {
  const n = new Names(opts.schema, opts.tablePrefix);
  return migrations(n).map((m) => ({ name: `${m.name}.sql`, sql: migrationFile(n, m) }));
}

/** The SQL migrate() runs against the app's own users table (two `CREATE UNIQUE INDEX IF NOT EXISTS`). */
export function userIndexSql(users: UsersTableMapping): string {
  return userIndexStatements(resolveMapping(users)).join(';\n') + ';\n';
}

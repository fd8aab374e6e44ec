import { systemClock, type AuthStore, type Clock } from '@authmount/core';
import type pg from 'pg';
import { createPool, Db, sanitize } from './db';
import { PostgresClientRegistry } from './clients';
import { PostgresCodeStore, PostgresCounterStore } from './ephemeral';
import { migrate, type MigrateResult } from './migrate';
import { Names } from './names';
import { PostgresTokenStore } from './tokens';
import { PostgresUserStore } from './users';
import { detect, ownShape, resolveMapping, type UsersTableMapping } from './users-table';
import { validatePostgresStoreOptions } from './options';

export { PostgresStoreError } from './db';
export { migrate, migrationFiles, userIndexSql, type MigrateOptions, type MigrateResult } from './migrate';
export { DEFAULT_SCHEMA } from './names';
export type { UserField, UsersTableMapping } from './users-table';
export { PostgresTokenStore } from './tokens';
export { PostgresUserStore } from './users';
export { PostgresCodeStore, PostgresCounterStore } from './ephemeral';
export { PostgresClientRegistry } from './clients';

export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:5432/db`. The store then owns its pool (and closes it). */
  connectionString?: string | undefined;
  /** node-postgres Pool options for the store's own pool; override the fail-fast defaults (see db.ts). */
  poolOptions?: pg.PoolConfig | undefined;
  /**
   * A `pg.Pool` the app already has. The store uses it as it is (its timeouts apply) and never ends it.
   * If it has no 'error' listener, the store adds one that reports to `onError`: an idle connection
   * dropped by the server must not crash the process.
   */
  pool?: pg.Pool | undefined;
  /** Schema of authmount's tables. Default "authmount". Create them with `migrate()` (or store.migrate()). */
  schema?: string | undefined;
  /** Prepended to every table and function name of authmount's. Default "". */
  tablePrefix?: string | undefined;
  /** Map users onto the app's own table instead of authmount's (see UsersTableMapping). */
  users?: UsersTableMapping | undefined;
  /** Deadline to get a connection, and of one statement, for the store's own pool (ms). Default 1000 / 2000. */
  connectTimeoutMs?: number | undefined;
  queryTimeoutMs?: number | undefined;
  /** How often expired rows are reclaimed, ms. Default 60 s; 0 = never (another process sweeps). Unref'd. */
  sweepIntervalMs?: number | undefined;
  /** Rows deleted per statement of the sweep (and at most 10 statements per table per sweep). Default 1000. */
  sweepBatch?: number | undefined;
  /**
   * Rows are reclaimed only this long (ms) after they died: validity comes from each app server's clock
   * (`now`), so the slack absorbs clock skew between them. Default 60 s.
   */
  sweepSlackMs?: number | undefined;
  /** Time source of the sweep (validity always comes from the `now` callers pass). Default Date.now. */
  clock?: Clock | undefined;
  /** On close, DROP SCHEMA ... CASCADE. For tests; default false. */
  dropSchemaOnClose?: boolean | undefined;
  /** Connection errors and failed sweeps (never thrown). Default: ignored. */
  onError?: ((err: Error) => void) | undefined;
}

const SWEEP_ROUNDS = 10;

/**
 * The PostgreSQL store: tokens, users (authmount's table or the app's), codes and counters in one
 * database shared by any number of processes. See README.md for the schema, the statement per request
 * and the failure behaviour.
 */
export class PostgresStore implements AuthStore {
  readonly name = 'postgres';
  readonly tokens: PostgresTokenStore;
  readonly users: PostgresUserStore;
  readonly codes: PostgresCodeStore;
  readonly counters: PostgresCounterStore;
  /** OAuth clients registered at run time (pCloud adapter `oauth.clients`), shared by every process. */
  readonly clients: PostgresClientRegistry;
  /** The pool in use (yours if you passed `pool`). */
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly tablePrefix: string;

  private readonly owned: boolean;
  private readonly onError: (err: Error) => void;
  private readonly mapping: UsersTableMapping | undefined;
  private readonly dropOnClose: boolean;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(opts: PostgresStoreOptions = {}) {
    validatePostgresStoreOptions(opts); // a wrong option fails here, naming it (ConfigError)
    const names = new Names(opts.schema, opts.tablePrefix);
    this.schema = names.schema;
    this.tablePrefix = names.prefix;
    this.onError = opts.onError ?? (() => undefined);
    this.dropOnClose = opts.dropSchemaOnClose ?? false;
    this.mapping = opts.users;
    const mapping = opts.users ? resolveMapping(opts.users) : undefined;
    const connectTimeoutMs = opts.connectTimeoutMs ?? 1000;
    const queryTimeoutMs = opts.queryTimeoutMs ?? 2000;
    if (!(connectTimeoutMs > 0) || !(queryTimeoutMs > 0)) throw new RangeError('postgresStore: timeouts must be positive');
    this.owned = !opts.pool;
    this.pool = opts.pool ?? createPool(opts.connectionString, opts.poolOptions, { connectTimeoutMs, queryTimeoutMs });
    // pg-pool re-emits an idle connection's error (server restart, network cut) on the pool; an
    // EventEmitter 'error' nobody listens to would kill the process.
    if (this.owned || this.pool.listenerCount('error') === 0) {
      this.pool.on('error', (e: Error) => this.onError(sanitize(e, 'connection')));
    }
    const db = new Db(this.pool);
    this.tokens = new PostgresTokenStore(db, names);
    this.users = new PostgresUserStore(db, mapping ? () => detect(db, mapping) : () => ownShape(names));
    this.codes = new PostgresCodeStore(db, names);
    this.counters = new PostgresCounterStore(db, names);
    this.clients = new PostgresClientRegistry(db, names);

    const clock = opts.clock ?? systemClock;
    const every = opts.sweepIntervalMs ?? 60_000;
    const batch = opts.sweepBatch ?? 1000;
    const slack = opts.sweepSlackMs ?? 60_000;
    if (!Number.isInteger(batch) || batch < 1 || !(slack >= 0))
      throw new RangeError('postgresStore: sweepBatch must be a positive integer, sweepSlackMs >= 0');
    if (every > 0) {
      this.timer = setInterval(() => {
        if (this.sweeping || this.closing) return;
        this.sweeping = this.sweep(clock() - slack, batch)
          .then(
            () => undefined,
            (e: unknown) => this.onError(e instanceof Error ? e : new Error(String(e))),
          )
          .finally(() => (this.sweeping = undefined));
      }, every);
      this.timer.unref();
    }
  }

  /** Create or upgrade authmount's tables (and the app users table's indexes, if mapped). */
  migrate(): Promise<MigrateResult> {
    return migrate(this.pool, { schema: this.schema, tablePrefix: this.tablePrefix, users: this.mapping });
  }

  /**
   * Reclaim rows dead at `now`: per table at most SWEEP_ROUNDS statements of `batch` rows, each through an
   * index (never a full scan in one go). Runs on the timer; public for tests and for apps that sweep from
   * a job of their own (`sweepIntervalMs: 0`). Resolves the number of rows deleted.
   */
  async sweep(now: number, batch = 1000): Promise<number> {
    let total = 0;
    for (const part of [this.tokens, this.codes, this.counters, this.users]) {
      for (let i = 0; i < SWEEP_ROUNDS; i++) {
        const n = await part.sweep(now, batch);
        total += n;
        if (n < batch) break;
      }
    }
    return total;
  }

  /** Idempotent. Stops the sweep, drops the schema if asked, ends the pool if it is the store's own. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      await this.sweeping;
      if (this.dropOnClose) {
        await this.pool.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`).catch((e: unknown) => this.onError(sanitize(e, 'drop')));
      }
      if (this.owned) await this.pool.end().catch((e: unknown) => this.onError(sanitize(e, 'close')));
    })();
    return this.closing;
  }
}

/** A PostgreSQL store. Run `await migrate(pool)` (or `await store.migrate()`) once before first use. */
export function postgresStore(opts?: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(opts);
}

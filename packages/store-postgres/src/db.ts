import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * A store failure. Core turns any rejection into `store_unavailable` (fail closed). This class exists so
 * that what travels up never carries node-postgres' `detail`, `where` or the statement's parameters (which
 * can hold a login, an e-mail or a hash): only the operation, PostgreSQL's SQLSTATE and its message.
 */
export class PostgresStoreError extends Error {
  override readonly name = 'PostgresStoreError';
  constructor(
    message: string,
    readonly operation: string,
    /** PostgreSQL's SQLSTATE when the server answered (e.g. 57P01 on shutdown), else the socket's code. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export function sanitize(e: unknown, operation: string): PostgresStoreError {
  if (e instanceof PostgresStoreError) return e;
  const err = e as { message?: unknown; code?: unknown };
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  return new PostgresStoreError(`postgres ${operation} failed: ${code ? `[${code}] ` : ''}${message}`, operation, code);
}

export type Param = string | number | boolean | null | Buffer | readonly string[] | readonly number[];
export type Row = Record<string, unknown>;

/** The part of pg.Pool (or pg.Client) the store uses. */
export interface Queryable {
  query<R extends pg.QueryResultRow = Row>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
}

/**
 * Runs the store's statements. Hot statements are named, so node-postgres prepares them once per
 * connection (parse and plan are skipped afterwards). The name carries a digest of the text: two stores
 * on one pool with different schemas never share a name for different statements.
 */
export class Db {
  private readonly names = new Map<string, string>();

  constructor(readonly pool: Queryable) {}

  private nameOf(op: string, text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = `am_${op.replace(/\W/g, '_')}_${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
      this.names.set(text, name);
    }
    return name;
  }

  /** One statement, one round trip. Rejects with a PostgresStoreError. */
  async query<R extends Row = Row>(op: string, text: string, values: readonly Param[], prepared = true): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>({ text, values: values as unknown[], name: prepared ? this.nameOf(op, text) : undefined });
    } catch (e) {
      throw sanitize(e, op);
    }
  }

  /**
   * A prepared statement whose rows come back as arrays (rowMode 'array'): no object with named fields
   * is built per row. For the hot path, whose column order is fixed.
   */
  async queryRows(op: string, text: string, values: readonly Param[]): Promise<unknown[][]> {
    try {
      const res = await this.pool.query<unknown[]>({
        text,
        values: values as unknown[],
        name: this.nameOf(op, text),
        rowMode: 'array',
      } as pg.QueryArrayConfig);
      return res.rows;
    } catch (e) {
      throw sanitize(e, op);
    }
  }

  /** Like `query`, but hands a unique violation back as data instead of an error. */
  async queryUnique<R extends Row = Row>(
    op: string,
    text: string,
    values: readonly Param[],
  ): Promise<{ ok: true; result: pg.QueryResult<R> } | { ok: false; constraint: string }> {
    try {
      return { ok: true, result: await this.pool.query<R>({ text, values: values as unknown[] }) };
    } catch (e) {
      const err = e as { code?: unknown; constraint?: unknown };
      if (err?.code === '23505') return { ok: false, constraint: typeof err.constraint === 'string' ? err.constraint : '' };
      throw sanitize(e, op);
    }
  }
}

export interface PoolDefaults {
  /** Deadline to obtain a connection, ms. */
  connectTimeoutMs: number;
  /** Deadline of one statement on the client side, ms (a stalled server cannot hold a request for ever). */
  queryTimeoutMs: number;
}

/**
 * A pool the store creates itself, set up to FAIL FAST (authentication answers 503 at once while the
 * server is away, instead of piling requests up) and to heal on its own: pg-pool drops a connection
 * that failed and opens a new one for the next statement, so service resumes as soon as the server does.
 * - connectionTimeoutMillis: no request waits longer than this for a connection;
 * - query_timeout: the client gives up on a statement after this (the connection is then discarded);
 * - statement_timeout: the server gives up too, so an abandoned statement does not hold locks;
 * - keepAlive: a silently dropped connection is noticed.
 */
export function createPool(connectionString: string | undefined, options: pg.PoolConfig | undefined, d: PoolDefaults): pg.Pool {
  return new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: d.connectTimeoutMs,
    query_timeout: d.queryTimeoutMs,
    statement_timeout: d.queryTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'authmount',
    ...options,
  });
}

import type { JsonValue, NewUser, UserPatch, UserRecord, UserStore, UserWriteResult } from '@authmount/core';
import { PostgresStoreError, type Db, type Param, type Row } from './db';
import type { TimeType, UsersShape } from './users-table';

type TimeField = 'createdAt' | 'updatedAt' | 'expiresAt';

/** A time parameter as the column stores it. */
function toCol(type: TimeType | undefined, param: string): string {
  if (type === 'timestamptz') return `to_timestamp(${param}::bigint / 1000.0)`;
  if (type === 'timestamp') return `(to_timestamp(${param}::bigint / 1000.0) AT TIME ZONE 'UTC')`;
  return `${param}::bigint`;
}

/** A time column as epoch ms. */
function fromCol(type: TimeType | undefined, col: string): string {
  if (type === 'timestamptz') return `round(extract(epoch FROM ${col}) * 1000)::bigint`;
  if (type === 'timestamp') return `round(extract(epoch FROM ${col} AT TIME ZONE 'UTC') * 1000)::bigint`;
  return `${col}::bigint`;
}

const MAX_INT4 = 2 ** 31 - 1;
const ATTEMPTS = 4;

/** The SQL of one users table (authmount's own, or the app's through a mapping), built once. */
class UsersSql {
  readonly select: string;
  readonly live: (now: string) => string;
  readonly c: (f: keyof UsersShape['cols']) => string | null;

  constructor(readonly shape: UsersShape) {
    const { cols, times } = shape;
    this.c = (f) => (cols[f] === null ? null : `t."${cols[f]}"`);
    const time = (f: TimeField) => (cols[f] === null ? 'NULL::bigint' : fromCol(times[f], this.c(f)!));
    this.select = [
      `t."${cols.id}"::bigint AS id`,
      `${this.c('login') ?? 'NULL'}::text AS login`,
      `${this.c('email') ?? 'NULL'}::text AS email`,
      `${this.c('passwordHash')}::text AS password_hash`,
      `${time('createdAt')} AS created_at`,
      `${time('updatedAt')} AS updated_at`,
      `${time('expiresAt')} AS expires_at`,
      `${this.c('attributes') ? `${this.c('attributes')}::jsonb` : 'NULL::jsonb'} AS attributes`,
    ].join(', ');
    const exp = this.c('expiresAt');
    // (Without an expiry column `now` is still referenced: PostgreSQL refuses a parameter it cannot type.)
    this.live = (now) => (exp === null ? `(${now}::bigint IS NOT NULL)` : `(${exp} IS NULL OR ${exp} > ${toCol(times.expiresAt, now)})`);
  }

  /** Rows holding `login`/`email` (params) that are live, and the expired ones to free first. */
  holder(field: 'login' | 'email', param: string, now: string, exceptId?: string): string {
    const col = this.c(field)!;
    const other = exceptId ? ` AND t."${this.shape.cols.id}" <> ${exceptId}` : '';
    return `EXISTS (SELECT 1 FROM ${this.shape.table} t WHERE lower(${col}) = lower(${param}::text) AND ${this.live(now)}${other})`;
  }

  /** DELETE of expired users holding the identifiers about to be written (they are gone, their names are free). */
  purge(params: { login?: string; email?: string }, now: string): string | null {
    const exp = this.c('expiresAt');
    if (exp === null) return null;
    const hits = (['login', 'email'] as const)
      .filter((f) => params[f] !== undefined && this.c(f) !== null)
      .map((f) => `lower(${this.c(f)}) = lower(${params[f]}::text)`);
    if (hits.length === 0) return null;
    return `DELETE FROM ${this.shape.table} t WHERE ${exp} <= ${toCol(this.shape.times.expiresAt, now)} AND (${hits.join(' OR ')}) RETURNING 1`;
  }
}

function toUser(r: Row): UserRecord {
  return {
    id: Number(r.id),
    login: r.login as string | null,
    email: r.email as string | null,
    passwordHash: r.password_hash as string | null,
    createdAt: r.created_at === null ? 0 : Number(r.created_at),
    updatedAt: r.updated_at === null ? 0 : Number(r.updated_at),
    expiresAt: r.expires_at === null ? null : Number(r.expires_at),
    attributes: (r.attributes as Record<string, JsonValue> | null) ?? {},
  };
}

/**
 * Users in PostgreSQL: authmount's own table or the app's (see UsersTableMapping). Login and e-mail are
 * unique case-insensitively by unique indexes on lower(); every write checks for a live holder in the
 * same statement and reports the conflict as data, and the index settles a race between two writers.
 */
export class PostgresUserStore implements UserStore {
  private sqlOf: Promise<UsersSql> | undefined;

  /** `shape` resolves the table's shape (at once for authmount's table, from the catalog for the app's). */
  constructor(
    private readonly db: Db,
    private readonly shape: () => UsersShape | Promise<UsersShape>,
  ) {}

  /** The table's SQL; a failed catalog read is retried by the next call. */
  private sql(): Promise<UsersSql> {
    if (!this.sqlOf) {
      this.sqlOf = Promise.resolve()
        .then(this.shape)
        .then((s) => new UsersSql(s));
      this.sqlOf.catch(() => (this.sqlOf = undefined));
    }
    return this.sqlOf;
  }

  async create(input: NewUser): Promise<UserWriteResult> {
    const s = await this.sql();
    const { cols, times } = s.shape;
    this.writable(s, input);
    const now = '$1';
    const values: Param[] = [input.createdAt];
    const p = (v: Param) => `$${values.push(v)}`;
    const names: string[] = [];
    const exprs: string[] = [];
    // (The expression is built only for a column that exists: an unused parameter is an error.)
    const put = (f: keyof UsersShape['cols'], expr: () => string) => {
      if (cols[f] === null) return;
      names.push(`"${cols[f]}"`);
      exprs.push(expr());
    };
    const login = cols.login !== null && input.login !== null ? p(input.login) : undefined;
    const email = cols.email !== null && input.email !== null ? p(input.email) : undefined;
    put('login', () => (login ? `${login}::text` : 'NULL'));
    put('email', () => (email ? `${email}::text` : 'NULL'));
    put('passwordHash', () => `${p(input.passwordHash)}::text`);
    for (const f of ['createdAt', 'updatedAt', 'expiresAt'] as const) {
      const v = input[f];
      put(f, () => (v === null ? 'NULL' : toCol(times[f], p(v))));
    }
    put('attributes', () => `${p(JSON.stringify(input.attributes))}::jsonb`);
    const purge = s.purge({ login, email }, now);
    const checks = [
      login && `WHEN ${s.holder('login', login, now)} THEN 'login'`,
      email && `WHEN ${s.holder('email', email, now)} THEN 'email'`,
    ].filter(Boolean);
    const conflict = checks.length ? `(CASE ${checks.join(' ')} END)` : 'NULL::text';
    const text = `WITH ${purge ? `purge AS (${purge}), ` : ''}
  conflict AS (SELECT ${conflict} AS c),
  ins AS (INSERT INTO ${s.shape.table} AS t (${names.join(', ')})
          SELECT ${exprs.join(', ')} WHERE $1::bigint IS NOT NULL AND (SELECT c FROM conflict) IS NULL${purge ? ' AND (SELECT count(*) FROM purge) >= 0' : ''}
          ON CONFLICT DO NOTHING RETURNING ${s.select})
SELECT (SELECT c FROM conflict) AS conflict, ins.* FROM (SELECT 1) one LEFT JOIN ins ON true`;
    // A concurrent registration of the same name makes ON CONFLICT skip the row without a visible holder
    // (it committed after this statement's snapshot): the next attempt sees it and names the conflict.
    for (let i = 0; i < ATTEMPTS; i++) {
      const row = (await this.db.query('users.create', text, values, false)).rows[0];
      if (row.conflict) return { ok: false, conflict: row.conflict as 'login' | 'email' };
      if (row.id !== null) return { ok: true, user: toUser(row) };
    }
    throw new PostgresStoreError(
      'users.create: the insert kept conflicting with a unique constraint other than login/email',
      'users.create',
    );
  }

  async findById(id: number, now: number): Promise<UserRecord | null> {
    const s = await this.sql();
    if (!Number.isSafeInteger(id) || (s.shape.smallId && Math.abs(id) > MAX_INT4)) return null;
    const text = `SELECT ${s.select} FROM ${s.shape.table} t WHERE t."${s.shape.cols.id}" = $1 AND ${s.live('$2')}`;
    const rows = (await this.db.query('users.findById', text, [id, now])).rows;
    return rows.length ? toUser(rows[0]) : null;
  }

  findByLogin(login: string, now: number): Promise<UserRecord | null> {
    return this.findBy('login', login, now);
  }

  findByEmail(email: string, now: number): Promise<UserRecord | null> {
    return this.findBy('email', email, now);
  }

  private async findBy(field: 'login' | 'email', value: string, now: number): Promise<UserRecord | null> {
    const s = await this.sql();
    const col = s.c(field);
    if (col === null) return null;
    const text = `SELECT ${s.select} FROM ${s.shape.table} t WHERE lower(${col}) = lower($1::text) AND ${s.live('$2')}`;
    const rows = (await this.db.query(`users.findBy_${field}`, text, [value, now])).rows;
    return rows.length ? toUser(rows[0]) : null;
  }

  async update(id: number, patch: UserPatch, now: number): Promise<UserWriteResult | null> {
    const s = await this.sql();
    if (!Number.isSafeInteger(id) || (s.shape.smallId && Math.abs(id) > MAX_INT4)) return null;
    this.writable(s, patch);
    const { cols, times } = s.shape;
    const values: Param[] = [id, now];
    const p = (v: Param) => `$${values.push(v)}`;
    const sets: string[] = [];
    const set = (f: keyof UsersShape['cols'], expr: () => string) => {
      if (cols[f] !== null) sets.push(`"${cols[f]}" = ${expr()}`);
    };
    let login: string | undefined;
    let email: string | undefined;
    if (patch.login !== undefined) {
      if (patch.login !== null) login = p(patch.login);
      set('login', () => (login ? `${login}::text` : 'NULL'));
    }
    if (patch.email !== undefined) {
      if (patch.email !== null) email = p(patch.email);
      set('email', () => (email ? `${email}::text` : 'NULL'));
    }
    const hash = patch.passwordHash;
    if (hash !== undefined) set('passwordHash', () => (hash === null ? 'NULL' : `${p(hash)}::text`));
    for (const f of ['updatedAt', 'expiresAt'] as const) {
      const v = patch[f];
      if (v !== undefined) set(f, () => (v === null ? 'NULL' : toCol(times[f], p(v))));
    }
    const attributes = patch.attributes;
    if (attributes !== undefined) set('attributes', () => `${p(JSON.stringify(attributes))}::jsonb`);
    if (sets.length === 0) sets.push(`"${cols.id}" = t."${cols.id}"`);
    const purge = s.purge({ login, email }, '$2');
    const checks = [
      login && `WHEN ${s.holder('login', login, '$2', '$1')} THEN 'login'`,
      email && `WHEN ${s.holder('email', email, '$2', '$1')} THEN 'email'`,
    ].filter(Boolean);
    const conflict = checks.length ? `(CASE ${checks.join(' ')} END)` : 'NULL::text';
    const text = `WITH ${purge ? `purge AS (${purge}), ` : ''}
  conflict AS (SELECT ${conflict} AS c),
  upd AS (UPDATE ${s.shape.table} t SET ${sets.join(', ')}
           WHERE t."${cols.id}" = $1 AND ${s.live('$2')} AND (SELECT c FROM conflict) IS NULL${purge ? ' AND (SELECT count(*) FROM purge) >= 0' : ''}
          RETURNING ${s.select})
SELECT (SELECT c FROM conflict) AS conflict, upd.* FROM (SELECT 1) one LEFT JOIN upd ON true`;
    for (let i = 0; i < ATTEMPTS; i++) {
      const res = await this.db.queryUnique('users.update', text, values);
      if (!res.ok) {
        // A concurrent writer took the name after our snapshot: the index refused it. Name the conflict
        // from the index when it is ours; otherwise run again, and the holder will be visible.
        const { login: li, email: ei } = s.shape.uniqueIndexes;
        if (res.constraint === li) return { ok: false, conflict: 'login' };
        if (res.constraint === ei) return { ok: false, conflict: 'email' };
        continue;
      }
      const row = res.result.rows[0];
      if (row.conflict) return { ok: false, conflict: row.conflict as 'login' | 'email' };
      return row.id === null ? null : { ok: true, user: toUser(row) };
    }
    throw new PostgresStoreError('users.update: the update kept conflicting with a unique constraint', 'users.update');
  }

  async delete(id: number): Promise<boolean> {
    const s = await this.sql();
    if (!Number.isSafeInteger(id) || (s.shape.smallId && Math.abs(id) > MAX_INT4)) return false;
    const res = await this.db.query('users.delete', `DELETE FROM ${s.shape.table} t WHERE t."${s.shape.cols.id}" = $1`, [id]);
    return (res.rowCount ?? 0) > 0;
  }

  /** Reclaim up to `limit` users whose expiresAt passed (guests). Part of the store's sweep. */
  async sweep(now: number, limit: number): Promise<number> {
    const s = await this.sql();
    const exp = s.c('expiresAt');
    if (exp === null) return 0;
    const id = `"${s.shape.cols.id}"`;
    const text = `DELETE FROM ${s.shape.table} WHERE ${id} IN (
      SELECT t.${id} FROM ${s.shape.table} t WHERE ${exp} <= ${toCol(s.shape.times.expiresAt, '$1')} LIMIT $2 FOR UPDATE SKIP LOCKED)`;
    return (await this.db.query('users.sweep', text, [now, limit])).rowCount ?? 0;
  }

  /** A field the table cannot hold is an error, never a silently dropped value. */
  private writable(s: UsersSql, u: Partial<NewUser>): void {
    const { cols } = s.shape;
    const missing: string[] = [];
    if (cols.login === null && u.login != null) missing.push('login');
    if (cols.email === null && u.email != null) missing.push('email');
    if (cols.expiresAt === null && u.expiresAt != null) missing.push('expiresAt (guest accounts)');
    if (cols.attributes === null && u.attributes !== undefined && Object.keys(u.attributes).length > 0) missing.push('attributes');
    if (missing.length > 0) {
      throw new PostgresStoreError(
        `users table ${s.shape.table} has no column for ${missing.join(', ')}: map one in users.columns`,
        'users.write',
      );
    }
  }
}

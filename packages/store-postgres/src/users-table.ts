import { PostgresStoreError, type Db } from './db';
import { appIdent, appTable, type Names } from './names';

/** authmount's user fields, as they map onto columns. */
export type UserField = 'id' | 'login' | 'email' | 'passwordHash' | 'createdAt' | 'updatedAt' | 'expiresAt' | 'attributes';

/**
 * authmount's users on the app's OWN table: no data migration, the app keeps its table, its ids and its
 * other columns. Each field names the column that holds it; `null` says the table has no such column.
 *
 *   users: { table: 'public.users', columns: { login: 'username', passwordHash: 'password_digest', attributes: null } }
 *
 * - `id`: integer or bigint, filled by the table itself (serial / identity). Default "id".
 * - `login`, `email`: text or varchar; at least one of them. Lookups are `lower(col) = lower($1)` and need a
 *   unique index on `lower(col)`: `migrate(pool, { users })` creates it when missing (nothing else in your
 *   table is changed). Defaults "login" and "email".
 * - `passwordHash`: text; argon2id PHC strings, bcrypt hashes (re-hashed to argon2id at the next login), or a
 *   format you register with `hashing.legacy`. Default "password_hash".
 * - `createdAt`, `updatedAt`, `expiresAt`: timestamptz, timestamp (read as UTC) or bigint epoch ms; optional.
 *   Defaults "created_at", "updated_at", "expires_at", each used only if the table has it. Without
 *   `expiresAt` no user ever expires (guest accounts cannot be created).
 * - `attributes`: a jsonb (or json) column for authmount's profile fields, optional (default "attributes" if
 *   present). Without it attributes read as `{}` and writing any attribute is refused with an error.
 *
 * Registration through authmount inserts only the mapped columns: any other NOT NULL column of your table
 * needs a default.
 */
export interface UsersTableMapping {
  /** "users" or "schema.users" (quoted as given: case is kept). */
  table: string;
  columns?: { [K in UserField]?: string | null | undefined } | undefined;
}

export type TimeType = 'epoch' | 'timestamptz' | 'timestamp';

/** A mapping with names checked and quoted; which columns exist is known once `detect` ran. */
export interface ResolvedMapping {
  table: { sql: string; schema: string | null; table: string };
  /** Column name per field, or null when absent. */
  cols: Record<UserField, string | null>;
  /** Fields whose column the app named explicitly (must exist). */
  explicit: Set<UserField>;
}

const DEFAULT_COLS: Record<UserField, string> = {
  id: 'id',
  login: 'login',
  email: 'email',
  passwordHash: 'password_hash',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  expiresAt: 'expires_at',
  attributes: 'attributes',
};
const FIELDS = Object.keys(DEFAULT_COLS) as UserField[];

export function resolveMapping(m: UsersTableMapping): ResolvedMapping {
  if (!m || typeof m !== 'object') throw new TypeError('postgresStore: users must be { table, columns? }');
  const table = appTable(m.table);
  const given = m.columns ?? {};
  for (const k of Object.keys(given)) {
    if (!FIELDS.includes(k as UserField))
      throw new TypeError(`postgresStore: users.columns.${k} is not a user field (${FIELDS.join(', ')})`);
  }
  const cols = {} as Record<UserField, string | null>;
  const explicit = new Set<UserField>();
  for (const f of FIELDS) {
    const v = given[f];
    if (v === null) {
      if (f === 'id' || f === 'passwordHash') throw new TypeError(`postgresStore: users.columns.${f} is required`);
      cols[f] = null;
      continue;
    }
    if (v !== undefined) explicit.add(f);
    cols[f] = v ?? DEFAULT_COLS[f];
    appIdent(cols[f]!, `users.columns.${f}`);
  }
  if (cols.login === null && cols.email === null) throw new TypeError('postgresStore: users needs a login or an email column');
  return { table, cols, explicit };
}

/** Everything the user statements need: the table, the columns that exist and how times are stored. */
export interface UsersShape {
  table: string;
  cols: Record<UserField, string | null>;
  times: Partial<Record<'createdAt' | 'updatedAt' | 'expiresAt', TimeType>>;
  /** The id column is a 32-bit integer (ids above 2^31-1 cannot exist). */
  smallId: boolean;
  /** Unique index names per identifier column, to name the conflict when a race ends in one. */
  uniqueIndexes: Partial<Record<'login' | 'email', string>>;
}

/** authmount's own table (migrations/001): every column present, epoch-ms times, known index names. */
export function ownShape(n: Names): UsersShape {
  return {
    table: n.users,
    cols: { ...DEFAULT_COLS },
    times: { createdAt: 'epoch', updatedAt: 'epoch', expiresAt: 'epoch' },
    smallId: false,
    uniqueIndexes: { login: `${n.prefix}users_login_key`, email: `${n.prefix}users_email_key` },
  };
}

const q = (col: string) => `"${col}"`;

/** The statements migrate() runs on the app's table: the lower() unique indexes, if missing. */
export function userIndexStatements(m: ResolvedMapping, only?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const f of ['login', 'email'] as const) {
    const col = m.cols[f];
    if (col === null || (only && !only.has(col))) continue;
    const name = `authmount_${m.table.table}_${col}_lower_key`.slice(0, 63);
    out.push(`CREATE UNIQUE INDEX IF NOT EXISTS ${q(name)} ON ${m.table.sql} (lower(${q(col)}))`);
  }
  return out;
}

function timeTypeOf(pgType: string): TimeType | null {
  if (pgType === 'timestamp with time zone') return 'timestamptz';
  if (pgType === 'timestamp without time zone') return 'timestamp';
  if (pgType === 'bigint' || pgType === 'numeric' || pgType === 'double precision') return 'epoch';
  return null;
}

/** Index definitions made comparable: "...USING btree (lower((email)::text))" → "...USINGbtreeloweremail". */
const flat = (def: string) =>
  def
    .replace(/"/g, '')
    .replace(/::[\w ]+/g, '')
    .replace(/[()\s]/g, '');

/**
 * Read the app's table from the catalog once: which mapped columns exist and of which type, and whether
 * the unique lower() indexes are there. A problem is an error naming the table and the column, thrown at
 * the first users call (and again until fixed), never a silently wrong lookup.
 */
export async function detect(db: Db, m: ResolvedMapping): Promise<UsersShape> {
  const where = `users table ${m.table.schema ? `${m.table.schema}.` : ''}${m.table.table}`;
  let rows: Array<{ name: string; type: string }>;
  try {
    rows = (
      await db.query<{ name: string; type: string }>(
        'users.detect',
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
           FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
        [m.table.sql],
        false,
      )
    ).rows;
  } catch (e) {
    if ((e as PostgresStoreError).code === '42P01') throw new PostgresStoreError(`${where} does not exist`, 'users.detect', '42P01');
    throw e;
  }
  const types = new Map(rows.map((r) => [r.name, r.type]));
  const cols = { ...m.cols };
  const times: UsersShape['times'] = {};
  const problems: string[] = [];
  for (const f of FIELDS) {
    const col = cols[f];
    if (col === null) continue;
    const type = types.get(col);
    if (type === undefined) {
      if (m.explicit.has(f) || f === 'id' || f === 'passwordHash' || f === 'login' || f === 'email') {
        problems.push(`no column "${col}" (users.columns.${f})`);
      }
      cols[f] = null;
      continue;
    }
    if (f === 'id' && !['integer', 'bigint', 'smallint'].includes(type))
      problems.push(`id column "${col}" is ${type}, expected integer or bigint`);
    if (f === 'attributes' && type !== 'jsonb' && type !== 'json') problems.push(`attributes column "${col}" is ${type}, expected jsonb`);
    if (f === 'createdAt' || f === 'updatedAt' || f === 'expiresAt') {
      const t = timeTypeOf(type);
      if (t === null) problems.push(`${f} column "${col}" is ${type}, expected timestamptz, timestamp or bigint (epoch ms)`);
      else times[f] = t;
    }
  }
  if (cols.login === null && cols.email === null && problems.length === 0) problems.push('neither a login nor an email column');
  const uniqueIndexes: UsersShape['uniqueIndexes'] = {};
  if (problems.length === 0) {
    const defs = (await db.query<{ name: string; def: string }>('users.detect', UNIQUE_INDEX_DEFS, [m.table.sql], false)).rows;
    for (const f of ['login', 'email'] as const) {
      const col = cols[f];
      if (col === null) continue;
      const hit = lowerUniqueIndex(defs, col);
      if (hit) uniqueIndexes[f] = hit;
      else
        problems.push(
          `no unique index on lower("${col}") (run migrate(pool, { users }) or CREATE UNIQUE INDEX ... ON ${m.table.sql} (lower("${col}")))`,
        );
    }
  }
  if (problems.length > 0) throw new PostgresStoreError(`${where}: ${problems.join('; ')}`, 'users.detect');
  return { table: m.table.sql, cols, times, smallId: types.get(cols.id!) !== 'bigint', uniqueIndexes };
}

/** The name of a unique index on lower(col) among `defs` (pg_get_indexdef of the table's unique indexes). */
export function lowerUniqueIndex(defs: ReadonlyArray<{ name: string; def: string }>, col: string): string | undefined {
  return defs.find((d) => flat(d.def).endsWith(`USINGbtreelower${col}`))?.name;
}

export const UNIQUE_INDEX_DEFS = `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indpred IS NULL`;

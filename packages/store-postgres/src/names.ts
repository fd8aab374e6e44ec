/**
 * SQL identifiers of one store: a schema and an optional table prefix. Identifiers cannot be bound as
 * parameters, so they are checked against a strict pattern and always double-quoted: nothing an option
 * holds can change the shape of a statement.
 */

const IDENT = /^[a-z_][a-z0-9_]{0,47}$/;

export const DEFAULT_SCHEMA = 'authmount';

/** `name` double-quoted, after checking it is a plain lower-case identifier. */
export function ident(name: string, what = 'identifier'): string {
  if (typeof name !== 'string' || !IDENT.test(name)) {
    throw new TypeError(
      `postgresStore: ${what} must match ${IDENT} (lower-case letters, digits, underscores), got ${JSON.stringify(name)}`,
    );
  }
  return `"${name}"`;
}

/**
 * A possibly schema-qualified name of the app's own table or column (`users`, `public.users`, `app.members`).
 * Each part is checked like `ident` but may contain upper-case letters (quoted, so case is kept).
 */
const APP_IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
export function appIdent(name: string, what: string): string {
  if (typeof name !== 'string' || !APP_IDENT.test(name)) {
    throw new TypeError(`postgresStore: ${what} must be a plain identifier (letters, digits, _ or $), got ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}

export function appTable(name: string): { sql: string; schema: string | null; table: string } {
  const parts = typeof name === 'string' ? name.split('.') : [];
  if (parts.length === 1) return { sql: appIdent(parts[0], 'users.table'), schema: null, table: parts[0] };
  if (parts.length === 2) {
    return { sql: `${appIdent(parts[0], 'users.table (schema)')}.${appIdent(parts[1], 'users.table')}`, schema: parts[0], table: parts[1] };
  }
  throw new TypeError(`postgresStore: users.table must be "table" or "schema.table", got ${JSON.stringify(name)}`);
}

/** Every name a store's statements use, quoted and qualified. */
export class Names {
  readonly schema: string;
  readonly prefix: string;
  /** The quoted schema. */
  readonly s: string;

  constructor(schema: string = DEFAULT_SCHEMA, prefix = '') {
    this.s = ident(schema, 'schema');
    if (prefix !== '') ident(prefix, 'tablePrefix');
    this.schema = schema;
    this.prefix = prefix;
  }

  /** Qualified, quoted table (or function) name: "schema"."prefix + base". */
  t(base: string): string {
    return `${this.s}."${this.prefix}${base}"`;
  }

  /** Unqualified, quoted name for an index or constraint (indexes live in their table's schema). */
  i(base: string): string {
    return `"${this.prefix}${base}"`;
  }

  get tokens(): string {
    return this.t('tokens');
  }
  get users(): string {
    return this.t('users');
  }
  get codes(): string {
    return this.t('codes');
  }
  get counters(): string {
    return this.t('counters');
  }
  get clients(): string {
    return this.t('oauth_clients');
  }
  get migrations(): string {
    return this.t('migrations');
  }
}

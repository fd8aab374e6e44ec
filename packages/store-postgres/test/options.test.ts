import { ConfigError } from '@authmount/core';
import { postgresStore } from '@authmount/store-postgres';
import pg from 'pg';

/** The message of the ConfigError `fn` throws (fails the test when it throws nothing or something else). */
function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('postgresStore options are checked at construction, naming the option', () => {
  it.each([
    ['a typo', { connectionStrng: 'postgres://x@h/db' }, /connectionStrng: unknown option.*did you mean "connectionString"/],
    [
      'a URL of another scheme',
      { connectionString: 'mysql://u:p4ss@h/db' },
      /connectionString: expected a postgres:\/\/ or postgresql:\/\/ connection string/,
    ],
    ['a timeout as a string', { queryTimeoutMs: '2s' }, /queryTimeoutMs: expected a positive integer number of milliseconds/],
    ['a schema that would need quoting', { schema: 'Auth-Mount' }, /schema: expected a schema name/],
    ['a table prefix with a dot', { tablePrefix: 'a.b' }, /tablePrefix: expected a table prefix/],
    ['an unknown user field', { users: { table: 'users', columns: { nickname: 'nick' } } }, /users\.columns\.nickname: unknown option/],
    ['a negative sweep batch', { sweepBatch: -1 }, /sweepBatch: expected a positive integer/],
  ])('%s', (_name, opts, message) => {
    expect(configError(() => postgresStore(opts as never))).toMatch(message);
  });

  it('refuses a pool and a connection string together', () => {
    const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    try {
      expect(configError(() => postgresStore({ pool, connectionString: 'postgres://x@h/db' }))).toMatch(
        /pool: pass either `pool` or `connectionString`/,
      );
    } finally {
      void pool.end();
    }
  });

  it('never echoes the connection string (it may carry a password)', () => {
    const message = configError(() => postgresStore({ connectionString: 'mysql://user:s3cret-pw@db.internal/app' }));
    expect(message).not.toContain('s3cret-pw');
    expect(message).not.toContain('db.internal');
  });

  it('accepts undefined for every optional setting (values straight from the environment)', async () => {
    const store = postgresStore({
      connectionString: 'postgres://nobody@127.0.0.1:1/none',
      schema: undefined,
      tablePrefix: undefined,
      queryTimeoutMs: undefined,
      users: undefined,
      sweepIntervalMs: 0,
      onError: undefined,
    });
    expect(store.schema).toBe('authmount');
    await store.close();
  });
});

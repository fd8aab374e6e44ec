import { option, validateOptions, z } from '@authmount/core';

/**
 * `postgresStore(options)`: checked at construction with core's toolkit (same error type and format as
 * createAuth), so a typo (`connectionStrng`), a timeout given as `'2s'` or a schema name that would need
 * quoting fails at start-up naming the option. The connection string is never echoed (it may carry a
 * password). Whether the server answers is only known once connected: `ready()` says.
 */
const IDENT = /^[a-z_][a-z0-9_]{0,47}$/;
const ident = (what: string) =>
  z
    .string({ error: `expected ${what} ([a-z_][a-z0-9_]{0,47})` })
    .refine((s) => IDENT.test(s), { error: `expected ${what} ([a-z_][a-z0-9_]{0,47})` });

const FIELDS = ['id', 'login', 'email', 'passwordHash', 'createdAt', 'updatedAt', 'expiresAt', 'attributes'] as const;
const column = z.union(
  [z.string({ error: 'expected a column name or null' }).min(1, { error: 'expected a column name or null' }), z.null()],
  {
    error: 'expected a column name or null',
  },
);

const schema = z
  .strictObject(
    {
      connectionString: z
        .string({ error: 'expected a postgres:// connection string' })
        .refine((s) => /^postgres(ql)?:\/\//i.test(s), { error: 'expected a postgres:// or postgresql:// connection string' })
        .optional(),
      // node-postgres owns the meaning of its pool options: only the object is checked.
      poolOptions: z.looseObject({}, { error: 'expected an object of pg.Pool options' }).optional(),
      pool: z
        .looseObject({ query: option.func('a pg.Pool'), connect: option.func('a pg.Pool') }, { error: 'expected a pg.Pool' })
        .optional(),
      schema: ident('a schema name').optional(),
      tablePrefix: z
        .string({ error: 'expected a table prefix ([a-z0-9_]*)' })
        .refine((s) => /^[a-z0-9_]*$/.test(s), { error: 'expected a table prefix ([a-z0-9_]*)' })
        .optional(),
      users: z
        .strictObject(
          {
            table: z.string({ error: 'expected a table name ("users" or "schema.users")' }).min(1, { error: 'expected a table name' }),
            columns: z
              .strictObject(Object.fromEntries(FIELDS.map((f) => [f, column.optional()])), {
                error: `expected an object mapping ${FIELDS.join(', ')} to column names (or null)`,
              })
              .optional(),
          },
          { error: 'expected { table, columns? }' },
        )
        .optional(),
      connectTimeoutMs: option.milliseconds().optional(),
      queryTimeoutMs: option.milliseconds().optional(),
      sweepIntervalMs: option.integer('a number of milliseconds (0 = never)', 0).optional(),
      sweepBatch: option.integer('a positive integer', 1).optional(),
      sweepSlackMs: option.integer('a number of milliseconds', 0).optional(),
      clock: option.func('a function returning epoch milliseconds').optional(),
      dropSchemaOnClose: z.boolean({ error: 'expected true or false' }).optional(),
      onError: option.func('a function (err) => void').optional(),
    },
    { error: 'expected an options object' },
  )
  .refine((o) => o.pool === undefined || (o.connectionString === undefined && o.poolOptions === undefined), {
    error: 'pass either `pool` or `connectionString`/`poolOptions`, not both',
    path: ['pool'],
  });

/** Throws ConfigError naming every invalid option of `postgresStore`. */
export function validatePostgresStoreOptions(opts: unknown): void {
  validateOptions(schema, opts, 'postgresStore');
}

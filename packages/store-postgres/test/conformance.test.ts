import { composeStore } from '@authmount/core';
import { describeStoreConformance } from '@authmount/core/conformance';
import { migrate, postgresStore } from '@authmount/store-postgres';
import { redisStore } from '@authmount/store-redis';
import { describeWithPostgres, testPool, uniqueSchema } from '../../../test-support/postgres';
import { cleanPostgresStore } from '../../../test-support/postgres-stores';
import { describeWithSharedRedis, uniquePrefix } from '../../../test-support/redis';

describeWithPostgres('postgres store', (url) => {
  // A migrated, empty schema per test (test-support/postgres.ts).
  describeStoreConformance({ name: 'postgres', clients: true, create: () => cleanPostgresStore(url) });

  // The app's own users table, with its own column names and types: int ids, timestamptz times, a json
  // attributes column, created by the app's migration (not authmount's). The suite runs unchanged on it.
  describeStoreConformance({
    name: 'postgres (users mapped onto an app table)',
    clients: true,
    create: async () => {
      const pool = testPool(url);
      const schema = uniqueSchema('map');
      await pool.query(`CREATE SCHEMA ${schema}`);
      await pool.query(`CREATE TABLE ${schema}.members (
        member_id serial PRIMARY KEY,
        username varchar(100),
        mail text,
        password_digest text,
        inserted_at timestamptz NOT NULL DEFAULT now(),
        modified_at timestamp,
        valid_until timestamptz,
        profile jsonb NOT NULL DEFAULT '{}',
        plan text NOT NULL DEFAULT 'free'
      )`);
      const users = {
        table: `${schema}.members`,
        columns: {
          id: 'member_id',
          login: 'username',
          email: 'mail',
          passwordHash: 'password_digest',
          createdAt: 'inserted_at',
          updatedAt: 'modified_at',
          expiresAt: 'valid_until',
          attributes: 'profile',
        },
      };
      await migrate(pool, { schema, users });
      return postgresStore({ pool, schema, users, sweepIntervalMs: 0, dropSchemaOnClose: true });
    },
  });

  describeWithSharedRedis('composed with redis', (redisUrl) => {
    // Users in PostgreSQL, tokens, codes and counters in Redis: the suite runs unchanged on the composition.
    describeStoreConformance({
      name: 'compose(users: postgres, rest: redis)',
      clients: true,
      create: async () =>
        composeStore({
          users: await cleanPostgresStore(url),
          rest: redisStore({ url: redisUrl, prefix: uniquePrefix('compose'), dropKeysOnClose: true }),
        }),
    });
  });
});

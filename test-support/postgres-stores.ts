import type { AuthStore, Clock } from '@authmount/core';
import { postgresStore, type PostgresStore } from '@authmount/store-postgres';
import { testPool, uniqueSchema } from './postgres';

// (Apart from postgres.ts because the jest global setup loads that file outside jest, where
// @authmount/* packages do not resolve to their sources.)

/*
 * Empty stores, fast. Creating and migrating a schema costs ~40 ms and dropping it ~10 ms; a protocol
 * suite makes a store per test. So a closed test store gives its schema back emptied (one DELETE per
 * table, its tables are tiny) and the next store of the same process takes it. Every schema is dropped
 * by the jest global teardown (dropRunSchemas).
 */
const spare = new Map<string, string[]>();
const TABLES = ['tokens', 'users', 'codes', 'counters', 'oauth_clients'];

export interface TestPostgresOptions {
  clock?: Clock;
  tablePrefix?: string;
}

/** A fresh, empty, migrated PostgresStore on the shared pool; close() hands its schema back for reuse. */
export async function cleanPostgresStore(url: string, opts: TestPostgresOptions = {}): Promise<PostgresStore> {
  const pool = testPool(url);
  const prefix = opts.tablePrefix ?? '';
  const key = `${url}|${prefix}`;
  const reused = spare.get(key)?.pop();
  const schema = reused ?? uniqueSchema('s');
  const store = postgresStore({ pool, schema, tablePrefix: prefix, clock: opts.clock, sweepIntervalMs: 0 });
  if (!reused) await store.migrate();
  const close = store.close.bind(store);
  let closed: Promise<void> | undefined;
  store.close = () =>
    (closed ??= (async () => {
      await close();
      await pool.query(TABLES.map((t) => `DELETE FROM "${schema}"."${prefix}${t}";`).join('\n'));
      let list = spare.get(key);
      if (!list) spare.set(key, (list = []));
      list.push(schema);
    })());
  return store;
}

/** The store contract's methods (packages/core/src/store.ts), so the stand-in is a plain object like a real store. */
const METHODS = {
  tokens: ['create', 'authenticate', 'peek', 'update', 'delete', 'listByUser', 'deleteByUser'],
  users: ['create', 'findById', 'findByLogin', 'findByEmail', 'update', 'delete'],
  codes: ['put', 'take'],
  counters: ['increment', 'peek', 'reserve', 'settle'],
  clients: ['find', 'create', 'remove', 'list'],
} as const;

/**
 * The same, usable at once (TestStore.make is synchronous): every call waits for the schema first. For
 * testStores(); conformance tests use cleanPostgresStore directly.
 */
export function lazyPostgresStore(url: string, clock: Clock): AuthStore {
  const ready = cleanPostgresStore(url, { clock });
  ready.catch(() => undefined);
  const part = <K extends keyof typeof METHODS>(k: K): AuthStore[K] =>
    Object.fromEntries(
      METHODS[k].map((m) => [
        m,
        (...args: unknown[]) => ready.then((s) => (s[k] as unknown as Record<string, (...a: unknown[]) => unknown>)[m](...args)),
      ]),
    ) as unknown as AuthStore[K];
  return {
    name: 'postgres',
    tokens: part('tokens'),
    users: part('users'),
    codes: part('codes'),
    counters: part('counters'),
    clients: part('clients'),
    close: () => ready.then((s) => s.close()),
  };
}

import type { AuthStore, Clock } from '@authmount/core';
import { memoryStore } from '@authmount/store-memory';
import { redisStore } from '@authmount/store-redis';
import { sharedPostgresSkipReason, sharedPostgresUrl } from './postgres';
import { lazyPostgresStore } from './postgres-stores';
import { sharedRedisSkipReason, sharedRedisUrl, uniquePrefix } from './redis';

/**
 * The stores every protocol and integration test runs on. Use it as
 *   describe.each(testStores())('$name store', ({ make }) => { ... make(clock) ... })
 * Each `make` returns a fresh, empty store; close it (auth.close()) after the test.
 *
 * A store that cannot run here (its server is absent, outside CI) stays in the list with `unavailable` set
 * to the reason: `describe.each` / `it.each` over the list then register its block as SKIPPED, every test
 * counted and the reason in the title (test-support/jest-setup.ts; summary-reporter.js prints the reasons).
 * Under CI an absent server is an error instead, raised where the entry is built.
 */
export interface TestStore {
  name: string;
  /** Set when this store cannot run here: why (printed; its tests are reported as skipped). */
  unavailable?: string;
  make(clock: Clock): AuthStore;
}

/** An entry whose server is absent: `make` must never be reached (its tests are skipped). */
export function unavailableStore(name: string, reason: string): TestStore {
  return {
    name,
    unavailable: reason,
    make: () => {
      throw new Error(`the ${name} store is unavailable here (${reason}); its tests should have been skipped`);
    },
  };
}

export function testStores(): TestStore[] {
  const stores: TestStore[] = [{ name: 'memory', make: (clock) => memoryStore({ clock, sweepIntervalMs: 0 }) }];
  // Redis: the run's shared server (see redis.ts), a fresh key prefix per store, keys dropped on close.
  // Unavailable when no Redis could be found or started (a loud message was printed; under CI, an error).
  const url = sharedRedisUrl();
  if (!url) stores.push(unavailableStore('redis', sharedRedisSkipReason()));
  else {
    closeForgottenStoresAfterAll();
    stores.push({
      name: 'redis',
      make: (clock) => track(redisStore({ url, clock, prefix: uniquePrefix('store'), dropKeysOnClose: true, commandTimeout: 5000 })),
    });
  }
  // PostgreSQL: the run's shared server (see postgres.ts), an emptied migrated schema per store, reused
  // after close. Unavailable when no PostgreSQL answers (a loud message was printed; under CI, an error).
  const pgUrl = sharedPostgresUrl();
  if (!pgUrl) stores.push(unavailableStore('postgres', sharedPostgresSkipReason()));
  else {
    closeForgottenStoresAfterAll();
    stores.push({ name: 'postgres', make: (clock) => track(lazyPostgresStore(pgUrl, clock)) });
  }
  return selected(stores);
}

/**
 * AUTHMOUNT_TEST_STORES=memory,… runs only those stores; the others are reported as skipped (mutation testing
 * of code that is the same on every store uses it to halve its runs). Unset: every store.
 */
function selected(stores: TestStore[]): TestStore[] {
  const only = process.env.AUTHMOUNT_TEST_STORES?.split(',').map((s) => s.trim());
  if (!only) return stores;
  return stores.map((s) =>
    only.includes(s.name) || s.unavailable ? s : unavailableStore(s.name, 'not selected by AUTHMOUNT_TEST_STORES'),
  );
}

// A Redis store left open would keep jest from exiting: close whatever a test file forgot, after the file.
const open = new Set<AuthStore>();
let hooked = false;
function track(store: AuthStore): AuthStore {
  open.add(store);
  const close = store.close.bind(store);
  store.close = () => {
    open.delete(store);
    return close();
  };
  return store;
}
function closeForgottenStoresAfterAll(): void {
  if (hooked || typeof afterAll !== 'function') return;
  hooked = true;
  try {
    afterAll(() => Promise.all([...open].map((s) => s.close())));
  } catch {
    // called from inside a test: no hook possible there; stores must then be closed by the test itself
  }
}

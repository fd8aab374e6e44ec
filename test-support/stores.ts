import type { AuthStore, Clock } from '@authmount/core';
import { memoryStore } from '@authmount/store-memory';
import { redisStore } from '@authmount/store-redis';
import { sharedRedisUrl, uniquePrefix } from './redis';

/**
 * The stores every protocol and integration test runs on. Use it as
 *   describe.each(testStores())('$name store', ({ make }) => { ... make(clock) ... })
 * Each `make` returns a fresh, empty store; close it (auth.close()) after the test.
 */
export interface TestStore {
  name: string;
  make(clock: Clock): AuthStore;
}

export function testStores(): TestStore[] {
  const stores: TestStore[] = [{ name: 'memory', make: (clock) => memoryStore({ clock, sweepIntervalMs: 0 }) }];
  // Redis: the run's shared server (see redis.ts), a fresh key prefix per store, keys dropped on close.
  // Absent when no Redis could be found or started (a loud message was printed; under CI=true, an error).
  const url = sharedRedisUrl();
  if (url) {
    closeForgottenStoresAfterAll();
    stores.push({
      name: 'redis',
      make: (clock) => track(redisStore({ url, clock, prefix: uniquePrefix('store'), dropKeysOnClose: true, commandTimeout: 5000 })),
    });
  }
  return stores;
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

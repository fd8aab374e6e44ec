import type { AuthStore, Clock } from '@authmount/core';
import { memoryStore } from '@authmount/store-memory';

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
  return [{ name: 'memory', make: (clock) => memoryStore({ clock, sweepIntervalMs: 0 }) }];
}

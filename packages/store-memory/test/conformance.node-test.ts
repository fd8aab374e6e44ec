/**
 * The memory store's conformance suite under node:test (not jest): the suite takes the runner's functions,
 * so it needs no test framework. Run by test/node-test.test.ts in a child process:
 *   node --import tsx --test packages/store-memory/test/conformance.node-test.ts
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import { describeStoreConformance } from '@authmount/core/conformance';
import { memoryStore } from '@authmount/store-memory';

describeStoreConformance({
  name: 'memory under node:test',
  create: () => memoryStore({ sweepIntervalMs: 0 }),
  clients: true,
  runner: { describe, it, beforeEach, afterEach },
});

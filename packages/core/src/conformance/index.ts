/**
 * The store conformance suite: every AuthStore (memory, Redis, PostgreSQL, yours) must pass it unchanged.
 *
 *   // jest or vitest (globals): the runner's describe/it/beforeEach/afterEach are found on globalThis
 *   describeStoreConformance({ name: 'my-store', create: () => myStore(...) });
 *   // node:test, or any runner: pass its functions
 *   import { describe, it, beforeEach, afterEach } from 'node:test';
 *   describeStoreConformance({ name: 'my-store', create: () => myStore(), runner: { describe, it, beforeEach, afterEach } });
 *
 * Assertions use `node:assert/strict`, so the suite depends on no test framework. Time is driven through
 * the `now` argument every store method takes, so the suite never sleeps; a store must decide validity from
 * `now`, not from its own clock (a networked store may still set real TTLs, as long as they are relative
 * to `now`). One file per sub-store contract: tokens.ts, users.ts, codes.ts, counters.ts, clients.ts.
 */
import assert from 'node:assert/strict';
import type { AuthStore, OAuthClientRegistry } from '../store';
import { clientTests } from './clients';
import { codeTests } from './codes';
import { counterTests } from './counters';
import { globalRunner, type Ctx, type TestRunner } from './support';
import { tokenTests } from './tokens';
import { userTests } from './users';

export { DAY, HOUR, MIN, newUser, oauthClient, tokenRecord } from './fixtures';
export type { TestRunner } from './support';

export interface ConformanceOptions {
  name: string;
  /** A fresh, empty store for one test (e.g. a new key prefix). */
  create(): AuthStore | Promise<AuthStore>;
  /** Called after each test with the store it got; default closes it. */
  destroy?(store: AuthStore): Promise<void>;
  /**
   * Also run the OAuth client registry part on `store.clients` (memory and Redis keep one). Leave it off
   * for a store without a registry: the contract makes `clients` optional.
   */
  clients?: boolean;
  /** Default: the runner's globals (jest, vitest with globals). */
  runner?: TestRunner;
}

/** A subject made fresh before each test and disposed of after it, with the instant the test starts at. */
function lifecycle<S>(runner: TestRunner, create: () => S | Promise<S>, destroy: (s: S) => Promise<void>): Ctx<S> {
  let subject: S | undefined;
  let now = 0;
  // Start at the real time so a store that also sets wall-clock TTLs behaves; tests only move forward.
  runner.beforeEach(async () => {
    subject = await create();
    now = Math.floor(Date.now() / 1000) * 1000;
  });
  runner.afterEach(async () => {
    const s = subject;
    subject = undefined;
    if (s !== undefined) await destroy(s);
  });
  return {
    runner,
    get store(): S {
      assert.ok(subject !== undefined, 'conformance: no subject outside a test');
      return subject;
    },
    get now() {
      return now;
    },
  };
}

export function describeStoreConformance(opts: ConformanceOptions): void {
  const runner = opts.runner ?? globalRunner('describeStoreConformance');
  runner.describe(`store conformance: ${opts.name}`, () => {
    const ctx = lifecycle(runner, opts.create, (s) => (opts.destroy ? opts.destroy(s) : s.close()));
    tokenTests(ctx);
    userTests(ctx);
    codeTests(ctx);
    counterTests(ctx);
    if (opts.clients) {
      clientTests({
        runner,
        get store() {
          const registry = ctx.store.clients;
          assert.ok(registry, `${opts.name}: clients: true, but the store has no \`clients\` registry`);
          return registry;
        },
        get now() {
          return ctx.now;
        },
      });
    }
  });
}

export interface ClientRegistryConformanceOptions {
  name: string;
  /** A fresh, empty registry for one test. */
  create(): OAuthClientRegistry | Promise<OAuthClientRegistry>;
  /** Called after each test with the registry it got (e.g. to close what it lives in). Default: nothing. */
  destroy?(registry: OAuthClientRegistry): Promise<void>;
  /** Default: the runner's globals (jest, vitest with globals). */
  runner?: TestRunner;
}

/** The OAuth client registry part alone, for a registry of your own (core's OAuthClientRegistry contract). */
export function describeClientRegistryConformance(opts: ClientRegistryConformanceOptions): void {
  const runner = opts.runner ?? globalRunner('describeClientRegistryConformance');
  runner.describe(`client registry conformance: ${opts.name}`, () => {
    clientTests(lifecycle(runner, opts.create, (r) => (opts.destroy ? opts.destroy(r) : Promise.resolve())));
  });
}

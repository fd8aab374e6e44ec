/**
 * What every part of the conformance suite shares: the runner's functions, the running test's store and
 * instant, and the assertions (node:assert/strict underneath, so no test framework is needed).
 */
import assert from 'node:assert/strict';
import type { TokenRecord } from '../store';

/** The four functions the suite needs from a test runner (jest, vitest and node:test all fit). */
export interface TestRunner {
  describe(name: string, fn: () => void): unknown;
  it(name: string, fn: () => Promise<void>): unknown;
  beforeEach(fn: () => Promise<void>): unknown;
  afterEach(fn: () => Promise<void>): unknown;
}

/** The runner's globals (jest, vitest with globals), or a clear error naming the `runner` option. */
export function globalRunner(suite: string): TestRunner {
  const g = globalThis as Partial<TestRunner>;
  if (
    typeof g.describe !== 'function' ||
    typeof g.it !== 'function' ||
    typeof g.beforeEach !== 'function' ||
    typeof g.afterEach !== 'function'
  ) {
    throw new TypeError(
      `${suite}: no test runner globals found; pass \`runner: { describe, it, beforeEach, afterEach }\` (e.g. from node:test)`,
    );
  }
  return g as TestRunner;
}

/** One part of the suite (tokens, users, ...) sees the subject under test through this: fresh for every test. */
export interface Ctx<S> {
  readonly runner: TestRunner;
  /** The store (or registry) of the running test. */
  readonly store: S;
  /** The running test's starting instant, epoch ms (tests only move forward from it). */
  readonly now: number;
}

/**
 * Deep equality of plain data. Records are compared as JSON data: a store may build objects in another
 * realm (structuredClone under jest's vm contexts), whose prototypes a strict comparison would reject.
 */
const plain = (v: unknown): unknown => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
export function eq(actual: unknown, expected: unknown, message?: string): void {
  assert.deepEqual(plain(actual), plain(expected), message);
}

/** Every key of `expected` equals (deeply) the same key of `actual`; plain objects are compared the same way. */
export function like(actual: unknown, expected: Record<string, unknown>, path = 'value'): void {
  assert.ok(actual !== null && typeof actual === 'object', `${path} should be an object, got ${String(actual)}`);
  for (const [k, v] of Object.entries(expected)) {
    const a: unknown = (actual as Record<string, unknown>)[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) like(a, v as Record<string, unknown>, `${path}.${k}`);
    else eq(a, v, `${path}.${k}`);
  }
}

export const ids = (records: readonly TokenRecord[]) => records.map((t) => t.id);

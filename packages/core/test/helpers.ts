import { memoryStore } from '@authmount/store-memory';
import { FAST_HASHING } from '../../../test-support/fast';
import { AuthError, createAuthCore, manualClock, type AuthCoreConfig, type AuthEvent } from '../src';

/**
 * A core on a fresh memory store with a manual clock, every event it emits, and the store itself (the
 * core hands out services only; a test reads or patches the store it built).
 */
export function makeCore(over: Partial<AuthCoreConfig> = {}) {
  const clock = manualClock();
  const store = over.store ?? memoryStore({ clock, sweepIntervalMs: 0 });
  const core = createAuthCore({ hashing: FAST_HASHING, ...over, store, clock: over.clock ?? clock });
  const events: AuthEvent[] = [];
  core.events.onAny((e) => events.push(e));
  return { core, store, clock, events };
}

/** The AuthError `p` rejects with (anything else, a resolution included, fails the test). */
export async function authError(p: Promise<unknown>): Promise<AuthError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof AuthError)) throw new Error(`expected an AuthError, got ${String(e)}`);
  return e;
}

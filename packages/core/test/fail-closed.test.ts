import { memoryStore } from '@authmount/store-memory';
import { AuthError, createAuthCore, failClosed, manualClock, STORE_METHODS, type AuthStore } from '../src';
import { FAST_HASHING } from '../../../test-support/fast';

type Part = keyof typeof STORE_METHODS;
const PARTS = Object.keys(STORE_METHODS) as Part[];
const cases = PARTS.flatMap((part) => STORE_METHODS[part].map((method) => [part, method] as const));

/** A memory store whose `part.method` is replaced by `impl` (on the raw store, after any wrapping). */
function patch(store: AuthStore, part: Part, method: string, impl: (...args: unknown[]) => unknown): void {
  (store[part] as unknown as Record<string, unknown>)[method] = impl;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('resolved');
    },
    (e: unknown) => e,
  );
}

describe('failClosed: every method of every sub-store fails closed', () => {
  it('lists every contract method (the compile-time check has a run-time twin)', () => {
    const store = memoryStore({ sweepIntervalMs: 0 });
    for (const part of PARTS) {
      const own = Object.getOwnPropertyNames(Object.getPrototypeOf(store[part])).filter((n) => n !== 'constructor');
      // Every listed method exists on the memory store, and the store's public methods beyond the contract are only its own helpers.
      for (const m of STORE_METHODS[part]) expect(own).toContain(m);
    }
    return store.close();
  });

  it.each(cases)('%s.%s: a rejection becomes store_unavailable with the original as cause', async (part, method) => {
    const store = memoryStore({ sweepIntervalMs: 0 });
    const wrapped = failClosed(store);
    const original = new Error('connect ECONNREFUSED 10.0.0.7:6379');
    patch(store, part, method, () => Promise.reject(original));
    const e = await failure((wrapped[part] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]('x', 1, 2, 3));
    expect(e).toBeInstanceOf(AuthError);
    expect(e).toMatchObject({ code: 'store_unavailable', cause: original });
    expect((e as AuthError).message).not.toContain('ECONNREFUSED');
  });

  it.each(cases)('%s.%s: a synchronous throw becomes a rejection, never a throw', async (part, method) => {
    const store = memoryStore({ sweepIntervalMs: 0 });
    const wrapped = failClosed(store);
    const original = new TypeError('driver bug');
    patch(store, part, method, () => {
      throw original;
    });
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = (wrapped[part] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]('x', 1, 2, 3);
    }).not.toThrow();
    expect(await failure(pending!)).toMatchObject({ code: 'store_unavailable', cause: original });
  });

  it('passes results, the arguments and AuthErrors (capacity) through unchanged', async () => {
    const store = memoryStore({ sweepIntervalMs: 0 });
    const wrapped = failClosed(store);
    const seen: unknown[][] = [];
    patch(store, 'tokens', 'authenticate', (...args: unknown[]) => {
      seen.push(args);
      return Promise.resolve({ ok: false, reason: 'unknown' });
    });
    expect(await wrapped.tokens.authenticate('1', 'h', 5, { issuers: ['a'] })).toEqual({ ok: false, reason: 'unknown' });
    expect(seen).toEqual([['1', 'h', 5, { issuers: ['a'] }]]);
    patch(store, 'counters', 'reserve', (...args: unknown[]) => {
      seen.push(args);
      return Promise.resolve({ ok: true });
    });
    expect(await wrapped.counters.reserve([{ key: 'k', limit: 1, windowMs: 1 }], 9)).toEqual({ ok: true });
    expect(seen[1]).toEqual([[{ key: 'k', limit: 1, windowMs: 1 }], 9]);
    const full = new AuthError('capacity');
    patch(store, 'codes', 'put', () => Promise.reject(full));
    expect(await failure(wrapped.codes.put('k', 'v', 2, 1))).toBe(full);
    await store.close();
  });

  it('keeps name, ready and close as they are, and has no registry when the store has none', async () => {
    const store = memoryStore({ sweepIntervalMs: 0 });
    const { clients: _none, ...withoutClients } = store;
    const bare: AuthStore = { ...withoutClients, name: 'bare', close: () => Promise.reject(new Error('close failed')) };
    const wrapped = failClosed(bare);
    expect(wrapped.name).toBe('bare');
    expect(wrapped.clients).toBeUndefined();
    expect(wrapped.ready).toBeUndefined();
    await expect(wrapped.close()).rejects.toThrow('close failed'); // the real cause, for operators
    await store.close();
  });
});

describe('createAuthCore builds every service on the fail-closed store', () => {
  it('services answer store_unavailable for a down store; probe() reports the store’s own error', async () => {
    const clock = manualClock();
    const store = memoryStore({ clock, sweepIntervalMs: 0 });
    const core = createAuthCore({ store, clock, hashing: FAST_HASHING });
    const { token } = await core.tokens.issue({ userId: 1 });
    await core.accounts.register({ login: 'alice', password: 'correct horse battery staple' });
    await core.clients!.create({ clientId: 'c', name: 'C', redirectUris: [], secretHash: 'h', scopes: [], pollToken: false, createdAt: 0 });
    await expect(core.probe()).resolves.toBeUndefined();
    expect(core.storeName).toBe('memory');

    const down = new Error('connect ECONNREFUSED 10.0.0.7:6379');
    for (const part of PARTS) for (const m of STORE_METHODS[part]) patch(store, part, m, () => Promise.reject(down));
    const code = (p: Promise<unknown>) => failure(p).then((e) => (e as AuthError).code);
    expect(await code(core.tokens.authenticate(token))).toBe('store_unavailable');
    expect(await code(core.tokens.list(1))).toBe('store_unavailable');
    expect(await code(core.accounts.findByIdentifier('alice'))).toBe('store_unavailable');
    expect(await code(core.accounts.login({ identifier: 'alice', password: 'x', ip: '10.0.0.1', method: 't' }))).toBe('store_unavailable');
    expect(await code(core.codes.consume('p', 'code'))).toBe('store_unavailable');
    expect(await code(core.replay.accept('s', 'n', 1000))).toBe('store_unavailable');
    expect(await code(core.resetCodes.issue(1, 1000))).toBe('store_unavailable');
    expect(await code(core.clients!.find('c'))).toBe('store_unavailable');
    await expect(core.probe()).rejects.toBe(down);
    await core.close();
  });
});

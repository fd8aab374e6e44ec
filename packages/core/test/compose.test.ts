/**
 * composeStore: runtime wiring here; the type checks below are compiled by `tsc --noEmit` (npm test):
 * each @ts-expect-error line FAILS the type check if the error it expects is gone.
 */
import { memoryStore } from '@authmount/store-memory';
import { composeStore, createAuthCore, manualClock, type AuthStore } from '../src';
import { FAST_HASHING } from '../../../test-support/fast';

function counted(name: string): { store: AuthStore; closes: () => number } {
  const inner = memoryStore({ sweepIntervalMs: 0 });
  let n = 0;
  const store: AuthStore = Object.assign(Object.create(inner) as AuthStore, {
    name,
    close: async () => {
      n++;
      await inner.close();
    },
  });
  return { store, closes: () => n };
}

describe('composeStore', () => {
  it('takes each concern from the store named for it, the rest from `rest`, and closes every store once', async () => {
    const users = counted('users-db');
    const rest = counted('fast');
    const store = composeStore({ users: users.store, rest: rest.store });
    expect(store.name).toBe('compose(tokens:fast, users:users-db, codes:fast, counters:fast)');
    expect(store.users).toBe(users.store.users);
    expect(store.tokens).toBe(rest.store.tokens);
    expect(store.counters).toBe(rest.store.counters);

    // Through core: a user registered lands in one store, its token in the other.
    const clock = manualClock();
    const core = createAuthCore({ store, clock, hashing: FAST_HASHING });
    const a = await core.accounts.register({ login: 'alice', password: 'correct horse battery staple' });
    const { token, info } = await core.tokens.issue({ userId: a.id });
    expect(await users.store.users.findById(a.id, clock())).not.toBeNull();
    expect(await rest.store.users.findById(a.id, clock())).toBeNull();
    expect(await rest.store.tokens.peek(info.id, clock())).not.toBeNull();
    expect(await users.store.tokens.peek(info.id, clock())).toBeNull();
    expect((await core.tokens.authenticate(token)).userId).toBe(a.id);

    await core.close();
    await store.close(); // idempotent
    expect([users.closes(), rest.closes()]).toEqual([1, 1]);
  });

  it('accepts sub-stores and runs an extra close; a store serving several concerns is closed once', async () => {
    const a = counted('a');
    let extra = 0;
    const store = composeStore({
      users: a.store,
      tokens: a.store,
      codes: a.store.codes,
      counters: a.store.counters,
      name: 'mine',
      close: async () => void extra++,
    });
    expect(store.name).toBe('mine');
    expect(store.codes).toBe(a.store.codes);
    await store.close();
    expect([a.closes(), extra]).toEqual([1, 1]);
  });

  it('takes the OAuth client registry from `clients`, else `rest`, else the users store', async () => {
    const users = counted('users-db');
    const rest = counted('fast');
    const own = counted('own');
    expect(composeStore({ users: users.store, rest: rest.store }).clients).toBe(rest.store.clients);
    const named = composeStore({ users: users.store, tokens: rest.store, codes: rest.store, counters: rest.store });
    expect(named.clients).toBe(users.store.clients);
    const explicit = composeStore({ users: users.store, rest: rest.store, clients: own.store });
    expect(explicit.clients).toBe(own.store.clients);
    await explicit.close(); // a whole store given as `clients` is closed with the rest
    expect(own.closes()).toBe(1);
    const registry = own.store.clients!;
    expect(composeStore({ rest: rest.store, clients: registry }).clients).toBe(registry);
    const parts = { users: users.store.users, tokens: rest.store.tokens, codes: rest.store.codes, counters: rest.store.counters };
    expect('clients' in composeStore(parts)).toBe(false); // sub-stores only: no registry to guess
  });

  it('refuses a concern without a source at run time too (for JavaScript callers)', () => {
    const a = memoryStore({ sweepIntervalMs: 0 });
    expect(() => composeStore({ users: a } as never)).toThrow(/no store for tokens/);
    expect(() => composeStore({ rest: a.tokens } as never)).toThrow(/`rest` must be an AuthStore/);
  });

  it('is type-checked: every concern needs a source', () => {
    const a = memoryStore({ sweepIntervalMs: 0 });
    // Never called: these only have to fail to compile.
    const wrong = () => {
      // @ts-expect-error tokens, codes and counters have no source (no `rest`)
      composeStore({ users: a });
      // @ts-expect-error a token store cannot serve users
      composeStore({ users: a.tokens, rest: a });
      // @ts-expect-error `rest` must be a whole store
      composeStore({ users: a, rest: a.counters });
    };
    void wrong;
    expect(composeStore({ users: a, tokens: a, codes: a, counters: a }).users).toBe(a.users);
  });
});

import { AuthError, manualClock } from '@authmount/core';
import { redisStore } from '@authmount/store-redis';
import { FAST_HASHING } from '../../../test-support/fast';
import { describeWithSharedRedis, uniquePrefix } from '../../../test-support/redis';
import { testStores } from '../../../test-support/stores';
import { createAuth, registerIfAbsent, type Auth } from '../src';

const PW = 'correct horse battery staple';

describe.each(testStores())('registerIfAbsent on the $name store', ({ make }) => {
  let auth: Auth;
  const clock = manualClock();
  beforeEach(() => {
    auth = createAuth({ store: make(clock), clock, hashing: FAST_HASHING });
  });
  afterEach(() => auth.close());

  it('creates the account once; later calls return it untouched', async () => {
    const first = await registerIfAbsent(auth, { login: 'alice', email: 'alice@example.com', password: PW });
    expect(first).toMatchObject({ created: true, account: { login: 'alice', email: 'alice@example.com', hasPassword: true } });
    const again = await registerIfAbsent(auth, { login: 'ALICE', email: 'other@example.com', password: 'another long passphrase here' });
    expect(again).toEqual({ created: false, account: first.account });
    expect(again.account).not.toHaveProperty('passwordHash');
    // The existing password was not replaced.
    await expect(auth.accounts.login({ identifier: 'alice', password: PW, ip: undefined, method: 'test' })).resolves.toMatchObject({
      id: first.account.id,
    });
  });

  it('recognises an account without login by its e-mail', async () => {
    const first = await registerIfAbsent(auth, { email: 'svc@example.com', password: null });
    expect(first.created).toBe(true);
    expect(await registerIfAbsent(auth, { email: 'SVC@example.com', password: null })).toEqual({ created: false, account: first.account });
  });

  it('N concurrent calls (as N processes starting at once): one creates, every call resolves to the same account', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => registerIfAbsent(auth, { login: 'seed', email: 'seed@example.com', password: PW })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.account.id)).size).toBe(1);
  });

  it('a conflict on the other field is a different account: thrown, not swallowed', async () => {
    await auth.accounts.register({ login: 'carol', email: 'shared@example.com', password: PW });
    const err = await registerIfAbsent(auth, { login: 'dave', email: 'shared@example.com', password: PW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ code: 'conflict', details: { field: 'email' } });
    // A login that equals someone's e-mail is never that account: such a login is refused outright.
    await auth.accounts.register({ login: 'erin', email: 'erin@example.com', password: PW });
    await expect(registerIfAbsent(auth, { login: 'erin@example.com', password: PW })).rejects.toMatchObject({ code: 'invalid_login' });
  });

  it('needs a login or an e-mail; register errors (policy) pass through', async () => {
    await expect(registerIfAbsent(auth, { password: PW })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(registerIfAbsent(auth, { login: 'frank', password: 'short' })).rejects.toMatchObject({ code: 'password_policy' });
  });
});

describeWithSharedRedis('registerIfAbsent from several clients of one Redis (the processes of a deployment)', (url) => {
  it('racing on an empty store: one creates, the others report created: false and the same account', async () => {
    const clock = manualClock();
    const prefix = uniquePrefix('seed');
    // Each is its own connection to the same keys, like another process; the last one drops them.
    const twins = [0, 1, 2].map((i) =>
      createAuth({ store: redisStore({ url, prefix, commandTimeout: 5000, dropKeysOnClose: i === 2 }), clock, hashing: FAST_HASHING }),
    );
    try {
      const results = await Promise.all(twins.map((t) => registerIfAbsent(t, { login: 'bob', email: 'bob@example.com', password: PW })));
      expect(results.map((r) => r.created).sort()).toEqual([false, false, true]);
      expect(new Set(results.map((r) => r.account.id)).size).toBe(1);
    } finally {
      for (const t of twins) await t.close();
    }
  });
});

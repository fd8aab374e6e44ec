import argon2 from 'argon2';
import { memoryStore } from '@authmount/store-memory';
import { DEFAULT_ARGON2, MINUTE, PasswordHasher, createAuthCore, manualClock } from '../src';
import { FAST_HASHING } from '../../../test-support/fast';
import { authError, makeCore } from './helpers';

const GOOD = 'correct horse battery staple';
const GOOD2 = 'another quite long passphrase';
/** A server-side attempt (no client IP). */
const T = { ip: undefined, method: 't' };

describe('AccountService', () => {
  it('registers and logs in by login or e-mail, case-insensitively', async () => {
    const { core } = makeCore();
    const a = await core.accounts.register({ login: 'alice', email: 'Alice@Example.com', password: GOOD, attributes: { name: 'Alice' } });
    expect(a).toMatchObject({ login: 'alice', email: 'Alice@Example.com', hasPassword: true, attributes: { name: 'Alice' } });
    expect(a).not.toHaveProperty('passwordHash');
    expect((await core.accounts.login({ identifier: 'ALICE', password: GOOD, ip: undefined, method: 't' })).id).toBe(a.id);
    expect((await core.accounts.login({ identifier: 'alice@example.com', password: GOOD, ip: undefined, method: 't' })).id).toBe(a.id);
  });

  it('public lookups never hand out the password hash; only findForPasswordCheck does', async () => {
    const { core } = makeCore();
    const a = await core.accounts.register({ login: 'alice', email: 'alice@example.com', password: GOOD });
    const found = [
      await core.accounts.find(a.id),
      await core.accounts.findByEmail('ALICE@example.com'),
      await core.accounts.findByLogin('Alice'),
      await core.accounts.findByIdentifier('alice'),
      await core.accounts.findByIdentifier('alice@example.com'),
    ];
    for (const f of found) {
      expect(f).toEqual(a);
      expect(f).not.toHaveProperty('passwordHash');
      expect(JSON.stringify(f)).not.toContain('$argon2');
    }
    expect(await core.accounts.findByLogin('bob')).toBeNull();
    expect((await core.accounts.findForPasswordCheck('alice'))?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('stores argon2id PHC strings with the configured parameters', async () => {
    const { core, store } = makeCore();
    const a = await core.accounts.register({ login: 'p', password: GOOD });
    const u = await store.users.findById(a.id, core.clock());
    expect(u!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
    expect(u!.passwordHash).not.toContain(GOOD);
  });

  it('defaults to OWASP argon2id parameters (m=19456 KiB, t=2, p=1)', async () => {
    expect(DEFAULT_ARGON2).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const h = await new PasswordHasher().hash('x');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });

  it('gives an unknown account and a wrong password the same error, and runs a dummy verification for the unknown one', async () => {
    const { core, events } = makeCore();
    await core.accounts.register({ login: 'alice', password: GOOD });
    const verify = jest.spyOn(argon2, 'verify');
    const wrong = await authError(
      core.accounts.login({ identifier: 'alice', password: 'nope nope nope nope', ip: undefined, method: 't' }),
    );
    const before = core.hasher.dummyVerifications;
    const unknown = await authError(
      core.accounts.login({ identifier: 'mallory', password: 'nope nope nope nope', ip: undefined, method: 't' }),
    );
    expect(core.hasher.dummyVerifications).toBe(before + 1);
    expect(verify).toHaveBeenCalledTimes(2); // one real, one dummy: the same hashing work
    verify.mockRestore();
    expect([wrong.code, wrong.message]).toEqual([unknown.code, unknown.message]);
    expect(wrong.code).toBe('invalid_credentials');
    expect(events.filter((e) => e.type === 'login.failed').map((e) => (e as { reason?: string }).reason)).toEqual([
      'wrong_password',
      'unknown_account',
    ]);
  });

  it('refuses bad input with invalid_request and never hashes it', async () => {
    const { core } = makeCore();
    const hash = jest.spyOn(core.hasher, 'hash');
    const verify = jest.spyOn(core.hasher, 'verify');
    for (const [identifier, password] of [
      [undefined, GOOD],
      [['a'], GOOD],
      ['a', { x: 1 }],
      ['a', ''],
      ['x'.repeat(300), GOOD],
      [42, GOOD],
    ] as const) {
      expect((await authError(core.accounts.login({ identifier, password, ip: undefined, method: 't' }))).code).toBe('invalid_request');
    }
    // Longer than the policy allows: fails like a wrong password, but without any argon2 work.
    const dummy = jest.spyOn(core.hasher, 'dummyVerify');
    expect(
      (await authError(core.accounts.login({ identifier: 'a', password: 'x'.repeat(100_000), ip: undefined, method: 't' }))).code,
    ).toBe('invalid_credentials');
    expect(dummy).not.toHaveBeenCalled();
    const e = await authError(core.accounts.register({ login: 'big', password: 'y'.repeat(100_000) }));
    expect(e.code).toBe('password_policy');
    expect(e.details.violations).toEqual([expect.objectContaining({ code: 'too_long' })]);
    expect((await authError(core.accounts.register({ login: 'n', password: 12345 as unknown as string }))).code).toBe('password_policy');
    expect((await authError(core.accounts.register({ email: 'not-an-email', password: GOOD }))).code).toBe('invalid_request');
    expect(hash).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
  });

  it('applies the password policy (nist by default, pcloud on request) with every violation', async () => {
    const { core } = makeCore();
    const e = await authError(core.accounts.register({ login: 'bob', password: 'password' }));
    expect(e.code).toBe('password_policy');
    expect((e.details.violations as Array<{ code: string }>).map((v) => v.code)).toEqual(
      expect.arrayContaining(['too_short', 'common_password']),
    );
    expect(JSON.stringify(e.details)).not.toContain('"password"');
    const p = makeCore({ passwordPolicy: 'pcloud' }).core;
    await expect(p.accounts.register({ login: 'c', password: 'Tr0ub4dor&3' })).resolves.toMatchObject({ login: 'c' });
    const pe = await authError(p.accounts.register({ login: 'd', password: ' abc' }));
    expect((pe.details.violations as Array<{ code: string }>).map((v) => v.code)).toEqual(
      expect.arrayContaining(['too_short', 'edge_whitespace']),
    );
  });

  it('refuses attributes with a NUL anywhere, on register and update, before any hashing', async () => {
    const { core } = makeCore();
    const hashes = jest.spyOn(core.hasher, 'hash');
    const e = await authError(core.accounts.register({ login: 'zoe', password: GOOD, attributes: { bio: 'x\u0000y' } }));
    expect([e.code, e.details.field]).toEqual(['invalid_request', 'attributes']);
    expect(hashes).not.toHaveBeenCalled();
    const zoe = await core.accounts.register({ login: 'zoe', password: GOOD, attributes: { bio: 'fine' } });
    expect((await authError(core.accounts.update(zoe.id, { attributes: { ['k\u0000']: 1 } }))).code).toBe('invalid_request');
    expect((await core.accounts.find(zoe.id))?.attributes).toEqual({ bio: 'fine' });
  });

  it('refuses a second account with the same e-mail as a conflict', async () => {
    const { core } = makeCore();
    await core.accounts.register({ login: 'a', email: 'same@example.com', password: GOOD });
    const e = await authError(core.accounts.register({ login: 'b', email: 'SAME@example.com', password: GOOD }));
    expect([e.code, e.details.field]).toEqual(['conflict', 'email']);
  });

  it('re-hashes on login when the parameters changed', async () => {
    const clock = manualClock();
    const store = memoryStore({ clock, sweepIntervalMs: 0 });
    const v1 = createAuthCore({ store, clock, hashing: FAST_HASHING });
    const a = await v1.accounts.register({ login: 'alice', password: GOOD });
    const v2 = createAuthCore({ store, clock, hashing: { ...FAST_HASHING, timeCost: 2 } });
    const seen: string[] = [];
    v2.events.onAny((e) => seen.push(e.type));
    await v2.accounts.login({ identifier: 'alice', password: GOOD, ip: undefined, method: 't' });
    expect((await store.users.findById(a.id, clock()))!.passwordHash).toMatch(/m=1024,p=1,t=2\$/);
    expect(seen).toContain('password.rehashed');
    await v2.accounts.login({ identifier: 'alice', password: GOOD, ip: undefined, method: 't' });
    expect(seen.filter((t) => t === 'password.rehashed')).toHaveLength(1);
  });

  it('bounds concurrent hashes', async () => {
    const hasher = new PasswordHasher({ ...FAST_HASHING, maxConcurrent: 1 });
    const all = Promise.all([hasher.hash('a'), hasher.hash('b'), hasher.hash('c')]);
    expect(hasher.queued).toBe(2);
    await all;
    expect(hasher.queued).toBe(0);
  });

  it('sheds load: a full line fails at once with overloaded (Retry-After), verifications go before new hashes', async () => {
    const hasher = new PasswordHasher({ ...FAST_HASHING, maxConcurrent: 1, maxQueue: 2 });
    const h = await hasher.hash('x');
    const order: string[] = [];
    const track = (name: string, p: Promise<unknown>) => p.then(() => order.push(name));
    const running = track('running', hasher.hash('a'));
    const waiting = [track('hash1', hasher.hash('b')), track('hash2', hasher.hash('c'))];
    // The hash line is full: the next hash is refused without waiting; the verify line still has room.
    const shed = await authError(hasher.hash('d'));
    expect(shed.code).toBe('overloaded');
    expect(shed.retryAfterSeconds).toBe(1);
    const verify = track('verify', hasher.verify(h, 'x'));
    expect(hasher.queued).toBe(3);
    await Promise.all([running, ...waiting, verify]);
    // The verification queued after both hashes ran before them.
    expect(order).toEqual(['running', 'verify', 'hash1', 'hash2']);
    // maxQueue: false is one unbounded first-come line (the old behaviour): nothing shed, FIFO.
    const old = new PasswordHasher({ ...FAST_HASHING, maxConcurrent: 1, maxQueue: false });
    const fifo: string[] = [];
    await Promise.all([
      old.hash('a').then(() => fifo.push('a')),
      ...['b', 'c', 'd'].map((x) => old.hash(x).then(() => fifo.push(x))),
      old.verify(h, 'x').then(() => fifo.push('verify')),
    ]);
    expect(fifo).toEqual(['a', 'b', 'c', 'd', 'verify']);
  });

  it('a shed login is refused with overloaded and gives its failure budget back', async () => {
    const { core } = makeCore({
      hashing: { ...FAST_HASHING, maxConcurrent: 1, maxQueue: 0 },
      throttle: { pair: { limit: 1, windowMs: MINUTE } },
    });
    await core.accounts.register({ login: 'alice', password: GOOD });
    const attempt = { identifier: 'alice', password: 'wrong wrong wrong', ip: '1.1.1.1', method: 't' };
    const busy = core.hasher.hash('occupies the only slot');
    expect((await authError(core.accounts.login(attempt))).code).toBe('overloaded');
    await busy;
    // The pair budget of 1 is still there: the shed attempt did not spend it.
    expect((await authError(core.accounts.login(attempt))).code).toBe('invalid_credentials');
    expect((await authError(core.accounts.login(attempt))).code).toBe('rate_limited');
  });

  it('a shed sign-up is refused with overloaded and gives its sign-up back', async () => {
    const { core } = makeCore({
      hashing: { ...FAST_HASHING, maxConcurrent: 1, maxQueue: 0 },
      throttle: { signup: { limit: 1, windowMs: MINUTE } },
    });
    const at = { ip: '1.1.1.1', method: 't' };
    const busy = core.hasher.hash('occupies the only slot');
    expect((await authError(core.accounts.signUp({ login: 'a', password: GOOD }, at))).code).toBe('overloaded');
    await busy;
    await expect(core.accounts.signUp({ login: 'a', password: GOOD }, at)).resolves.toMatchObject({ login: 'a' });
    expect((await authError(core.accounts.signUp({ login: 'b', password: GOOD }, at))).code).toBe('rate_limited');
  });

  it('changes a password: current one required, new one checked, other tokens revoked but the caller’s', async () => {
    const { core } = makeCore();
    const a = await core.accounts.register({ login: 'alice', password: GOOD });
    const mine = await core.tokens.issue({ userId: a.id });
    const other = await core.tokens.issue({ userId: a.id });
    expect((await authError(core.accounts.changePassword(a.id, 'wrong wrong wrong', GOOD2, T))).code).toBe('password_mismatch');
    expect((await authError(core.accounts.changePassword(a.id, GOOD, GOOD, T))).code).toBe('same_password');
    expect((await authError(core.accounts.changePassword(a.id, GOOD, 'short', T))).code).toBe('password_policy');
    expect(await core.accounts.changePassword(a.id, GOOD, GOOD2, T, { keepTokenIds: [mine.info.id] })).toEqual({ tokensRevoked: 1 });
    expect((await core.tokens.authenticate(mine.token)).id).toBe(mine.info.id);
    await expect(core.tokens.authenticate(other.token)).rejects.toMatchObject({ code: 'token_invalid' });
    await expect(core.accounts.login({ identifier: 'alice', password: GOOD2, ip: undefined, method: 't' })).resolves.toMatchObject({
      id: a.id,
    });
    expect((await authError(core.accounts.login({ identifier: 'alice', password: GOOD, ip: undefined, method: 't' }))).code).toBe(
      'invalid_credentials',
    );
  });

  it('deletes an account and every token it has', async () => {
    const { core } = makeCore();
    const a = await core.accounts.register({ login: 'alice', password: GOOD });
    const t = await core.tokens.issue({ userId: a.id });
    await core.accounts.delete(a.id);
    await expect(core.tokens.authenticate(t.token)).rejects.toMatchObject({ code: 'token_invalid' });
    expect(await core.accounts.find(a.id)).toBeNull();
    expect((await authError(core.accounts.delete(a.id))).code).toBe('not_found');
  });

  it('updates login, e-mail and attributes', async () => {
    const { core } = makeCore();
    const a = await core.accounts.register({ login: 'alice', password: GOOD, attributes: { a: 1 } });
    const u = await core.accounts.update(a.id, { email: 'new@example.com', attributes: { b: 2 } });
    expect(u).toMatchObject({ email: 'new@example.com', attributes: { a: 1, b: 2 } });
    expect((await authError(core.accounts.update(a.id, { email: 'bad' }))).code).toBe('invalid_request');
  });
});

describe('abuse budgets (failures only; reserved before any hashing)', () => {
  const bad = (identifier: string, ip: string | undefined) => ({ identifier, password: 'wrong wrong wrong', ip, method: 't' });
  const good = (identifier: string, ip: string | undefined) => ({ identifier, password: GOOD, ip, method: 't' });

  it('successes spend nothing: 300 logins of 30 accounts from one IP all succeed, even with budgets of 2', async () => {
    const rule = { limit: 2, windowMs: MINUTE };
    const { core } = makeCore({ throttle: { pair: rule, account: rule, ip: rule } });
    for (let i = 0; i < 30; i++) await core.accounts.register({ login: `u${i}`, password: GOOD });
    // Sequential: a success gives back what it reserved (an attempt in flight holds one unit until it settles).
    for (let round = 0; round < 10; round++) for (let i = 0; i < 30; i++) await core.accounts.login(good(`u${i}`, '1.2.3.4'));
  });

  it('pair: consecutive failures per (account, IP); the owner elsewhere and others here stay free; a success clears it', async () => {
    const { core, clock, events } = makeCore({ throttle: { pair: { limit: 3, windowMs: 15 * MINUTE } } });
    await core.accounts.register({ login: 'alice', email: 'alice@example.com', password: GOOD });
    await core.accounts.register({ login: 'bob', password: GOOD });
    await authError(core.accounts.login(bad('alice', 'X')));
    await authError(core.accounts.login(bad('ALICE@example.com', 'X'))); // an alias shares the budget
    await authError(core.accounts.login(bad('alice', 'X')));
    const verify = core.hasher.verifications;
    const e = await authError(core.accounts.login(good('alice', 'X')));
    expect([e.code, e.details.budget, e.retryAfterSeconds]).toEqual(['rate_limited', 'pair', 15 * 60]);
    expect(core.hasher.verifications).toBe(verify); // refused before any hashing
    expect(events.filter((x) => x.type === 'login.throttled')).toEqual([expect.objectContaining({ budget: 'pair', ip: 'X', method: 't' })]);
    await expect(core.accounts.login(good('alice', 'Y'))).resolves.toMatchObject({ login: 'alice' }); // the owner, elsewhere
    await expect(core.accounts.login(good('bob', 'X'))).resolves.toMatchObject({ login: 'bob' }); // someone else, here
    clock.advance(15 * MINUTE);
    // A success clears the pair: three more failures are needed again.
    await core.accounts.login(good('alice', 'X'));
    await authError(core.accounts.login(bad('alice', 'X')));
    await authError(core.accounts.login(bad('alice', 'X')));
    await core.accounts.login(good('alice', 'X'));
    for (let i = 0; i < 3; i++) expect((await authError(core.accounts.login(bad('alice', 'X')))).code).toBe('invalid_credentials');
    expect((await authError(core.accounts.login(bad('alice', 'X')))).code).toBe('rate_limited');
  });

  it('account: failures from every IP count; unknown accounts are bounded by what was typed', async () => {
    const { core } = makeCore({ throttle: { account: { limit: 3, windowMs: 24 * 60 * MINUTE } } });
    await core.accounts.register({ login: 'alice', password: GOOD });
    for (const ip of ['1', '2', '3']) await authError(core.accounts.login(bad('alice', ip)));
    expect((await authError(core.accounts.login(good('alice', '4')))).details.budget).toBe('account');
    for (const ip of ['1', '2', '3']) await authError(core.accounts.login(bad('ghost', ip)));
    expect((await authError(core.accounts.login(bad('GHOST', '4')))).details.budget).toBe('account');
    expect((await authError(core.accounts.login(bad('ｇｈｏｓｔ', '5')))).details.budget).toBe('account'); // NFKC
  });

  it('account: a success refunds its reservation only; failures stay counted', async () => {
    const { core } = makeCore({ throttle: { pair: false, account: { limit: 3, windowMs: MINUTE } } });
    await core.accounts.register({ login: 'alice', password: GOOD });
    await authError(core.accounts.login(bad('alice', '1')));
    await authError(core.accounts.login(bad('alice', '2')));
    for (let i = 0; i < 5; i++) await core.accounts.login(good('alice', '3'));
    await authError(core.accounts.login(bad('alice', '4')));
    expect((await authError(core.accounts.login(good('alice', '5')))).code).toBe('rate_limited');
  });

  it('ip: failures over all accounts from one IP (spraying); other IPs unaffected', async () => {
    const { core, clock } = makeCore({ throttle: { ip: { limit: 3, windowMs: MINUTE } } });
    await core.accounts.register({ login: 'alice', password: GOOD });
    for (const who of ['a', 'b', 'c']) await authError(core.accounts.login(bad(who, '6.6.6.6')));
    const e = await authError(core.accounts.login(good('alice', '6.6.6.6')));
    expect([e.details.budget, e.retryAfterSeconds]).toEqual(['ip', 60]);
    await expect(core.accounts.login(good('alice', '7.7.7.7'))).resolves.toMatchObject({ login: 'alice' });
    clock.advance(MINUTE);
    await expect(core.accounts.login(good('alice', '6.6.6.6'))).resolves.toMatchObject({ login: 'alice' });
  });

  it('is race-free: of 200 parallel wrong passwords at most the budget reaches argon2', async () => {
    const { core } = makeCore();
    await core.accounts.register({ login: 'alice', password: GOOD });
    const before = core.hasher.verifications;
    const codes = await Promise.all(
      Array.from({ length: 200 }, () => authError(core.accounts.login(bad('alice', '1.2.3.4'))).then((e) => e.code)),
    );
    expect(core.hasher.verifications - before).toBe(10);
    expect(codes.filter((c) => c === 'invalid_credentials')).toHaveLength(10);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(190);
  });

  it('verifyPassword and changePassword spend the same budgets as a login of the account', async () => {
    const { core } = makeCore({ throttle: { pair: { limit: 3, windowMs: MINUTE } } });
    const a = await core.accounts.register({ login: 'alice', password: GOOD });
    const at = { ip: '1.1.1.1', method: 't' };
    expect(await core.accounts.verifyPassword(a.id, 'wrong wrong wrong', at)).toBe(false);
    expect((await authError(core.accounts.changePassword(a.id, 'wrong wrong wrong', GOOD2, at))).code).toBe('password_mismatch');
    await authError(core.accounts.login(bad('alice', '1.1.1.1')));
    const verify = core.hasher.verifications;
    expect((await authError(core.accounts.verifyPassword(a.id, GOOD, at))).code).toBe('rate_limited');
    expect((await authError(core.accounts.changePassword(a.id, GOOD, GOOD2, at))).code).toBe('rate_limited');
    expect((await authError(core.accounts.login(good('alice', '1.1.1.1')))).code).toBe('rate_limited');
    expect(core.hasher.verifications).toBe(verify);
    // A right password from elsewhere clears nothing here but works.
    expect(await core.accounts.verifyPassword(a.id, GOOD, { ip: '2.2.2.2', method: 't' })).toBe(true);
  });

  it('signUp spends the sign-up budget per IP before hashing; register (server code) spends none', async () => {
    const { core, events } = makeCore({ throttle: { signup: { limit: 2, windowMs: MINUTE } } });
    const at = { ip: '1.1.1.1', method: 't' };
    await core.accounts.signUp({ login: 'a', password: GOOD }, at);
    // A refused sign-up (policy) is checked before the budget and spends nothing; a conflict does.
    await authError(core.accounts.signUp({ login: 'b', password: 'short' }, at));
    await authError(core.accounts.signUp({ login: 'a', password: GOOD }, at));
    const hashes = jest.spyOn(core.hasher, 'hash');
    const e = await authError(core.accounts.signUp({ login: 'c', password: GOOD }, at));
    expect([e.code, e.details.budget]).toEqual(['rate_limited', 'signup']);
    expect(hashes).not.toHaveBeenCalled();
    expect(events).toContainEqual(expect.objectContaining({ type: 'login.throttled', budget: 'signup' }));
    await expect(core.accounts.signUp({ login: 'c', password: GOOD }, { ip: '2.2.2.2', method: 't' })).resolves.toMatchObject({
      login: 'c',
    });
    await expect(core.accounts.register({ login: 'd', password: GOOD })).resolves.toMatchObject({ login: 'd' });
  });

  it('mail budgets: per IP and per account key, in one reservation', async () => {
    const { core } = makeCore({ throttle: { mailIp: { limit: 3, windowMs: MINUTE }, mailAccount: { limit: 2, windowMs: MINUTE } } });
    await core.throttle.mail({ ip: '1', method: 't' }, 'u:1');
    await core.throttle.mail({ ip: '2', method: 't' }, 'u:1');
    expect((await authError(core.throttle.mail({ ip: '3', method: 't' }, 'u:1'))).details.budget).toBe('mailAccount');
    await core.throttle.mail({ ip: '1', method: 't' }, 'u:2');
    await core.throttle.mail({ ip: '1', method: 't' }, 'u:3');
    expect((await authError(core.throttle.mail({ ip: '1', method: 't' }, 'u:4'))).details.budget).toBe('mailIp');
    // The refused reservation counted nothing on the account.
    await core.throttle.mail({ ip: '9', method: 't' }, 'u:4');
    await core.throttle.mail({ ip: '9', method: 't' }, 'u:4');
  });

  it('false turns a budget off', async () => {
    const { core } = makeCore({ throttle: { pair: false, account: false, ip: false } });
    await core.accounts.register({ login: 'alice', password: GOOD });
    for (let i = 0; i < 12; i++) await authError(core.accounts.login(bad('alice', '1.1.1.1')));
    await expect(core.accounts.login(good('alice', '1.1.1.1'))).resolves.toMatchObject({ login: 'alice' });
  });
});

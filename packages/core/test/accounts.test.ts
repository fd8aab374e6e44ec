import argon2 from 'argon2';
import { memoryStore } from '@authmount/store-memory';
import { AuthError, DEFAULT_ARGON2, MINUTE, PasswordHasher, createAuthCore, manualClock } from '../src';
import { FAST_HASHING } from '../../../test-support/fast';
import { makeCore } from './helpers';

const GOOD = 'correct horse battery staple';
const GOOD2 = 'another quite long passphrase';

async function err(p: Promise<unknown>): Promise<AuthError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof AuthError)) throw new Error(`expected an AuthError, got ${String(e)}`);
  return e;
}

describe('AccountService', () => {
  it('registers and logs in by login or e-mail, case-insensitively', async () => {
    const { core } = makeCore();
    const a = await core.accounts.register({ login: 'alice', email: 'Alice@Example.com', password: GOOD, attributes: { name: 'Alice' } });
    expect(a).toMatchObject({ login: 'alice', email: 'Alice@Example.com', hasPassword: true, attributes: { name: 'Alice' } });
    expect(a).not.toHaveProperty('passwordHash');
    expect((await core.accounts.login({ identifier: 'ALICE', password: GOOD, method: 't' })).id).toBe(a.id);
    expect((await core.accounts.login({ identifier: 'alice@example.com', password: GOOD, method: 't' })).id).toBe(a.id);
  });

  it('stores argon2id PHC strings with the configured parameters', async () => {
    const { core } = makeCore();
    const a = await core.accounts.register({ login: 'p', password: GOOD });
    const u = await core.store.users.findById(a.id, core.clock());
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
    const wrong = await err(core.accounts.login({ identifier: 'alice', password: 'nope nope nope nope', method: 't' }));
    const before = core.hasher.dummyVerifications;
    const unknown = await err(core.accounts.login({ identifier: 'mallory', password: 'nope nope nope nope', method: 't' }));
    expect(core.hasher.dummyVerifications).toBe(before + 1);
    expect(verify).toHaveBeenCalledTimes(2); // one real, one dummy: the same hashing work
    verify.mockRestore();
    expect([wrong.code, wrong.message]).toEqual([unknown.code, unknown.message]);
    expect(wrong.code).toBe('invalid_credentials');
    expect(events.filter((e) => e.type === 'login.failed').map((e) => (e as { reason?: string }).reason)).toEqual(['wrong_password', 'unknown_account']);
  });

  it('refuses bad input with invalid_request and never hashes it', async () => {
    const { core } = makeCore();
    const hash = jest.spyOn(core.hasher, 'hash');
    const verify = jest.spyOn(core.hasher, 'verify');
    for (const [identifier, password] of [[undefined, GOOD], [['a'], GOOD], ['a', { x: 1 }], ['a', ''], ['x'.repeat(300), GOOD], [42, GOOD]] as const) {
      expect((await err(core.accounts.login({ identifier, password, method: 't' }))).code).toBe('invalid_request');
    }
    // Longer than the policy allows: fails like a wrong password, but without any argon2 work.
    const dummy = jest.spyOn(core.hasher, 'dummyVerify');
    expect((await err(core.accounts.login({ identifier: 'a', password: 'x'.repeat(100_000), method: 't' }))).code).toBe('invalid_credentials');
    expect(dummy).not.toHaveBeenCalled();
    const e = await err(core.accounts.register({ login: 'big', password: 'y'.repeat(100_000) }));
    expect(e.code).toBe('password_policy');
    expect(e.details.violations).toEqual([expect.objectContaining({ code: 'too_long' })]);
    expect((await err(core.accounts.register({ login: 'n', password: 12345 as unknown as string }))).code).toBe('password_policy');
    expect((await err(core.accounts.register({ email: 'not-an-email', password: GOOD }))).code).toBe('invalid_request');
    expect(hash).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
  });

  it('applies the password policy (nist by default, pcloud on request) with every violation', async () => {
    const { core } = makeCore();
    const e = await err(core.accounts.register({ login: 'bob', password: 'password' }));
    expect(e.code).toBe('password_policy');
    expect((e.details.violations as Array<{ code: string }>).map((v) => v.code)).toEqual(expect.arrayContaining(['too_short', 'common_password']));
    expect(JSON.stringify(e.details)).not.toContain('"password"');
    const p = makeCore({ passwordPolicy: 'pcloud' }).core;
    await expect(p.accounts.register({ login: 'c', password: 'Tr0ub4dor&3' })).resolves.toMatchObject({ login: 'c' });
    const pe = await err(p.accounts.register({ login: 'd', password: ' abc' }));
    expect((pe.details.violations as Array<{ code: string }>).map((v) => v.code)).toEqual(expect.arrayContaining(['too_short', 'edge_whitespace']));
  });

  it('refuses a second account with the same e-mail as a conflict', async () => {
    const { core } = makeCore();
    await core.accounts.register({ login: 'a', email: 'same@example.com', password: GOOD });
    const e = await err(core.accounts.register({ login: 'b', email: 'SAME@example.com', password: GOOD }));
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
    await v2.accounts.login({ identifier: 'alice', password: GOOD, method: 't' });
    expect((await store.users.findById(a.id, clock()))!.passwordHash).toMatch(/m=1024,p=1,t=2\$/);
    expect(seen).toContain('password.rehashed');
    await v2.accounts.login({ identifier: 'alice', password: GOOD, method: 't' });
    expect(seen.filter((t) => t === 'password.rehashed')).toHaveLength(1);
  });

  it('bounds concurrent hashes', async () => {
    const hasher = new PasswordHasher({ ...FAST_HASHING, maxConcurrent: 1 });
    const all = Promise.all([hasher.hash('a'), hasher.hash('b'), hasher.hash('c')]);
    expect(hasher.queued).toBe(2);
    await all;
    expect(hasher.queued).toBe(0);
  });

  it('changes a password: current one required, new one checked, other tokens revoked but the caller’s', async () => {
    const { core } = makeCore();
    const a = await core.accounts.register({ login: 'alice', password: GOOD });
    const mine = await core.tokens.issue({ userId: a.id });
    const other = await core.tokens.issue({ userId: a.id });
    expect((await err(core.accounts.changePassword(a.id, 'wrong wrong wrong', GOOD2))).code).toBe('password_mismatch');
    expect((await err(core.accounts.changePassword(a.id, GOOD, GOOD))).code).toBe('same_password');
    expect((await err(core.accounts.changePassword(a.id, GOOD, 'short'))).code).toBe('password_policy');
    expect(await core.accounts.changePassword(a.id, GOOD, GOOD2, { keepTokenIds: [mine.info.id] })).toEqual({ tokensRevoked: 1 });
    await expect(core.tokens.authenticate(mine.token)).resolves.toBeDefined();
    await expect(core.tokens.authenticate(other.token)).rejects.toMatchObject({ code: 'token_invalid' });
    await expect(core.accounts.login({ identifier: 'alice', password: GOOD2, method: 't' })).resolves.toMatchObject({ id: a.id });
    expect((await err(core.accounts.login({ identifier: 'alice', password: GOOD, method: 't' }))).code).toBe('invalid_credentials');
  });

  it('deletes an account and every token it has', async () => {
    const { core } = makeCore();
    const a = await core.accounts.register({ login: 'alice', password: GOOD });
    const t = await core.tokens.issue({ userId: a.id });
    await core.accounts.delete(a.id);
    await expect(core.tokens.authenticate(t.token)).rejects.toMatchObject({ code: 'token_invalid' });
    expect(await core.accounts.find(a.id)).toBeNull();
    expect((await err(core.accounts.delete(a.id))).code).toBe('not_found');
  });

  it('updates login, e-mail and attributes', async () => {
    const { core } = makeCore();
    const a = await core.accounts.register({ login: 'alice', password: GOOD, attributes: { a: 1 } });
    const u = await core.accounts.update(a.id, { email: 'new@example.com', attributes: { b: 2 } });
    expect(u).toMatchObject({ email: 'new@example.com', attributes: { a: 1, b: 2 } });
    expect((await err(core.accounts.update(a.id, { email: 'bad' }))).code).toBe('invalid_request');
  });
});

describe('login throttling', () => {
  it('refuses the attempt after the per-IP limit, before any hashing, until the window ends', async () => {
    const { core, clock } = makeCore({ throttle: { ip: { limit: 3, windowMs: MINUTE }, account: false } });
    await core.accounts.register({ login: 'alice', password: GOOD });
    for (let i = 0; i < 3; i++) await core.accounts.login({ identifier: 'alice', password: GOOD, ip: '1.2.3.4', method: 't' });
    const verify = jest.spyOn(core.hasher, 'verify');
    const e = await err(core.accounts.login({ identifier: 'alice', password: GOOD, ip: '1.2.3.4', method: 't' }));
    expect(e.code).toBe('rate_limited');
    expect(e.retryAfterSeconds).toBe(60);
    expect(verify).not.toHaveBeenCalled();
    await expect(core.accounts.login({ identifier: 'alice', password: GOOD, ip: '5.6.7.8', method: 't' })).resolves.toBeDefined();
    clock.advance(MINUTE);
    await expect(core.accounts.login({ identifier: 'alice', password: GOOD, ip: '1.2.3.4', method: 't' })).resolves.toBeDefined();
  });

  it('counts failures per account, whichever alias (login or e-mail) was typed', async () => {
    const { core } = makeCore({ throttle: { ip: false, account: { limit: 2, windowMs: 15 * MINUTE } } });
    await core.accounts.register({ login: 'alice', email: 'alice@example.com', password: GOOD });
    await err(core.accounts.login({ identifier: 'alice', password: 'wrong wrong wrong', method: 't' }));
    await err(core.accounts.login({ identifier: 'ALICE@example.com', password: 'wrong wrong wrong', method: 't' }));
    expect((await err(core.accounts.login({ identifier: 'alice@example.com', password: GOOD, method: 't' }))).code).toBe('rate_limited');
    // Unknown accounts are counted by what was typed, so they throttle too.
    await err(core.accounts.login({ identifier: 'ghost', password: 'wrong wrong wrong', method: 't' }));
    await err(core.accounts.login({ identifier: 'GHOST', password: 'wrong wrong wrong', method: 't' }));
    expect((await err(core.accounts.login({ identifier: 'ghost', password: 'wrong wrong wrong', method: 't' }))).code).toBe('rate_limited');
  });

  it('locks an account after consecutive failures from any IP; a success resets the count', async () => {
    const { core, clock, events } = makeCore({ throttle: { ip: false, account: { limit: 3, windowMs: 15 * MINUTE } } });
    await core.accounts.register({ login: 'alice', password: GOOD });
    const bad = (ip: string) => core.accounts.login({ identifier: 'alice', password: 'wrong wrong wrong', ip, method: 't' });
    await err(bad('1.1.1.1'));
    await err(bad('2.2.2.2'));
    await core.accounts.login({ identifier: 'ALICE', password: GOOD, method: 't' });
    for (const ip of ['1.1.1.1', '2.2.2.2', '3.3.3.3']) expect((await err(bad(ip))).code).toBe('invalid_credentials');
    const dummy = jest.spyOn(core.hasher, 'verify');
    expect((await err(core.accounts.login({ identifier: 'alice', password: GOOD, ip: '9.9.9.9', method: 't' }))).code).toBe('rate_limited');
    expect(dummy).not.toHaveBeenCalled();
    expect(events.some((e) => e.type === 'login.throttled')).toBe(true);
    clock.advance(15 * MINUTE);
    await expect(core.accounts.login({ identifier: 'alice', password: GOOD, method: 't' })).resolves.toBeDefined();
  });
});

import argon2 from 'argon2';
import { FAST_HASHING } from '../../../test-support/fast';
import { DEFAULT_ARGON2, DEFAULT_MAX_QUEUE, PasswordHasher, type LegacyHashFormat } from '../src';
import { authError } from './helpers';

// PasswordHasher on its own, with real argon2 (small parameters): what is hashed (NFKC, nothing trimmed,
// the pepper), how a hash that cannot be checked fails, when a re-hash is asked for, the legacy formats'
// edge cases, and the gate (bounded concurrency, load shedding). accounts.test.ts covers it through logins.

/** A legacy format under the test's control: "$t$<password>" matches that password. */
function testFormat(verify: (hash: string, password: string) => Promise<unknown>): LegacyHashFormat {
  return { name: 'test', matches: (h) => h.startsWith('$t$'), verify: verify as LegacyHashFormat['verify'] };
}

describe('PasswordHasher', () => {
  it('has the OWASP defaults and a queue of 64', () => {
    expect(new PasswordHasher().params).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(DEFAULT_ARGON2).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(DEFAULT_MAX_QUEUE).toBe(64);
  });

  it('hashes argon2id with its parameters, NFKC-normalised, nothing trimmed', async () => {
    const hasher = new PasswordHasher(FAST_HASHING);
    const h = await hasher.hash('ﬁsh and chips');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
    expect(await argon2.verify(h, 'fish and chips')).toBe(true);
    expect(await hasher.verify(h, 'ﬁsh and chips')).toEqual({ ok: true, needsRehash: false });
    expect(await hasher.verify(h, 'fish and chips')).toEqual({ ok: true, needsRehash: false });
    expect((await hasher.verify(h, ' fish and chips')).ok).toBe(false);
    expect((await hasher.verify(h, 'fish and chips ')).ok).toBe(false);
  });

  it('uses the pepper both ways: a peppered hash does not verify without it, nor with another', async () => {
    const pepper = Buffer.from('k'.repeat(32));
    const peppered = new PasswordHasher({ ...FAST_HASHING, pepper });
    const h = await peppered.hash('correct horse');
    expect((await peppered.verify(h, 'correct horse')).ok).toBe(true);
    expect((await new PasswordHasher(FAST_HASHING).verify(h, 'correct horse')).ok).toBe(false);
    expect((await new PasswordHasher({ ...FAST_HASHING, pepper: Buffer.from('j'.repeat(32)) }).verify(h, 'correct horse')).ok).toBe(false);
    await expect(argon2.verify(h, 'correct horse')).resolves.toBe(false);
  });

  it('asks for a re-hash only after a success with other parameters', async () => {
    const old = await new PasswordHasher({ ...FAST_HASHING, timeCost: 2 }).hash('pw pw pw');
    const hasher = new PasswordHasher(FAST_HASHING);
    expect(await hasher.verify(old, 'pw pw pw')).toEqual({ ok: true, needsRehash: true });
    expect(await hasher.verify(old, 'wrong')).toEqual({ ok: false, needsRehash: false });
  });

  it('fails a corrupt argon2 string as a wrong password, without throwing', async () => {
    const hasher = new PasswordHasher(FAST_HASHING);
    expect(await hasher.verify('$argon2id$garbage', 'x')).toEqual({ ok: false, needsRehash: false });
    expect(hasher.verifications).toBe(1);
  });

  it('reports a hash no format knows, after the same work as a failed login, without the hash in it', async () => {
    const hasher = new PasswordHasher({ ...FAST_HASHING, legacy: [] });
    const hash = '$pbkdf2-sha256$29000$c2FsdA$' + 'A'.repeat(43);
    const r = await hasher.verify(hash, 'x');
    expect(r).toEqual({ ok: false, needsRehash: false, unknownFormat: 'scheme $pbkdf2-sha256$' });
    expect(hasher.dummyVerifications).toBe(1);
    expect(hasher.verifications).toBe(1);
  });

  it('legacy: a match asks for a re-hash; only a strict true is a match; a throw is a failure; the password is not normalised', async () => {
    const seen: string[] = [];
    const hasher = new PasswordHasher({
      ...FAST_HASHING,
      legacy: [
        testFormat(async (hash, password) => {
          seen.push(password);
          if (hash === '$t$throw') throw new Error('corrupt');
          if (hash === '$t$one') return 1;
          return hash === `$t$${password}`;
        }),
      ],
    });
    expect(await hasher.verify('$t$ﬁ', 'ﬁ')).toEqual({ ok: true, needsRehash: true });
    expect(await hasher.verify('$t$ﬁ', 'fi')).toEqual({ ok: false, needsRehash: false });
    expect(await hasher.verify('$t$one', 'one')).toEqual({ ok: false, needsRehash: false });
    expect(await hasher.verify('$t$throw', 'x')).toEqual({ ok: false, needsRehash: false });
    expect(seen).toEqual(['ﬁ', 'fi', 'one', 'x']);
    expect(hasher.verifications).toBe(4);
    expect(hasher.dummyVerifications).toBe(0);
  });

  it('dummyVerify does the work of one verification against a hash made once', async () => {
    const hasher = new PasswordHasher(FAST_HASHING);
    const hash = jest.spyOn(hasher, 'hash');
    await hasher.dummyVerify('a');
    await hasher.dummyVerify('b');
    expect(hash).toHaveBeenCalledTimes(1);
    expect([hasher.dummyVerifications, hasher.verifications]).toEqual([2, 2]);
  });

  it('a shed first dummy hash is not cached: the next dummyVerify hashes again', async () => {
    const hasher = new PasswordHasher({ ...FAST_HASHING, maxConcurrent: 1, maxQueue: 0 });
    const busy = hasher.hash('occupy the one slot');
    expect((await authError(hasher.dummyVerify('a'))).code).toBe('overloaded');
    await busy;
    await hasher.dummyVerify('a');
    expect(hasher.dummyVerifications).toBe(1);
  });

  it('runs at most maxConcurrent at once (at least one), hands a slot to the next waiter, and counts the waiting', async () => {
    let running = 0;
    let most = 0;
    const legacy = [
      testFormat(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setImmediate(r));
        running--;
        return true;
      }),
    ];
    const two = new PasswordHasher({ ...FAST_HASHING, maxConcurrent: 2, legacy });
    const all = Promise.all(Array.from({ length: 6 }, () => two.verify('$t$', 'x')));
    expect(two.queued).toBe(4);
    await all;
    expect([most, two.queued]).toEqual([2, 0]);
    // The slots are given back: a later burst runs two at once again, not one or three.
    most = 0;
    await Promise.all(Array.from({ length: 4 }, () => two.verify('$t$', 'x')));
    expect(most).toBe(2);
    most = 0;
    const zero = new PasswordHasher({ ...FAST_HASHING, maxConcurrent: 0, legacy });
    await Promise.all(Array.from({ length: 3 }, () => zero.verify('$t$', 'x')));
    expect(most).toBe(1);
  });

  it('sheds a legacy verification like any other, and a shed verification checked nothing', async () => {
    let calls = 0;
    const hasher = new PasswordHasher({
      ...FAST_HASHING,
      maxConcurrent: 1,
      maxQueue: 1,
      legacy: [testFormat(async () => (calls++, true))],
    });
    const h = await hasher.hash('x');
    const running = hasher.hash('y');
    const waiting = hasher.verify(h, 'x');
    const shed = await authError(hasher.verify('$t$', 'x'));
    expect([shed.code, shed.details.retryAfterMs]).toEqual(['overloaded', 1000]);
    expect((await authError(hasher.verify(h, 'x'))).code).toBe('overloaded');
    // The hash line is separate from the verify line, and has its own room.
    const hashing = hasher.hash('z');
    expect((await authError(hasher.hash('w'))).code).toBe('overloaded');
    await Promise.all([running, waiting, hashing]);
    expect(calls).toBe(0);
    expect(hasher.verifications).toBe(1);
  });
});

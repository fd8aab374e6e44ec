import { AuthConfigError, createAuth } from '@authmount/express';
import bcrypt from 'bcryptjs';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError, bcryptHashes, describeHash, type LegacyHashFormat } from '../src';
import { makeCore } from './helpers';

const PASSWORD = 'correct horse battery staple';

/** A user whose hash was written by the app (not by authmount), straight into the store. */
async function appUser(h: ReturnType<typeof makeCore>, passwordHash: string, login = 'alice') {
  const now = h.clock();
  const res = await h.store.users.create({
    login,
    email: null,
    passwordHash,
    createdAt: now,
    updatedAt: now,
    expiresAt: null,
    attributes: {},
  });
  if (!res.ok) throw new Error('create failed');
  return res.user.id;
}

const stored = async (h: ReturnType<typeof makeCore>, id: number) => (await h.store.users.findById(id, h.clock()))!.passwordHash!;

async function loginError(core: ReturnType<typeof makeCore>['core'], password: string, identifier = 'alice'): Promise<AuthError> {
  const e = await core.accounts.login({ identifier, password, ip: undefined, method: 't' }).then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof AuthError)) throw new Error(`expected an AuthError, got ${String(e)}`);
  return e;
}

describe('legacy password hashes', () => {
  // Cost 4 keeps the test fast; bcrypt's cost is inside the hash, so any cost verifies the same way.
  const bcrypt2b = bcrypt.hashSync(PASSWORD, 4);

  for (const [variant, hash] of [
    ['$2b$', bcrypt2b],
    ['$2a$', bcrypt2b.replace(/^\$2b\$/, '$2a$')],
    ['$2y$ (PHP)', bcrypt2b.replace(/^\$2b\$/, '$2y$')],
  ] as const) {
    it(`logs a user with a bcrypt ${variant} hash in and replaces the hash with argon2id; the old password still works`, async () => {
      const h = makeCore();
      const { core, events } = h;
      const id = await appUser(h, hash);
      expect((await core.accounts.login({ identifier: 'alice', password: PASSWORD, ip: undefined, method: 't' })).id).toBe(id);
      const now = await stored(h, id);
      expect(now).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
      expect(events.filter((e) => e.type === 'password.rehashed')).toEqual([expect.objectContaining({ userId: id })]);
      // Next login: argon2id, no second re-hash.
      expect((await core.accounts.login({ identifier: 'alice', password: PASSWORD, ip: undefined, method: 't' })).id).toBe(id);
      expect(await stored(h, id)).toBe(now);
      expect(events.filter((e) => e.type === 'password.rehashed')).toHaveLength(1);
    });
  }

  it('refuses a wrong password against a bcrypt hash and leaves the hash alone', async () => {
    const h = makeCore();
    const { core, events } = h;
    const id = await appUser(h, bcrypt2b);
    expect((await loginError(core, 'wrong horse battery staple')).code).toBe('invalid_credentials');
    expect(await stored(h, id)).toBe(bcrypt2b);
    expect(events.filter((e) => e.type === 'login.failed').map((e) => (e as { reason?: string }).reason)).toEqual(['wrong_password']);
  });

  it('fails closed on a hash no format recognises, reports it as such, and does the same work as any failed login', async () => {
    const h = makeCore();
    const { core, events } = h;
    const pbkdf2 = '$pbkdf2-sha256$29000$N2bMWUsJYcx5j5EyRsi51w$9pS4vYXbs0vVKp2h8VIqKRmUw0gE1bSMfC0Ypx1Rm7A';
    const id = await appUser(h, pbkdf2);
    const before = core.hasher.dummyVerifications;
    const e = await loginError(core, PASSWORD);
    expect(e.code).toBe('invalid_credentials'); // the client learns nothing more than from a wrong password
    expect(core.hasher.dummyVerifications).toBe(before + 1);
    const failed = events.filter((x) => x.type === 'login.failed');
    expect(failed).toEqual([expect.objectContaining({ userId: id, reason: 'unknown_hash_format' })]);
    expect(JSON.stringify(failed)).not.toContain('N2bMWUsJYcx5j5EyRsi51w');
    expect(await stored(h, id)).toBe(pbkdf2);
    expect(await core.hasher.verify(pbkdf2, PASSWORD)).toEqual({ ok: false, needsRehash: false, unknownFormat: 'scheme $pbkdf2-sha256$' });
    expect(describeHash('5f4dcc3b5aa765d61d8327deb882cf99')).toBe('no $scheme$ prefix, 32 characters');
  });

  it('treats bcrypt as unknown when the app turned legacy formats off, and a malformed bcrypt string as unknown', async () => {
    const h = makeCore({ hashing: { memoryCost: 1024, timeCost: 1, parallelism: 1, legacy: [] } });
    const { core, events } = h;
    await appUser(h, bcrypt2b);
    expect((await loginError(core, PASSWORD)).code).toBe('invalid_credentials');
    const withDefaults = makeCore();
    await appUser(withDefaults, bcrypt2b.slice(0, -1), 'bob');
    expect((await loginError(withDefaults.core, PASSWORD, 'bob')).code).toBe('invalid_credentials');
    expect(
      [...events, ...withDefaults.events].filter((x) => x.type === 'login.failed').map((x) => (x as { reason?: string }).reason),
    ).toEqual(['unknown_hash_format', 'unknown_hash_format']);
    expect(bcryptHashes.matches(bcrypt2b)).toBe(true);
    expect(bcryptHashes.matches(bcrypt2b.slice(0, -1))).toBe(false);
  });

  it("accepts a format of the app's own through hashing.legacy, and moves it to argon2id too", async () => {
    // e.g. an old app that stored "sha256$<salt>$<hex digest of salt + password>"
    const saltedSha256: LegacyHashFormat = {
      name: 'salted-sha256',
      matches: (h) => /^sha256\$[0-9a-f]{16}\$[0-9a-f]{64}$/.test(h),
      async verify(h, password) {
        const [, salt, digest] = h.split('$');
        const got = createHash('sha256')
          .update(salt + password)
          .digest();
        return timingSafeEqual(got, Buffer.from(digest, 'hex'));
      },
    };
    const h = makeCore({ hashing: { memoryCost: 1024, timeCost: 1, parallelism: 1, legacy: [bcryptHashes, saltedSha256] } });
    const { core } = h;
    const salt = '0123456789abcdef';
    const id = await appUser(
      h,
      `sha256$${salt}$${createHash('sha256')
        .update(salt + PASSWORD)
        .digest('hex')}`,
    );
    expect((await loginError(core, 'not the password at all')).code).toBe('invalid_credentials');
    expect((await core.accounts.login({ identifier: 'alice', password: PASSWORD, ip: undefined, method: 't' })).id).toBe(id);
    expect(await stored(h, id)).toMatch(/^\$argon2id\$/);
    // bcrypt still works next to it
    const bob = await appUser(h, bcrypt2b, 'bob');
    expect((await core.accounts.login({ identifier: 'bob', password: PASSWORD, ip: undefined, method: 't' })).id).toBe(bob);
  });

  it('verifies a legacy hash through the hasher queue like argon2 (a throwing format fails the login, no crash)', async () => {
    const broken: LegacyHashFormat = {
      name: 'broken',
      matches: (h) => h.startsWith('broken$'),
      verify: async () => {
        throw new Error('corrupt');
      },
    };
    const h = makeCore({ hashing: { memoryCost: 1024, timeCost: 1, parallelism: 1, legacy: [broken] } });
    const { core, events } = h;
    await appUser(h, 'broken$x');
    expect((await loginError(core, PASSWORD)).code).toBe('invalid_credentials');
    expect(events.filter((x) => x.type === 'login.failed').map((x) => (x as { reason?: string }).reason)).toEqual(['wrong_password']);
  });

  it('is checked at start-up by createAuth: hashing.legacy must be a list of formats', async () => {
    expect(() => createAuth({ hashing: { legacy: 'bcrypt' as never } })).toThrow(AuthConfigError);
    expect(() => createAuth({ hashing: { legacy: [{ name: 'x' }] as never } })).toThrow(/hashing\.legacy\.0\.matches/);
    const auth = createAuth({ hashing: { memoryCost: 1024, timeCost: 1, parallelism: 1, legacy: [bcryptHashes] } });
    await auth.close();
  });
});

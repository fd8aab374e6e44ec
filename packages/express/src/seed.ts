import { AuthError, type Account, type AuthCore, type RegisterInput } from '@authmount/core';

export interface RegisterIfAbsentResult {
  account: Account;
  /** True when this call created the account; false when it existed (made earlier, or by a twin process). */
  created: boolean;
}

/**
 * "Create if absent" for start-up work (seeding users, service accounts) that N processes may run at the
 * same moment on one shared store. The account is recognised by its login, or by its e-mail when it has
 * no login. When it exists it is returned as it is (password and attributes untouched). When two
 * processes both find it absent and both register, the store lets exactly one insert win (its uniqueness
 * check is atomic); the loser's `conflict` means a twin did the work, so it reads the account back and
 * reports `created: false` instead of failing.
 *
 * A `conflict` on the OTHER field (the login is free but the e-mail belongs to a different account) is
 * not the same account: it is thrown, as `accounts.register` would.
 */
export async function registerIfAbsent(auth: Pick<AuthCore, 'accounts'>, input: RegisterInput): Promise<RegisterIfAbsentResult> {
  const byLogin = typeof input.login === 'string' && input.login.length > 0;
  const identifier = byLogin ? input.login : input.email;
  if (typeof identifier !== 'string' || identifier.length === 0) {
    throw new AuthError('invalid_request', 'registerIfAbsent needs a login or an e-mail to recognise the account.', { field: 'login' });
  }
  const find = async (): Promise<Account | null> => {
    const u = await auth.accounts.findByIdentifier(identifier);
    // findByIdentifier also matches the other field (a login equal to someone's e-mail): check it is this one.
    const same = u && (byLogin ? u.login : u.email)?.toLowerCase() === identifier.toLowerCase();
    return same ? auth.accounts.find(u.id) : null;
  };
  const existing = await find();
  if (existing) return { account: existing, created: false };
  try {
    return { account: await auth.accounts.register(input), created: true };
  } catch (e) {
    if (!(e instanceof AuthError) || e.code !== 'conflict') throw e;
    const twin = await find();
    if (twin) return { account: twin, created: false };
    throw e;
  }
}

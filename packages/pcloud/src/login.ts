import { AuthError, ISSUER, SECOND, accountKey, toAccount, type Account, type UserRecord } from '@authmount/core';
import { bearerToken } from '@authmount/express';
import { open } from './password-copy';
import type { CallState, Ctx } from './call';
import { DIGEST_PURPOSE, passwordDigest, sameDigest } from './digest';
import { pcloudError } from './errors';
import { backfillCopy } from './passwords';
import type { Params } from './params';
import { authenticateAccessToken, clientAlive } from './oauth/access';
import { isOAuthToken } from './oauth/grants';

/** The global login parameters (README "Global parameters"), resolved in ONE place. */
export type Credential =
  | { type: 'none' }
  | { type: 'token'; token: string }
  | { type: 'access_token'; token: string }
  | { type: 'password'; username: string; password: string }
  | { type: 'digest'; username: string; digest: string; passworddigest: string };

/**
 * Which credential a call carries. pCloud leaves the precedence open; ours:
 * 1. `username` with `password` → password login (a client that sends both password and digest params
 *    still gets in when digest login is off);
 * 2. `username` with `passworddigest` or `digest` → digest login;
 * 3. `auth` (query, form or cookie; params.ts already applied "cookie over POST over GET") → token;
 * 4. with OAuth on: `access_token`, then an `Authorization: Bearer` header → OAuth access token;
 * 5. nothing → anonymous.
 * An explicit username login wins over `auth` because it says who the client wants to be, and every
 * client sends it with `logout=1` ("drop any earlier login") — e.g. over a stale `auth` cookie. With OAuth
 * off, `access_token` and Bearer headers are not credentials (as before OAuth existed).
 */
export function credentialOf(p: Params, opts: { authorization?: string; oauth?: boolean } = {}): Credential {
  if (p.username !== undefined) {
    if (p.password !== undefined) return { type: 'password', username: p.username, password: p.password };
    if (p.passworddigest !== undefined || p.digest !== undefined) {
      return { type: 'digest', username: p.username, digest: p.digest ?? '', passworddigest: p.passworddigest ?? '' };
    }
  }
  if (p.auth !== undefined && p.auth !== '') return { type: 'token', token: p.auth };
  if (opts.oauth) {
    if (p.access_token !== undefined && p.access_token !== '') return { type: 'access_token', token: p.access_token };
    // Other schemes (e.g. Basic from a proxy) are not ours and are ignored.
    const bearer = bearerToken(opts.authorization);
    if (bearer !== null) return { type: 'access_token', token: bearer };
  }
  return { type: 'none' };
}

/**
 * A lifetime parameter in seconds: digits only; missing, empty, zero or malformed means the default; more
 * than the maximum is clamped to it. pCloud documents no error code for these (README: decisions).
 */
export function lifetimeSeconds(v: string | undefined, def: number, max: number): number {
  if (v === undefined || !/^\d{1,15}$/.test(v)) return def;
  const n = Number(v);
  return n === 0 ? def : Math.min(n, max);
}

export interface LoginRules {
  /** The method needs a logged-in user (1000 without credentials). */
  required: boolean;
  /** Issuers whose tokens the method accepts (others: 2000, or 2094 as access_token, and not slid). */
  issuers: readonly string[];
  /** Scopes the token must carry (app methods); password logins have every scope. */
  scopes?: readonly string[];
}

/**
 * Run the global login parameters of one call: authenticate whatever credential it carries (even on
 * methods that need none: a wrong credential is 2000 everywhere, as pCloud documents), issue a token when
 * `getauth` is set, and fill the call state. `logout` needs no work: the adapter keeps no per-connection
 * login, so there is never an earlier one to drop.
 */
export async function establish(ctx: Ctx, call: CallState, rules: LoginRules): Promise<void> {
  const cred = credentialOf(call.params, { authorization: call.req.headers.authorization, oauth: ctx.cfg.oauth !== null });
  const getauth = call.params.getauth !== undefined;
  switch (cred.type) {
    case 'none':
      if (rules.required) throw pcloudError('login_required');
      return;
    case 'token': {
      // Issuer, kind and scopes are checked inside the store call: a refused token is not slid.
      const token = await ctx.auth.tokens.authenticate(cred.token, {
        issuers: rules.issuers,
        kinds: ['user', 'guest'],
        scopes: rules.scopes,
      });
      // An OAuth token works as `auth` too, but only while its client is registered.
      if (isOAuthToken(token) && !(await clientAlive(ctx, token))) throw pcloudError('login_failed');
      call.userId = token.userId;
      call.tokenId = token.id;
      call.token = token;
      // getauth on a token login returns that same token (pclsync reads `auth` back unconditionally).
      if (getauth) call.authToken = cred.token;
      return;
    }
    case 'access_token': {
      const token = await authenticateAccessToken(ctx, cred.token, rules);
      call.userId = token.userId;
      call.tokenId = token.id;
      call.token = token;
      if (getauth) call.authToken = cred.token;
      return;
    }
    case 'password':
    case 'digest': {
      const account = cred.type === 'password' ? await passwordLogin(ctx, call, cred) : await digestLogin(ctx, call, cred);
      call.userId = account.id;
      call.setAccount(account);
      if (getauth) await issueFor(ctx, call, account.id);
      return;
    }
  }
}

/** Issue a token for the call's user with the call's device and lifetimes, and return it with `auth`. */
export async function issueFor(ctx: Ctx, call: CallState, userId: number): Promise<void> {
  const p = call.params;
  const t = ctx.cfg.tokens;
  const absoluteTtl = lifetimeSeconds(p.authexpire, t.authExpire, t.maxAuthExpire) * SECOND;
  const issued = await ctx.auth.tokens.issue({
    userId,
    kind: 'user',
    issuer: ISSUER.pcloud,
    // pCloud: `device` "defaults to the HTTP header User-Agent".
    device: p.device ?? call.req.get('user-agent') ?? '',
    absoluteTtl,
    // A pCloud token never outlives its authexpire, whatever any other code does with it later.
    maxLifetime: absoluteTtl,
    idleTtl: lifetimeSeconds(p.authinactiveexpire, t.authInactiveExpire, t.maxAuthInactiveExpire) * SECOND,
  });
  call.userId = userId;
  call.tokenId = issued.info.id;
  call.token = issued.info;
  call.authToken = issued.token;
}

/** Core's login: failure budgets reserved before any hashing, enumeration-safe. */
async function passwordLogin(ctx: Ctx, call: CallState, cred: { username: string; password: string }): Promise<Account> {
  const account = await ctx.auth.accounts.login({ identifier: cred.username, password: cred.password, ...call.attempt() });
  await backfillCopy(ctx, account, cred.password);
  return account;
}

/**
 * Digest login, with the same guarantees as core's password login: the failure budgets of the account
 * (core's throttle.check, the same keys as a password login) are reserved before any hashing, one
 * argon2 verification on every path that reaches an account lookup (a dummy one when the account, its
 * password copy or the digest match is missing), so timing tells nothing about which accounts exist.
 * The decrypted copy is checked against the argon2 hash too: a copy left stale by a password change made
 * outside this adapter can never log anyone in with the old password.
 */
async function digestLogin(
  ctx: Ctx,
  call: CallState,
  cred: { username: string; digest: string; passworddigest: string },
): Promise<Account> {
  const key = ctx.cfg.digestKey;
  if (!key) throw pcloudError('digest_unavailable');
  const { auth } = ctx;
  const attempt = call.attempt('pcloud-digest');
  const { ip } = attempt;
  if (cred.username === '' || cred.username.length > 254) throw pcloudError('login_failed');
  // The one lookup that needs the password hash: the decrypted copy is checked against it below.
  const user: UserRecord | null = await auth.accounts.findForPasswordCheck(cred.username);
  let reason = 'wrong_password';
  const ok = await auth.throttle.check(attempt, accountKey(user, cred.username), async () => {
    try {
      await auth.codes.consume(DIGEST_PURPOSE, cred.digest); // single use: gone even if the rest fails
    } catch (e) {
      if (!(e instanceof AuthError && e.code === 'code_invalid')) throw e;
      reason = 'bad_digest';
      return false;
    }
    const password = user?.passwordHash ? open(key, user.attributes.pcloud_pwenc) : null;
    if (
      !user ||
      !user.passwordHash ||
      password === null ||
      !sameDigest(passwordDigest(password, cred.username, cred.digest), cred.passworddigest)
    ) {
      await auth.hasher.dummyVerify(cred.passworddigest);
      reason = user ? 'wrong_password' : 'unknown_account';
      return false;
    }
    if ((await auth.hasher.verify(user.passwordHash, password)).ok) return true;
    reason = 'stale_password_copy';
    return false;
  });
  if (!ok || !user) {
    auth.events.emit('login.failed', { userId: user?.id, ip, method: 'pcloud-digest', reason }, auth.clock());
    throw pcloudError('login_failed');
  }
  auth.events.emit('login.succeeded', { userId: user.id, ip, method: 'pcloud-digest' }, auth.clock());
  return toAccount(user);
}

import { randomBytes } from 'node:crypto';
import { AuthError, normaliseLogin, type Account, type JsonValue } from '@authmount/core';
import type { CbContext } from './context';
import { CbError, invalidParam } from './errors';
import type { CbApp, ProviderIdentity } from './options';
import { profileAttributes } from './profile';
import { objectParam, stringParam, stringRecord, truthy, type Params } from './params';

/** Who a POST /session or POST /login wants to be. */
export type Credentials =
  | { kind: 'password'; field: 'login' | 'email'; identifier: string; password: string }
  | { kind: 'provider'; provider: string; keys: Record<string, string>; firebase: Record<string, string> }
  | { kind: 'guest'; attributes: Record<string, JsonValue> };

const MAX_IDENTIFIER = 254;
// Core refuses longer passwords without hashing them; this bound only keeps absurd input out.
const MAX_PASSWORD = 4096;

function passwordCredentials(p: Params): Credentials | null {
  const login = stringParam(p, 'login', { max: MAX_IDENTIFIER });
  const email = stringParam(p, 'email', { max: MAX_IDENTIFIER });
  const password = stringParam(p, 'password', { max: MAX_PASSWORD });
  if (login === undefined && email === undefined) {
    if (password !== undefined) throw new CbError('validation', 'login or email required');
    return null;
  }
  if (password === undefined) throw invalidParam('password', 'cannot be blank');
  // Like the SDKs, login wins when both are sent.
  return login !== undefined
    ? { kind: 'password', field: 'login', identifier: login, password }
    : { kind: 'password', field: 'email', identifier: email!, password };
}

function providerCredentials(p: Params): Credentials | null {
  const provider = stringParam(p, 'provider', { max: 32 });
  if (provider === undefined) return null;
  if (!/^[a-z0-9_]+$/.test(provider)) throw invalidParam('provider');
  const firebase = provider.startsWith('firebase_') ? stringRecord(p, provider) : undefined;
  return { kind: 'provider', provider, keys: stringRecord(p, 'keys') ?? {}, firebase: firebase ?? {} };
}

/**
 * POST /session: `user[guest]` → guest; `user[login|email]` + `user[password]` → password;
 * `provider` + `keys[...]`/`firebase_*[...]` → provider; none of these → null (an app session).
 */
export function sessionCredentials(body: Params): Credentials | null {
  const user = objectParam(body, 'user');
  if (user && truthy(user.guest)) return { kind: 'guest', attributes: profileAttributes({ full_name: user.full_name }) };
  return (user && passwordCredentials(user)) ?? providerCredentials(body);
}

/** POST /login: the same sets at the top level (`login`/`email` + `password`, or provider fields). */
export function loginCredentials(body: Params): Credentials {
  const c = passwordCredentials(body) ?? providerCredentials(body);
  if (!c) throw invalidParam('login', 'cannot be blank');
  return c;
}

export interface ResolveInput {
  app: CbApp;
  ip: string;
  /** Create unknown password users (POST /session with the application's autoCreateUsers only). */
  autoCreate: boolean;
}

/** Turn credentials into an account (verifying, or creating it where the protocol says so). */
export async function resolveUser(ctx: CbContext, c: Credentials, input: ResolveInput): Promise<Account> {
  switch (c.kind) {
    case 'password':
      return passwordUser(ctx, c, input);
    case 'provider':
      return providerUser(ctx, c, input);
    case 'guest':
      // Each guest is a stored user: core's signUp spends one of the client IP's sign-ups.
      return createGuest(ctx, c.attributes, input.ip);
  }
}

async function passwordUser(ctx: CbContext, c: Extract<Credentials, { kind: 'password' }>, input: ResolveInput): Promise<Account> {
  const { auth } = ctx;
  if (input.autoCreate) {
    // Off by default: with it on, anyone holding the (public) auth_key can create accounts, and whether
    // a login exists becomes observable. That is CB's documented behaviour when the admin allows it.
    const existing = await auth.accounts.findByIdentifier(c.identifier);
    if (!existing) {
      try {
        return await auth.accounts.signUp(
          { login: c.field === 'login' ? c.identifier : null, email: c.field === 'email' ? c.identifier : null, password: c.password },
          { ip: input.ip, method: 'cb' },
        );
      } catch (e) {
        // Lost a race with another registration of the same name: verify the password like any login.
        if (!(e instanceof AuthError && e.code === 'conflict')) throw e;
      }
    }
  }
  return auth.accounts.login({ identifier: c.identifier, password: c.password, ip: input.ip, method: 'cb' });
}

/**
 * Guest: a password-less user that the store forgets after `guestTtl` (CB: "valid for 1 day"). A client
 * sign-up: it spends one of the IP's sign-ups (429 when over).
 */
export async function createGuest(ctx: CbContext, attributes: Record<string, JsonValue>, ip: string): Promise<Account> {
  const login = `guest_login_${randomBytes(18).toString('hex').toUpperCase()}`;
  return ctx.auth.accounts.signUp(
    { login, email: null, password: null, attributes: { ...attributes, is_guest: true }, expiresAt: ctx.auth.clock() + ctx.opts.guestTtl },
    { ip, method: 'cb:guest' },
  );
}

function rejected(provider: string): CbError {
  return new CbError('provider_rejected', `Login provider ${provider} rejected the credentials`, { provider });
}

function validIdentity(v: unknown): v is ProviderIdentity {
  const s = (v as ProviderIdentity | null)?.subject;
  return typeof s === 'string' && s.length > 0 && s.length <= 200;
}

/**
 * Provider login: the configured verifier vouches for a `subject`; the user is `<provider>_<subject>`,
 * created on first use (that is how CB signs users up through providers). A login of that name that
 * was NOT created by this provider for this subject is refused, so nobody can pre-register
 * "facebook_123" with a password and receive that Facebook user's sessions.
 */
async function providerUser(ctx: CbContext, c: Extract<Credentials, { kind: 'provider' }>, input: ResolveInput): Promise<Account> {
  const { auth } = ctx;
  const verify = Object.prototype.hasOwnProperty.call(ctx.opts.providers, c.provider) ? ctx.opts.providers[c.provider] : undefined;
  if (!verify) throw new CbError('provider_unsupported', `Login provider ${c.provider} is not supported`, { provider: c.provider });
  const method = `cb:${c.provider}`;
  // A provider credential is checked under the client IP's failure budget (refunded when it is good).
  let verified = null as ProviderIdentity | null;
  await auth.throttle.check({ ip: input.ip, method }, undefined, async () => {
    try {
      verified = await verify({ provider: c.provider, keys: c.keys, firebase: c.firebase, applicationId: String(input.app.applicationId) });
    } catch (e) {
      if (e instanceof AuthError) throw e;
      verified = null;
    }
    return validIdentity(verified);
  });
  const identity = verified;
  if (!validIdentity(identity)) {
    auth.events.emit('login.failed', { ip: input.ip, method, reason: 'provider_rejected' }, auth.clock());
    throw rejected(c.provider);
  }
  // The stored form (core's normaliser), so later look-ups by this exact string find it again; a subject
  // that cannot make a login (`@`, invisible characters) is refused with CB's login error.
  const login = normaliseLogin(`${c.provider}_${identity.subject}`);
  const owned = (u: { attributes: Record<string, JsonValue> }) =>
    u.attributes.provider === c.provider && u.attributes.provider_uid === identity.subject;

  let existing = await auth.accounts.findByLogin(login);
  if (!existing) {
    const attributes: Record<string, JsonValue> = {
      ...(identity.attributes ?? {}),
      ...profileAttributes({ full_name: identity.fullName ?? undefined }),
      provider: c.provider,
      provider_uid: identity.subject,
    };
    if (c.provider === 'facebook' || c.provider === 'twitter') attributes[`${c.provider}_id`] = identity.subject;
    delete attributes.is_guest;
    try {
      const created = await auth.accounts.register({ login, email: identity.email ?? null, password: null, attributes });
      auth.events.emit('login.succeeded', { userId: created.id, ip: input.ip, method }, auth.clock());
      return created;
    } catch (e) {
      if (!(e instanceof AuthError && e.code === 'conflict' && e.details.field === 'login')) throw e;
      existing = await auth.accounts.findByLogin(login);
    }
  }
  if (!existing || !owned(existing)) throw new AuthError('conflict', undefined, { field: 'login' });
  auth.events.emit('login.succeeded', { userId: existing.id, ip: input.ip, method }, auth.clock());
  return existing;
}

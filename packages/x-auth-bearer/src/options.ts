import { ConfigError, DAY, ISSUER, type TokenKind } from '@authmount/core';
import type { Auth } from '@authmount/express';
import type { UserHook } from './user';

export interface XAuthBearerOptions {
  /** Lifetime of a token without `longtoken=true`, ms. Default 24 hours (the vendor's figure). */
  shortTtl?: number | undefined;
  /** Lifetime of a token with `longtoken=true`, ms. Default 30 days (the vendor's figure). */
  longTtl?: number | undefined;
  /**
   * The ceiling, ms: `PUT /login` prolongs a token from now, but never past its creation + this. Default
   * 90 days (our decision: the vendor documents none, and without one a token re-prolonged forever never
   * dies). At least `longTtl`, at most the auth's `tokens.maxTtl`.
   */
  maxLifetime?: number | undefined;
  /**
   * Issuers whose tokens the guards of this router accept. Default `['x-auth-bearer']` (this adapter's own).
   * Add another (e.g. `'authmount'`) to share tokens on your routes. `/login` itself only ever accepts this
   * adapter's own tokens: its PUT prolongs by this protocol's rules.
   */
  acceptIssuers?: readonly string[] | undefined;
  /** Shape the `user` object of POST/GET/PUT /login replies. */
  user?: UserHook | undefined;
  /** Largest accepted request body (POST form, PUT JSON), in body-parser syntax. Default '16kb'. */
  bodyLimit?: string | number | undefined;
}

export interface XAuthGuardOptions {
  /** Token kinds the guard accepts. Default ['user', 'guest']: app sessions without a user are refused (403). */
  kinds?: readonly TokenKind[] | undefined;
  /** Scopes every request must carry (403 otherwise). Default none. */
  scopes?: readonly string[] | undefined;
  /**
   * Issuers accepted. Default: the router's `acceptIssuers`, else `['x-auth-bearer']`. Tokens of other
   * issuers answer 401 like unknown ones, and are neither slid nor touched.
   */
  acceptIssuers?: readonly string[] | undefined;
}

export interface ResolvedOptions {
  shortTtl: number;
  longTtl: number;
  maxLifetime: number;
  acceptIssuers: readonly string[];
  user: UserHook | undefined;
  bodyLimit: string | number;
}

/** A lifetime (the shape was checked by options-schema.ts) that must also fit the Auth's maximum. */
function ttl(name: string, given: number | undefined, fallback: number, max: number): number {
  const v = given ?? fallback;
  // Core would silently cap a longer lifetime; a misconfiguration should fail loudly at start-up instead.
  if (v > max) {
    const message = `expected at most the auth's maximum token lifetime (createAuth tokens.maxTtl, ${max} ms), received ${v}`;
    throw new ConfigError('xAuthBearer', [{ option: name, message }]);
  }
  return v;
}

/** Default ceiling of a token's life, however often PUT prolongs it (see XAuthBearerOptions.maxLifetime). */
export const DEFAULT_MAX_LIFETIME = 90 * DAY;

export function resolveIssuers(given: readonly string[] | undefined): readonly string[] {
  if (given === undefined) return [ISSUER.xAuthBearer];
  if (!Array.isArray(given) || given.length === 0 || !given.every((i) => typeof i === 'string' && i.length > 0)) {
    throw new TypeError('x-auth-bearer: acceptIssuers must be a non-empty array of issuer names');
  }
  return [...given];
}

export function resolveOptions(auth: Auth, opts: XAuthBearerOptions): ResolvedOptions {
  const max = auth.tokens.policy.maxTtl;
  const shortTtl = ttl('shortTtl', opts.shortTtl, DAY, max);
  const longTtl = ttl('longTtl', opts.longTtl, 30 * DAY, max);
  const maxLifetime = ttl('maxLifetime', opts.maxLifetime, Math.min(DEFAULT_MAX_LIFETIME, max), max);
  if (maxLifetime < Math.max(shortTtl, longTtl)) {
    const message = `expected at least shortTtl and longTtl (a token lives at least what it was issued for), received ${maxLifetime}`;
    throw new ConfigError('xAuthBearer', [{ option: 'maxLifetime', message }]);
  }
  return {
    shortTtl,
    longTtl,
    maxLifetime,
    acceptIssuers: resolveIssuers(opts.acceptIssuers),
    user: opts.user,
    bodyLimit: opts.bodyLimit ?? '16kb',
  };
}

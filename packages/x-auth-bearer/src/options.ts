import { DAY, type TokenKind } from '@authmount/core';
import type { Auth } from '@authmount/express';
import type { UserHook } from './user';

export interface XAuthBearerOptions {
  /** Lifetime of a token without `longtoken=true`, ms. Default 24 hours (the vendor's figure). */
  shortTtl?: number;
  /** Lifetime of a token with `longtoken=true`, ms. Default 30 days (the vendor's figure). */
  longTtl?: number;
  /** Shape the `user` object of POST/GET/PUT /login replies. */
  user?: UserHook;
  /** Largest accepted request body (POST form, PUT JSON), in body-parser syntax. Default '16kb'. */
  bodyLimit?: string | number;
}

export interface XAuthGuardOptions {
  /** Token kinds the guard accepts. Default ['user', 'guest']: app sessions without a user are refused (403). */
  kinds?: readonly TokenKind[];
  /** Scopes every request must carry (403 otherwise). Default none. */
  scopes?: readonly string[];
}

export interface ResolvedOptions {
  shortTtl: number;
  longTtl: number;
  user: UserHook | undefined;
  bodyLimit: string | number;
}

function ttl(name: string, given: number | undefined, fallback: number, max: number): number {
  const v = given ?? fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`x-auth-bearer: ${name} must be a positive integer of milliseconds`);
  // Core would silently cap a longer lifetime; a misconfiguration should fail loudly at start-up instead.
  if (v > max) throw new RangeError(`x-auth-bearer: ${name} exceeds the auth's maximum token lifetime (tokens.maxTtl)`);
  return v;
}

export function resolveOptions(auth: Auth, opts: XAuthBearerOptions): ResolvedOptions {
  const max = auth.tokens.policy.maxTtl;
  return {
    shortTtl: ttl('shortTtl', opts.shortTtl, DAY, max),
    longTtl: ttl('longTtl', opts.longTtl, 30 * DAY, max),
    user: opts.user,
    bodyLimit: opts.bodyLimit ?? '16kb',
  };
}

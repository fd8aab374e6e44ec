import { AuthError, ISSUER, type AuthErrorCode, type TokenInfo } from '@authmount/core';
import type { Ctx } from '../call';
import { PcloudError, pcloudError, type PcloudErrorName } from '../errors';
import { isOAuthToken } from './grants';

/**
 * The one context where a core code maps differently: a credential sent as `access_token` (or
 * `Authorization: Bearer`) that is not a live OAuth token answers 2094, which OAuth clients read as
 * "authorize again", instead of 2000. Every other code keeps its FROM_AUTH_ERROR entry.
 */
export const FROM_ACCESS_TOKEN_ERROR: Readonly<Partial<Record<AuthErrorCode, PcloudErrorName>>> = {
  token_missing: 'invalid_access_token',
  token_invalid: 'invalid_access_token',
  token_expired: 'invalid_access_token',
  forbidden_kind: 'invalid_access_token',
};

/** Any thrown value on the access-token path: FROM_ACCESS_TOKEN_ERROR first, then the usual rules. */
export function accessTokenError(e: unknown): unknown {
  if (e instanceof AuthError) {
    const name = FROM_ACCESS_TOKEN_ERROR[e.code];
    if (name) return new PcloudError(name);
  }
  return e;
}

/**
 * An OAuth access token, sent as `access_token` or `Authorization: Bearer`: validated, filtered and slid in
 * one store call like any token. It must be an OAuth token (issuer `oauth`; session tokens go in `auth`),
 * accepted by the method, of a client that is still registered. Anything else answers 2094, which OAuth
 * clients read as "authorize again"; a store outage stays 5000 and a missing scope (an account method)
 * 1000 "Log in required.", as pCloud answers.
 */
export async function authenticateAccessToken(
  ctx: Ctx,
  token: string,
  rules: { issuers: readonly string[]; scopes?: readonly string[] },
): Promise<TokenInfo> {
  let info: TokenInfo;
  // An empty list refuses every token (a method that does not take OAuth tokens), still without sliding it.
  const issuers = rules.issuers.includes(ISSUER.oauth) ? [ISSUER.oauth] : [];
  try {
    info = await ctx.auth.tokens.authenticate(token, { issuers, kinds: ['user'], scopes: rules.scopes });
  } catch (e) {
    throw accessTokenError(e);
  }
  if (!isOAuthToken(info) || !(await clientAlive(ctx, info))) throw pcloudError('invalid_access_token');
  return info;
}

/**
 * Whether an OAuth token's client still exists. Checked on every use (one lookup; none for a configured
 * list), so removing a client cuts its tokens off at once without listing them. With OAuth off, no
 * client exists and every OAuth token is refused.
 */
export async function clientAlive(ctx: Ctx, token: Pick<TokenInfo, 'appId'>): Promise<boolean> {
  const registry = ctx.cfg.oauth?.registry;
  if (!registry || token.appId === null) return false;
  return (await registry.find(token.appId)) !== null;
}

import type { TokenInfo } from '@authmount/core';
import type { Ctx } from '../call';
import { accessTokenError, pcloudError } from '../errors';
import { isOAuthToken } from './grants';

/**
 * An OAuth access token, sent as `access_token` or `Authorization: Bearer`: validated and slid in one
 * store call like any token, then it must be an OAuth token (not a session token: those go in `auth`) of
 * a client that is still registered. Anything else answers 2094, which OAuth clients read as "authorize
 * again"; a store outage stays 5000 and a missing scope 1000.
 */
export async function authenticateAccessToken(ctx: Ctx, token: string, scopes?: readonly string[]): Promise<TokenInfo> {
  let info: TokenInfo;
  try {
    info = await ctx.auth.tokens.authenticate(token, { kinds: ['user'], scopes });
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

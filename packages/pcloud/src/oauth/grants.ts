import { AuthError, ISSUER, constantTimeEqual, sha256, type Issued, type TokenInfo } from '@authmount/core';
import type { Ctx } from '../call';
import { grantScopes, type OAuthClient } from './clients';
import type { OAuthResolved } from './options';

/**
 * What the user's approval leaves behind, all in core's single-use code store (only SHA-256 of the key is
 * stored, `take` is atomic across processes):
 * - an authorization code (response_type=code), bound to client, redirect URI and PKCE challenge;
 * - a poll decision (response_type=poll_token), keyed by client + request_id, holding only the user id:
 *   the access token itself is minted by the oauth2_token call that picks the decision up, so no token
 *   ever sits in the store in clear.
 */
const CODE_PURPOSE = 'pcloud-oauth-code';
const USED_PURPOSE = 'pcloud-oauth-used';
const POLL_PURPOSE = 'pcloud-oauth-poll';

// A type alias (not an interface) so it is assignable to core's JsonValue payloads.
export type CodeGrant = {
  /** client_id */
  c: string;
  /** redirect_uri the code was sent to, or null when it was shown on the page */
  r: string | null;
  /** user id */
  u: number;
  /** PKCE S256 challenge, or null */
  p: string | null;
};

/** A poll decision: the approving user, or a denial. */
export type PollGrant = { u: number } | { d: 1 };

/** An OAuth access token: issuer `oauth` (kind stays 'user'; appId holds the client id). */
export function isOAuthToken(t: Pick<TokenInfo, 'issuer' | 'appId'>): boolean {
  return t.issuer === ISSUER.oauth && typeof t.appId === 'string';
}

export async function issueCode(ctx: Ctx, o: OAuthResolved, grant: CodeGrant): Promise<string> {
  return ctx.auth.codes.issue(CODE_PURPOSE, { ...grant }, o.codeTtlMs);
}

/** Take a code (once). Null when unknown, used or expired. */
export async function takeCode(ctx: Ctx, code: string): Promise<CodeGrant | null> {
  try {
    return await ctx.auth.codes.consume<CodeGrant>(CODE_PURPOSE, code);
  } catch (e) {
    if (e instanceof AuthError && e.code === 'code_invalid') return null;
    throw e;
  }
}

/** Remember which token a code produced, for as long as the code could have lived (RFC 6749 §4.1.2). */
export async function rememberExchange(ctx: Ctx, o: OAuthResolved, code: string, clientId: string, tokenId: string): Promise<void> {
  await ctx.auth.codes.put(USED_PURPOSE, code, { c: clientId, t: tokenId }, o.codeTtlMs);
}

/**
 * A code presented again: revoke the token it produced, since one of the two presenters is not the
 * legitimate client (RFC 6749 §4.1.2, "SHOULD revoke"). Only for the same client, whose secret was
 * already checked.
 */
export async function revokeReplayed(ctx: Ctx, code: string, clientId: string): Promise<void> {
  let used: { c: string; t: string };
  try {
    used = await ctx.auth.codes.consume<{ c: string; t: string }>(USED_PURPOSE, code);
  } catch (e) {
    if (e instanceof AuthError && e.code === 'code_invalid') return;
    throw e;
  }
  if (used.c === clientId) await ctx.auth.tokens.revoke(used.t, 'oauth_code_replayed');
}

export function pollKey(clientId: string, requestId: string): string {
  // ':' is in neither alphabet, so the key is unambiguous.
  return `${clientId}:${requestId}`;
}

export async function putPollGrant(ctx: Ctx, o: OAuthResolved, key: string, grant: PollGrant): Promise<void> {
  await ctx.auth.codes.put(POLL_PURPOSE, key, grant, o.poll.grantTtlMs);
}

export async function takePollGrant(ctx: Ctx, key: string): Promise<PollGrant | null> {
  try {
    return await ctx.auth.codes.consume<PollGrant>(POLL_PURPOSE, key);
  } catch (e) {
    if (e instanceof AuthError && e.code === 'code_invalid') return null;
    throw e;
  }
}

/**
 * An access token: a core token of kind 'user', issuer `oauth`, with the client as appId and device (so
 * listtokens shows the application's name and deletetoken/logout revoke it like any token). It carries the
 * client's grant scopes, never the account scope (clients cannot be configured with it), and lives at most
 * its absolute lifetime: nothing prolongs an access token.
 */
export async function issueAccessToken(ctx: Ctx, o: OAuthResolved, client: OAuthClient, userId: number): Promise<Issued> {
  return ctx.auth.tokens.issue({
    userId,
    kind: 'user',
    issuer: ISSUER.oauth,
    appId: client.clientId,
    device: client.name,
    scopes: grantScopes(client),
    absoluteTtl: o.tokens.absoluteTtl,
    maxLifetime: o.tokens.absoluteTtl,
    idleTtl: o.tokens.idleTtl,
  });
}

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
export const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge, compared in constant time. */
export function pkceMatches(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier)) return false;
  // The verifier is ASCII (checked above), so its UTF-8 bytes are its ASCII bytes.
  return constantTimeEqual(sha256(verifier, 'base64url'), challenge);
}

import { AuthError, ISSUER, type TokenKind } from '@authmount/core';
import type { AuthContext } from '@authmount/express';
import type { Request, RequestHandler } from 'express';
import { findApp, type CbContext } from './context';
import { resolveIssuers } from './options';
import { sendCbError } from './errors';
import { setExpirationHeader } from './format';

export interface CbGuardOptions {
  /**
   * Which sessions pass:
   * - 'read-only-app' (default, for your app's routes): app sessions only on safe methods (GET, HEAD,
   *   OPTIONS), user and guest sessions on every method. CB: app tokens have "only READ access".
   * - 'user': user and guest sessions only.
   * - 'any': every session (the adapter's own POST /login, POST /users, GET/DELETE /session).
   */
  allow?: 'read-only-app' | 'user' | 'any' | undefined;
  /**
   * Issuers accepted. Default: the router's `acceptIssuers`, else `['cb-token']` (this adapter's sessions).
   * A token of another issuer answers 401 "Required session does not exist" and is neither slid nor touched.
   */
  acceptIssuers?: readonly string[] | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ALL_KINDS: readonly TokenKind[] = ['app', 'user', 'guest'];
const USER_KINDS: readonly TokenKind[] = ['user', 'guest'];
/** What the adapter's own routes accept: its own sessions, whatever the guards share. */
export const OWN_ISSUERS: readonly string[] = [ISSUER.cbToken];

/** The raw `CB-Token` header; empty counts as absent (the Flutter SDK always sends the header). */
export function cbTokenHeader(req: Request): string | undefined {
  const v = req.get('cb-token');
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * Authenticate a CB-Token: validate, filter (issuer, and kind for `allow` and the method) and slide in ONE
 * store call (core), so a refused token is not slid; then a CB session must belong to a still-registered
 * application. Throws AuthErrors that the table maps to CB's bodies.
 */
export async function authenticateCb(
  ctx: CbContext,
  req: Request,
  allow: CbGuardOptions['allow'] = 'read-only-app',
  issuers: readonly string[] = OWN_ISSUERS,
): Promise<AuthContext> {
  const credential = cbTokenHeader(req);
  if (credential === undefined) throw new AuthError('token_missing');
  // CB: app sessions have "only READ access".
  const appAllowed = allow === 'any' || (allow === 'read-only-app' && SAFE_METHODS.has(req.method));
  const c = await ctx.auth.authenticate(credential, { issuers, kinds: appAllowed ? ALL_KINDS : USER_KINDS });
  // A CB session of an application removed from the registry is no session (tokens of other issuers the
  // app chose to accept on its routes have no CB application).
  if (c.issuer === ISSUER.cbToken && (c.appId === null || !(await findApp(ctx, c.appId)))) throw new AuthError('token_invalid');
  return c;
}

/**
 * The `CB-Token` guard: sets `req.auth` and the `CB-Token-ExpirationDate` header, or answers in CB's
 * format: 401 `{"errors":["Token is required"]}`, 401 `{"errors":{"base":["Required session does not
 * exist"]}}`, 403 `{"errors":{"base":["Forbidden. Need user."]}}`, 503 when the store is down.
 */
export function cbTokenGuardFor(ctx: CbContext, opts: CbGuardOptions = {}, issuers: readonly string[] = OWN_ISSUERS): RequestHandler {
  const allow = opts.allow ?? 'read-only-app';
  const accepted = opts.acceptIssuers === undefined ? issuers : resolveIssuers(opts.acceptIssuers);
  return (req, res, next) => {
    authenticateCb(ctx, req, allow, accepted).then(
      (c) => {
        req.auth = c;
        setExpirationHeader(res, c.token);
        next();
      },
      (e: unknown) => sendCbError(res, e),
    );
  };
}

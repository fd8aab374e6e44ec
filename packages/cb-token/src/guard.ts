import { AuthError } from '@authmount/core';
import type { AuthContext } from '@authmount/express';
import type { Request, RequestHandler } from 'express';
import { findApp, type CbContext } from './context';
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
  allow?: 'read-only-app' | 'user' | 'any';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Marks tokens issued by this adapter, so a token of another protocol is not a CB session. */
export const CB_MARK = 'cb';

/** The raw `CB-Token` header; empty counts as absent (the Flutter SDK always sends the header). */
export function cbTokenHeader(req: Request): string | undefined {
  const v = req.get('cb-token');
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * Authenticate a CB-Token: validate and slide in ONE store call (core), then check it is a CB session of
 * a still-registered application. Throws AuthErrors that the table maps to CB's bodies.
 */
export async function authenticateCb(ctx: CbContext, req: Request, allow: CbGuardOptions['allow'] = 'read-only-app'): Promise<AuthContext> {
  const credential = cbTokenHeader(req);
  if (credential === undefined) throw new AuthError('token_missing');
  const c = await ctx.auth.authenticate(credential);
  // A token from another protocol, or of an application removed from the registry, is no CB session.
  if (c.token.data[CB_MARK] !== true || c.appId === null || !(await findApp(ctx, c.appId))) throw new AuthError('token_invalid');
  if (c.kind === 'app' && (allow === 'user' || (allow === 'read-only-app' && !SAFE_METHODS.has(req.method)))) {
    throw new AuthError('forbidden_kind');
  }
  return c;
}

/**
 * The `CB-Token` guard: sets `req.auth` and the `CB-Token-ExpirationDate` header, or answers in CB's
 * format: 401 `{"errors":["Token is required"]}`, 401 `{"errors":{"base":["Required session does not
 * exist"]}}`, 403 `{"errors":{"base":["Forbidden. Need user."]}}`, 503 when the store is down.
 */
export function cbTokenGuardFor(ctx: CbContext, opts: CbGuardOptions = {}): RequestHandler {
  const allow = opts.allow ?? 'read-only-app';
  return (req, res, next) => {
    authenticateCb(ctx, req, allow).then(
      (c) => {
        req.auth = c;
        setExpirationHeader(res, c.token);
        next();
      },
      (e: unknown) => sendCbError(res, e),
    );
  };
}

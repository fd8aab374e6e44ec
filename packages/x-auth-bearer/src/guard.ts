import { header, type Auth } from '@authmount/express';
import type { RequestHandler } from 'express';
import { sendError } from './errors';
import { resolveIssuers, type XAuthGuardOptions } from './options';
import { validateXAuthGuardOptions } from './options-schema';
import { HEADER } from './params';

/**
 * Guard for the app's own routes: `X-Auth-Bearer: <token>`. Validation and the (no-op, see README) slide
 * are one store call in core; failures answer in this adapter's JSON error shape: 401 missing/invalid/
 * expired or of an issuer not accepted (default: this adapter's own tokens only), 403 wrong kind or scope,
 * 503 store down. On success `req.auth` is set as by any authmount guard.
 */
export function xAuthBearerGuard(auth: Auth, opts: XAuthGuardOptions = {}): RequestHandler {
  validateXAuthGuardOptions(opts);
  return auth.requireAuth({
    extractors: [header(HEADER)],
    // Checked inside the store call: a token of another issuer is refused (401) without being slid.
    issuers: resolveIssuers(opts.acceptIssuers),
    kinds: opts.kinds ?? ['user', 'guest'],
    scopes: opts.scopes,
    onError: (err, _req, res) => sendError(res, err),
  });
}

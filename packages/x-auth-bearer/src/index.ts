import type { Auth } from '@authmount/express';
import type { RequestHandler, Router } from 'express';
import { xAuthBearerGuard } from './guard';
import { resolveOptions, type XAuthBearerOptions, type XAuthGuardOptions } from './options';
import { validateXAuthBearerOptions } from './options-schema';
import { loginRouter } from './router';

export { XAUTH_ERROR_STATUS, XAuthError, errorBody, sendError } from './errors';
export type { LocalErrorCode, XAuthErrorBody, XAuthErrorCode } from './errors';
export { xAuthBearerGuard } from './guard';
export type { XAuthBearerOptions, XAuthGuardOptions } from './options';
export { formatValidTo } from './reply';
export { defaultUser } from './user';
export type { UserHook, XAuthUser } from './user';

export interface XAuthBearerRouter extends Router {
  /** Guard for the app's own routes: reads `X-Auth-Bearer: <token>`, answers errors in this adapter's JSON. */
  guard(opts?: XAuthGuardOptions): RequestHandler;
}

/**
 * The X-Auth-Bearer (SaleBasis-style) protocol: `/login` POST | GET | PUT | DELETE, plus a guard.
 *
 *   const xauth = xAuthBearer(auth);
 *   app.use('/api', xauth);
 *   app.get('/api/orders', xauth.guard(), handler);
 */
export function xAuthBearer(auth: Auth, options: XAuthBearerOptions = {}): XAuthBearerRouter {
  validateXAuthBearerOptions(options); // a wrong option fails here, naming it (ConfigError)
  const resolved = resolveOptions(auth, options);
  const router = loginRouter(auth, resolved) as XAuthBearerRouter;
  router.guard = (opts = {}) => xAuthBearerGuard(auth, { ...opts, acceptIssuers: opts.acceptIssuers ?? resolved.acceptIssuers });
  return router;
}

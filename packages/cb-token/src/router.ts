import type { Auth } from '@authmount/express';
import express, { type RequestHandler, type Router } from 'express';
import { toRegistry } from './apps';
import type { CbContext } from './context';
import { cbTokenGuardFor, type CbGuardOptions } from './guard';
import { bodyErrors, bodyParsers, handle } from './http';
import { login, logout } from './login-routes';
import { resolveOptions, type CbTokenOptions } from './options';
import { validateCbGuardOptions, validateCbTokenOptions } from './options-schema';
import { createSession, destroySession, getSession } from './session-routes';
import { signup, signupAuth } from './users-routes';

export interface CbTokenRouter extends Router {
  /** The `CB-Token` guard for your own routes (see `cbTokenGuard`), bound to this router's applications. */
  guard(opts?: CbGuardOptions): RequestHandler;
}

/** Every route answers with and without the `.json` suffix (the JS SDKs add it; Flutter and the docs don't). */
const both = (path: string) => [path, `${path}.json`];

/**
 * The CB-Token (ConnectyCube-style) route set:
 *   POST   /session  app / user / guest / provider session      → 201 { session }
 *   GET    /session  (CB-Token)                                 → 200 { session }
 *   DELETE /session  (CB-Token)                                 → 200
 *   POST   /login    (CB-Token) login|email + password          → 200 { user }   (same token, now a user session)
 *   DELETE /login    (CB-Token of a user)                       → 200            (back to an app session)
 *   POST   /users    (CB-Token or CB-AuthKey) { user: {...} }   → 201 { user }
 * Mount it where the clients' API base points: `app.use('/cb', cbToken(auth, { apps }))`.
 */
export function cbToken(auth: Auth, options: CbTokenOptions): CbTokenRouter {
  validateCbTokenOptions(options); // a wrong option (a short authSecret too) fails here, naming it (ConfigError)
  const ctx: CbContext = { auth, opts: resolveOptions(options, toRegistry) };
  const r = express.Router();
  // Body parsers are per route, so routes the app adds under the same prefix keep their own.
  const body = bodyParsers(ctx.opts.bodyLimit);
  const any = cbTokenGuardFor(ctx, { allow: 'any' });
  const user = cbTokenGuardFor(ctx, { allow: 'user' });

  r.post(both('/session'), body, handle(createSession(ctx)));
  r.get(both('/session'), any, handle(getSession(ctx)));
  r.delete(both('/session'), any, handle(destroySession(ctx)));
  r.post(both('/login'), any, body, handle(login(ctx)));
  r.delete(both('/login'), user, handle(logout(ctx)));
  r.post(both('/users'), signupAuth(ctx), body, handle(signup(ctx)));
  r.use(bodyErrors);

  return Object.assign(r, {
    guard: (opts?: CbGuardOptions) => {
      validateCbGuardOptions(opts ?? {});
      return cbTokenGuardFor(ctx, opts, ctx.opts.acceptIssuers);
    },
  });
}

/**
 * The `CB-Token` guard on its own, for routes outside the router (same options as `cbToken`).
 * Default: CB sessions only (`acceptIssuers`), app sessions read-only (GET/HEAD/OPTIONS), user and guest
 * sessions read/write; every authenticated request slides the session's expiry; `req.auth` is set.
 */
export function cbTokenGuard(auth: Auth, options: CbTokenOptions, opts?: CbGuardOptions): RequestHandler {
  validateCbTokenOptions(options, 'cbTokenGuard');
  validateCbGuardOptions(opts ?? {});
  const ctx: CbContext = { auth, opts: resolveOptions(options, toRegistry) };
  return cbTokenGuardFor(ctx, opts, ctx.opts.acceptIssuers);
}

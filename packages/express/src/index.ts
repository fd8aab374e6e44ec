import {
  createAuthCore,
  DEFAULT_ISSUER,
  type AuthCore,
  type AuthCoreConfig,
  type AuthError,
  type AuthStore,
  type RequireOptions,
  type TokenInfo,
  type TokenKind,
} from '@authmount/core';
import { memoryStore } from '@authmount/store-memory';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { validateConfig, validateGuardOptions } from './config';
import { bearer, type CredentialExtractor } from './extractors';
import { asAuthError, sendAuthError } from './http-errors';
import { logAuthEvents, logStoreStatus, type AuthLogger } from './logger';
import { contextOf, type AuthContext } from './types';

export { AuthConfigError, validateConfig } from './config';
export * from './body';
export * from './extractors';
export * from './health';
export * from './http-errors';
export * from './logger';
export * from './seed';
export * from './shutdown';
export * from './store-probe';
export * from './types';

// The core helpers an app needs, so `@authmount/express` is the one import of an Express app. They live
// in `@authmount/core` (which @authmount/express depends on); importing them from either is the same thing.
export {
  AuthError,
  ConfigError,
  DAY,
  HOUR,
  MINUTE,
  SECOND,
  composePolicy,
  isAuthError,
  manualClock,
  nistPolicy,
  pcloudPolicy,
  rules,
  systemClock,
  type Account,
  type AuthErrorCode,
  type AuthStore,
  type Clock,
  type ConfigIssue,
  type ManualClock,
  type NistPolicyOptions,
  type PasswordPolicy,
  type PasswordRule,
  type PolicySpec,
  type ThrottleRule,
  type TokenInfo,
  type TokenKind,
} from '@authmount/core';

export interface AuthConfig extends Omit<AuthCoreConfig, 'store'> {
  /** Where tokens, users, codes and counters live. Default: an in-process memoryStore(). */
  store?: AuthStore | undefined;
  /** How `requireAuth` finds the credential, tried in order. Default: `Authorization: Bearer`. */
  extractors?: CredentialExtractor[] | undefined;
  /**
   * A pino-compatible logger; every core event is written to it (no token, secret or password), and so is
   * each connection state change of a networked store (one line when it becomes unavailable, one when it
   * is back).
   */
  logger?: AuthLogger | undefined;
}

/**
 * What `requireAuth()`, `optionalAuth()` and `auth.authenticate()` accept when not told otherwise: tokens of
 * authmount's own routes and app code (issuer `authmount`) that stand for a user (kinds `user`, `guest`).
 * Each list given replaces its default: `{ issuers: ['authmount', 'pcloud'] }` shares pCloud's tokens, and
 * app sessions (no user) pass only where `kinds` names `app`.
 */
export const DEFAULT_REQUIRE: Readonly<{ issuers: readonly string[]; kinds: readonly TokenKind[] }> = Object.freeze({
  issuers: Object.freeze([DEFAULT_ISSUER]),
  kinds: Object.freeze(['user', 'guest'] as const),
});

/** The filter an entry point applies: the given lists, and the defaults for the ones not given. */
export function withDefaults(opts: RequireOptions = {}): RequireOptions {
  return {
    issuers: opts.issuers ?? DEFAULT_REQUIRE.issuers,
    kinds: opts.kinds ?? DEFAULT_REQUIRE.kinds,
    scopes: opts.scopes,
  };
}

export interface RequireAuthOptions extends RequireOptions {
  /** Override the extractors for this guard. */
  extractors?: CredentialExtractor[] | undefined;
  /** Answer failures yourself (protocol adapters render their own wire format). Default: JSON + status. */
  onError?: ((err: AuthError, req: Request, res: Response, next: NextFunction) => void) | undefined;
}

export interface Auth extends AuthCore {
  /** The logger given to createAuth (protocol adapters write their start-up notices to it), if any. */
  readonly logger: AuthLogger | undefined;
  /**
   * Guard: authenticates (validate, filter and slide, one store call), sets `req.auth`, or answers
   * 401/403/503. Accepts `authmount` user and guest tokens unless `issuers` / `kinds` say otherwise
   * (DEFAULT_REQUIRE); a token it refuses is not slid.
   */
  requireAuth(opts?: RequireAuthOptions): RequestHandler;
  /** Like requireAuth, but a request without a credential passes through with `req.auth` undefined. */
  optionalAuth(opts?: RequireAuthOptions): RequestHandler;
  /**
   * Authenticate a raw credential and return the context (for custom guards), with requireAuth's defaults
   * for the lists `opts` leaves out.
   */
  authenticate(credential: unknown, opts?: RequireOptions): Promise<AuthContext>;
  /** Maps AuthErrors thrown by your handlers to HTTP; other errors go to the next handler. */
  errorHandler(): ErrorRequestHandler;
  /**
   * The client address the abuse budgets count by: Express's `req.ip`. Without `trust proxy` it is the
   * socket's peer and `X-Forwarded-For` is ignored (a client cannot pick its own address); behind a
   * balancer set `app.set('trust proxy', <hops or addresses>)` so it is the client's (README "Proxies").
   */
  clientIp(req: Request): string;
}

function firstCredential(req: Request, extractors: readonly CredentialExtractor[]): unknown {
  for (const extract of extractors) {
    const v = extract(req);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The `req.auth` of an authenticated request; throws if no guard ran (a wiring bug). */
export function authOf(req: Request): AuthContext {
  if (!req.auth) throw new Error('authOf(req) used on a route without requireAuth()');
  return req.auth;
}

export function createAuth(config: AuthConfig = {}): Auth {
  validateConfig(config); // a wrong option fails here, at start-up, naming the option
  const store = config.store ?? memoryStore({ clock: config.clock });
  const core = createAuthCore({ ...config, store });
  const defaultExtractors = config.extractors ?? [bearer];
  if (config.logger) {
    logAuthEvents(core.events, config.logger);
    logStoreStatus(store, config.logger);
  }

  const guard = (opts: RequireAuthOptions, optional: boolean): RequestHandler => {
    validateGuardOptions(opts, optional ? 'optionalAuth' : 'requireAuth');
    const extractors = opts.extractors ?? defaultExtractors;
    // Issuers, kinds and scopes go to the store's filter: a refused token is neither slid nor touched.
    const require = withDefaults(opts);
    const onError = opts.onError ?? ((err: AuthError, _req: Request, res: Response) => sendAuthError(res, err));
    return (req, res, next) => {
      const credential = firstCredential(req, extractors);
      if (optional && credential === undefined) return next();
      core.tokens.authenticate(credential, require).then(
        (token: TokenInfo) => {
          req.auth = contextOf(token);
          next();
        },
        (e: unknown) => onError(asAuthError(e), req, res, next),
      );
    };
  };

  return {
    ...core,
    logger: config.logger,
    requireAuth: (opts = {}) => guard(opts, false),
    optionalAuth: (opts = {}) => guard(opts, true),
    authenticate: async (credential, opts) => contextOf(await core.tokens.authenticate(credential, withDefaults(opts))),
    errorHandler: () => (err, _req, res, next) => {
      if (err && typeof err === 'object' && (err as { name?: string }).name === 'AuthError') {
        return sendAuthError(res, err as AuthError);
      }
      next(err);
    },
    clientIp: (req) => req.ip ?? req.socket.remoteAddress ?? 'unknown',
  };
}
export * from './routes';

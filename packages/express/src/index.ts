import {
  createAuthCore,
  type AuthCore,
  type AuthCoreConfig,
  type AuthError,
  type AuthStore,
  type RequireOptions,
  type TokenInfo,
} from '@authmount/core';
import { memoryStore } from '@authmount/store-memory';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { validateConfig } from './config';
import { bearer, type CredentialExtractor } from './extractors';
import { asAuthError, sendAuthError } from './http-errors';
import { logAuthEvents, type AuthLogger } from './logger';
import { contextOf, type AuthContext } from './types';

export * from './config';
export * from './extractors';
export * from './http-errors';
export * from './logger';
export * from './types';

export interface AuthConfig extends Omit<AuthCoreConfig, 'store'> {
  /** Where tokens, users, codes, nonces and counters live. Default: an in-process memoryStore(). */
  store?: AuthStore;
  /** How `requireAuth` finds the credential, tried in order. Default: `Authorization: Bearer`. */
  extractors?: CredentialExtractor[];
  /** A pino-compatible logger; every core event is written to it (no token, secret or password). */
  logger?: AuthLogger;
}

export interface RequireAuthOptions extends RequireOptions {
  /** Override the extractors for this guard. */
  extractors?: CredentialExtractor[];
  /** Answer failures yourself (protocol adapters render their own wire format). Default: JSON + status. */
  onError?: (err: AuthError, req: Request, res: Response, next: NextFunction) => void;
}

export interface Auth extends AuthCore {
  /** Guard: authenticates (validate + slide, one store call), sets `req.auth`, or answers 401/403/503. */
  requireAuth(opts?: RequireAuthOptions): RequestHandler;
  /** Like requireAuth, but a request without a credential passes through with `req.auth` undefined. */
  optionalAuth(opts?: RequireAuthOptions): RequestHandler;
  /** Authenticate a raw credential and return the context (for protocol adapters and custom guards). */
  authenticate(credential: unknown, opts?: RequireOptions): Promise<AuthContext>;
  /** Maps AuthErrors thrown by your handlers to HTTP; other errors go to the next handler. */
  errorHandler(): ErrorRequestHandler;
  /** The client address used for throttling (Express's `req.ip`, which honours `trust proxy`). */
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
  const core = createAuthCore({ ...config, store: config.store ?? memoryStore({ clock: config.clock }) });
  const defaultExtractors = config.extractors ?? [bearer];
  if (config.logger) logAuthEvents(core.events, config.logger);

  const guard = (opts: RequireAuthOptions, optional: boolean): RequestHandler => {
    const extractors = opts.extractors ?? defaultExtractors;
    const require: RequireOptions = { scopes: opts.scopes, kinds: opts.kinds };
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
    requireAuth: (opts = {}) => guard(opts, false),
    optionalAuth: (opts = {}) => guard(opts, true),
    authenticate: async (credential, opts) => contextOf(await core.tokens.authenticate(credential, opts)),
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

import type { TokenInfo, TokenKind } from '@authmount/core';
import type { Request } from 'express';

/** What `requireAuth` puts on `req.auth`. */
export interface AuthContext {
  tokenId: string;
  userId: number | null;
  kind: TokenKind;
  /** Who issued the token (`authmount`, `pcloud`, `x-auth-bearer`, `cb-token`, `oauth`, ...). */
  issuer: string;
  appId: string | null;
  scopes: readonly string[];
  /** The whole token record (no secret, no hash). */
  token: TokenInfo;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by authmount guards once the request is authenticated; undefined otherwise. */
      auth?: AuthContext;
    }
  }
}

/** A request that has passed an authmount guard. */
export type AuthenticatedRequest = Request & { auth: AuthContext };

/** Type guard: narrows `req.auth` to defined. */
export function isAuthenticated(req: Request): req is AuthenticatedRequest {
  return req.auth !== undefined;
}

export function contextOf(token: TokenInfo): AuthContext {
  return {
    tokenId: token.id,
    userId: token.userId,
    kind: token.kind,
    issuer: token.issuer,
    appId: token.appId,
    scopes: token.scopes,
    token,
  };
}

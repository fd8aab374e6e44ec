import { ACCOUNT_SCOPE, AuthError, ISSUER, type TokenInfo } from '@authmount/core';
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import type { Auth } from './index';
import { bodyFields } from './body';
import { validateRoutesOptions } from './config';
import { asAuthError, sendAuthError } from './http-errors';

export interface AuthRoutesOptions {
  /**
   * Absolute lifetime of tokens issued by POST /login, ms (default: the auth's token policy). It is also
   * their ceiling: nothing (a slide, an `extend` by app code) keeps such a token alive past it.
   */
  absoluteTtl?: number | undefined;
  /** Inactivity window, ms (default: the auth's token policy). */
  idleTtl?: number | undefined;
}

function tokenView(t: TokenInfo, currentId?: string) {
  return {
    id: t.id,
    kind: t.kind,
    issuer: t.issuer,
    device: t.device,
    scopes: t.scopes,
    createdAt: new Date(t.createdAt).toISOString(),
    expiresAt: new Date(t.expiresAt).toISOString(),
    idleExpiresAt: new Date(t.idleExpiresAt).toISOString(),
    lastUsedAt: new Date(t.lastUsedAt).toISOString(),
    ...(currentId !== undefined ? { current: t.id === currentId } : {}),
  };
}

/** Body-parser failures (bad JSON, too large, wrong charset) become coded 4xx JSON errors, never HTML or 500. */
export const bodyErrors: ErrorRequestHandler = (err, _req, res, next) => {
  const status = (err as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return sendAuthError(
      res,
      new AuthError('invalid_request', status === 413 ? 'The request body is too large.' : 'The request body could not be parsed.'),
    );
  }
  next(err);
};

/**
 * authmount's own JSON API, for apps that speak no vendor protocol:
 *   POST   /login      {login, password, device?} → 201 {token, tokenId, expiresAt, idleExpiresAt, user}
 *   POST   /logout     (Bearer)                   → 204
 *   GET    /tokens     (Bearer)                   → {tokens: [...], current flag on the caller's}
 *   DELETE /tokens/:id (Bearer)                   → 204; only the caller's own tokens
 *   POST   /password   (Bearer) {oldPassword, newPassword, revokeOthers?} → 204
 * /login and /password spend core's failure budgets (429 + Retry-After when over); /auth has no sign-up route.
 * Every reply carrying a token is `Cache-Control: no-store`. The Bearer routes manage the account, so they
 * accept only this router's own tokens (issuer `authmount`) carrying the `account` scope: a token of a
 * protocol adapter is refused like an unknown one (401), an OAuth token (never scoped `account`) too.
 */
export function authRoutes(auth: Auth, opts: AuthRoutesOptions = {}): Router {
  validateRoutesOptions(opts);
  const r = express.Router();
  r.use(express.json({ limit: '64kb' }));
  const guard = auth.requireAuth({ issuers: [ISSUER.authmount], kinds: ['user', 'guest'], scopes: [ACCOUNT_SCOPE] });
  const absoluteTtl = opts.absoluteTtl ?? auth.tokens.policy.absoluteTtl;
  const handle = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response) =>
    fn(req, res).catch((e: unknown) => sendAuthError(res, asAuthError(e)));
  const body = (req: Request): Record<string, unknown> => bodyFields(req) ?? {};

  r.post(
    '/login',
    handle(async (req, res) => {
      const b = body(req);
      const user = await auth.accounts.login({ identifier: b.login, password: b.password, ip: auth.clientIp(req), method: 'json' });
      const issued = await auth.tokens.issue({
        userId: user.id,
        device: typeof b.device === 'string' ? b.device : (req.get('user-agent') ?? ''),
        issuer: ISSUER.authmount,
        absoluteTtl,
        // The ceiling is the lifetime itself: this API has no "prolong", and no later call may add one.
        maxLifetime: absoluteTtl,
        idleTtl: opts.idleTtl,
      });
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json({
        token: issued.token,
        tokenId: issued.info.id,
        expiresAt: new Date(issued.info.expiresAt).toISOString(),
        idleExpiresAt: new Date(issued.info.idleExpiresAt).toISOString(),
        user: { id: user.id, login: user.login, email: user.email },
      });
    }),
  );

  r.post(
    '/logout',
    guard,
    handle(async (req, res) => {
      await auth.tokens.revoke(req.auth!.tokenId, 'logout');
      res.status(204).end();
    }),
  );

  r.get(
    '/tokens',
    guard,
    handle(async (req, res) => {
      const tokens = await auth.tokens.list(req.auth!.userId!);
      res.setHeader('Cache-Control', 'no-store');
      res.json({ tokens: tokens.map((t) => tokenView(t, req.auth!.tokenId)) });
    }),
  );

  r.delete(
    '/tokens/:id',
    guard,
    handle(async (req, res) => {
      const id = String(req.params.id);
      const t = await auth.tokens.get(id);
      // Someone else's token id answers exactly like an unknown one.
      if (!t || t.userId !== req.auth!.userId) throw new AuthError('not_found');
      await auth.tokens.revoke(id, 'deleted_by_owner');
      res.status(204).end();
    }),
  );

  r.post(
    '/password',
    guard,
    handle(async (req, res) => {
      const b = body(req);
      // The old password is checked under the login failure budgets of this account (429 when over).
      const attempt = { ip: auth.clientIp(req), method: 'json' };
      await auth.accounts.changePassword(req.auth!.userId!, b.oldPassword, b.newPassword, attempt, {
        keepTokenIds: [req.auth!.tokenId],
        revokeOthers: b.revokeOthers !== false,
      });
      res.status(204).end();
    }),
  );

  r.use(bodyErrors);
  return r;
}

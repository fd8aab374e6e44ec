import { AuthError } from '@authmount/core';
import type { Request, Response } from 'express';
import { authenticateApp } from './app-auth';
import type { CbContext } from './context';
import { resolveUser, sessionCredentials } from './credentials';
import { sessionView, setExpirationHeader, userView } from './format';
import { cbTokenHeader } from './guard';
import { deviceOf, noStore } from './http';
import { bodyOf } from './params';
import { issueSession } from './sessions';

/**
 * POST /session: app session (application_id + auth_key), user session (+ user[login|email] +
 * user[password]), guest session (+ user[guest]), provider session (+ provider, keys / firebase_*).
 * A CB-Token sent along is ignored. Reply 201 `{ session }` with `CB-Token-ExpirationDate`.
 */
export const createSession = (ctx: CbContext) => async (req: Request, res: Response) => {
  const body = bodyOf(req);
  const appReq = await authenticateApp(ctx, body);
  const credentials = sessionCredentials(body);
  const user = credentials
    ? await resolveUser(ctx, credentials, { app: appReq.app, ip: ctx.auth.clientIp(req), autoCreate: appReq.app.autoCreateUsers === true })
    : null;
  const issued = await issueSession(ctx, appReq, user, deviceOf(req));
  noStore(res);
  setExpirationHeader(res, issued.info);
  res.status(201).json({ session: sessionView(issued.info, issued.token, user ? userView(user, issued.info.lastUsedAt) : undefined) });
};

/** GET /session (after the guard, any kind): the current session, with its user when it has one. */
export const getSession = (ctx: CbContext) => async (req: Request, res: Response) => {
  const t = req.auth!.token;
  let user;
  if (t.userId !== null) {
    const account = await ctx.auth.accounts.find(t.userId);
    if (!account) {
      // The user is gone (deleted, or an expired guest): so is the session.
      await ctx.auth.tokens.revoke(t.id, 'user_gone');
      throw new AuthError('token_invalid');
    }
    user = userView(account, t.lastUsedAt);
  }
  noStore(res);
  res.status(200).json({ session: sessionView(t, cbTokenHeader(req)!, user) });
};

/**
 * DELETE /session (after the guard, any kind): revoke the token; 200 with an empty body (the SDKs read
 * it as text). A guest session takes its guest user along ("destroys all of the data associated with
 * the current session"): nothing else can ever reach that user again.
 */
export const destroySession = (ctx: CbContext) => async (req: Request, res: Response) => {
  const c = req.auth!;
  await ctx.auth.tokens.revoke(c.tokenId, 'logout');
  if (c.kind === 'guest' && c.userId !== null) {
    await ctx.auth.accounts.delete(c.userId).catch((e: unknown) => {
      if (!(e instanceof AuthError && e.code === 'not_found')) throw e;
    });
  }
  res.removeHeader('CB-Token-ExpirationDate');
  noStore(res);
  res.status(200).end();
};

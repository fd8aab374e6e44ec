import { AuthError } from '@authmount/core';
import type { Request, Response } from 'express';
import { findApp, type CbContext } from './context';
import { loginCredentials, resolveUser } from './credentials';
import { setExpirationHeader, userView } from './format';
import { noStore } from './http';
import { bodyOf } from './params';

/**
 * POST /login (after the guard, any kind): verify `login`/`email` + `password` (or provider fields) and
 * upgrade the SAME token to a user session, as the SDKs expect (they keep the token and only read
 * `user.id`). A login is a fresh authentication, so the session also gets a fresh user lifetime (2 h
 * sliding, `sessionMaxAge` absolute), but never past its ceiling, creation + sessionMaxAge (the store
 * clamps): the token string is not rotated, so restarting its life here would let login / logout cycles
 * keep it alive forever. This matters for a guest session (1 day) turned into a user session.
 * Reply 200 `{ user }`.
 */
export const login = (ctx: CbContext) => async (req: Request, res: Response) => {
  const c = req.auth!;
  const credentials = loginCredentials(bodyOf(req));
  const app = await findApp(ctx, c.appId!);
  if (!app) throw new AuthError('token_invalid');
  const user = await resolveUser(ctx, credentials, { app, ip: ctx.auth.clientIp(req), autoCreate: false });
  await ctx.auth.tokens.upgrade(c.tokenId, user.id, { kind: 'user' });
  const token = await ctx.auth.tokens.extend(c.tokenId, { absoluteTtl: ctx.opts.sessionMaxAge, idleTtl: ctx.opts.sessionIdleTtl });
  noStore(res);
  setExpirationHeader(res, token);
  res.status(200).json({ user: userView(user, token.lastUsedAt) });
};

/**
 * DELETE /login (after the guard, user and guest sessions only; an app session gets 403 "Need user."):
 * downgrade the token to an app session. A former guest session becomes an ordinary app session with
 * the 2-hour sliding window (its absolute expiry stays). Reply 200 with an empty body.
 */
export const logout = (ctx: CbContext) => async (req: Request, res: Response) => {
  const c = req.auth!;
  let token = await ctx.auth.tokens.downgrade(c.tokenId);
  if (c.kind === 'guest') token = await ctx.auth.tokens.extend(c.tokenId, { idleTtl: ctx.opts.sessionIdleTtl });
  noStore(res);
  setExpirationHeader(res, token);
  res.status(200).end();
};

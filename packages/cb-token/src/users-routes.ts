import { AuthError } from '@authmount/core';
import type { NextFunction, Request, Response } from 'express';
import { appByAuthKey } from './app-auth';
import type { CbContext } from './context';
import { CbError, invalidParam, sendCbError } from './errors';
import { setExpirationHeader, userView } from './format';
import { authenticateCb, cbTokenHeader } from './guard';
import { noStore } from './http';
import { objectParam, stringParam, bodyOf } from './params';
import { profileAttributes } from './profile';

/**
 * Who may sign up: a CB-Token of any session kind (SDK v3, and v6 when it holds a session; the token
 * slides), or a `CB-AuthKey: <auth_key>` header naming an application (SDK v6 without a session).
 * Neither: 401 `{"errors":["Token is required"]}`.
 */
export const signupAuth = (ctx: CbContext) => (req: Request, res: Response, next: NextFunction) => {
  const run = async () => {
    if (cbTokenHeader(req) !== undefined) {
      const c = await authenticateCb(ctx, req, 'any');
      req.auth = c;
      setExpirationHeader(res, c.token);
      return;
    }
    const authKey = req.get('cb-authkey')?.trim();
    if (!authKey) throw new AuthError('token_missing');
    await appByAuthKey(ctx, authKey);
  };
  run().then(
    () => next(),
    (e: unknown) => sendCbError(res, e),
  );
};

/**
 * POST /users: `{ user: { login | email, password, full_name, phone, website, custom_data, tag_list, ... } }`.
 * The password goes through the configured policy; a taken login or e-mail answers 422
 * `{"errors":{"base":["email must be unique"]}}`. Reply 201 `{ user }`. The session (if any) is unchanged.
 */
export const signup = (ctx: CbContext) => async (req: Request, res: Response) => {
  const user = objectParam(bodyOf(req), 'user');
  if (!user) throw invalidParam('user', 'cannot be blank');
  const login = stringParam(user, 'login', { max: 254 });
  const email = stringParam(user, 'email', { max: 254 });
  const password = stringParam(user, 'password', { max: 4096 });
  if (login === undefined && email === undefined) throw new CbError('validation', 'login or email required');
  if (password === undefined) throw invalidParam('password', 'cannot be blank');
  const attributes = profileAttributes(user);
  // A client sign-up: core spends one of the IP's sign-ups (429 when over) before hashing the password.
  const account = await ctx.auth.accounts.signUp(
    { login: login ?? null, email: email ?? null, password, attributes },
    { ip: ctx.auth.clientIp(req), method: 'cb:signup' },
  );
  noStore(res);
  res.status(201).json({ user: userView(account) });
};

import { AuthError, isEmail } from '@authmount/core';
import { pcloudError } from '../errors';
import { mailCode, takeCode } from '../mail';
import { ATTR, verifyCurrentPassword } from '../passwords';
import { ACCOUNT, has, type Builtin } from './types';

const sameAddress = (a: string | null, b: string | null) => a !== null && b !== null && a.toLowerCase() === b.toLowerCase();

/** sendverificationemail (auth: yes): mail the logged-in user an activation code. */
export const sendverificationemail: Builtin = {
  name: 'sendverificationemail',
  required: true,
  scopes: ACCOUNT,
  async run(ctx, call) {
    const a = await call.account();
    if (a.attributes[ATTR.emailVerified] === true) throw pcloudError('email_already_verified');
    if (a.email === null) throw pcloudError('invalid_mail');
    await mailCode(
      ctx,
      call.attempt(),
      { to: a.email, kind: 'verify', userId: a.id },
      { email: a.email.toLowerCase() },
      ctx.cfg.codeTtl.verify,
    );
    return {};
  },
};

/**
 * verifyemail (auth: no): the code may belong to a user other than the logged-in one (docs). A code
 * whose address is no longer the account's (changed since) is invalid; an expired one too (verifyemail
 * documents no "expired" code).
 */
export const verifyemail: Builtin = {
  name: 'verifyemail',
  required: false,
  async run(ctx, call) {
    const { code } = call.params;
    if (!has(code)) throw pcloudError('missing_code');
    const payload = await takeCode(ctx, 'verify', code, 'invalid_code');
    const a = await ctx.auth.accounts.find(payload.userId);
    if (!a || typeof payload.email !== 'string' || !sameAddress(a.email, payload.email)) throw pcloudError('invalid_code');
    if (a.attributes[ATTR.emailVerified] === true) throw pcloudError('email_already_verified');
    await ctx.auth.accounts.update(a.id, { attributes: { [ATTR.emailVerified]: true } });
    return { email: a.email, userid: a.id };
  },
};

/**
 * sendchangemail (auth: yes), two steps:
 * - no `code`: mail the current address a confirmation code;
 * - `code` (from that mail) + `newmail`: mail `newmail` the code that `changemail` takes.
 * A code with a missing or malformed `newmail` answers 2018 (pCloud's "Invalid 'mail'"; no "provide
 * 'newmail'" message is known).
 */
export const sendchangemail: Builtin = {
  name: 'sendchangemail',
  required: true,
  scopes: ACCOUNT,
  async run(ctx, call) {
    const a = await call.account();
    const { code, newmail } = call.params;
    if (!has(code)) {
      if (a.email === null) throw pcloudError('invalid_mail');
      await mailCode(
        ctx,
        call.attempt(),
        { to: a.email, kind: 'changemail-confirm', userId: a.id },
        { email: a.email.toLowerCase() },
        ctx.cfg.codeTtl.changemail,
      );
      return {};
    }
    if (!has(newmail) || !isEmail(newmail)) throw pcloudError('invalid_mail');
    const payload = await takeCode(ctx, 'changemail-confirm', code, 'code_expired');
    if (payload.userId !== a.id || typeof payload.email !== 'string' || !sameAddress(a.email, payload.email))
      throw pcloudError('invalid_code');
    if (sameAddress(a.email, newmail)) throw pcloudError('same_mail');
    const taken = await ctx.auth.accounts.findByIdentifier(newmail);
    if (taken && taken.id !== a.id) throw pcloudError('email_registered');
    await mailCode(
      ctx,
      call.attempt(),
      { to: newmail, kind: 'changemail-new', userId: a.id, newmail },
      { newmail },
      ctx.cfg.codeTtl.changemail,
    );
    return {};
  },
};

/**
 * changemail (auth: yes): the current `password` and the `code` mailed to the new address; the new
 * address comes from the code. Proving the mailbox also marks it verified.
 */
export const changemail: Builtin = {
  name: 'changemail',
  required: true,
  scopes: ACCOUNT,
  async run(ctx, call) {
    const a = await call.account();
    const { code, password } = call.params;
    if (!has(code)) throw pcloudError('missing_code');
    if (!has(password)) throw pcloudError('missing_password');
    await verifyCurrentPassword(ctx, call, password);
    const payload = await takeCode(ctx, 'changemail-new', code, 'code_expired');
    if (payload.userId !== a.id || typeof payload.newmail !== 'string') throw pcloudError('invalid_code');
    if (sameAddress(a.email, payload.newmail)) throw pcloudError('same_mail');
    try {
      await ctx.auth.accounts.update(a.id, { email: payload.newmail, attributes: { [ATTR.emailVerified]: true } });
    } catch (e) {
      if (e instanceof AuthError && e.code === 'conflict') throw pcloudError('email_registered');
      throw e;
    }
    return {};
  },
};

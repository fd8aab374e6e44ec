import { AuthError, isEmail } from '@authmount/core';
import { PcloudError, pcloudError } from '../errors';
import { mailCode, takeCode } from '../mail';
import { checkNewPassword, reauthKey, updateCopy } from '../passwords';
import { has, type Builtin } from './types';

/**
 * changepassword (auth: yes). The caller's own token survives; the user's other tokens are revoked
 * (pCloud does not say; ASVS 7.4.3 does). The old password check is throttled like a login.
 */
export const changepassword: Builtin = {
  name: 'changepassword',
  required: true,
  async run(ctx, call) {
    const { auth } = ctx;
    const userId = call.user();
    const { oldpassword, newpassword } = call.params;
    if (!has(oldpassword)) throw pcloudError('missing_oldpassword');
    if (!has(newpassword)) throw pcloudError('missing_newpassword');
    const account = await call.account();
    checkNewPassword(ctx, newpassword, account);
    const attempt = await reauthKey(ctx, call);
    await auth.throttle.before(attempt);
    try {
      await auth.accounts.changePassword(userId, oldpassword, newpassword, { keepTokenIds: call.tokenId ? [call.tokenId] : [] });
    } catch (e) {
      if (e instanceof AuthError && e.code === 'password_mismatch') await auth.throttle.failed(attempt);
      throw e;
    }
    await auth.throttle.succeeded(attempt);
    await updateCopy(ctx, userId, newpassword);
    return {};
  },
};

/**
 * lostpassword (auth: no): mails a reset code. Always answers success, whether or not the address
 * belongs to anyone, over the mail limit, or the mailer failed (then `onError` is told): the reply must
 * not reveal which addresses have accounts.
 */
export const lostpassword: Builtin = {
  name: 'lostpassword',
  required: false,
  async run(ctx, call) {
    const { mail } = call.params;
    if (!has(mail)) throw pcloudError('missing_mail');
    if (!isEmail(mail)) return {};
    const user = await ctx.auth.accounts.findByIdentifier(mail);
    if (!user || user.email === null) return {};
    try {
      await mailCode(ctx, { to: user.email, kind: 'reset', userId: user.id }, {}, ctx.cfg.codeTtl.reset);
    } catch (e) {
      if (!(e instanceof PcloudError)) ctx.cfg.onError(e, 'lostpassword');
    }
    return {};
  },
};

/**
 * resetpassword (auth: no): `code` from the lostpassword mail and `newpassword`. The new password is
 * checked before the code is used up, so a rejected password does not cost the user the mail. Every token
 * of the user is revoked (whoever reset the password may be locking an intruder out).
 */
export const resetpassword: Builtin = {
  name: 'resetpassword',
  required: false,
  async run(ctx, call) {
    const { code, newpassword } = call.params;
    if (!has(code)) throw pcloudError('missing_code');
    if (!has(newpassword)) throw pcloudError('missing_newpassword');
    checkNewPassword(ctx, newpassword, {});
    const { userId } = await takeCode(ctx, 'reset', code, 'reset_code_expired');
    const account = await ctx.auth.accounts.find(userId);
    if (!account) throw pcloudError('invalid_code');
    checkNewPassword(ctx, newpassword, account); // now with the account's context words
    await ctx.auth.accounts.setPassword(userId, newpassword);
    if (call.userId === userId) call.ownTokenRevoked = true;
    await updateCopy(ctx, userId, newpassword);
    return {};
  },
};

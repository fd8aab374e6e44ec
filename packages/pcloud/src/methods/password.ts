import { accountKey, AuthError, isEmail } from '@authmount/core';
import { pcloudError } from '../errors';
import { sendCode, takeCode, type CodePayload } from '../mail';
import { checkNewPassword, updateCopy } from '../passwords';
import { ACCOUNT, has, type Builtin } from './types';

/**
 * changepassword (auth: yes). The caller's own token survives; the user's other tokens are revoked
 * (pCloud does not say; ASVS 7.4.3 does). Core checks the old password under the account's login
 * failure budgets (2031 when wrong, 4000 when over).
 */
export const changepassword: Builtin = {
  name: 'changepassword',
  required: true,
  scopes: ACCOUNT,
  async run(ctx, call) {
    const { auth } = ctx;
    const userId = call.user();
    const { oldpassword, newpassword } = call.params;
    if (!has(oldpassword)) throw pcloudError('missing_oldpassword');
    if (!has(newpassword)) throw pcloudError('missing_newpassword');
    const account = await call.account();
    checkNewPassword(ctx, newpassword, account);
    await auth.accounts.changePassword(userId, oldpassword, newpassword, call.attempt(), {
      keepTokenIds: call.tokenId ? [call.tokenId] : [],
    });
    await updateCopy(ctx, userId, newpassword);
    return {};
  },
};

/**
 * lostpassword (auth: no): mails a reset code. Always answers success, whether or not the address
 * belongs to anyone, over a mail budget, or the mailer failed (then `onError` is told): the reply must
 * not reveal which addresses have accounts. It also takes the same time and does the same store work
 * either way: one look-up by e-mail and one reservation of the mail budgets (per client IP, and per
 * account: the user id, or the address itself when nobody has it). Issuing the code and calling the
 * mailer happen after the reply (ctx.mails), so the mailer's latency never shows.
 */
export const lostpassword: Builtin = {
  name: 'lostpassword',
  required: false,
  async run(ctx, call) {
    const { mail } = call.params;
    if (!has(mail)) throw pcloudError('missing_mail');
    if (!isEmail(mail)) return {};
    const user = await ctx.auth.accounts.findByEmail(mail);
    try {
      await ctx.auth.throttle.mail(call.attempt(), accountKey(user, mail));
    } catch (e) {
      // Over a budget: still success (the login.throttled event was emitted), nothing is sent.
      if (e instanceof AuthError && e.code === 'rate_limited') return {};
      throw e;
    }
    if (user && user.email !== null) {
      const to = user.email;
      ctx.mails.after(call.res, 'lostpassword', () => sendCode(ctx, { to, kind: 'reset', userId: user.id }, {}, ctx.cfg.codeTtl.reset));
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
    // The code is a credential: a wrong one spends the client IP's failure budget (refunded when it works).
    let taken: CodePayload | undefined;
    await ctx.auth.throttle.check(call.attempt('pcloud-reset'), undefined, async () => {
      taken = await takeCode(ctx, 'reset', code, 'reset_code_expired');
      return true;
    });
    const { userId } = taken!;
    const account = await ctx.auth.accounts.find(userId);
    if (!account) throw pcloudError('invalid_code');
    checkNewPassword(ctx, newpassword, account); // now with the account's context words
    await ctx.auth.accounts.setPassword(userId, newpassword);
    if (call.userId === userId) call.ownTokenRevoked = true;
    await updateCopy(ctx, userId, newpassword);
    return {};
  },
};

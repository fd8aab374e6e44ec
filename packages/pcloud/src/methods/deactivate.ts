import { pcloudError } from '../errors';
import { mailCode, takeCode } from '../mail';
import { verifyCurrentPassword } from '../passwords';
import { ACCOUNT, has, type Builtin } from './types';

/** senddeactivatemail (auth: yes): mail the logged-in user the code deactivateuser needs. */
export const senddeactivatemail: Builtin = {
  name: 'senddeactivatemail',
  required: true,
  scopes: ACCOUNT,
  async run(ctx, call) {
    const a = await call.account();
    if (a.email === null) throw pcloudError('invalid_mail');
    await mailCode(ctx, call.attempt(), { to: a.email, kind: 'deactivate', userId: a.id }, {}, ctx.cfg.codeTtl.deactivate);
    return {};
  },
};

/**
 * deactivateuser (auth: yes): current `password` + the mailed `code`. Deletes the account and revokes
 * every token it has (core's AccountService.delete). pCloud's error list is unknown; by analogy with
 * changemail: 1022, 1034, 2012, 2074, 2272.
 */
export const deactivateuser: Builtin = {
  name: 'deactivateuser',
  required: true,
  scopes: ACCOUNT,
  async run(ctx, call) {
    const userId = call.user();
    await call.account();
    const { code, password } = call.params;
    if (!has(code)) throw pcloudError('missing_code');
    if (!has(password)) throw pcloudError('missing_password');
    await verifyCurrentPassword(ctx, call, password);
    const payload = await takeCode(ctx, 'deactivate', code, 'code_expired');
    if (payload.userId !== userId) throw pcloudError('invalid_code');
    await ctx.auth.accounts.delete(userId);
    call.ownTokenRevoked = true;
    return {};
  },
};

import type { Account, JsonValue } from '@authmount/core';
import type { CallState, Ctx } from './call';
import { fromViolation, pcloudError } from './errors';
import { open, seal } from './password-copy';

/** User attributes this adapter owns (all prefixed, so other protocols' attributes never collide). */
export const ATTR = {
  passwordCopy: 'pcloud_pwenc',
  emailVerified: 'pcloud_emailverified',
  language: 'pcloud_language',
  referer: 'pcloud_referer',
  invitees: 'pcloud_invitees',
} as const;

/**
 * Check a new password with the adapter's profile first, so its violations come out as pCloud's codes
 * and messages. Core then checks the Auth's own policy as well (AccountService has no per-call policy),
 * so the effective rule is the stricter of the two; see README "Password policy".
 */
export function checkNewPassword(ctx: Ctx, password: string, who: { login?: string | null; email?: string | null }): void {
  const violations = ctx.cfg.policy.validate(password, { login: who.login ?? undefined, email: who.email ?? undefined });
  if (violations.length > 0) throw fromViolation(violations[0]);
}

/** The attribute patch that keeps the reversible copy in step with a password just set. */
export function copyPatch(ctx: Ctx, account: Pick<Account, 'attributes'>, password: string): Record<string, JsonValue> | null {
  const key = ctx.cfg.digestKey;
  if (key) return { [ATTR.passwordCopy]: seal(key, password) };
  // Digest login off: never leave a copy behind (e.g. one written while it was on).
  const had = account.attributes[ATTR.passwordCopy];
  return had !== undefined && had !== null ? { [ATTR.passwordCopy]: null } : null;
}

/** After a password change through this adapter: refresh (or drop) the copy. */
export async function updateCopy(ctx: Ctx, userId: number, password: string): Promise<void> {
  const account = await ctx.auth.accounts.find(userId);
  if (!account) return;
  const patch = copyPatch(ctx, account, password);
  if (patch) await ctx.auth.accounts.update(userId, { attributes: patch });
}

/**
 * After a successful password login with digest login on: store the copy if it is missing or differs, so
 * accounts created before digest login was enabled (or whose password changed elsewhere) become able to
 * use it. Best effort: the login already succeeded and must not fail because of this write.
 */
export async function backfillCopy(ctx: Ctx, account: Account, password: string): Promise<void> {
  const key = ctx.cfg.digestKey;
  if (!key || open(key, account.attributes[ATTR.passwordCopy]) === password) return;
  try {
    await ctx.auth.accounts.update(account.id, { attributes: { [ATTR.passwordCopy]: seal(key, password) } });
  } catch {
    // Store hiccup: digest login for this user waits for the next password login.
  }
}

/**
 * Re-check the logged-in user's current password (changemail, deactivateuser). Core's verifyPassword
 * spends the account's login failure budgets (a stolen token cannot brute-force the password here).
 */
export async function verifyCurrentPassword(ctx: Ctx, call: CallState, password: string): Promise<void> {
  if (!(await ctx.auth.accounts.verifyPassword(call.user(), password, call.attempt()))) throw pcloudError('wrong_password');
}

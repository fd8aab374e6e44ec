import { AuthError, DAY, toStoreError, type JsonValue } from '@authmount/core';
import type { Ctx } from './call';
import { pcloudError, type PcloudErrorName } from './errors';
import type { MailKind, MailMessage } from './options';

/**
 * Mailed codes: random 256-bit values through core's CodeService (single-use, only SHA-256 stored). Each
 * payload carries its own expiry `exp`, while the store keeps the entry a day longer: that lets pCloud's
 * "expired" codes (2036, 2074) be told apart from unknown ones (2012). Past `exp` a code never works;
 * presenting it still uses it up.
 */
const EXPIRED_GRACE_MS = DAY;

export const PURPOSE: Readonly<Record<MailKind, string>> = {
  verify: 'pcloud:verify',
  reset: 'pcloud:reset',
  'changemail-confirm': 'pcloud:changemail:1',
  'changemail-new': 'pcloud:changemail:2',
  deactivate: 'pcloud:deactivate',
};

export type CodePayload = { [k: string]: JsonValue } & { userId: number; exp: number };

export async function issueCode(
  ctx: Ctx,
  kind: MailKind,
  payload: Record<string, JsonValue> & { userId: number },
  ttlMs: number,
): Promise<string> {
  const exp = ctx.auth.clock() + ttlMs;
  return ctx.auth.codes.issue(PURPOSE[kind], { ...payload, exp }, ttlMs + EXPIRED_GRACE_MS);
}

/** Take a code once: unknown or used → 2012, past its validity → `expired` (2036 or 2074 per method). */
export async function takeCode(ctx: Ctx, kind: MailKind, code: string, expired: PcloudErrorName): Promise<CodePayload> {
  let payload: CodePayload;
  try {
    payload = await ctx.auth.codes.consume<CodePayload>(PURPOSE[kind], code);
  } catch (e) {
    if (e instanceof AuthError && e.code === 'code_invalid') throw pcloudError('invalid_code');
    throw e;
  }
  if (typeof payload?.userId !== 'number' || typeof payload.exp !== 'number') throw pcloudError('invalid_code');
  if (ctx.auth.clock() >= payload.exp) throw pcloudError(expired);
  return payload;
}

/**
 * Count one mail of `kind` to `userId`; false when over the limit. Bounds how often anyone (the owner with
 * a stolen token, or a stranger through lostpassword) can make the server mail one person.
 */
export async function underMailLimit(ctx: Ctx, kind: MailKind, userId: number): Promise<boolean> {
  const rule = ctx.cfg.mailLimit;
  if (!rule) return true;
  try {
    const s = await ctx.auth.store.counters.increment(`pcloud-mail:${kind}:${userId}`, rule.windowMs, ctx.auth.clock());
    return s.count <= rule.limit;
  } catch (e) {
    throw toStoreError(e);
  }
}

/** Issue a code and mail it. Over the mail limit → 4000 (pCloud's only "slow down" code). */
export async function mailCode(ctx: Ctx, msg: Omit<MailMessage, 'code'>, payload: Record<string, JsonValue>, ttlMs: number): Promise<void> {
  const mailer = ctx.cfg.mailer;
  if (!mailer) throw new Error('no mailer configured');
  if (!(await underMailLimit(ctx, msg.kind, msg.userId))) throw pcloudError('too_many_tries');
  const code = await issueCode(ctx, msg.kind, { ...payload, userId: msg.userId }, ttlMs);
  await mailer({ ...msg, code });
}

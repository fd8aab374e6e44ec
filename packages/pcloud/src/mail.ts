import { accountKey, AuthError, DAY, MAX_RESET_CODE_LIFETIME, type Attempt, type JsonValue } from '@authmount/core';
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
  // Reset codes go through core's ResetCodeService: a newer one, or any password change, voids them.
  // (Its lifetime is bounded; the grace, which only tells 2036 from 2012, gives way first.)
  if (kind === 'reset') {
    const keep = Math.max(ttlMs, Math.min(ttlMs + EXPIRED_GRACE_MS, MAX_RESET_CODE_LIFETIME));
    return ctx.auth.resetCodes.issue(payload.userId, keep, { purpose: PURPOSE.reset, payload: { ...payload, exp } });
  }
  return ctx.auth.codes.issue(PURPOSE[kind], { ...payload, exp }, ttlMs + EXPIRED_GRACE_MS);
}

async function consume(ctx: Ctx, kind: MailKind, code: string): Promise<CodePayload> {
  if (kind !== 'reset') return ctx.auth.codes.consume<CodePayload>(PURPOSE[kind], code);
  const { userId, payload } = await ctx.auth.resetCodes.redeem(code, { purpose: PURPOSE.reset });
  return { ...payload, userId } as CodePayload;
}

/**
 * Take a code once: unknown, used (or, for reset codes, superseded or outlived by a password change) → 2012,
 * past its validity → `expired` (2036 or 2074 per method).
 */
export async function takeCode(ctx: Ctx, kind: MailKind, code: string, expired: PcloudErrorName): Promise<CodePayload> {
  let payload: CodePayload;
  try {
    payload = await consume(ctx, kind, code);
  } catch (e) {
    if (e instanceof AuthError && e.code === 'code_invalid') throw pcloudError('invalid_code');
    throw e;
  }
  if (typeof payload?.userId !== 'number' || typeof payload.exp !== 'number') throw pcloudError('invalid_code');
  if (ctx.auth.clock() >= payload.exp) throw pcloudError(expired);
  return payload;
}

/** Issue a code and hand it to the mailer (no budget spent here: callers spend it first, see mailCode). */
export async function sendCode(ctx: Ctx, msg: Omit<MailMessage, 'code'>, payload: Record<string, JsonValue>, ttlMs: number): Promise<void> {
  const mailer = ctx.cfg.mailer;
  if (!mailer) throw new Error('no mailer configured');
  const code = await issueCode(ctx, msg.kind, { ...payload, userId: msg.userId }, ttlMs);
  await mailer({ ...msg, code });
}

/**
 * Spend one mail of the client's IP and of the recipient account (core's `mailIp` / `mailAccount`
 * budgets: how often anyone, the owner with a stolen token or a stranger, can make the server mail one
 * person, or mail many), then issue a code and mail it, waiting for the mailer. Over a budget → 4000.
 */
export async function mailCode(
  ctx: Ctx,
  attempt: Attempt,
  msg: Omit<MailMessage, 'code'>,
  payload: Record<string, JsonValue>,
  ttlMs: number,
): Promise<void> {
  if (!ctx.cfg.mailer) throw new Error('no mailer configured');
  await ctx.auth.throttle.mail(attempt, accountKey({ id: msg.userId }, ''));
  await sendCode(ctx, msg, payload, ttlMs);
}

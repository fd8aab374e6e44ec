import { AuthError, isEmail, type JsonValue } from '@authmount/core';
import { PcloudError, pcloudError } from '../errors';
import type { Ctx } from '../call';
import { mailCode } from '../mail';
import { ATTR, checkNewPassword, copyPatch } from '../passwords';
import { has, type Builtin } from './types';

const MAX_INVITEES = 1000;
const LANGUAGE = /^[a-z]{2,3}$/;

/**
 * register (auth: no): `mail`, `password`, `termsaccepted=yes`; optional `language` and a referring
 * userid as `referer` (docs), `ref` or `invite` (the JS SDK). Replies `userid` (the JS SDK returns it).
 * No token is issued even though the JS SDK sends `getauth=1` here: it ignores any `auth` in the reply
 * and logs in next, so a token would only sit unused for a year (README: decisions). A verification mail
 * is sent when a mailer is configured; its failure does not undo the registration.
 */
export const register: Builtin = {
  name: 'register',
  required: false,
  async run(ctx, call) {
    const { auth } = ctx;
    const p = call.params;
    if (!has(p.mail)) throw pcloudError('missing_mail');
    if (!has(p.password)) throw pcloudError('missing_password');
    if (p.termsaccepted !== 'yes') throw pcloudError('terms_not_accepted');
    if (!isEmail(p.mail)) throw pcloudError('invalid_mail');
    checkNewPassword(ctx, p.password, { email: p.mail });

    const referer = await refererOf(ctx, p.referer ?? p.ref ?? p.invite);
    const attributes: Record<string, JsonValue> = { [ATTR.emailVerified]: false };
    if (p.language !== undefined && LANGUAGE.test(p.language)) attributes[ATTR.language] = p.language;
    if (referer !== null) attributes[ATTR.referer] = referer;
    Object.assign(attributes, copyPatch(ctx, { attributes: {} }, p.password));

    let userId: number;
    try {
      // A client sign-up: core spends one of the IP's sign-ups (4000 when over) before hashing.
      userId = (await auth.accounts.signUp({ email: p.mail, password: p.password, attributes }, call.attempt('pcloud-register'))).id;
    } catch (e) {
      if (e instanceof AuthError && e.code === 'conflict') throw pcloudError('email_registered');
      throw e;
    }
    if (referer !== null) await noteInvitee(ctx, referer, userId);
    if (ctx.cfg.mailer) {
      try {
        await mailCode(
          ctx,
          call.attempt('pcloud-register'),
          { to: p.mail, kind: 'verify', userId },
          { email: p.mail.toLowerCase() },
          ctx.cfg.codeTtl.verify,
        );
      } catch (e) {
        if (!(e instanceof PcloudError)) ctx.cfg.onError(e, 'register');
      }
    }
    return { userid: userId };
  },
};

/** A referring userid that exists, or null. Referral is best effort: a bad one never fails registration. */
async function refererOf(ctx: Ctx, raw: string | undefined): Promise<number | null> {
  if (raw === undefined || !/^[1-9]\d{0,15}$/.test(raw)) return null;
  const id = Number(raw);
  if (!Number.isSafeInteger(id)) return null;
  return (await ctx.auth.accounts.find(id)) ? id : null;
}

/**
 * Append the new user to the referrer's list (what userinvites shows). Best effort and not atomic (core
 * merges attributes read-modify-write), so two registrations racing on one referrer may lose an entry;
 * the invitee's own `pcloud_referer` stays the authoritative link.
 */
async function noteInvitee(ctx: Ctx, referer: number, invitee: number): Promise<void> {
  try {
    const r = await ctx.auth.accounts.find(referer);
    if (!r) return;
    const list = Array.isArray(r.attributes[ATTR.invitees]) ? (r.attributes[ATTR.invitees] as JsonValue[]) : [];
    await ctx.auth.accounts.update(referer, { attributes: { [ATTR.invitees]: [...list, invitee].slice(-MAX_INVITEES) } });
  } catch {
    // The registration itself succeeded; a lost referral entry is not worth failing it.
  }
}

/** invite (auth: yes): the registration page with the caller's invite code (its userid, see README). */
export const invite: Builtin = {
  name: 'invite',
  required: true,
  async run(ctx, call) {
    const userId = call.user();
    await call.account();
    return { url: ctx.cfg.inviteUrl(String(userId), call.req), spacelimitreached: false };
  },
};

/** "alice@example.com" → "a**@example.com" (pCloud shows partly masked addresses). */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '**';
  return `${email[0]}**${email.slice(at)}`;
}

/** userinvites (auth: yes): users who registered with the caller's invite; pending until they verify. */
export const userinvites: Builtin = {
  name: 'userinvites',
  required: true,
  async run(ctx, call) {
    const me = await call.account();
    const ids = Array.isArray(me.attributes[ATTR.invitees]) ? (me.attributes[ATTR.invitees] as JsonValue[]) : [];
    const invites: Array<{ email: string; is_pending: boolean }> = [];
    for (const id of ids) {
      if (typeof id !== 'number') continue;
      const u = await ctx.auth.accounts.find(id);
      if (!u || u.attributes[ATTR.referer] !== me.id || u.email === null) continue;
      invites.push({ email: maskEmail(u.email), is_pending: u.attributes[ATTR.emailVerified] !== true });
    }
    return { invites };
  },
};

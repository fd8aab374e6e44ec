import { HOUR, resolvePolicy, type Account, type PasswordPolicy, type PolicySpec, type ThrottleRule } from '@authmount/core';
import type { Request } from 'express';
import { parseKey, type KeyInput } from './password-copy';
import { DEFAULT_LIMITS, type CookieParams, type ParamLimits } from './params';
import { resolveOAuth, type OAuthOptions, type OAuthResolved } from './oauth/options';

/** What a mail is for; the code in it is single-use and expires (see `codeTtl`). */
export type MailKind = 'verify' | 'reset' | 'changemail-confirm' | 'changemail-new' | 'deactivate';

export interface MailMessage {
  /** Recipient address. */
  to: string;
  kind: MailKind;
  /** The single-use code to put in the link. Only its hash is stored. */
  code: string;
  userId: number;
  /** changemail-new: the address being confirmed (same as `to`). */
  newmail?: string;
}

/** Delivers a mail; reject to signal failure. The demo logs the message. */
export type Mailer = (msg: MailMessage) => Promise<void>;

export interface PcloudOptions {
  /**
   * Password profile checked by register, changepassword and resetpassword before core (default 'pcloud':
   * codes 2032–2035 with pCloud's messages). Core still applies the Auth's own policy afterwards, so the
   * effective rule is the stricter of the two (README "Password policy").
   */
  passwordPolicy?: PolicySpec;
  /**
   * Digest login (getdigest + passworddigest). Off by default: it needs a reversible copy of each password,
   * AES-256-GCM-encrypted under `key` (32 bytes; keep it outside the store). See README "Security".
   */
  digest?: { key: KeyInput } | false;
  /** Mail hook for lostpassword, verification, change-mail and deactivation codes. */
  mailer?: Mailer;
  /** Token lifetimes in SECONDS, pCloud's `authexpire` / `authinactiveexpire` (defaults and maxima below). */
  tokens?: {
    /** Default 31536000 (365 d). */
    authExpire?: number;
    /** Default 2678400 (31 d). */
    authInactiveExpire?: number;
    /** Largest accepted authexpire; larger requests are clamped. Default 63072000 (730 d). */
    maxAuthExpire?: number;
    /** Largest accepted authinactiveexpire; larger requests are clamped. Default 5356800 (62 d). */
    maxAuthInactiveExpire?: number;
  };
  /** Validity of mailed codes, ms. Defaults: reset 1 h, verify 7 d, changemail 1 h, deactivate 1 h. */
  codeTtl?: Partial<Record<'reset' | 'verify' | 'changemail' | 'deactivate', number>>;
  /** Mails of one kind per user per window (anti mail-bombing). Default 5 per hour; false = unlimited. */
  mailLimit?: ThrottleRule | false;
  /** Which cookies are parameters (default 'all', pCloud's rule). */
  cookies?: CookieParams;
  /** Body size and field-count bounds. */
  limits?: Partial<ParamLimits>;
  /** Extra or overriding userinfo fields (quota, usedquota, premium, plan, ...). */
  userinfo?: (account: Account) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** The registration page an `invite` reply points to, given the invite code (the inviter's userid). */
  inviteUrl?: (code: string, req: Request) => string;
  /** Unexpected (non-auth) errors: answered as 5000, reported here. Default: one line on stderr, no details. */
  onError?: (err: unknown, method: string) => void;
  /**
   * OAuth 2.0: the authorize page (`/oauth2/authorize`), `oauth2_token` and access tokens (`access_token`,
   * `Authorization: Bearer`) on every method. Off when absent. See README "OAuth 2.0".
   */
  oauth?: OAuthOptions;
}

export interface TokenLifetimes {
  authExpire: number;
  authInactiveExpire: number;
  maxAuthExpire: number;
  maxAuthInactiveExpire: number;
}

/** pCloud's documented defaults and maxima (docs "Global Parameters", quoted by seborama/pcloud-sdk). */
export const PCLOUD_TOKEN_DEFAULTS: Readonly<TokenLifetimes> = {
  authExpire: 31_536_000,
  authInactiveExpire: 2_678_400,
  maxAuthExpire: 63_072_000,
  maxAuthInactiveExpire: 5_356_800,
};

export interface Resolved {
  policy: PasswordPolicy;
  digestKey: Buffer | null;
  mailer: Mailer | null;
  tokens: TokenLifetimes;
  codeTtl: Record<'reset' | 'verify' | 'changemail' | 'deactivate', number>;
  mailLimit: ThrottleRule | false;
  cookies: CookieParams;
  limits: ParamLimits;
  userinfo: PcloudOptions['userinfo'];
  inviteUrl: (code: string, req: Request) => string;
  onError: (err: unknown, method: string) => void;
  oauth: OAuthResolved | null;
}

function positiveSeconds(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v <= 0) throw new TypeError(`pcloud: tokens.${name} must be a positive integer of seconds`);
  return v;
}

const defaultInviteUrl = (code: string, req: Request) =>
  `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}/register?invite=${encodeURIComponent(code)}`;

/** Check and complete the options once, at construction: a bad configuration fails at startup. */
export function resolveOptions(o: PcloudOptions): Resolved {
  const t = o.tokens ?? {};
  const maxAuthExpire = positiveSeconds('maxAuthExpire', t.maxAuthExpire, PCLOUD_TOKEN_DEFAULTS.maxAuthExpire);
  const maxAuthInactiveExpire = positiveSeconds(
    'maxAuthInactiveExpire',
    t.maxAuthInactiveExpire,
    PCLOUD_TOKEN_DEFAULTS.maxAuthInactiveExpire,
  );
  return {
    policy: resolvePolicy(o.passwordPolicy ?? 'pcloud'),
    digestKey: o.digest ? parseKey(o.digest.key) : null,
    mailer: o.mailer ?? null,
    tokens: {
      authExpire: Math.min(positiveSeconds('authExpire', t.authExpire, PCLOUD_TOKEN_DEFAULTS.authExpire), maxAuthExpire),
      authInactiveExpire: Math.min(
        positiveSeconds('authInactiveExpire', t.authInactiveExpire, PCLOUD_TOKEN_DEFAULTS.authInactiveExpire),
        maxAuthInactiveExpire,
      ),
      maxAuthExpire,
      maxAuthInactiveExpire,
    },
    codeTtl: { reset: HOUR, verify: 7 * 24 * HOUR, changemail: HOUR, deactivate: HOUR, ...o.codeTtl },
    mailLimit: o.mailLimit ?? { limit: 5, windowMs: HOUR },
    cookies: o.cookies ?? 'all',
    limits: { ...DEFAULT_LIMITS, ...o.limits },
    userinfo: o.userinfo,
    inviteUrl: o.inviteUrl ?? defaultInviteUrl,
    onError:
      o.onError ??
      ((err, method) => {
        // Name only: an error's message could quote input, and input may hold a password.
        console.error(`@authmount/pcloud: unexpected ${err instanceof Error ? err.name : typeof err} in ${method}`);
      }),
    oauth: resolveOAuth(o.oauth),
  };
}

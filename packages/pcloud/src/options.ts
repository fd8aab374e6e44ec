import { HOUR, ISSUER, resolvePolicy, type Account, type PasswordPolicy, type PolicySpec } from '@authmount/core';
import type { AuthLogger } from '@authmount/express';
import type { Request } from 'express';
import { isMissingKey } from './options-schema';
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
  newmail?: string | undefined;
}

/** Delivers a mail; reject to signal failure. The demo logs the message. */
export type Mailer = (msg: MailMessage) => Promise<void>;

export interface PcloudOptions {
  /**
   * Password profile checked by register, changepassword and resetpassword before core (default 'pcloud':
   * codes 2032–2035 with pCloud's messages). Core still applies the Auth's own policy afterwards, so the
   * effective rule is the stricter of the two (README "Password policy").
   */
  passwordPolicy?: PolicySpec | undefined;
  /**
   * Digest login (getdigest + passworddigest). Off by default: it needs a reversible copy of each password,
   * AES-256-GCM-encrypted under `key` (32 bytes; keep it outside the store). See README "Security".
   * A missing key (`{ key: process.env.PCLOUD_DIGEST_KEY }` with the variable unset or empty) leaves digest
   * login off and says so once at start-up; a malformed one is a configuration error.
   */
  digest?: { key: KeyInput | undefined } | false | undefined;
  /**
   * Mail hook for lostpassword, verification, change-mail and deactivation codes. How many mails one
   * client IP and one account may cause is core's `throttle.mailIp` / `throttle.mailAccount` (createAuth).
   */
  mailer?: Mailer | undefined;
  /** Token lifetimes in SECONDS, pCloud's `authexpire` / `authinactiveexpire` (defaults and maxima below). */
  tokens?:
    | {
        /** Default 31536000 (365 d). */
        authExpire?: number | undefined;
        /** Default 2678400 (31 d). */
        authInactiveExpire?: number | undefined;
        /** Largest accepted authexpire; larger requests are clamped. Default 63072000 (730 d). */
        maxAuthExpire?: number | undefined;
        /** Largest accepted authinactiveexpire; larger requests are clamped. Default 5356800 (62 d). */
        maxAuthInactiveExpire?: number | undefined;
      }
    | undefined;
  /** Validity of mailed codes, ms. Defaults: reset 1 h, verify 7 d, changemail 1 h, deactivate 1 h. */
  codeTtl?: { [K in 'reset' | 'verify' | 'changemail' | 'deactivate']?: number | undefined } | undefined;
  /** Which cookies are parameters (default 'all', pCloud's rule). */
  cookies?: CookieParams | undefined;
  /** Body size and field-count bounds. */
  limits?: { [K in keyof ParamLimits]?: ParamLimits[K] | undefined } | undefined;
  /** Extra or overriding userinfo fields (quota, usedquota, premium, plan, ...). */
  userinfo?: ((account: Account) => Record<string, unknown> | Promise<Record<string, unknown>>) | undefined;
  /** The registration page an `invite` reply points to, given the invite code (the inviter's userid). */
  inviteUrl?: ((code: string, req: Request) => string) | undefined;
  /** Unexpected (non-auth) errors: answered as 5000, reported here. Default: one line on stderr, no details. */
  onError?: ((err: unknown, method: string) => void) | undefined;
  /**
   * OAuth 2.0: the authorize page (`/oauth2/authorize`), `oauth2_token` and access tokens (`access_token`,
   * `Authorization: Bearer`) on every method. Off when absent. See README "OAuth 2.0".
   */
  oauth?: OAuthOptions | undefined;
  /**
   * Issuers whose tokens `guard()` and the app's own methods (`router.method`) accept. Default this
   * adapter's own (`pcloud`) and, with `oauth` on, OAuth access tokens (`oauth`). Add `'authmount'` (or
   * another adapter's) to share tokens on your routes. The built-in methods (userinfo, listtokens, ...)
   * always accept exactly the default pair; OAuth tokens never carry the `account` scope their account
   * methods need (README "Issuers and scopes").
   */
  acceptIssuers?: readonly string[] | undefined;
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
  cookies: CookieParams;
  limits: ParamLimits;
  userinfo: PcloudOptions['userinfo'];
  inviteUrl: (code: string, req: Request) => string;
  onError: (err: unknown, method: string) => void;
  oauth: OAuthResolved | null;
  /** Issuers the built-in methods accept: `pcloud`, and `oauth` when OAuth is on. */
  ownIssuers: readonly string[];
  /** Issuers guard() and app methods accept (acceptIssuers, default ownIssuers). */
  acceptIssuers: readonly string[];
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
  const oauth = resolveOAuth(o.oauth);
  const ownIssuers: readonly string[] = oauth ? [ISSUER.pcloud, ISSUER.oauth] : [ISSUER.pcloud];
  const acceptIssuers = o.acceptIssuers ?? ownIssuers;
  if (!Array.isArray(acceptIssuers) || acceptIssuers.length === 0 || !acceptIssuers.every((i) => typeof i === 'string' && i !== '')) {
    throw new TypeError('pcloud: acceptIssuers must be a non-empty array of issuer names');
  }
  return {
    policy: resolvePolicy(o.passwordPolicy ?? 'pcloud'),
    digestKey: o.digest && !isMissingKey(o.digest.key) ? parseKey(o.digest.key as KeyInput) : null,
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
    codeTtl: {
      reset: o.codeTtl?.reset ?? HOUR,
      verify: o.codeTtl?.verify ?? 7 * 24 * HOUR,
      changemail: o.codeTtl?.changemail ?? HOUR,
      deactivate: o.codeTtl?.deactivate ?? HOUR,
    },
    cookies: o.cookies ?? 'all',
    limits: {
      maxBodyBytes: o.limits?.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes,
      maxFields: o.limits?.maxFields ?? DEFAULT_LIMITS.maxFields,
    },
    userinfo: o.userinfo,
    inviteUrl: o.inviteUrl ?? defaultInviteUrl,
    onError:
      o.onError ??
      ((err, method) => {
        // Name only: an error's message could quote input, and input may hold a password.
        console.error(`@authmount/pcloud: unexpected ${err instanceof Error ? err.name : typeof err} in ${method}`);
      }),
    oauth,
    ownIssuers,
    acceptIssuers: [...acceptIssuers],
  };
}

/**
 * `digest: { key }` without a key (an unset PCLOUD_DIGEST_KEY, as in the README sample): digest login stays
 * off, and the operator is told once, at start-up, through the Auth's logger (or one stderr line without
 * one), never per request.
 */
export function noteDigestOff(o: PcloudOptions, logger: AuthLogger | undefined): void {
  if (!o.digest || !isMissingKey(o.digest.key)) return;
  const msg = 'digest login is off: digest.key is not set (getdigest answers 2237)';
  if (logger) logger.warn({ adapter: 'pcloud', option: 'digest.key' }, `authmount pcloud ${msg}`);
  else console.warn(`@authmount/pcloud: ${msg}`);
}

import { DAY, HOUR, ISSUER, type JsonValue } from '@authmount/core';
import type { SignatureAlgorithm } from './signature';

/** One CB application: what the admin panel of the real service shows. */
export interface CbApp {
  /** `application_id` (numeric in CB; strings work too). */
  applicationId: number | string;
  /** `auth_key`: identifies the application; not a secret (it ships in every client). */
  authKey: string;
  /** `auth_secret`: the HMAC key of signed requests, at least 16 characters. Required unless `allowUnsigned` is true. */
  authSecret?: string | null | undefined;
  /** Accept `POST /session` without `signature` (what SDK v4+ sends). Default false. */
  allowUnsigned?: boolean | undefined;
  /** HMAC algorithms accepted for `signature`. Default ['sha1'] (SDK v3 can be switched to sha256). */
  signatureAlgorithms?: readonly SignatureAlgorithm[] | undefined;
  /**
   * Create the user on the fly when `POST /session` names an unknown login/e-mail with a password
   * (CB's "Session creation without an existing user entity" = Allow). Default false.
   */
  autoCreateUsers?: boolean | undefined;
}

/**
 * Where applications come from: a static list in the config (the usual case), or your own lookup (a
 * database, a config service). Both lookups run on hot paths (every POST /session, every guarded
 * request), so back them with a cache.
 */
export interface CbAppRegistry {
  findById(applicationId: string): CbApp | null | Promise<CbApp | null>;
  findByAuthKey(authKey: string): CbApp | null | Promise<CbApp | null>;
}

/** What a login provider verifier receives (`provider` + `keys[...]` or `firebase_*[...]`). */
export interface ProviderCredentials {
  /** facebook, twitter, firebase_phone, firebase_email, or any name you configured. */
  provider: string;
  /** `keys[token]`, `keys[secret]` (facebook, twitter), as strings. */
  keys: Readonly<Record<string, string>>;
  /** `firebase_phone[...]` or `firebase_email[...]` (`project_id`, `access_token`), as strings. */
  firebase: Readonly<Record<string, string>>;
  applicationId: string;
}

/** The person a provider vouched for. */
export interface ProviderIdentity {
  /** The provider's stable id for the person (Facebook user id, Firebase uid, ...). */
  subject: string;
  /** Copied to the user when it is created (must be unique among users). */
  email?: string | null | undefined;
  fullName?: string | null | undefined;
  /** Extra attributes stored on the user when it is created (phone, avatar, ...). */
  attributes?: Record<string, JsonValue> | undefined;
}

/**
 * Checks provider credentials (call Facebook's Graph API, verify a Firebase ID token, ...). Resolve the
 * identity, or null to refuse. A throw is treated as a refusal (422) unless it is an AuthError.
 */
export type ProviderVerifier = (creds: ProviderCredentials) => Promise<ProviderIdentity | null>;

export interface CbTokenOptions {
  /** The applications allowed to create sessions. */
  apps: readonly CbApp[] | CbAppRegistry;
  /** Sliding inactivity window of every session, ms. Default 2 hours (CB's documented value). */
  sessionIdleTtl?: number | undefined;
  /**
   * Absolute lifetime of app and user sessions, ms, and the ceiling of every session: counted from the
   * session's creation, so `POST /login` on an app session (which keeps the token) does not restart it, and
   * no login / logout cycle keeps a token alive past it. CB documents none; default 30 days.
   */
  sessionMaxAge?: number | undefined;
  /** Lifetime of guest users and of their sessions, ms. Default 1 day (CB's documented value). */
  guestTtl?: number | undefined;
  /** Accepted clock difference of `timestamp`, seconds. Default 3600 (CB: "not more than 60 minutes"). */
  timestampWindowSeconds?: number | undefined;
  /** Login providers by name. None by default: `provider` logins then answer a clear 422. */
  providers?: Readonly<Record<string, ProviderVerifier>> | undefined;
  /** Largest accepted request body. Default '64kb'. */
  bodyLimit?: string | undefined;
  /**
   * Issuers whose tokens `guard()` accepts on your routes. Default `['cb-token']` (this adapter's sessions).
   * Add another (e.g. `'authmount'`) to share tokens. The adapter's own routes (`/session`, `/login`,
   * `/users`) only ever accept CB sessions.
   */
  acceptIssuers?: readonly string[] | undefined;
}

export interface ResolvedOptions {
  apps: CbAppRegistry;
  sessionIdleTtl: number;
  sessionMaxAge: number;
  guestTtl: number;
  timestampWindowMs: number;
  providers: Readonly<Record<string, ProviderVerifier>>;
  bodyLimit: string;
  acceptIssuers: readonly string[];
}

export const DEFAULTS = {
  sessionIdleTtl: 2 * HOUR,
  sessionMaxAge: 30 * DAY,
  guestTtl: DAY,
  timestampWindowSeconds: 3600,
  bodyLimit: '64kb',
} as const;

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new TypeError(`cbToken: ${name} must be a positive number`);
  return v;
}

export function resolveIssuers(given: readonly string[] | undefined): readonly string[] {
  if (given === undefined) return [ISSUER.cbToken];
  if (!Array.isArray(given) || given.length === 0 || !given.every((i) => typeof i === 'string' && i.length > 0)) {
    throw new TypeError('cbToken: acceptIssuers must be a non-empty array of issuer names');
  }
  return [...given];
}

export function resolveOptions(o: CbTokenOptions, toRegistry: (apps: CbTokenOptions['apps']) => CbAppRegistry): ResolvedOptions {
  if (!o || o.apps === undefined) throw new TypeError('cbToken: options.apps is required');
  return {
    apps: toRegistry(o.apps),
    sessionIdleTtl: positive('sessionIdleTtl', o.sessionIdleTtl, DEFAULTS.sessionIdleTtl),
    sessionMaxAge: positive('sessionMaxAge', o.sessionMaxAge, DEFAULTS.sessionMaxAge),
    guestTtl: positive('guestTtl', o.guestTtl, DEFAULTS.guestTtl),
    timestampWindowMs: positive('timestampWindowSeconds', o.timestampWindowSeconds, DEFAULTS.timestampWindowSeconds) * 1000,
    providers: { ...(o.providers ?? {}) },
    bodyLimit: o.bodyLimit ?? DEFAULTS.bodyLimit,
    acceptIssuers: resolveIssuers(o.acceptIssuers),
  };
}

import { DAY } from './clock';
import { AuthError } from './errors';
import type { TokenFilter, TokenKind, TokenRecord } from './store';

/**
 * The rules tokens are issued and accepted under: default lifetimes, the issuers, the scopes, and the
 * requirement checks every guard shares. TokenService (tokens.ts) applies them.
 */

export interface TokenPolicy {
  /** Absolute lifetime of new tokens, ms. Default 7 days. */
  absoluteTtl: number;
  /** Inactivity window of new tokens, ms. Default 24 hours. */
  idleTtl: number;
  /** Longest absolute lifetime any caller may ask for, ms. Default 730 days (pCloud's maximum). */
  maxTtl: number;
}

export const DEFAULT_TOKEN_POLICY: TokenPolicy = { absoluteTtl: 7 * DAY, idleTtl: DAY, maxTtl: 730 * DAY };

/** Issuer of tokens made by authmount's own routes and by app code that does not say otherwise. */
export const DEFAULT_ISSUER = 'authmount';

/**
 * The issuers authmount's packages write into `TokenRecord.issuer`. Every entry point accepts only the
 * issuers it was told to: `requireAuth()` and `authRoutes` `authmount`, each protocol adapter its own (the
 * pCloud adapter also `oauth`); sharing is an explicit option (`requireAuth({ issuers })`, `acceptIssuers`).
 */
export const ISSUER = {
  authmount: DEFAULT_ISSUER,
  pcloud: 'pcloud',
  xAuthBearer: 'x-auth-bearer',
  cbToken: 'cb-token',
  /** OAuth access tokens (pCloud adapter); `appId` holds the client id. */
  oauth: 'oauth',
} as const;

/**
 * The account-management scope: listing and deleting tokens, changing the password or e-mail, deactivating,
 * and the protocols' own session endpoints. First-party logins get it (the default scopes of user and guest
 * tokens); tokens granted to third parties (OAuth) never do.
 */
export const ACCOUNT_SCOPE = 'account';

/** Scopes of a token issued (or upgraded / downgraded) without explicit ones. */
export const DEFAULT_SCOPES: Readonly<Record<TokenKind, readonly string[]>> = {
  user: ['read', 'write', ACCOUNT_SCOPE],
  guest: ['read', 'write', ACCOUNT_SCOPE],
  app: ['read'],
};

/** What a guard requires of a token: its issuer, kind and scopes (see TokenFilter). */
export type RequireOptions = TokenFilter;

export function isTokenId(id: unknown): id is string {
  return typeof id === 'string' && /^[1-9][0-9]{0,15}$/.test(id) && Number.isSafeInteger(Number(id));
}

/** True when `require` accepts the token's issuer (no `issuers` list accepts every issuer). */
export function issuerAccepted(t: Pick<TokenRecord, 'issuer'>, require?: RequireOptions): boolean {
  return !require?.issuers || require.issuers.includes(t.issuer);
}

/**
 * Kind and scope checks shared by every guard (the store runs the same filter inside authenticate; this
 * re-check is defence in depth, and names what failed). Issuers are checked by the caller first: a token
 * of an issuer not accepted here is `token_invalid`, exactly like an unknown one.
 */
export function checkRequirements(t: Pick<TokenRecord, 'scopes' | 'kind'>, require?: RequireOptions): void {
  if (!require) return;
  if (require.kinds && !require.kinds.includes(t.kind)) {
    throw new AuthError('forbidden_kind', undefined, { kind: t.kind, allowed: require.kinds });
  }
  if (require.scopes) {
    for (const s of require.scopes) {
      if (!t.scopes.includes(s)) throw new AuthError('forbidden_scope', undefined, { missing: s });
    }
  }
}

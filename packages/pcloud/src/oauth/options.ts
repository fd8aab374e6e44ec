import { DAY, MINUTE, SECOND } from '@authmount/core';
import { staticClients, type ClientRegistry, type OAuthClientConfig } from './clients';

export interface OAuthOptions {
  /** The registered applications: a list from the configuration, or any registry (e.g. `storeClients(auth)`). */
  clients: readonly OAuthClientConfig[] | ClientRegistry;
  /** Validity of an authorization code, ms. Default 10 minutes (long enough to paste a code shown on the page). */
  codeTtlMs?: number | undefined;
  /**
   * Access-token lifetimes, ms, capped by core's maxTtl. Defaults (OAUTH_TOKEN_DEFAULTS): absolute 365 days,
   * which is also the ceiling (nothing prolongs an access token), and 90 days of inactivity. Our decision:
   * pCloud's own access tokens do not expire, but these are bearer credentials held by third parties with no
   * refresh or rotation, so an unused grant lapses and every grant is re-approved yearly; an expired token
   * answers 2094, which clients read as "authorize again".
   */
  tokens?: { absoluteTtl?: number | undefined; idleTtl?: number | undefined } | undefined;
  /** The `poll_token` long-poll of oauth2_token. */
  poll?:
    | {
        /** How long one oauth2_token call waits for the user's decision, ms. Default 120 s. */
        timeoutMs?: number | undefined;
        /** How often a waiting call re-checks the store (a decision made on another process), ms. Default 1 s. */
        intervalMs?: number | undefined;
        /** How long a decision waits in the store for its poll, ms. Default 10 minutes. */
        grantTtlMs?: number | undefined;
        /** Most calls waiting at once in this process; beyond it a call answers "not yet" (6001) at once. Default 1000. */
        maxWaiting?: number | undefined;
      }
    | undefined;
}

export interface PollSettings {
  timeoutMs: number;
  intervalMs: number;
  grantTtlMs: number;
  maxWaiting: number;
}

export interface OAuthResolved {
  registry: ClientRegistry;
  codeTtlMs: number;
  tokens: { absoluteTtl: number; idleTtl: number };
  poll: PollSettings;
}

/** Default access-token lifetimes (see OAuthOptions.tokens). */
export const OAUTH_TOKEN_DEFAULTS = { absoluteTtl: 365 * DAY, idleTtl: 90 * DAY } as const;

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new TypeError(`pcloud: oauth.${name} must be a positive number`);
  return v;
}

/** Check and complete the OAuth options at construction (null: OAuth off). */
export function resolveOAuth(o: OAuthOptions | undefined): OAuthResolved | null {
  if (o === undefined) return null;
  const c = o.clients as unknown;
  let registry: ClientRegistry;
  if (Array.isArray(c)) registry = staticClients(c as OAuthClientConfig[]);
  else if (c && typeof (c as ClientRegistry).find === 'function') registry = c as ClientRegistry;
  else throw new TypeError('pcloud: oauth.clients must be a list of clients or a registry with find(clientId)');
  const p = o.poll ?? {};
  return {
    registry,
    codeTtlMs: positive('codeTtlMs', o.codeTtlMs, 10 * MINUTE),
    tokens: {
      absoluteTtl: positive('tokens.absoluteTtl', o.tokens?.absoluteTtl, OAUTH_TOKEN_DEFAULTS.absoluteTtl),
      idleTtl: positive('tokens.idleTtl', o.tokens?.idleTtl, OAUTH_TOKEN_DEFAULTS.idleTtl),
    },
    poll: {
      timeoutMs: positive('poll.timeoutMs', p.timeoutMs, 120 * SECOND),
      intervalMs: positive('poll.intervalMs', p.intervalMs, SECOND),
      grantTtlMs: positive('poll.grantTtlMs', p.grantTtlMs, 10 * MINUTE),
      maxWaiting: Math.floor(positive('poll.maxWaiting', p.maxWaiting, 1000)),
    },
  };
}

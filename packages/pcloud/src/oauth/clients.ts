import { ACCOUNT_SCOPE, constantTimeEqual, hashSecret } from '@authmount/core';

/** A client as written in the configuration. */
export interface OAuthClientConfig {
  /** Public id: 1–64 letters, digits, `-` or `_`. */
  clientId: string;
  /** At least 16 characters; use a random one (e.g. `openssl rand -base64 32`). Only its hash is kept in memory. */
  clientSecret: string;
  /** Exact redirect URIs (https, loopback http, or an app's own scheme); no fragment. May be empty (code shown on the page). */
  redirectUris: readonly string[];
  /** Shown to the user on the authorize page and as the token's `device` in listtokens. */
  name: string;
  /**
   * Scopes of the access tokens granted to this client. Default `['read', 'write']`. Never `account`: the
   * account methods (listtokens, deletetoken, changepassword, changemail, deactivateuser, ...) and every
   * `/auth`, X-Auth and CB endpoint stay out of a third party's reach; a client configured with it is refused.
   */
  scopes?: readonly string[];
  /**
   * Allow `response_type=poll_token` (the page approves, the app polls `oauth2_token` with `request_id`).
   * Default false. Trade-off: the poll needs no client secret and no redirect URI, so ANYONE who knows the
   * (public) client id can start a flow, send a victim the authorize link ("sign in to <your app>") and
   * collect the token the victim approves: the consent page is the only defence against that phishing.
   * Turn it on only for apps that cannot receive a redirect (desktop / CLI apps without a local port), and
   * keep their name unambiguous on the page.
   */
  pollToken?: boolean;
}

/** A registered client as the adapter uses it: never the secret itself. */
export interface OAuthClient {
  clientId: string;
  name: string;
  redirectUris: readonly string[];
  /** base64url SHA-256 of the client secret (see `hashClientSecret`). */
  secretHash: string;
  /** Grant scopes (default DEFAULT_GRANT_SCOPES); `account` is never granted, even when listed. */
  scopes?: readonly string[];
  /** `response_type=poll_token` allowed (default false; see OAuthClientConfig.pollToken). */
  pollToken?: boolean;
}

/** Scopes of an access token when its client names none: use of the account's data, not its management. */
export const DEFAULT_GRANT_SCOPES: readonly string[] = ['read', 'write'];
const SCOPE = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_SCOPES = 32;

/** The scopes an access token of `client` carries: its own (or the default), never the account scope. */
export function grantScopes(client: Pick<OAuthClient, 'scopes'>): string[] {
  // A custom registry could hand back `account`: it is dropped here, whatever the registry says.
  return (client.scopes ?? DEFAULT_GRANT_SCOPES).filter((s) => s !== ACCOUNT_SCOPE);
}

export function checkScopes(scopes: unknown): string | null {
  if (scopes === undefined) return null;
  if (!Array.isArray(scopes) || scopes.length > MAX_SCOPES || !scopes.every((s) => typeof s === 'string' && SCOPE.test(s))) {
    return `scopes must be an array of at most ${MAX_SCOPES} scope names (letters, digits, _ . : -)`;
  }
  if (scopes.includes(ACCOUNT_SCOPE)) return `scopes must not include "${ACCOUNT_SCOPE}": OAuth tokens never manage the account`;
  return null;
}

export function checkPollToken(v: unknown): string | null {
  return v === undefined || typeof v === 'boolean' ? null : 'pollToken must be true or false';
}

/**
 * Where the adapter looks clients up: the configuration (`staticClients`), the store (`storeClients`, over
 * core's OAuthClientRegistry contract) or your own database (any object with this `find`).
 */
export interface ClientRegistry {
  /** The client, or null when unknown. Reject (e.g. store down) to fail closed. */
  find(clientId: string): Promise<OAuthClient | null>;
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const MIN_SECRET_LENGTH = 16;
const MAX_SECRET_LENGTH = 512;
const MAX_NAME = 100;
const MAX_URI = 2048;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
// Schemes a browser would run or read locally instead of navigating to an app.
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);

export function isClientId(v: unknown): v is string {
  return typeof v === 'string' && CLIENT_ID.test(v);
}

/**
 * The form every registry stores a client secret in: core's `hashSecret` (base64url SHA-256; secrets are
 * high-entropy, so a plain hash suffices).
 */
export const hashClientSecret: (secret: string) => string = hashSecret;

/** Constant-time check of a presented secret against the client's hash. */
export function secretMatches(client: OAuthClient, secret: string): boolean {
  if (secret.length > MAX_SECRET_LENGTH) return false;
  return constantTimeEqual(hashSecret(secret), client.secretHash);
}

/**
 * Why a redirect URI cannot be registered, or null when it can. OAuth 2.0 Security BCP: no fragment,
 * TLS except on loopback (native apps' local servers), or a private-use scheme of a native app.
 */
export function redirectUriProblem(uri: unknown): string | null {
  if (typeof uri !== 'string' || uri.length === 0 || uri.length > MAX_URI) return `must be a string of 1 to ${MAX_URI} characters`;
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return 'is not an absolute URI';
  }
  if (uri.includes('#')) return 'must not contain a fragment';
  if (FORBIDDEN_SCHEMES.has(u.protocol)) return `must not use the ${u.protocol} scheme`;
  if (u.protocol === 'http:' && !LOOPBACK.has(u.hostname)) return 'must use https (plain http only for localhost, 127.0.0.1 or [::1])';
  return null;
}

export function checkName(name: unknown): string | null {
  return typeof name === 'string' && name.trim().length > 0 && name.length <= MAX_NAME ? null : `name must be 1 to ${MAX_NAME} characters`;
}

export function checkUris(uris: unknown): string | null {
  if (!Array.isArray(uris)) return 'redirectUris must be an array';
  for (const u of uris) {
    const problem = redirectUriProblem(u);
    if (problem) return `redirect URI ${JSON.stringify(u)} ${problem}`;
  }
  return null;
}

/** Clients from the configuration, checked once at start-up: a bad entry throws naming the field. */
export function staticClients(list: readonly OAuthClientConfig[]): ClientRegistry {
  const clients = new Map<string, OAuthClient>();
  for (const c of list) {
    const where = `pcloud oauth client ${JSON.stringify(c?.clientId)}`;
    if (!isClientId(c?.clientId)) throw new TypeError(`${where}: clientId must be 1-64 letters, digits, '-' or '_'`);
    if (typeof c.clientSecret !== 'string' || c.clientSecret.length < MIN_SECRET_LENGTH || c.clientSecret.length > MAX_SECRET_LENGTH) {
      throw new TypeError(`${where}: clientSecret must be ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters (use a random one)`);
    }
    const problem = checkName(c.name) ?? checkUris(c.redirectUris) ?? checkScopes(c.scopes) ?? checkPollToken(c.pollToken);
    if (problem) throw new TypeError(`${where}: ${problem}`);
    if (clients.has(c.clientId)) throw new TypeError(`${where}: defined twice`);
    clients.set(c.clientId, {
      clientId: c.clientId,
      name: c.name,
      redirectUris: [...c.redirectUris],
      secretHash: hashSecret(c.clientSecret),
      scopes: [...(c.scopes ?? DEFAULT_GRANT_SCOPES)],
      pollToken: c.pollToken === true,
    });
  }
  return { find: async (id) => clients.get(id) ?? null };
}

import { AuthError, randomCode, toStoreError, type JsonValue, type UserRecord } from '@authmount/core';
import type { Auth } from '@authmount/express';
import { createHash, timingSafeEqual } from 'node:crypto';

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
}

/** A registered client as the adapter uses it: never the secret itself. */
export interface OAuthClient {
  clientId: string;
  name: string;
  redirectUris: readonly string[];
  /** base64url SHA-256 of the client secret (see `hashClientSecret`). */
  secretHash: string;
}

/** Where clients come from: the configuration (`staticClients`), the store (`storeClients`) or your own database. */
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

/** The form every registry stores a client secret in. Secrets are high-entropy, so a plain hash suffices. */
export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Constant-time check of a presented secret against the client's hash. */
export function secretMatches(client: OAuthClient, secret: string): boolean {
  if (secret.length > MAX_SECRET_LENGTH) return false;
  const a = Buffer.from(hashClientSecret(secret));
  const b = Buffer.from(client.secretHash);
  return a.length === b.length && timingSafeEqual(a, b);
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

function checkName(name: unknown): string | null {
  return typeof name === 'string' && name.trim().length > 0 && name.length <= MAX_NAME ? null : `name must be 1 to ${MAX_NAME} characters`;
}

function checkUris(uris: unknown): string | null {
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
    const problem = checkName(c.name) ?? checkUris(c.redirectUris);
    if (problem) throw new TypeError(`${where}: ${problem}`);
    if (clients.has(c.clientId)) throw new TypeError(`${where}: defined twice`);
    clients.set(c.clientId, {
      clientId: c.clientId,
      name: c.name,
      redirectUris: [...c.redirectUris],
      secretHash: hashClientSecret(c.clientSecret),
    });
  }
  return { find: async (id) => clients.get(id) ?? null };
}

/** A registry kept in the authmount store, shared by every process (Redis) and managed at run time. */
export interface StoreClientRegistry extends ClientRegistry {
  /** Register a client. The secret is returned once; the store keeps only its hash. */
  create(input: {
    name: string;
    redirectUris: readonly string[];
    clientId?: string;
  }): Promise<{ client: OAuthClient; clientSecret: string }>;
  /** Remove a client: its access tokens stop working at once (every use checks the client still exists). */
  remove(clientId: string): Promise<boolean>;
}

/** User-record login and attribute that hold a stored client (see storeClients). */
export const CLIENT_LOGIN_PREFIX = 'oauth-client:';
export const CLIENT_ATTR = 'pcloud_oauth_client';

/**
 * Clients in the authmount store. The store contract has no generic table, so each client is a user
 * record that can never log in: login `oauth-client:<clientId>`, no password, the client in the
 * `pcloud_oauth_client` attribute. A record only counts as a client when it has no password and carries
 * that attribute with the same id, so an account registered elsewhere under such a login is never one.
 */
export function storeClients(auth: Auth): StoreClientRegistry {
  const load = async (clientId: string): Promise<{ user: UserRecord; client: OAuthClient } | null> => {
    if (!isClientId(clientId)) return null;
    let user: UserRecord | null;
    try {
      user = await auth.store.users.findByLogin(CLIENT_LOGIN_PREFIX + clientId, auth.clock());
    } catch (e) {
      throw toStoreError(e);
    }
    const client = user && user.passwordHash === null ? asClient(user.attributes[CLIENT_ATTR]) : null;
    // Logins are case-insensitive in the store; client ids are not.
    return user && client && client.clientId === clientId ? { user, client } : null;
  };

  return {
    find: async (clientId) => (await load(clientId))?.client ?? null,

    async create(input) {
      const clientId = input.clientId ?? randomCode(12);
      if (!isClientId(clientId)) throw new AuthError('invalid_request', "clientId must be 1-64 letters, digits, '-' or '_'.");
      const problem = checkName(input.name) ?? checkUris(input.redirectUris);
      if (problem) throw new AuthError('invalid_request', problem);
      const clientSecret = randomCode(32);
      const client: OAuthClient = {
        clientId,
        name: input.name,
        redirectUris: [...input.redirectUris],
        secretHash: hashClientSecret(clientSecret),
      };
      const stored: JsonValue = { ...client, redirectUris: [...client.redirectUris] };
      // A taken login (the same id, or any account under that login) is a `conflict` AuthError.
      await auth.accounts.register({ login: CLIENT_LOGIN_PREFIX + clientId, password: null, attributes: { [CLIENT_ATTR]: stored } });
      return { client, clientSecret };
    },

    async remove(clientId) {
      const found = await load(clientId);
      if (!found) return false;
      await auth.accounts.delete(found.user.id);
      return true;
    },
  };
}

function asClient(v: JsonValue | undefined): OAuthClient | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const { clientId, name, redirectUris, secretHash } = v;
  if (typeof clientId !== 'string' || typeof name !== 'string' || typeof secretHash !== 'string') return null;
  if (!Array.isArray(redirectUris) || !redirectUris.every((u): u is string => typeof u === 'string')) return null;
  return { clientId, name, redirectUris, secretHash };
}

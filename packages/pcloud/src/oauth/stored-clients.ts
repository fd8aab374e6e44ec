import {
  AuthError,
  hashSecret,
  randomCode,
  systemClock,
  type AuthCore,
  type Clock,
  type OAuthClientRecord,
  type OAuthClientRegistry,
} from '@authmount/core';
import { checkName, checkPollToken, checkScopes, checkUris, DEFAULT_GRANT_SCOPES, isClientId, type ClientRegistry } from './clients';

/** Clients registered and removed at run time, shared by every process on the registry. */
export interface StoreClientRegistry extends ClientRegistry {
  find(clientId: string): Promise<OAuthClientRecord | null>;
  /** Register a client. The secret is returned once; the registry keeps only its hash. */
  create(input: {
    name: string;
    redirectUris: readonly string[];
    /** Default: 16 random URL-safe characters. */
    clientId?: string | undefined;
    /** See OAuthClientConfig.scopes. */
    scopes?: readonly string[] | undefined;
    /** See OAuthClientConfig.pollToken (its phishing trade-off). Default false. */
    pollToken?: boolean | undefined;
  }): Promise<{ client: OAuthClientRecord; clientSecret: string }>;
  /** Remove a client: its access tokens stop working at once (every use checks the client still exists). */
  remove(clientId: string): Promise<boolean>;
  /** Every registered client (never a secret), by client id. */
  list(): Promise<OAuthClientRecord[]>;
}

/**
 * Run-time client management over any OAuthClientRegistry (core's contract: the memory and Redis stores
 * keep one, or write your own over your database): `create` checks the input exactly as a configured client
 * is checked (`invalid_request` naming the problem), makes the id (unless given) and a 256-bit secret, and
 * hands the registry only the secret's hash; a taken id is a `conflict`.
 */
export function managedClients(registry: OAuthClientRegistry, clock: Clock = systemClock): StoreClientRegistry {
  return {
    async find(clientId) {
      if (!isClientId(clientId)) return null;
      const client = await registry.find(clientId);
      // Exact ids only, whatever a registry over a case-insensitive column would answer.
      return client && client.clientId === clientId ? client : null;
    },

    async create(input) {
      const clientId = input.clientId ?? randomCode(12);
      if (!isClientId(clientId)) throw new AuthError('invalid_request', "clientId must be 1-64 letters, digits, '-' or '_'.");
      const problem =
        checkName(input.name) ?? checkUris(input.redirectUris) ?? checkScopes(input.scopes) ?? checkPollToken(input.pollToken);
      if (problem) throw new AuthError('invalid_request', problem);
      const clientSecret = randomCode(32);
      const client: OAuthClientRecord = {
        clientId,
        name: input.name,
        redirectUris: [...input.redirectUris],
        secretHash: hashSecret(clientSecret),
        scopes: [...(input.scopes ?? DEFAULT_GRANT_SCOPES)],
        pollToken: input.pollToken === true,
        createdAt: clock(),
      };
      if (!(await registry.create(client))) throw new AuthError('conflict', 'That client id is already registered.', { field: 'clientId' });
      return { client, clientSecret };
    },

    remove: async (clientId) => isClientId(clientId) && registry.remove(clientId),

    list: () => registry.list(),
  };
}

/**
 * The clients kept in the authmount store (`auth.clients`; the memory and Redis stores keep them), shared
 * by every process and managed at run time. Every call is fail-closed like any store call (a store outage
 * is `store_unavailable`: 5000 on oauth2_token, a 503 page). A store without a registry is refused here,
 * at start-up: use `managedClients(yourRegistry)` then.
 */
export function storeClients(auth: Pick<AuthCore, 'clients' | 'clock'>): StoreClientRegistry {
  if (!auth.clients) {
    throw new TypeError(
      'storeClients: this store keeps no OAuth clients (AuthStore.clients); use managedClients(yourRegistry), or pass oauth.clients a { find } of your own',
    );
  }
  return managedClients(auth.clients, auth.clock);
}

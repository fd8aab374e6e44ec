import type { OAuthClientRecord, OAuthClientRegistry } from '@authmount/core';
import { RedisStoreError, type Io } from './io';
import type { Keys } from './keys';

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** A stored client back to a record; a value that is not one (written by hand) fails the call, closed. */
function decode(raw: string, operation: string): OAuthClientRecord {
  let v: Partial<OAuthClientRecord> | null = null;
  try {
    v = JSON.parse(raw) as Partial<OAuthClientRecord>;
  } catch {
    // reported below
  }
  if (
    !v ||
    typeof v.clientId !== 'string' ||
    typeof v.name !== 'string' ||
    typeof v.secretHash !== 'string' ||
    !isStrings(v.redirectUris) ||
    !isStrings(v.scopes) ||
    typeof v.pollToken !== 'boolean' ||
    typeof v.createdAt !== 'number'
  ) {
    throw new RedisStoreError(`redis ${operation} failed: a stored OAuth client is not in the store's format`, operation);
  }
  const { clientId, name, secretHash, redirectUris, scopes, pollToken, createdAt } = v;
  return { clientId, name, redirectUris, secretHash, scopes, pollToken, createdAt };
}

function encode(c: OAuthClientRecord): string {
  const { clientId, name, redirectUris, secretHash, scopes, pollToken, createdAt } = c;
  return JSON.stringify({ clientId, name, redirectUris, secretHash, scopes, pollToken, createdAt });
}

/**
 * OAuth clients in ONE Redis hash (keys.ts): field = client id, value = the record as JSON. Every method is
 * one single-key command (HGET, HSETNX, HDEL, HVALS), so each is atomic on its own and Cluster-safe without
 * a hash tag. The table is small (clients are registered by an operator), so listing it whole is fine.
 */
export function redisClientRegistry(io: Io, keys: Keys): OAuthClientRegistry {
  const key = keys.clients();
  return {
    find: (clientId) =>
      io.op('clients.find', async (op) => {
        const raw = (await op.cmd('HGET', key, clientId)) as string | null;
        return raw === null ? null : decode(raw, 'clients.find');
      }),
    create: (client) => io.op('clients.create', async (op) => (await op.cmd('HSETNX', key, client.clientId, encode(client))) === 1),
    remove: (clientId) => io.op('clients.remove', async (op) => (await op.cmd('HDEL', key, clientId)) === 1),
    list: () =>
      io.op('clients.list', async (op) => {
        const all = ((await op.cmd('HVALS', key)) as string[]).map((raw) => decode(raw, 'clients.list'));
        return all.sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0));
      }),
  };
}

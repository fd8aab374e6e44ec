import type { NewUser, OAuthClientRecord, TokenRecord } from '../store';
import { hashSecret } from '../crypto';
import { newSecret, newTokenId } from '../token-format';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/**
 * A valid token record as core would create it (user 7 unless `userId` says otherwise), created at `now`:
 * 30 days absolute, 1 day idle, a 60-day ceiling. For store tests of your own.
 */
export function tokenRecord(now: number, over: Partial<TokenRecord> = {}): TokenRecord {
  const userId = over.userId === undefined ? 7 : over.userId;
  return {
    id: newTokenId(userId),
    secretHash: hashSecret(newSecret()),
    userId,
    kind: userId === null ? 'app' : 'user',
    issuer: 'authmount',
    appId: null,
    device: 'conformance',
    scopes: ['read', 'write'],
    createdAt: now,
    expiresAt: now + 30 * DAY,
    maxExpiresAt: now + 60 * DAY,
    idleTtl: DAY,
    idleExpiresAt: now + DAY,
    lastUsedAt: now,
    data: {},
    ...over,
  };
}

/** A new user (alice) as core would register it at `now`. */
export function newUser(now: number, over: Partial<NewUser> = {}): NewUser {
  return {
    login: 'alice',
    email: 'Alice@Example.com',
    passwordHash: '$argon2id$fake',
    createdAt: now,
    updatedAt: now,
    expiresAt: null,
    attributes: { name: 'Alice', tags: ['a'], nested: { x: 1 } },
    ...over,
  };
}

/** A registered OAuth client (app) as core's registry contract holds it, created at `now`. */
export function oauthClient(now: number, over: Partial<OAuthClientRecord> = {}): OAuthClientRecord {
  return {
    clientId: 'app',
    name: 'Photo Backup',
    redirectUris: ['https://photos.example/cb', 'http://localhost:8123/cb'],
    secretHash: hashSecret(newSecret()),
    scopes: ['read', 'write'],
    pollToken: false,
    createdAt: now,
    ...over,
  };
}

import type { Account, JsonValue, TokenInfo } from '@authmount/core';
import type { Response } from 'express';
import { wireAppId } from './apps';

/** `2021-06-04 12:10:53 UTC`, the format of CB's `CB-Token-ExpirationDate` header (Flutter parses it). */
export function expirationDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
}

/** When the session dies if it is not used again: the sooner of the idle and the absolute expiry. */
export const sessionDeadline = (t: Pick<TokenInfo, 'expiresAt' | 'idleExpiresAt'>) => Math.min(t.expiresAt, t.idleExpiresAt);

/** Sets `CB-Token-ExpirationDate` (and exposes it to browsers, as CB does). */
export function setExpirationHeader(res: Response, t: Pick<TokenInfo, 'expiresAt' | 'idleExpiresAt'>): void {
  res.setHeader('CB-Token-ExpirationDate', expirationDate(sessionDeadline(t)));
  res.setHeader('Access-Control-Expose-Headers', 'CB-Token-ExpirationDate, Date');
}

/** Session dates carry milliseconds (live server, 2021+); user dates do not (live 2023 output). */
const sessionDate = (ms: number) => new Date(ms).toISOString();
const userDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A user as CB shows it. Never the password or its hash (Account has neither). */
export type UserView = Record<string, JsonValue>;

const attr = (a: Record<string, JsonValue>, k: string): JsonValue => (a[k] === undefined ? null : a[k]);

/** A 24-hex ObjectId-shaped `_id` (CB 2023+ has one): creation seconds + user id, stable and unique. */
function objectId(u: Pick<Account, 'id' | 'createdAt'>): string {
  const secs = Math.floor(u.createdAt / 1000)
    .toString(16)
    .padStart(8, '0')
    .slice(-8);
  return secs + u.id.toString(16).padStart(16, '0').slice(-16);
}

export function userView(u: Account, lastRequestAt: number | null = null): UserView {
  const a = u.attributes;
  const tags = a.user_tags;
  return {
    _id: objectId(u),
    id: u.id,
    full_name: attr(a, 'full_name'),
    email: u.email,
    login: u.login,
    phone: attr(a, 'phone'),
    website: attr(a, 'website'),
    created_at: userDate(u.createdAt),
    updated_at: userDate(u.updatedAt),
    last_request_at: lastRequestAt === null ? null : userDate(lastRequestAt),
    external_user_id: attr(a, 'external_user_id'),
    external_id: attr(a, 'external_id'),
    facebook_id: attr(a, 'facebook_id'),
    twitter_id: attr(a, 'twitter_id'),
    custom_data: attr(a, 'custom_data'),
    blob_id: attr(a, 'blob_id'),
    avatar: attr(a, 'avatar'),
    user_tags: Array.isArray(tags) && tags.length > 0 ? tags.join(',') : null,
    timezone: attr(a, 'timezone'),
    is_guest: a.is_guest === true ? true : null,
  };
}

/**
 * `{ session: {...} }` in the live server's key order. `id` is the token's public numeric id (stable across
 * login/logout); `user_id` is null for an app session. `nonce` only appears when the request sent one.
 */
export function sessionView(t: TokenInfo, token: string, user?: UserView) {
  const nonce = t.data.nonce;
  return {
    created_at: sessionDate(t.createdAt),
    updated_at: sessionDate(t.lastUsedAt),
    application_id: t.appId === null ? null : wireAppId(t.appId),
    token,
    ...(nonce !== undefined && nonce !== null ? { nonce } : {}),
    ts: t.data.ts ?? Math.floor(t.createdAt / 1000),
    user_id: t.userId,
    id: Number(t.id),
    ...(user ? { user } : {}),
  };
}

import type { TokenKind, TokenPatch, TokenRecord, UserPatch, UserRecord } from '@authmount/core';

/**
 * How records sit in Redis hashes. Short field names keep a token hash small (it is the bulk of the
 * memory). A nullable field is ABSENT when null, so no sentinel string can collide with a real value.
 *
 * Token hash:
 *   h secretHash   u userId?   k kind   o issuer   a appId?   d device   s scopes (JSON)   m data (JSON)
 *   c createdAt    e expiresAt z maxExpiresAt (the ceiling)   i idleTtl   x idleExpiresAt   l lastUsedAt
 *   g generation of the current owner (see tokens.ts)   n generation allocator
 *   p:<v>: a move to that user under generation v is pending (see tokens.ts)
 * Nothing in it is a usable credential: `h` is SHA-256 of the secret, and the secret is never sent to Redis.
 */
export function tokenFields(r: TokenRecord): string[] {
  // prettier-ignore
  const f = [
    'h', r.secretHash,
    'k', r.kind,
    'o', r.issuer,
    'd', r.device,
    's', JSON.stringify(r.scopes),
    'm', JSON.stringify(r.data),
    'c', int(r.createdAt),
    'e', int(r.expiresAt),
    'z', int(r.maxExpiresAt),
    'i', int(r.idleTtl),
    'x', int(r.idleExpiresAt),
    'l', int(r.lastUsedAt),
    'g', '0',
  ];
  if (r.userId !== null) f.push('u', int(r.userId));
  if (r.appId !== null) f.push('a', r.appId);
  return f;
}

/** The plain fields of a patch (userId is handled by the move protocol, slide by the script). */
export function patchFields(p: TokenPatch): string[] {
  const f: string[] = [];
  if (p.expiresAt !== undefined) f.push('e', int(p.expiresAt));
  if (p.idleTtl !== undefined) f.push('i', int(p.idleTtl));
  if (p.kind !== undefined) f.push('k', p.kind);
  if (p.scopes !== undefined) f.push('s', JSON.stringify(p.scopes));
  if (p.device !== undefined) f.push('d', p.device);
  if (p.data !== undefined) f.push('m', JSON.stringify(p.data));
  return f;
}

export type Flat = ReadonlyArray<string | number>;

export function toMap(flat: Flat, from = 0): Record<string, string> {
  const m: Record<string, string> = {};
  for (let i = from; i + 1 < flat.length; i += 2) m[String(flat[i])] = String(flat[i + 1]);
  return m;
}

export function tokenFromMap(id: string, m: Record<string, string>): TokenRecord {
  return {
    id,
    secretHash: m.h,
    userId: m.u === undefined ? null : Number(m.u),
    kind: m.k as TokenKind,
    // Records written before issuers existed were authmount's own.
    issuer: m.o ?? 'authmount',
    appId: m.a === undefined ? null : m.a,
    device: m.d ?? '',
    scopes: JSON.parse(m.s ?? '[]') as string[],
    createdAt: Number(m.c),
    expiresAt: Number(m.e),
    maxExpiresAt: Number(m.z ?? m.e),
    idleTtl: Number(m.i),
    idleExpiresAt: Number(m.x),
    lastUsedAt: Number(m.l),
    data: JSON.parse(m.m ?? '{}') as TokenRecord['data'],
  };
}

/**
 * The token fields the authenticate script reads (one HMGET) and sends back, in this order; absent ones
 * come back as null. Everything a TokenRecord needs, and nothing of the move bookkeeping (g, n, p:*).
 */
export const AUTH_FIELDS = ['h', 'e', 'x', 'i', 'o', 'k', 's', 'u', 'a', 'd', 'm', 'c', 'z', 'l'] as const;

export type AuthReply = ReadonlyArray<string | number | null>;

// Scope lists repeat across tokens: parse each distinct JSON text once (bounded), hand out copies.
const parsedScopes = new Map<string, readonly string[]>();
function scopesOf(json: string | null): string[] {
  if (json === null) return [];
  let s = parsedScopes.get(json);
  if (!s) {
    s = Object.freeze(JSON.parse(json) as string[]);
    if (parsedScopes.size < 256) parsedScopes.set(json, s);
  }
  return s.slice();
}

/** A TokenRecord from the authenticate script's fixed-order reply (see AUTH_FIELDS). */
export function tokenFromAuthReply(id: string, f: AuthReply): TokenRecord {
  const str = (v: string | number | null) => (v === null ? null : String(v));
  const data = str(f[10]);
  return {
    id,
    secretHash: String(f[0]),
    userId: f[7] === null ? null : Number(f[7]),
    kind: String(f[5]) as TokenKind,
    issuer: str(f[4]) ?? 'authmount',
    appId: str(f[8]),
    device: str(f[9]) ?? '',
    scopes: scopesOf(str(f[6])),
    createdAt: Number(f[11]),
    expiresAt: Number(f[1]),
    maxExpiresAt: Number(f[12] ?? f[1]),
    idleTtl: Number(f[3]),
    idleExpiresAt: Number(f[2]),
    lastUsedAt: Number(f[13]),
    data: data === null || data === '{}' ? {} : (JSON.parse(data) as TokenRecord['data']),
  };
}

/**
 * User hash:
 *   login? email? ph (passwordHash)? c createdAt  up updatedAt  x expiresAt?  at attributes (JSON)
 *   v version, bumped by every write so multi-step writers can compare-and-set.
 */
export function userFields(u: Omit<UserRecord, 'id'>): string[] {
  const f = ['c', int(u.createdAt), 'up', int(u.updatedAt), 'at', JSON.stringify(u.attributes), 'v', '1'];
  if (u.login !== null) f.push('login', u.login);
  if (u.email !== null) f.push('email', u.email);
  if (u.passwordHash !== null) f.push('ph', u.passwordHash);
  if (u.expiresAt !== null) f.push('x', int(u.expiresAt));
  return f;
}

/** Fields a user patch sets, and the fields it clears (set to null). */
export function userPatchFields(p: UserPatch): { set: string[]; del: string[] } {
  const set: string[] = [];
  const del: string[] = [];
  const nullable = (field: string, v: string | null | undefined) => {
    if (v === undefined) return;
    if (v === null) del.push(field);
    else set.push(field, v);
  };
  nullable('login', p.login);
  nullable('email', p.email);
  nullable('ph', p.passwordHash);
  nullable('x', p.expiresAt === undefined || p.expiresAt === null ? p.expiresAt : int(p.expiresAt));
  if (p.updatedAt !== undefined) set.push('up', int(p.updatedAt));
  if (p.attributes !== undefined) set.push('at', JSON.stringify(p.attributes));
  return { set, del };
}

export function userFromMap(id: number, m: Record<string, string>): UserRecord {
  return {
    id,
    login: m.login ?? null,
    email: m.email ?? null,
    passwordHash: m.ph ?? null,
    createdAt: Number(m.c),
    updatedAt: Number(m.up),
    expiresAt: m.x === undefined ? null : Number(m.x),
    attributes: JSON.parse(m.at ?? '{}') as UserRecord['attributes'],
  };
}

/** Integers as plain decimal strings (never exponent notation, which Redis would refuse as a TTL). */
export function int(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError('redisStore: expected a finite number');
  return Math.trunc(n).toFixed(0);
}

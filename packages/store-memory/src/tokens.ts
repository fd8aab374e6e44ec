import {
  accepts,
  constantTimeEqual,
  isLive,
  type AuthenticateResult,
  type TokenData,
  type TokenFilter,
  type TokenKind,
  type TokenPatch,
  type TokenRecord,
  type TokenStore,
} from '@authmount/core';
import type { Capacity } from './capacity';
import { ExpiryWheel } from './expiry-wheel';
import { intern, EMPTY_DATA, ownData } from './scopes';

/**
 * What a token is for: kind, issuer, application and scopes. Most tokens share one of a handful, so a
 * record points at one shared, frozen profile instead of holding four fields (see `profileOf`).
 */
interface Profile {
  readonly kind: TokenKind;
  readonly issuer: string;
  readonly appId: string | null;
  readonly scopes: readonly string[];
}

/**
 * A token as this store keeps it: ~1,000,000 of them must fit in ≤ 400 B of heap each (issue 18), so the
 * id lives only as the map key and kind/issuer/appId/scopes as one shared Profile. The hash stays text: as
 * 32 raw bytes it would save 16 B but cost two more conversions per request (measured: not worth it).
 */
interface Stored {
  hash: string;
  userId: number | null;
  profile: Profile;
  device: string;
  createdAt: number;
  expiresAt: number;
  maxExpiresAt: number;
  idleTtl: number;
  idleExpiresAt: number;
  lastUsedAt: number;
  data: TokenData;
}

const profiles = new Map<string, Profile>();

function profileOf(kind: TokenKind, issuer: string, appId: string | null, scopes: readonly string[]): Profile {
  // JSON, not a separator-joined string: no issuer, app id or scope can make two profiles share a key (with
  // "\n" joins, scopes ["a\nb"] and ["a", "b"] did). Runs on create and update only, never per request.
  const key = JSON.stringify([kind, issuer, appId, scopes]);
  return profiles.get(key) ?? share(key, Object.freeze({ kind, issuer, appId, scopes: intern(scopes) }));
}

function share(key: string, p: Profile): Profile {
  // Bounded like the scope lists: an unusual profile beyond the first 1,000 is simply not shared.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the bound limits memory only; behaviour is the same either side of it
  if (profiles.size < 1000) profiles.set(key, p);
  return p;
}

function store(r: TokenRecord): Stored {
  return {
    hash: r.secretHash,
    userId: r.userId,
    profile: profileOf(r.kind, r.issuer, r.appId, r.scopes),
    device: r.device,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    maxExpiresAt: r.maxExpiresAt,
    idleTtl: r.idleTtl,
    idleExpiresAt: r.idleExpiresAt,
    lastUsedAt: r.lastUsedAt,
    data: ownData(r.data),
  };
}

/** A fresh record for the caller (who may mutate it). */
function copyOut(id: string, r: Stored): TokenRecord {
  const p = r.profile;
  return {
    id,
    secretHash: r.hash,
    userId: r.userId,
    kind: p.kind,
    issuer: p.issuer,
    appId: p.appId,
    device: r.device,
    scopes: p.scopes.slice(),
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    maxExpiresAt: r.maxExpiresAt,
    idleTtl: r.idleTtl,
    idleExpiresAt: r.idleExpiresAt,
    lastUsedAt: r.lastUsedAt,
    data: r.data === EMPTY_DATA ? {} : { ...r.data }, // per request: no spread of the shared empty bag
  };
}

/** An owner with this many tokens is indexed by a Set instead of an array. */
const BIG_OWNER = 32;

const deadlineOf = (r: Stored) => Math.min(r.expiresAt, r.idleExpiresAt);

/**
 * Tokens in a Map, with a per-user index for listing and revoke-all, and an expiry wheel that reclaims
 * dead tokens without reading the whole map. Every method runs synchronously to completion, so each is
 * atomic within the process.
 *
 * The per-user index holds the bare id for a user with one token, an exact-size array of ids for a few
 * (a Set's hash table costs ~40 B per token at 5 per user, the array ~10), and a Set from BIG_OWNER on.
 */
export class MemoryTokenStore implements TokenStore {
  private readonly map = new Map<string, Stored>();
  private readonly byUser = new Map<number, string | string[] | Set<string>>();
  private readonly wheel = new ExpiryWheel();

  constructor(private readonly capacity: Capacity) {}

  get size(): number {
    return this.map.size;
  }

  /** Users in the per-user index (diagnostics and tests: a user whose last token went is dropped). */
  get indexedOwners(): number {
    return this.byUser.size;
  }

  /** Ids in the per-user index, over all users (diagnostics and tests: it equals the owned tokens held). O(users). */
  get indexed(): number {
    let n = 0;
    for (const ids of this.byUser.values()) n += typeof ids === 'string' ? 1 : Array.isArray(ids) ? ids.length : ids.size;
    return n;
  }

  sweep(now: number): void {
    this.wheel.sweep(now, (id) => {
      const r = this.map.get(id);
      if (!r) return null;
      if (isLive(r, now)) return deadlineOf(r);
      this.remove(id, r);
      return null;
    });
  }

  async create(record: TokenRecord): Promise<boolean> {
    if (this.map.has(record.id)) return false;
    this.capacity.room(
      () => this.map.size,
      (t) => this.sweep(t),
      record.createdAt,
    );
    const r = store(record);
    this.map.set(record.id, r);
    if (r.userId !== null) this.index(r.userId, record.id);
    this.wheel.add(record.id, deadlineOf(r));
    return true;
  }

  /** Not an async function: the hot path answers with one already-settled promise and nothing else. */
  authenticate(id: string, secretHash: string, now: number, filter?: TokenFilter): Promise<AuthenticateResult> {
    const r = this.map.get(id);
    if (!r) return Promise.resolve({ ok: false, reason: 'unknown' });
    if (!isLive(r, now)) {
      this.remove(id, r);
      return Promise.resolve({ ok: false, reason: 'expired' });
    }
    if (!constantTimeEqual(r.hash, secretHash)) return Promise.resolve({ ok: false, reason: 'mismatch' });
    if (filter !== undefined && !accepts(r.profile, filter)) {
      return Promise.resolve({ ok: false, reason: 'refused', record: copyOut(id, r) });
    }
    r.lastUsedAt = now;
    r.idleExpiresAt = Math.min(now + r.idleTtl, r.expiresAt);
    return Promise.resolve({ ok: true, record: copyOut(id, r) });
  }

  async peek(id: string, now: number): Promise<TokenRecord | null> {
    const r = this.live(id, now);
    return r ? copyOut(id, r) : null;
  }

  async update(id: string, patch: TokenPatch, now: number): Promise<TokenRecord | null> {
    const r = this.live(id, now);
    if (!r) return null;
    const before = deadlineOf(r);
    if (patch.userId !== undefined && patch.userId !== r.userId) {
      if (r.userId !== null) this.unindex(r.userId, id);
      if (patch.userId !== null) this.index(patch.userId, id);
      r.userId = patch.userId;
    }
    // The ceiling: no patch moves the absolute expiry past maxExpiresAt.
    if (patch.expiresAt !== undefined) r.expiresAt = Math.min(patch.expiresAt, r.maxExpiresAt);
    if (patch.idleTtl !== undefined) r.idleTtl = patch.idleTtl;
    if (patch.kind !== undefined || patch.scopes !== undefined) {
      const p = r.profile;
      r.profile = profileOf(patch.kind ?? p.kind, p.issuer, p.appId, patch.scopes ?? p.scopes);
    }
    if (patch.device !== undefined) r.device = patch.device;
    if (patch.data !== undefined) r.data = ownData(patch.data);
    if (patch.slide) r.idleExpiresAt = now + r.idleTtl;
    r.idleExpiresAt = Math.min(r.idleExpiresAt, r.expiresAt);
    // A deadline moved earlier is filed again so it is reclaimed on time; later ones re-file lazily.
    if (deadlineOf(r) < before) this.wheel.add(id, deadlineOf(r));
    return copyOut(id, r);
  }

  async delete(id: string): Promise<boolean> {
    const r = this.map.get(id);
    if (!r) return false;
    this.remove(id, r);
    return true;
  }

  async listByUser(userId: number, now: number): Promise<TokenRecord[]> {
    const out: TokenRecord[] = [];
    for (const id of this.idsOf(userId)) {
      const r = this.live(id, now);
      if (r) out.push(copyOut(id, r));
    }
    return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async deleteByUser(userId: number, exceptIds: readonly string[], now: number): Promise<number> {
    const keep = new Set(exceptIds);
    const kept: string[] = [];
    let n = 0;
    for (const id of this.idsOf(userId)) {
      const r = this.map.get(id);
      if (!r) continue; // a stale entry: dropped with the index below
      if (keep.has(id)) {
        kept.push(id);
        continue;
      }
      if (isLive(r, now)) n++;
      this.map.delete(id);
    }
    // The index rebuilt once (not entry by entry: that would be quadratic for a user with many tokens).
    this.byUser.delete(userId);
    for (const id of kept) this.index(userId, id);
    return n;
  }

  /** A copy of the user's ids (callers remove entries while they walk it). */
  private idsOf(userId: number): string[] {
    const ids = this.byUser.get(userId);
    return ids === undefined ? [] : typeof ids === 'string' ? [ids] : [...ids];
  }

  private live(id: string, now: number): Stored | null {
    const r = this.map.get(id);
    if (!r) return null;
    if (isLive(r, now)) return r;
    this.remove(id, r);
    return null;
  }

  private remove(id: string, r: Stored): void {
    this.map.delete(id);
    if (r.userId !== null) this.unindex(r.userId, id);
  }

  // An id is indexed once: create refuses a taken id, and a token leaves its old owner's index before it
  // enters the new one's.
  private index(userId: number, id: string): void {
    const ids = this.byUser.get(userId);
    if (ids === undefined) this.byUser.set(userId, id);
    else if (typeof ids === 'string') this.byUser.set(userId, [ids, id]);
    else if (Array.isArray(ids)) {
      // Exact-size copies while small (push would reserve ~16 spare slots); a Set for a big owner, whose
      // removals would otherwise cost a scan each.
      // Stryker disable next-line EqualityOperator: where the representation changes is a memory trade-off; every form answers the same
      this.byUser.set(userId, ids.length < BIG_OWNER ? ids.concat(id) : new Set([...ids, id]));
    } else ids.add(id);
  }

  private unindex(userId: number, id: string): void {
    const ids = this.byUser.get(userId);
    if (ids === undefined) return;
    // `ids === id` and `rest.length === 0` are defensive: callers only unindex an id that is indexed (see
    // index()), and an array holds at least two ids.
    if (typeof ids === 'string') {
      if (ids === id) this.byUser.delete(userId);
    } else if (Array.isArray(ids)) {
      const rest = ids.filter((x) => x !== id);
      if (rest.length === 0) this.byUser.delete(userId);
      else this.byUser.set(userId, rest.length === 1 ? rest[0] : rest);
    } else {
      ids.delete(id);
      if (ids.size === 0) this.byUser.delete(userId);
    }
  }
}

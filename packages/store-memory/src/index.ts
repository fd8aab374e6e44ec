import {
  AuthError,
  isLive,
  sameHash,
  systemClock,
  type AuthStore,
  type AuthenticateResult,
  type Clock,
  type CodeStore,
  type CounterState,
  type CounterStore,
  type NewUser,
  type NonceStore,
  type TokenPatch,
  type TokenRecord,
  type TokenStore,
  type UserPatch,
  type UserRecord,
  type UserStore,
  type UserWriteResult,
} from '@authmount/core';
import { ExpiryWheel } from './expiry-wheel';

export interface MemoryStoreOptions {
  /**
   * Most entries each map (tokens, users, codes, nonces, counters) may hold. When a map is full even
   * after reclaiming expired entries, writes fail with `capacity` (a 503): the store never evicts a live
   * token to make room, which would log someone out silently. Default 2,000,000.
   */
  maxEntries?: number;
  /** How often expired entries are reclaimed, ms. Default 60 s. The timer is unref'd. 0 = no timer. */
  sweepIntervalMs?: number;
  /** Clock for the background sweep only (validity always comes from the `now` callers pass). */
  clock?: Clock;
}

export interface MemoryStoreStats {
  tokens: number;
  users: number;
  codes: number;
  nonces: number;
  counters: number;
}

// Most tokens share one of a few scope lists; sharing the array saves ~100 bytes per token.
const internedScopes = new Map<string, readonly string[]>();
function intern(scopes: readonly string[]): readonly string[] {
  const key = scopes.join(' ');
  let s = internedScopes.get(key);
  if (!s) {
    s = Object.freeze([...scopes]);
    if (internedScopes.size < 1000) internedScopes.set(key, s);
  }
  return s;
}
const EMPTY_DATA = Object.freeze({}) as TokenRecord['data'];

type Stored = Omit<TokenRecord, 'scopes'> & { scopes: readonly string[] };

function store(r: TokenRecord): Stored {
  return { ...r, scopes: intern(r.scopes), data: Object.keys(r.data).length ? { ...r.data } : EMPTY_DATA };
}

function copyOut(r: Stored): TokenRecord {
  return {
    id: r.id,
    secretHash: r.secretHash,
    userId: r.userId,
    kind: r.kind,
    appId: r.appId,
    device: r.device,
    scopes: [...r.scopes],
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    idleTtl: r.idleTtl,
    idleExpiresAt: r.idleExpiresAt,
    lastUsedAt: r.lastUsedAt,
    data: r.data === EMPTY_DATA ? {} : { ...r.data },
  };
}

const deadlineOf = (r: Stored) => Math.min(r.expiresAt, r.idleExpiresAt);
const lower = (s: string | null) => (s === null ? null : s.toLowerCase());

/**
 * The embedded default store: one process, no persistence. Unlike express-session's MemoryStore it
 * reclaims expired entries on a timer without waiting for them to be read, and it is bounded.
 * Every operation is synchronous under the hood, so each is atomic within the process.
 */
export class MemoryStore implements AuthStore {
  readonly name = 'memory';
  readonly tokens: TokenStore;
  readonly users: UserStore;
  readonly codes: CodeStore;
  readonly nonces: NonceStore;
  readonly counters: CounterStore;

  private readonly tokenMap = new Map<string, Stored>();
  private readonly byUser = new Map<number, Set<string>>();
  private readonly userMap = new Map<number, UserRecord>();
  private readonly loginIdx = new Map<string, number>();
  private readonly emailIdx = new Map<string, number>();
  private nextUserId = 1;
  private readonly codeMap = new Map<string, { value: string; expiresAt: number }>();
  private readonly nonceMap = new Map<string, number>();
  private readonly counterMap = new Map<string, CounterState>();
  private readonly wheels = {
    tokens: new ExpiryWheel(),
    users: new ExpiryWheel(),
    codes: new ExpiryWheel(),
    nonces: new ExpiryWheel(),
    counters: new ExpiryWheel(),
  };
  private readonly maxEntries: number;
  private readonly clock: Clock;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: MemoryStoreOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 2_000_000;
    this.clock = opts.clock ?? systemClock;
    const every = opts.sweepIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => this.sweep(this.clock()), every);
      this.timer.unref();
    }
    this.tokens = this.tokenStore();
    this.users = this.userStore();
    this.codes = this.codeStore();
    this.nonces = this.nonceStore();
    this.counters = this.counterStore();
  }

  /** Reclaim every entry dead at `now` that is due in the expiry wheel. Runs on the timer; public for tests. */
  sweep(now: number): void {
    this.wheels.tokens.sweep(now, (id) => {
      const r = this.tokenMap.get(id);
      if (!r) return null;
      if (isLive(r, now)) return deadlineOf(r);
      this.removeToken(r);
      return null;
    });
    this.wheels.users.sweep(now, (key) => {
      const u = this.userMap.get(Number(key));
      if (!u || u.expiresAt === null) return null;
      if (now < u.expiresAt) return u.expiresAt;
      this.removeUser(u);
      return null;
    });
    this.sweepSimple(this.wheels.codes, this.codeMap, (e) => e.expiresAt, now);
    this.sweepSimple(this.wheels.nonces, this.nonceMap, (e) => e, now);
    this.sweepSimple(this.wheels.counters, this.counterMap, (e) => e.resetAt, now);
  }

  stats(): MemoryStoreStats {
    return {
      tokens: this.tokenMap.size,
      users: this.userMap.size,
      codes: this.codeMap.size,
      nonces: this.nonceMap.size,
      counters: this.counterMap.size,
    };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweepSimple<V>(wheel: ExpiryWheel, map: Map<string, V>, deadline: (v: V) => number, now: number): void {
    wheel.sweep(now, (key) => {
      const v = map.get(key);
      if (v === undefined) return null;
      const d = deadline(v);
      if (now < d) return d;
      map.delete(key);
      return null;
    });
  }

  /** Make room for one more entry in `map`, or fail closed. */
  private room(map: Map<unknown, unknown>, now: number): void {
    if (map.size < this.maxEntries) return;
    this.sweep(now);
    if (map.size >= this.maxEntries) throw new AuthError('capacity');
  }

  private liveToken(id: string, now: number): Stored | null {
    const r = this.tokenMap.get(id);
    if (!r) return null;
    if (isLive(r, now)) return r;
    this.removeToken(r);
    return null;
  }

  private removeToken(r: Stored): void {
    this.tokenMap.delete(r.id);
    if (r.userId !== null) this.unindex(r.userId, r.id);
  }

  private index(userId: number, id: string): void {
    let set = this.byUser.get(userId);
    if (!set) this.byUser.set(userId, (set = new Set()));
    set.add(id);
  }

  private unindex(userId: number, id: string): void {
    const set = this.byUser.get(userId);
    if (!set) return;
    set.delete(id);
    if (set.size === 0) this.byUser.delete(userId);
  }

  private tokenStore(): TokenStore {
    return {
      create: async (record: TokenRecord) => {
        if (this.tokenMap.has(record.id)) return false;
        this.room(this.tokenMap, record.createdAt);
        const r = store(record);
        this.tokenMap.set(r.id, r);
        if (r.userId !== null) this.index(r.userId, r.id);
        this.wheels.tokens.add(r.id, deadlineOf(r));
        return true;
      },

      authenticate: async (id: string, secretHash: string, now: number): Promise<AuthenticateResult> => {
        const r = this.tokenMap.get(id);
        if (!r) return { ok: false, reason: 'unknown' };
        if (!isLive(r, now)) {
          this.removeToken(r);
          return { ok: false, reason: 'expired' };
        }
        if (!sameHash(r.secretHash, secretHash)) return { ok: false, reason: 'mismatch' };
        r.lastUsedAt = now;
        r.idleExpiresAt = Math.min(now + r.idleTtl, r.expiresAt);
        return { ok: true, record: copyOut(r) };
      },

      peek: async (id: string, now: number) => {
        const r = this.liveToken(id, now);
        return r ? copyOut(r) : null;
      },

      update: async (id: string, patch: TokenPatch, now: number) => {
        const r = this.liveToken(id, now);
        if (!r) return null;
        const before = deadlineOf(r);
        if (patch.userId !== undefined && patch.userId !== r.userId) {
          if (r.userId !== null) this.unindex(r.userId, r.id);
          if (patch.userId !== null) this.index(patch.userId, r.id);
          r.userId = patch.userId;
        }
        if (patch.expiresAt !== undefined) r.expiresAt = patch.expiresAt;
        if (patch.idleTtl !== undefined) r.idleTtl = patch.idleTtl;
        if (patch.kind !== undefined) r.kind = patch.kind;
        if (patch.scopes !== undefined) r.scopes = intern(patch.scopes);
        if (patch.device !== undefined) r.device = patch.device;
        if (patch.data !== undefined) r.data = Object.keys(patch.data).length ? { ...patch.data } : EMPTY_DATA;
        if (patch.slide) r.idleExpiresAt = now + r.idleTtl;
        r.idleExpiresAt = Math.min(r.idleExpiresAt, r.expiresAt);
        // A deadline moved earlier is filed again so it is reclaimed on time; later ones re-file lazily.
        if (deadlineOf(r) < before) this.wheels.tokens.add(r.id, deadlineOf(r));
        return copyOut(r);
      },

      delete: async (id: string) => {
        const r = this.tokenMap.get(id);
        if (!r) return false;
        this.removeToken(r);
        return true;
      },

      listByUser: async (userId: number, now: number) => {
        const ids = this.byUser.get(userId);
        if (!ids) return [];
        const out: TokenRecord[] = [];
        for (const id of [...ids]) {
          const r = this.liveToken(id, now);
          if (r) out.push(copyOut(r));
        }
        return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      },

      deleteByUser: async (userId: number, exceptIds: readonly string[], now: number) => {
        const ids = this.byUser.get(userId);
        if (!ids) return 0;
        const keep = new Set(exceptIds);
        let n = 0;
        for (const id of [...ids]) {
          if (keep.has(id)) continue;
          const r = this.tokenMap.get(id);
          if (!r) {
            this.unindex(userId, id);
            continue;
          }
          if (isLive(r, now)) n++;
          this.removeToken(r);
        }
        return n;
      },
    };
  }

  private liveUser(id: number, now: number): UserRecord | null {
    const u = this.userMap.get(id);
    if (!u) return null;
    if (u.expiresAt !== null && now >= u.expiresAt) {
      this.removeUser(u);
      return null;
    }
    return u;
  }

  private removeUser(u: UserRecord): void {
    this.userMap.delete(u.id);
    const l = lower(u.login);
    const e = lower(u.email);
    if (l !== null && this.loginIdx.get(l) === u.id) this.loginIdx.delete(l);
    if (e !== null && this.emailIdx.get(e) === u.id) this.emailIdx.delete(e);
  }

  /** The id holding `key` in `idx`, if that user is still live. */
  private holder(idx: Map<string, number>, key: string | null, now: number): number | null {
    if (key === null) return null;
    const id = idx.get(key);
    if (id === undefined) return null;
    return this.liveUser(id, now) ? id : null;
  }

  private userStore(): UserStore {
    const copy = (u: UserRecord): UserRecord => ({ ...u, attributes: structuredClone(u.attributes) });
    return {
      create: async (input: NewUser): Promise<UserWriteResult> => {
        const now = input.createdAt;
        if (this.holder(this.loginIdx, lower(input.login), now) !== null) return { ok: false, conflict: 'login' };
        if (this.holder(this.emailIdx, lower(input.email), now) !== null) return { ok: false, conflict: 'email' };
        this.room(this.userMap, now);
        const u: UserRecord = { ...input, attributes: structuredClone(input.attributes), id: this.nextUserId++ };
        this.userMap.set(u.id, u);
        if (u.login !== null) this.loginIdx.set(u.login.toLowerCase(), u.id);
        if (u.email !== null) this.emailIdx.set(u.email.toLowerCase(), u.id);
        if (u.expiresAt !== null) this.wheels.users.add(String(u.id), u.expiresAt);
        return { ok: true, user: copy(u) };
      },
      findById: async (id, now) => {
        const u = this.liveUser(id, now);
        return u ? copy(u) : null;
      },
      findByLogin: async (login, now) => {
        const id = this.holder(this.loginIdx, login.toLowerCase(), now);
        return id === null ? null : copy(this.userMap.get(id)!);
      },
      findByEmail: async (email, now) => {
        const id = this.holder(this.emailIdx, email.toLowerCase(), now);
        return id === null ? null : copy(this.userMap.get(id)!);
      },
      update: async (id: number, patch: UserPatch, now: number): Promise<UserWriteResult | null> => {
        const u = this.liveUser(id, now);
        if (!u) return null;
        const newLogin = patch.login !== undefined ? lower(patch.login) : undefined;
        const newEmail = patch.email !== undefined ? lower(patch.email) : undefined;
        if (newLogin !== undefined) {
          const h = this.holder(this.loginIdx, newLogin, now);
          if (h !== null && h !== id) return { ok: false, conflict: 'login' };
        }
        if (newEmail !== undefined) {
          const h = this.holder(this.emailIdx, newEmail, now);
          if (h !== null && h !== id) return { ok: false, conflict: 'email' };
        }
        if (newLogin !== undefined) {
          const old = lower(u.login);
          if (old !== null) this.loginIdx.delete(old);
          if (newLogin !== null) this.loginIdx.set(newLogin, id);
        }
        if (newEmail !== undefined) {
          const old = lower(u.email);
          if (old !== null) this.emailIdx.delete(old);
          if (newEmail !== null) this.emailIdx.set(newEmail, id);
        }
        const { attributes, ...rest } = patch;
        Object.assign(u, rest);
        if (attributes !== undefined) u.attributes = structuredClone(attributes);
        if (patch.expiresAt != null) this.wheels.users.add(String(id), patch.expiresAt);
        return { ok: true, user: copy(u) };
      },
      delete: async (id: number) => {
        const u = this.userMap.get(id);
        if (!u) return false;
        this.removeUser(u);
        return true;
      },
    };
  }

  private codeStore(): CodeStore {
    return {
      put: async (key, value, expiresAt) => {
        if (!this.codeMap.has(key)) this.room(this.codeMap, this.clock());
        this.codeMap.set(key, { value, expiresAt });
        this.wheels.codes.add(key, expiresAt);
      },
      take: async (key, now) => {
        const e = this.codeMap.get(key);
        if (!e) return null;
        this.codeMap.delete(key);
        return now < e.expiresAt ? e.value : null;
      },
    };
  }

  private nonceStore(): NonceStore {
    return {
      putIfAbsent: async (key, ttlMs, now) => {
        const until = this.nonceMap.get(key);
        if (until !== undefined && now < until) return false;
        if (until === undefined) this.room(this.nonceMap, now);
        this.nonceMap.set(key, now + ttlMs);
        this.wheels.nonces.add(key, now + ttlMs);
        return true;
      },
    };
  }

  private counterStore(): CounterStore {
    return {
      increment: async (key, windowMs, now) => {
        const c = this.counterMap.get(key);
        if (c && now < c.resetAt) {
          c.count++;
          return { ...c };
        }
        if (!c) this.room(this.counterMap, now);
        const fresh = { count: 1, resetAt: now + windowMs };
        this.counterMap.set(key, fresh);
        this.wheels.counters.add(key, fresh.resetAt);
        return { ...fresh };
      },
      peek: async (key, now) => {
        const c = this.counterMap.get(key);
        return c && now < c.resetAt ? { ...c } : { count: 0, resetAt: now };
      },
      reset: async (key) => {
        this.counterMap.delete(key);
      },
    };
  }
}

/** The embedded default store. */
export function memoryStore(opts?: MemoryStoreOptions): MemoryStore {
  return new MemoryStore(opts);
}

import type { NewUser, UserPatch, UserRecord, UserStore, UserWriteResult } from '@authmount/core';
import type { Capacity } from './capacity';
import { ExpiryWheel } from './expiry-wheel';

const lower = (s: string | null) => (s === null ? null : s.toLowerCase());
const copy = (u: UserRecord): UserRecord => ({ ...u, attributes: structuredClone(u.attributes) });

/**
 * Users in a Map with case-insensitive login and e-mail indexes. Guests (expiresAt set) are forgotten at
 * their deadline, index entries included. Each method is synchronous inside, so atomic in the process.
 */
export class MemoryUserStore implements UserStore {
  private readonly map = new Map<number, UserRecord>();
  private readonly loginIdx = new Map<string, number>();
  private readonly emailIdx = new Map<string, number>();
  private readonly wheel = new ExpiryWheel();
  private nextId = 1;

  constructor(private readonly capacity: Capacity) {}

  get size(): number {
    return this.map.size;
  }

  sweep(now: number): void {
    this.wheel.sweep(now, (key) => {
      const u = this.map.get(Number(key));
      if (!u || u.expiresAt === null) return null;
      if (now < u.expiresAt) return u.expiresAt;
      this.remove(u);
      return null;
    });
  }

  async create(input: NewUser): Promise<UserWriteResult> {
    const now = input.createdAt;
    if (this.holder(this.loginIdx, lower(input.login), now) !== null) return { ok: false, conflict: 'login' };
    if (this.holder(this.emailIdx, lower(input.email), now) !== null) return { ok: false, conflict: 'email' };
    this.capacity.room(
      () => this.map.size,
      (t) => this.sweep(t),
      now,
    );
    const u: UserRecord = { ...input, attributes: structuredClone(input.attributes), id: this.nextId++ };
    this.map.set(u.id, u);
    if (u.login !== null) this.loginIdx.set(u.login.toLowerCase(), u.id);
    if (u.email !== null) this.emailIdx.set(u.email.toLowerCase(), u.id);
    if (u.expiresAt !== null) this.wheel.add(String(u.id), u.expiresAt);
    return { ok: true, user: copy(u) };
  }

  async findById(id: number, now: number): Promise<UserRecord | null> {
    const u = this.live(id, now);
    return u ? copy(u) : null;
  }

  async findByLogin(login: string, now: number): Promise<UserRecord | null> {
    const id = this.holder(this.loginIdx, login.toLowerCase(), now);
    return id === null ? null : copy(this.map.get(id)!);
  }

  async findByEmail(email: string, now: number): Promise<UserRecord | null> {
    const id = this.holder(this.emailIdx, email.toLowerCase(), now);
    return id === null ? null : copy(this.map.get(id)!);
  }

  async update(id: number, patch: UserPatch, now: number): Promise<UserWriteResult | null> {
    const u = this.live(id, now);
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
    if (newLogin !== undefined) this.reindex(this.loginIdx, lower(u.login), newLogin, id);
    if (newEmail !== undefined) this.reindex(this.emailIdx, lower(u.email), newEmail, id);
    const { attributes, ...rest } = patch;
    Object.assign(u, rest);
    if (attributes !== undefined) u.attributes = structuredClone(attributes);
    if (patch.expiresAt != null) this.wheel.add(String(id), patch.expiresAt);
    return { ok: true, user: copy(u) };
  }

  async delete(id: number): Promise<boolean> {
    const u = this.map.get(id);
    if (!u) return false;
    this.remove(u);
    return true;
  }

  private reindex(idx: Map<string, number>, old: string | null, next: string | null, id: number): void {
    if (old !== null) idx.delete(old);
    if (next !== null) idx.set(next, id);
  }

  private live(id: number, now: number): UserRecord | null {
    const u = this.map.get(id);
    if (!u) return null;
    if (u.expiresAt !== null && now >= u.expiresAt) {
      this.remove(u);
      return null;
    }
    return u;
  }

  private remove(u: UserRecord): void {
    this.map.delete(u.id);
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
    return this.live(id, now) ? id : null;
  }
}

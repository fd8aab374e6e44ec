import type { NewUser, UserPatch, UserRecord, UserStore, UserWriteResult } from '@authmount/core';
import { int, toMap, userFields, userFromMap, userPatchFields, type Flat } from './codec';
import type { Io, Op } from './io';
import type { Keys } from './keys';
import { USER_CREATE, USER_DELETE, USER_UPDATE } from './scripts';

const MAX_ATTEMPTS = 8;
const lower = (s: string | null) => (s === null ? null : s.toLowerCase());
const live = (u: UserRecord, now: number) => u.expiresAt === null || now < u.expiresAt;

/** The record as the update script will leave it (fields absent from the patch, or undefined, stay). */
function applyPatch(user: UserRecord, patch: UserPatch): UserRecord {
  const next = { ...user };
  if (patch.login !== undefined) next.login = patch.login;
  if (patch.email !== undefined) next.email = patch.email;
  if (patch.passwordHash !== undefined) next.passwordHash = patch.passwordHash;
  if (patch.updatedAt !== undefined) next.updatedAt = patch.updatedAt;
  if (patch.expiresAt !== undefined) next.expiresAt = patch.expiresAt;
  if (patch.attributes !== undefined) next.attributes = structuredClone(patch.attributes);
  return next;
}

/**
 * Users, all under the `{u}` hash tag (see keys.ts), so uniqueness checks and re-indexing are single
 * scripts. Login and e-mail index entries hold "<id>|<expiresAt>": a script decides whether a value is
 * still taken without reading the holder's record (a guest past its expiry frees its login at once,
 * before Redis reclaims anything). Lowercasing happens here, in JavaScript, so the rule is the same as
 * the memory store's (Unicode-aware), not Lua's ASCII-only string.lower.
 *
 * Writes that depend on the current record (update, delete) read it, then run a script that checks the
 * record's version has not moved (compare-and-set) and retry otherwise: every key a script touches is
 * declared, and nothing is written from a stale read.
 */
export class RedisUserStore implements UserStore {
  constructor(
    private readonly io: Io,
    private readonly keys: Keys,
    private readonly slack: number,
  ) {}

  create(input: NewUser): Promise<UserWriteResult> {
    const { io, keys, slack } = this;
    return io.op('users.create', async (op) => {
      const now = input.createdAt;
      const login = lower(input.login);
      const email = lower(input.email);
      const exp = input.expiresAt === null ? '' : int(input.expiresAt);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        // Ids come from INCR: unique and never reused (a refused registration leaves a gap, like SQL sequences).
        const id = Number(await op.cmd('INCR', keys.userSeq()));
        const res = await op.run(
          USER_CREATE,
          [keys.user(id), keys.login(login), keys.email(email)],
          [int(now), slack, int(id), login === null ? '0' : '1', email === null ? '0' : '1', exp, ...userFields(input)],
        );
        if (res === 'login' || res === 'email') return { ok: false, conflict: res };
        if (res === 'ok') return { ok: true, user: { ...structuredClone(input), id } };
      }
      throw new Error('could not allocate a user id');
    });
  }

  findById(id: number, now: number): Promise<UserRecord | null> {
    return this.io.op('users.findById', (op) => this.read(op, id, now));
  }

  findByLogin(login: string, now: number): Promise<UserRecord | null> {
    return this.io.op('users.findByLogin', (op) => this.findBy(op, this.keys.login(login.toLowerCase()), 'login', login, now));
  }

  findByEmail(email: string, now: number): Promise<UserRecord | null> {
    return this.io.op('users.findByEmail', (op) => this.findBy(op, this.keys.email(email.toLowerCase()), 'email', email, now));
  }

  update(id: number, patch: UserPatch, now: number): Promise<UserWriteResult | null> {
    const { io, keys, slack } = this;
    return io.op('users.update', async (op) => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const cur = await this.readRaw(op, id);
        if (!cur || !live(cur.user, now)) return null;
        const { user, version } = cur;
        const next = applyPatch(user, patch);
        const oldLogin = lower(user.login);
        const oldEmail = lower(user.email);
        const newLogin = lower(next.login);
        const newEmail = lower(next.email);
        const { set, del } = userPatchFields(patch);
        const res = await op.run(
          USER_UPDATE,
          [keys.user(id), keys.login(oldLogin), keys.login(newLogin), keys.email(oldEmail), keys.email(newEmail)],
          [
            int(now),
            slack,
            int(id),
            version,
            patch.login !== undefined ? '1' : '0',
            patch.email !== undefined ? '1' : '0',
            next.expiresAt === null ? '' : int(next.expiresAt),
            newLogin === null ? '0' : '1',
            newEmail === null ? '0' : '1',
            oldLogin === null ? '0' : '1',
            oldEmail === null ? '0' : '1',
            set.length,
            ...set,
            ...del,
          ],
        );
        if (res === 'gone') return null;
        if (res === 'login' || res === 'email') return { ok: false, conflict: res };
        if (res === 'ok') return { ok: true, user: next };
      }
      throw new Error(`user ${id} kept changing during ${MAX_ATTEMPTS} attempts`);
    });
  }

  delete(id: number): Promise<boolean> {
    const { io, keys } = this;
    return io.op('users.delete', async (op) => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const cur = await this.readRaw(op, id);
        if (!cur) return false;
        const res = Number(
          await op.run(
            USER_DELETE,
            [keys.user(id), keys.login(lower(cur.user.login)), keys.email(lower(cur.user.email))],
            [int(id), cur.version],
          ),
        );
        if (res >= 0) return res === 1;
      }
      throw new Error(`user ${id} kept changing during ${MAX_ATTEMPTS} attempts`);
    });
  }

  private async readRaw(op: Op, id: number): Promise<{ user: UserRecord; version: string } | null> {
    if (!Number.isSafeInteger(id) || id <= 0) return null;
    const flat = (await op.cmd('HGETALL', this.keys.user(id))) as Flat;
    if (flat.length === 0) return null;
    const m = toMap(flat);
    return { user: userFromMap(id, m), version: m.v ?? '0' };
  }

  private async read(op: Op, id: number, now: number): Promise<UserRecord | null> {
    const cur = await this.readRaw(op, id);
    return cur && live(cur.user, now) ? cur.user : null;
  }

  /**
   * Index entry, then record. The record is re-checked against the identifier: if it was renamed or
   * deleted between the two reads, the answer is "not found", as it would have been a moment later.
   */
  private async findBy(op: Op, key: string, field: 'login' | 'email', value: string, now: number): Promise<UserRecord | null> {
    const entry = (await op.cmd('GET', key)) as string | null;
    if (entry === null) return null;
    const bar = entry.indexOf('|');
    const exp = entry.slice(bar + 1);
    if (exp !== '' && now >= Number(exp)) return null;
    const user = await this.read(op, Number(entry.slice(0, bar)), now);
    return user && lower(user[field]) === value.toLowerCase() ? user : null;
  }
}

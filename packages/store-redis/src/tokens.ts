import {
  MAX_SLIDE_GRANULARITY_MS,
  slotTagOfTokenId,
  slotTagOfUser,
  type AuthenticateResult,
  type Clock,
  type TokenFilter,
  type TokenPatch,
  type TokenRecord,
  type TokenStore,
} from '@authmount/core';
import { AUTH_FIELDS, int, patchFields, tokenFields, tokenFromAuthReply, tokenFromMap, toMap, type AuthReply, type Flat } from './codec';
import type { Io, Op } from './io';
import { Keys, member, parseMember } from './keys';
import { INDEX_ADD, TOKEN_AUTHENTICATE, TOKEN_BEGIN, TOKEN_COMMIT, TOKEN_CREATE, TOKEN_DELETE, TOKEN_RESOLVE } from './scripts';

export interface TokenStoreContext {
  io: Io;
  keys: Keys;
  slack: number;
  clock: Clock;
  /** Run a best-effort task after the operation (index sweep); errors go to onError, never upward. */
  background(task: () => Promise<unknown>): void;
  /** Report a swallowed failure of a best-effort step. */
  report(err: unknown): void;
}

/** An index above this size is swept for stale members every REAP_EVERY additions. */
const REAP_ABOVE = 32;
const REAP_EVERY = 16;
/** Attempts of an optimistic (compare-and-set) update before giving up as a store failure. */
const MAX_ATTEMPTS = 8;

const REASONS = ['unknown', 'expired', 'mismatch'] as const;
const MAX_SLIDE = String(MAX_SLIDE_GRANULARITY_MS);

/** The TokenFilter as the authenticate script reads it: per list a count (-1 = none) then the values. */
const NO_FILTER: readonly string[] = ['-1', '-1', '0'];
function filterArgs(f: TokenFilter): string[] {
  const out: string[] = [];
  for (const list of [f.issuers, f.kinds]) {
    if (list === undefined) out.push('-1');
    else out.push(String(list.length), ...list);
  }
  // Stryker disable next-line ArrayDeclaration: equivalent, the script reads as many scopes as the count says
  out.push(String(f.scopes?.length ?? 0), ...(f.scopes ?? []));
  return out;
}

/**
 * Tokens in Redis.
 *
 * The token hash is the ONLY source of truth for validity: authenticate reads nothing else, and revoking
 * a token means deleting its key. So a revoked token can never validate again, whatever happens to the
 * per-user index (which is only a list of pointers). The index has to be COMPLETE (every token owned by a
 * user is in that user's index, so list and revoke-all see it); it may hold STALE members, which are
 * dropped whenever they are found.
 *
 * Index members are "<id>:<generation>". A token's owner changes only together with its generation, and
 * generations come from a per-token allocator, so each generation names exactly one (token, owner) pair
 * for ever. A member is valid iff the token exists, is live and has that generation and owner; once a
 * member is not valid it never becomes valid again — which is what makes cleaning it safe without a
 * cross-slot transaction.
 *
 * Creating a token with its owner's tag is one script (token + index in one slot). Changing the owner
 * (app session upgraded to a user, or downgraded) can cross slots; it runs in this order:
 *   1. begin  (token slot): allocate generation v, record the pending mark "p:<v>" = user on the token;
 *   2. add    (new owner's index slot): add "<id>:<v>", raise the index TTL;
 *   3. commit (token slot): the owner becomes user under generation v, and the mark goes;
 *   4. drop   (old owner's index slot): remove "<id>:<old generation>" (best effort; stale once 3 ran).
 * Step 2 precedes step 3, so the new owner's index holds the token before the token says it belongs to
 * the new owner (completeness). Readers ignore the member until step 3 (it is 'pending'), so a move is
 * atomic to observers: list/revoke-all decide ownership from the token hash, at step 3. If the process
 * dies between steps, what is left is a pending or stale member, never a live token missing from its
 * owner's index (a leftover pending member is ignored, and goes with its token). Concurrent moves each
 * hold their own mark and all commit, the last commit deciding the owner; none waits for or undoes
 * another, so there is no livelock, and the members of the earlier ones are simply stale.
 *
 * The same two-phase shape serves an update of the absolute expiry: the owner's index TTL must be raised
 * BEFORE the token may live longer (an index that expired before its tokens would hide them from
 * revoke-all), and the commit is a compare-and-set on (owner, generation).
 */
export class RedisTokenStore implements TokenStore {
  constructor(private readonly ctx: TokenStoreContext) {}

  create(record: TokenRecord): Promise<boolean> {
    const { io, keys, slack, clock } = this.ctx;
    return io.op('tokens.create', async (op) => {
      const key = keys.token(record.id);
      // TTLs count from the earliest plausible "now": a longer TTL is harmless, a shorter one is not.
      const now = Math.min(record.createdAt, clock());
      const fields = tokenFields(record);
      const uid = record.userId;
      // Stryker disable next-line StringLiteral: equivalent, without an index key the script never reads the member
      if (uid === null) return (await op.run(TOKEN_CREATE, [key], [int(now), slack, '', ...fields])) !== -1;
      const idx = keys.userTokens(uid);
      const m = member(record.id, '0');
      if (slotTagOfTokenId(record.id) === slotTagOfUser(uid)) {
        const size = Number(await op.run(TOKEN_CREATE, [key, idx], [int(now), slack, m, ...fields]));
        if (size === -1) return false;
        this.maybeReap(uid, size, now);
        return true;
      }
      // A record whose id does not carry its owner's tag (not issued by core): index first, then the token.
      // NX: if the id is taken, an existing member of the same name is left as it was.
      await op.run(INDEX_ADD, [idx], [int(now), slack, int(record.createdAt), m, int(record.expiresAt), '1']);
      return (await op.run(TOKEN_CREATE, [key], [int(now), slack, '', ...fields])) !== -1;
    });
  }

  authenticate(id: string, secretHash: string, now: number, filter?: TokenFilter): Promise<AuthenticateResult> {
    const { io, keys, slack } = this.ctx;
    const args = [secretHash, int(now), slack, MAX_SLIDE, ...(filter === undefined ? NO_FILTER : filterArgs(filter))];
    // One script, one round trip: Io.script skips the per-operation timer when the client bounds it already.
    return io.script('tokens.authenticate', TOKEN_AUTHENTICATE, [keys.token(id)], args).then((res) => {
      if (typeof res === 'number') return { ok: false, reason: REASONS[res] };
      const reply = res as AuthReply;
      if (reply.length > AUTH_FIELDS.length) return { ok: false, reason: 'refused', record: tokenFromAuthReply(id, reply) };
      return { ok: true, record: tokenFromAuthReply(id, reply) };
    });
  }

  peek(id: string, now: number): Promise<TokenRecord | null> {
    const { io, keys } = this.ctx;
    return io.op('tokens.peek', async (op) => {
      const flat = (await op.cmd('HGETALL', keys.token(id))) as Flat;
      if (flat.length === 0) return null;
      const r = tokenFromMap(id, toMap(flat));
      return now < r.expiresAt && now < r.idleExpiresAt ? r : null;
    });
  }

  update(id: string, patch: TokenPatch, now: number): Promise<TokenRecord | null> {
    const { io, keys, slack } = this.ctx;
    const key = keys.token(id);
    const fields = patchFields(patch);
    const slide = patch.slide ? '1' : '0';
    // The one-script path for patches that move neither owner nor ceiling; the general path gives the same
    // result in more round trips.
    if (patch.userId === undefined && patch.expiresAt === undefined) {
      // Nothing that concerns an index: one script.
      return io.op('tokens.update', async (op) => {
        const res = (await op.run(TOKEN_COMMIT, [key], [int(now), slack, 'none', '', '', slide, ...fields])) as number | Flat;
        return typeof res === 'number' ? null : tokenFromMap(id, toMap(res));
      });
    }
    return io.op('tokens.update', async (op) => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const target = patch.userId;
        const begun = (await op.run(
          TOKEN_BEGIN,
          [key],
          [int(now), target === undefined ? '0' : '1', target == null ? '' : int(target)],
        )) as number | Flat;
        if (typeof begun === 'number') return null;
        const gen = String(begun[0]);
        const cur = toMap(begun, 1);
        const before = tokenFromMap(id, cur);
        const moving = gen !== '';
        const owner = moving ? (target as number | null) : before.userId;
        const expiresAt = Math.min(patch.expiresAt ?? before.expiresAt, before.maxExpiresAt);
        const oldGen = cur.g ?? '0';
        if (owner !== null) {
          await op.run(
            INDEX_ADD,
            [keys.userTokens(owner)],
            // Stryker disable next-line StringLiteral: equivalent, INDEX_ADD treats only '1' as a pending member
            [int(now), slack, int(before.createdAt), member(id, moving ? gen : oldGen), int(expiresAt), '0'],
          );
        }
        const res = (await op.run(
          TOKEN_COMMIT,
          [key],
          moving
            ? [int(now), slack, 'move', gen, owner === null ? '' : int(owner), slide, ...fields]
            : [int(now), slack, 'cas', oldGen, before.userId === null ? '' : int(before.userId), slide, ...fields],
        )) as number | Flat;
        if (res === 0) {
          if (moving && owner !== null) await this.dropMember(op, owner, member(id, gen));
          return null;
        }
        if (res === 1) {
          // 'cas': someone moved the token meanwhile (re-read and retry). 'move': our mark is gone, so
          // our member can never become valid: drop it and retry.
          if (moving && owner !== null) await this.dropMember(op, owner, member(id, gen));
          continue;
        }
        if (moving && before.userId !== null) await this.dropMember(op, before.userId, member(id, oldGen));
        return tokenFromMap(id, toMap(res as Flat));
      }
      throw new Error(`token ${id} kept changing owner during ${MAX_ATTEMPTS} attempts`);
    });
  }

  delete(id: string): Promise<boolean> {
    const { io, keys } = this.ctx;
    return io.op('tokens.delete', async (op) => {
      const res = (await op.run(TOKEN_DELETE, [keys.token(id)], [])) as number | [string, string];
      if (res === 0) return false;
      const [owner, gen] = res as [string, string];
      // The token is gone (it can never validate again); its index member is now stale, drop it.
      if (owner !== '') await this.dropMember(op, Number(owner), member(id, gen));
      return true;
    });
  }

  listByUser(userId: number, now: number): Promise<TokenRecord[]> {
    return this.ctx.io.op('tokens.listByUser', async (op) => {
      const { live } = await this.resolve(op, userId, now, 'list', new Set());
      return live.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    });
  }

  deleteByUser(userId: number, exceptIds: readonly string[], now: number): Promise<number> {
    return this.ctx.io.op('tokens.deleteByUser', async (op) => {
      const { deleted } = await this.resolve(op, userId, now, 'delete', new Set(exceptIds));
      return deleted;
    });
  }

  /**
   * Walk a user's index: resolve every member against its token (one script per slot tag, normally just
   * the user's own), then remove the members found stale or deleted. Cost follows the user's index size.
   */
  private async resolve(
    op: Op,
    userId: number,
    now: number,
    mode: 'list' | 'delete',
    keep: ReadonlySet<string>,
  ): Promise<{ live: TokenRecord[]; deleted: number }> {
    const { keys } = this.ctx;
    const idx = keys.userTokens(userId);
    const members = (await op.cmd('ZRANGE', idx, 0, -1)) as string[];
    const byTag = new Map<number, string[]>();
    for (const m of members) {
      const tag = slotTagOfTokenId(parseMember(m).id);
      const group = byTag.get(tag);
      if (group) group.push(m);
      else byTag.set(tag, [m]);
    }
    const live: TokenRecord[] = [];
    const drop = new Set<string>();
    const deletedIds = new Set<string>();
    let deleted = 0;
    await Promise.all(
      [...byTag.values()].map(async (group) => {
        const parsed = group.map(parseMember);
        const args: string[] = [mode, int(userId), int(now)];
        for (const p of parsed) args.push(p.gen, keep.has(p.id) ? '1' : '0');
        const replies = (await op.run(
          TOKEN_RESOLVE,
          parsed.map((p) => keys.token(p.id)),
          args,
        )) as Flat[];
        replies.forEach((reply, i) => {
          const status = String(reply[0]);
          if (status === 'live') live.push(tokenFromMap(parsed[i].id, toMap(reply, 1)));
          else if (status === 'stale' || status === 'deleted') drop.add(group[i]);
          if (status === 'deleted') {
            deleted++;
            deletedIds.add(parsed[i].id);
          }
        });
      }),
    );
    // Any other member of a token deleted here (a leftover pending one) is stale now too.
    for (const m of members) if (deletedIds.has(parseMember(m).id)) drop.add(m);
    if (drop.size > 0) await op.cmd('ZREM', idx, ...drop);
    return { live, deleted };
  }

  /**
   * Remove an index member that can no longer be valid. Best effort: the operation already did what it
   * promised, and a member left behind is only stale (dropped by the next list/revoke-all).
   */
  private async dropMember(op: Op, userId: number, m: string): Promise<void> {
    try {
      await op.cmd('ZREM', this.ctx.keys.userTokens(userId), m);
    } catch (e) {
      this.ctx.report(e);
    }
  }

  /** Keep an index that is only ever added to (a user who never lists tokens) from growing for ever. */
  private maybeReap(userId: number, size: number, now: number): void {
    if (size <= REAP_ABOVE || size % REAP_EVERY !== 1) return;
    this.ctx.background(() => this.ctx.io.op('tokens.index.reap', (op) => this.resolve(op, userId, now, 'list', new Set())));
  }
}

import { slotTagOfTokenId, slotTagOfUser } from '@authmount/core';

/**
 * The key layout. Every key starts with the configurable prefix; the part in braces is the Redis Cluster
 * hash tag, which decides the slot. Rules that keep every multi-key script inside one slot:
 *
 * - Tokens: `{t<tag>}` where tag = slotTagOfTokenId(id). A user's tokens are issued with the user's tag
 *   (slotTagOfUser), so a token, its owner's index and the owner's other tokens share one slot:
 *     <prefix>{t<tag>}:tok:<id>                 hash (see codec.ts)
 *     <prefix>{t<tag>}:user:<userId>:tokens     zset of "<id>:<generation>" scored by createdAt
 *   A token upgraded from an app session (random tag) to a user lives in another slot than that user's
 *   index; tokens.ts handles that case with an ordered, generation-checked protocol.
 *
 * - The user directory shares ONE tag, `{u}`: registration must check login AND e-mail uniqueness and
 *   insert atomically, and those index keys hash anywhere, so they need a common slot. The cost is that
 *   all users live on one cluster node; user operations are rare next to token checks (which spread over
 *   1024 tags), and a user record is small.
 *     <prefix>{u}:seq                 INCR counter for user ids
 *     <prefix>{u}:user:<id>           hash
 *     <prefix>{u}:login:<lowercased>  "<id>|<expiresAt or empty>"
 *     <prefix>{u}:email:<lowercased>  same
 *
 * - Codes are single-key operations: no tag needed (a caller key that happens to contain braces only
 *   changes which slot it lands in).
 * - OAuth clients: ONE hash, every operation a single-key command (clients.ts), so no tag is needed.
 *     <prefix>oauth:clients           hash of clientId → the record as JSON
 *
 * - Counters share ONE tag, `{c}`: a budget reservation checks and counts several keys (an account, an
 *   address, the pair) in one atomic script, and those keys hash anywhere. Nonces are counters too. The cost
 *   is that counters live on one cluster node; they are touched by credential checks and signed session
 *   creation, never by the per-request token check.
 *     <prefix>{c}:ctr:<key>           count|resetAt
 *
 * The prefix itself must not contain braces, or it would capture the hash tag.
 */
export class Keys {
  constructor(readonly prefix: string) {
    if (/[{}]/.test(prefix)) throw new TypeError('redisStore: the key prefix must not contain "{" or "}" (Cluster hash tags)');
  }

  token(id: string): string {
    return `${this.prefix}{t${slotTagOfTokenId(id)}}:tok:${id}`;
  }

  userTokens(userId: number): string {
    return `${this.prefix}{t${slotTagOfUser(userId)}}:user:${userId}:tokens`;
  }

  userSeq(): string {
    return `${this.prefix}{u}:seq`;
  }

  user(id: number): string {
    return `${this.prefix}{u}:user:${id}`;
  }

  /** Index key of a lowercased login; `null` maps to a placeholder in the same slot that scripts never touch. */
  login(lowered: string | null): string {
    return lowered === null ? `${this.prefix}{u}:-` : `${this.prefix}{u}:login:${lowered}`;
  }

  email(lowered: string | null): string {
    return lowered === null ? `${this.prefix}{u}:-` : `${this.prefix}{u}:email:${lowered}`;
  }

  code(key: string): string {
    return `${this.prefix}code:${key}`;
  }

  clients(): string {
    return `${this.prefix}oauth:clients`;
  }

  counter(key: string): string {
    return `${this.prefix}{c}:ctr:${key}`;
  }
}

/** Index member of a token: its id and the generation under which it belongs to the indexed user. */
export function member(id: string, generation: string): string {
  return `${id}:${generation}`;
}

export function parseMember(m: string): { id: string; gen: string } {
  const i = m.indexOf(':');
  return i < 0 ? { id: m, gen: '0' } : { id: m.slice(0, i), gen: m.slice(i + 1) };
}

/** Escape glob metacharacters so SCAN MATCH treats the prefix literally. */
export function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

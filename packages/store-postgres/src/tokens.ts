import type { AuthenticateResult, TokenFilter, TokenKind, TokenPatch, TokenRecord, TokenStore } from '@authmount/core';
import type { Db, Param, Row } from './db';
import type { Names } from './names';

/** Token ids as core makes them: a decimal safe integer without leading zeros. Anything else cannot exist. */
const ID_RE = /^[1-9][0-9]{0,15}$/;
const validId = (id: string) => typeof id === 'string' && ID_RE.test(id) && Number.isSafeInteger(Number(id));

/**
 * The secret hash as the column stores it: the 32 raw bytes of a canonical base64url SHA-256 digest (43
 * characters). A string that does not decode to 32 bytes and back to itself (a last character that only
 * differs in padding bits, say) is not a digest core made: it matches nothing.
 */
function digestBytes(hash: string): Buffer | null {
  // 43 base64url characters carry 258 bits; the last one's two low bits are padding and must be zero.
  if (typeof hash !== 'string' || !CANONICAL_DIGEST.test(hash)) return null;
  return Buffer.from(hash, 'base64url');
}
const CANONICAL_DIGEST = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const NO_MATCH = Buffer.alloc(0);

const COLS =
  'id, user_id, created_at, expires_at, max_expires_at, idle_ttl, idle_expires_at, last_used_at, secret_hash, kind, issuer, app_id, device, scopes, data';
/** authenticate's columns: all but the secret hash (it equals the caller's whenever a record is returned). */
const HOT_COLS = COLS.replace(' secret_hash,', '');
const colsOf = (alias: string, cols = COLS) =>
  cols
    .split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');

export function toToken(r: Row): TokenRecord {
  return {
    id: r.id as string,
    secretHash: (r.secret_hash as Buffer).toString('base64url'),
    userId: r.user_id === null ? null : Number(r.user_id),
    kind: r.kind as TokenKind,
    issuer: r.issuer as string,
    appId: r.app_id as string | null,
    device: r.device as string,
    scopes: r.scopes as string[],
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    maxExpiresAt: Number(r.max_expires_at),
    idleTtl: Number(r.idle_ttl),
    idleExpiresAt: Number(r.idle_expires_at),
    lastUsedAt: Number(r.last_used_at),
    data: r.data as TokenRecord['data'],
  };
}

/**
 * authenticate's record: HOT_COLS packed into ONE json array (id as text, the epoch-ms times as JSON
 * numbers: exact below 2^53). node-postgres then runs one JSON.parse instead of a type parser per column,
 * which is most of what a 14-column row costs in the process on every request.
 */
const packed = (a: string) =>
  `json_build_array(${HOT_COLS.split(', ')
    .map((c) => (c === 'id' ? `${a}.id::text` : `${a}.${c}`))
    .join(', ')})`;

function fromPacked(p: unknown[], secretHash: string): TokenRecord {
  return {
    id: p[0] as string,
    secretHash,
    userId: p[1] as number | null,
    kind: p[8] as TokenKind,
    issuer: p[9] as string,
    appId: p[10] as string | null,
    device: p[11] as string,
    scopes: p[12] as string[],
    createdAt: p[2] as number,
    expiresAt: p[3] as number,
    maxExpiresAt: p[4] as number,
    idleTtl: p[5] as number,
    idleExpiresAt: p[6] as number,
    lastUsedAt: p[7] as number,
    data: p[13] as TokenRecord['data'],
  };
}

/** The TokenFilter as SQL over a row alias; $4 issuers, $5 kinds (NULL = any), $6 scopes (all required). */
const filterSql = (a: string) =>
  `(($4::text[] IS NULL OR ${a}.issuer = ANY ($4::text[])) AND ($5::text[] IS NULL OR ${a}.kind = ANY ($5::text[])) AND ${a}.scopes @> $6::text[])`;
const liveSql = (a: string, now: string) => `(${now} < ${a}.expires_at AND ${now} < ${a}.idle_expires_at)`;

export class PostgresTokenStore implements TokenStore {
  private readonly sql: { authenticate: string; create: string; peek: string; delete: string; list: string; deleteByUser: string };
  /** Where the idle-expiry walk of the sweep goes on from (a token id; 0 = from the start). */
  private walkFrom = '0';

  constructor(
    private readonly db: Db,
    private readonly n: Names,
  ) {
    const t = n.tokens;
    this.sql = {
      /*
       * THE hot path: one statement, one round trip. `cur` reads the row and compares the secret; `upd`
       * slides it only when the secret matches, the row is live and the filter accepts it, all re-checked
       * on the row version it locks (a concurrent update or delete is seen). The final SELECT tells the
       * outcomes apart: the slid row, or the unchanged row with why it was not slid, or no row (unknown).
       *
       * The secret check compares SHA-256 digests of the two hashes rather than the hashes themselves:
       * PostgreSQL's bytea equality stops at the first differing byte, and over digests that early exit
       * tells a guesser nothing about the stored hash (the double-hashing form of a constant-time compare).
       */
      authenticate: `WITH cur AS (
  SELECT t.*, sha256(t.secret_hash) = sha256($2::bytea) AS secret_ok FROM ${t} t WHERE t.id = $1::bigint
), upd AS (
  UPDATE ${t} t SET last_used_at = $3::bigint, idle_expires_at = LEAST($3::bigint + t.idle_ttl, t.expires_at)
    FROM cur
   WHERE t.id = cur.id AND cur.secret_ok AND ${liveSql('t', '$3::bigint')} AND ${filterSql('t')}
  RETURNING ${colsOf('t', HOT_COLS)}
)
SELECT 'ok' AS status, ${packed('upd')} FROM upd
UNION ALL
SELECT CASE WHEN NOT ${liveSql('c', '$3::bigint')} THEN 'expired'
            WHEN NOT c.secret_ok THEN 'mismatch'
            WHEN NOT ${filterSql('c')} THEN 'refused'
            ELSE 'unknown' END,
       ${packed('c')}
  FROM cur c WHERE NOT EXISTS (SELECT 1 FROM upd)`,
      create: `INSERT INTO ${t} (${COLS}) VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8, $9::bytea, $10, $11, $12, $13, $14::text[], $15::jsonb)
ON CONFLICT (id) DO NOTHING`,
      peek: `SELECT ${COLS} FROM ${t} t WHERE t.id = $1::bigint AND ${liveSql('t', '$2::bigint')}`,
      delete: `DELETE FROM ${t} WHERE id = $1::bigint`,
      list: `SELECT ${COLS} FROM ${t} t WHERE t.user_id = $1::bigint AND ${liveSql('t', '$2::bigint')} ORDER BY t.created_at, t.id::text COLLATE "C"`,
      deleteByUser: `WITH d AS (
  DELETE FROM ${t} t WHERE t.user_id = $1::bigint AND t.id <> ALL ($2::bigint[]) RETURNING t.expires_at, t.idle_expires_at
) SELECT (count(*) FILTER (WHERE ${liveSql('d', '$3::bigint')}))::integer AS n FROM d`,
    };
  }

  async create(r: TokenRecord): Promise<boolean> {
    if (!validId(r.id)) throw new TypeError('postgres tokens.create: the id must be a decimal safe integer (as core makes them)');
    const hash = digestBytes(r.secretHash);
    if (!hash) throw new TypeError('postgres tokens.create: secretHash must be a base64url SHA-256 digest (as core makes them)');
    const values: Param[] = [
      r.id,
      r.userId,
      r.createdAt,
      r.expiresAt,
      r.maxExpiresAt,
      r.idleTtl,
      r.idleExpiresAt,
      r.lastUsedAt,
      hash,
      r.kind,
      r.issuer,
      r.appId,
      r.device,
      r.scopes,
      JSON.stringify(r.data),
    ];
    const res = await this.db.query('tokens.create', this.sql.create, values);
    return res.rowCount === 1;
  }

  async authenticate(id: string, secretHash: string, now: number, filter?: TokenFilter): Promise<AuthenticateResult> {
    if (!validId(id)) return { ok: false, reason: 'unknown' };
    const values: Param[] = [
      id,
      digestBytes(secretHash) ?? NO_MATCH,
      now,
      filter?.issuers ?? null,
      filter?.kinds ?? null,
      filter?.scopes ?? [],
    ];
    // One row as an array: [status, the packed record].
    const rows = await this.db.queryRows('tokens.authenticate', this.sql.authenticate, values);
    if (rows.length === 0) return { ok: false, reason: 'unknown' };
    const r = rows[0];
    const status = r[0];
    switch (status) {
      // Both outcomes passed `secret_ok`: the stored hash equals the one given (their SHA-256 digests are
      // equal), so the record carries the caller's string instead of the stored bytes re-encoded.
      case 'ok':
        return { ok: true, record: fromPacked(r[1] as unknown[], secretHash) };
      case 'refused':
        return { ok: false, reason: 'refused', record: fromPacked(r[1] as unknown[], secretHash) };
      case 'expired':
      case 'mismatch':
        return { ok: false, reason: status };
      default:
        // Passed every check on the snapshot yet was not slid: deleted or changed concurrently.
        return { ok: false, reason: 'unknown' };
    }
  }

  async peek(id: string, now: number): Promise<TokenRecord | null> {
    if (!validId(id)) return null;
    const rows = (await this.db.query('tokens.peek', this.sql.peek, [id, now])).rows;
    return rows.length ? toToken(rows[0]) : null;
  }

  async update(id: string, patch: TokenPatch, now: number): Promise<TokenRecord | null> {
    if (!validId(id)) return null;
    const values: Param[] = [id, now];
    const p = (v: Param) => `$${values.push(v)}`;
    const sets: string[] = [];
    if (patch.userId !== undefined) sets.push(`user_id = ${p(patch.userId)}::bigint`);
    if (patch.kind !== undefined) sets.push(`kind = ${p(patch.kind)}::text`);
    if (patch.scopes !== undefined) sets.push(`scopes = ${p(patch.scopes)}::text[]`);
    if (patch.device !== undefined) sets.push(`device = ${p(patch.device)}::text`);
    if (patch.data !== undefined) sets.push(`data = ${p(JSON.stringify(patch.data))}::jsonb`);
    // The ceiling: no patch moves the absolute expiry past max_expires_at.
    const expires = patch.expiresAt !== undefined ? `LEAST(${p(patch.expiresAt)}::bigint, t.max_expires_at)` : 't.expires_at';
    if (patch.expiresAt !== undefined) sets.push(`expires_at = ${expires}`);
    const idleTtl = patch.idleTtl !== undefined ? `${p(patch.idleTtl)}::bigint` : 't.idle_ttl';
    if (patch.idleTtl !== undefined) sets.push(`idle_ttl = ${idleTtl}`);
    const idle = patch.slide ? `$2::bigint + ${idleTtl}` : 't.idle_expires_at';
    // (SET expressions all read the row as it was, so the new expiry is spelled out again here.)
    sets.push(`idle_expires_at = LEAST(${idle}, ${expires})`);
    const text = `UPDATE ${this.n.tokens} t SET ${sets.join(', ')} WHERE t.id = $1::bigint AND ${liveSql('t', '$2::bigint')} RETURNING ${colsOf('t')}`;
    const rows = (await this.db.query('tokens.update', text, values, false)).rows;
    return rows.length ? toToken(rows[0]) : null;
  }

  async delete(id: string): Promise<boolean> {
    if (!validId(id)) return false;
    return ((await this.db.query('tokens.delete', this.sql.delete, [id])).rowCount ?? 0) > 0;
  }

  async listByUser(userId: number, now: number): Promise<TokenRecord[]> {
    if (!Number.isSafeInteger(userId)) return [];
    return (await this.db.query('tokens.list', this.sql.list, [userId, now])).rows.map(toToken);
  }

  async deleteByUser(userId: number, exceptIds: readonly string[], now: number): Promise<number> {
    if (!Number.isSafeInteger(userId)) return 0;
    const keep = exceptIds.filter(validId);
    const rows = (await this.db.query('tokens.deleteByUser', this.sql.deleteByUser, [userId, keep, now])).rows;
    return Number(rows[0].n);
  }

  /**
   * Reclaim dead tokens, at most `limit` rows per statement: the absolutely expired through their index,
   * and the idle-expired by walking the primary key `limit` ids further on each call (no index follows
   * idle expiry, which changes on every request: see the schema). Never a full scan in one go.
   */
  async sweep(now: number, limit: number): Promise<number> {
    const t = this.n.tokens;
    const abs = await this.db.query(
      'tokens.sweep',
      `DELETE FROM ${t} WHERE id IN (SELECT id FROM ${t} WHERE expires_at <= $1::bigint ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [now, limit],
    );
    const walk = await this.db.query<{ last: string | null; n: number }>(
      'tokens.sweep_walk',
      `WITH page AS (SELECT id FROM ${t} WHERE id > $1::bigint ORDER BY id LIMIT $2),
del AS (DELETE FROM ${t} t USING page WHERE t.id = page.id AND LEAST(t.expires_at, t.idle_expires_at) <= $3::bigint RETURNING 1)
SELECT (SELECT max(id) FROM page)::text AS last, (SELECT count(*) FROM del)::integer AS n`,
      [this.walkFrom, limit, now],
    );
    this.walkFrom = walk.rows[0].last ?? '0';
    return (abs.rowCount ?? 0) + walk.rows[0].n;
  }
}

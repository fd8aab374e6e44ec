import type { Clock } from './clock';
import { constantTimeEqual, hashSecret } from './crypto';
import { AuthError } from './errors';
import type { AuthEvents } from './events';
import { assertStorable } from './storable';
import type { AuthenticateResult, TokenData, TokenKind, TokenPatch, TokenRecord, TokenStore } from './store';
import { formatToken, newSecret, newTokenId, parseToken, type ParsedToken } from './token-format';
import {
  checkRequirements,
  DEFAULT_ISSUER,
  DEFAULT_SCOPES,
  DEFAULT_TOKEN_POLICY,
  isTokenId,
  issuerAccepted,
  type RequireOptions,
  type TokenPolicy,
} from './token-rules';

/** What callers see of a token: everything but the secret's hash. */
export type TokenInfo = Omit<TokenRecord, 'secretHash'>;

export interface IssueOptions {
  userId: number | null;
  kind?: TokenKind | undefined;
  /** Who issues the token (see TokenRecord.issuer). Default `authmount`. */
  issuer?: string | undefined;
  appId?: string | null | undefined;
  device?: string | undefined;
  scopes?: readonly string[] | undefined;
  /** ms; default from the policy, capped at policy.maxTtl. */
  absoluteTtl?: number | undefined;
  /** ms; default from the policy; the idle expiry never passes the absolute one. */
  idleTtl?: number | undefined;
  /**
   * ms: the ceiling. No later operation (extend, upgrade, slide) moves the expiry past createdAt + this.
   * Default policy.maxTtl; never less than the absolute lifetime, never more than policy.maxTtl.
   */
  maxLifetime?: number | undefined;
  data?: TokenData | undefined;
}

export interface Issued {
  /** The bearer credential. Hand it to the client once; it is not recoverable from the store. */
  token: string;
  info: TokenInfo;
}

const MAX_DEVICE = 256;
const MAX_DATA_BYTES = 2048;
const MAX_ID_ATTEMPTS = 5;

/**
 * The record without its hash. Field by field rather than a rest spread: this runs on every request, and
 * a literal builds one object of a fixed shape (a spread copies through a slow generic path). A field added
 * to TokenRecord fails to compile here until it is listed, so nothing is dropped silently.
 */
function info(r: TokenRecord): TokenInfo {
  return {
    id: r.id,
    userId: r.userId,
    kind: r.kind,
    issuer: r.issuer,
    appId: r.appId,
    device: r.device,
    scopes: r.scopes,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    maxExpiresAt: r.maxExpiresAt,
    idleTtl: r.idleTtl,
    idleExpiresAt: r.idleExpiresAt,
    lastUsedAt: r.lastUsedAt,
    data: r.data,
  };
}

function checkTtl(name: string, v: number | undefined, fallback: number, max: number): number {
  if (v === undefined) return Math.min(fallback, max);
  // Number.isFinite does not coerce: it is false for anything that is not a finite number ('60000' included).
  if (!Number.isFinite(v) || v <= 0) {
    throw new AuthError('invalid_request', `${name} must be a positive number of milliseconds.`);
  }
  return Math.min(Math.floor(v), max);
}

function checkData(data: TokenData | undefined): TokenData {
  if (data === undefined) return {};
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_DATA_BYTES) {
    throw new AuthError('invalid_request', `token data must stay under ${MAX_DATA_BYTES} bytes.`);
  }
  assertStorable('token data', data);
  return { ...data };
}

/** A label to show in token lists: control characters (NUL, escape sequences, line breaks) are dropped. */
function cleanDevice(device: unknown): string {
  return typeof device === 'string' ? device.replace(/\p{Cc}/gu, '').slice(0, MAX_DEVICE) : '';
}

/**
 * Opaque token lifecycle on top of a TokenStore. Every method that takes a token string validates its
 * format before touching the store, so garbage input costs no store round trip. Built by createAuthCore on
 * the fail-closed store (failClosed): a store failure reaches callers as `store_unavailable`.
 */
export class TokenService {
  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
    private readonly events: AuthEvents,
    readonly policy: TokenPolicy = DEFAULT_TOKEN_POLICY,
  ) {}

  async issue(opts: IssueOptions): Promise<Issued> {
    const now = this.clock();
    const kind: TokenKind = opts.kind ?? (opts.userId === null ? 'app' : 'user');
    if (kind !== 'app' && opts.userId === null) {
      throw new AuthError('invalid_request', `a ${kind} token needs a user.`);
    }
    const absoluteTtl = checkTtl('absoluteTtl', opts.absoluteTtl, this.policy.absoluteTtl, this.policy.maxTtl);
    const idleTtl = checkTtl('idleTtl', opts.idleTtl, this.policy.idleTtl, this.policy.maxTtl);
    const maxLifetime = Math.max(absoluteTtl, checkTtl('maxLifetime', opts.maxLifetime, this.policy.maxTtl, this.policy.maxTtl));
    const secret = newSecret();
    const expiresAt = now + absoluteTtl;
    const base = {
      secretHash: hashSecret(secret),
      userId: opts.userId,
      kind,
      issuer: opts.issuer ?? DEFAULT_ISSUER,
      appId: opts.appId ?? null,
      device: cleanDevice(opts.device),
      scopes: [...(opts.scopes ?? DEFAULT_SCOPES[kind])],
      createdAt: now,
      expiresAt,
      maxExpiresAt: now + maxLifetime,
      idleTtl,
      idleExpiresAt: Math.min(now + idleTtl, expiresAt),
      lastUsedAt: now,
      data: checkData(opts.data),
    };
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
      const record: TokenRecord = { id: newTokenId(opts.userId), ...base };
      if (await this.store.create(record)) {
        this.events.emit('token.issued', { tokenId: record.id, userId: record.userId, kind, appId: record.appId }, now);
        return { token: formatToken(record.id, secret), info: info(record) };
      }
    }
    // 5 collisions in a 43-bit space means something is badly wrong with the store, not bad luck.
    throw new AuthError('store_unavailable', 'could not allocate a token id');
  }

  /**
   * Validate, check `require` and slide, in one store call: a token `require` refuses is not slid.
   * Throws token_missing / token_invalid (also for an issuer not accepted here) / token_expired / forbidden_*.
   */
  authenticate(token: unknown, require?: RequireOptions): Promise<TokenInfo> {
    // Not an async function, and no await: the per-request path builds one promise chain (the store's
    // promise and one .then), not an async frame around it. Every failure still arrives as a rejection:
    // the fail-closed store turns its own failures, synchronous ones included, into store_unavailable.
    let parsed: ParsedToken;
    const now = this.clock();
    try {
      parsed = this.parse(token);
    } catch (e) {
      return Promise.reject(e);
    }
    const secretHash = hashSecret(parsed.secret); // hashed once: this is the per-request hot path
    // RequireOptions is a TokenFilter: the store checks it before sliding.
    return this.store
      .authenticate(parsed.id, secretHash, now, require)
      .then((result) => this.accept(parsed.id, secretHash, now, result, require));
  }

  /** The second half of authenticate: the store's answer to a TokenInfo, or the AuthError it means. */
  private accept(id: string, secretHash: string, now: number, result: AuthenticateResult, require: RequireOptions | undefined): TokenInfo {
    if (!result.ok) {
      // Refused by kind or scope: say which (403). By issuer: answered like an unknown token (401).
      if (result.reason === 'refused' && issuerAccepted(result.record, require)) checkRequirements(result.record, require);
      return this.reject(id, result.reason === 'refused' ? 'foreign' : result.reason, now);
    }
    // Defence in depth: a third-party store that forgot to compare (or to filter) still cannot let a wrong
    // secret, or another issuer's token, through.
    const record = result.record;
    if (!constantTimeEqual(record.secretHash, secretHash)) return this.reject(id, 'mismatch', now);
    if (!issuerAccepted(record, require)) return this.reject(id, 'foreign', now);
    checkRequirements(record, require);
    if (this.events.listens('token.authenticated')) {
      this.events.emit('token.authenticated', { tokenId: record.id, userId: record.userId, kind: record.kind }, now);
    }
    return info(record);
  }

  /** Validate without sliding (for "check my token" endpoints that must not count as use). */
  async peek(token: unknown, require?: RequireOptions): Promise<TokenInfo> {
    const parsed = this.parse(token);
    const now = this.clock();
    const record = await this.store.peek(parsed.id, now);
    if (!record) return this.reject(parsed.id, 'unknown', now);
    if (!constantTimeEqual(record.secretHash, hashSecret(parsed.secret))) return this.reject(parsed.id, 'mismatch', now);
    if (!issuerAccepted(record, require)) return this.reject(parsed.id, 'foreign', now);
    checkRequirements(record, require);
    return info(record);
  }

  /** Read a live token by its public id (for owners managing their tokens). Null when gone. */
  async get(id: string): Promise<TokenInfo | null> {
    if (!isTokenId(id)) return null;
    const record = await this.store.peek(id, this.clock());
    return record ? info(record) : null;
  }

  /**
   * Give a token a new absolute and/or idle lifetime counted from now, and slide its idle expiry.
   * With neither option it re-applies the token's own idle window (a plain "touch").
   */
  async extend(id: string, opts: { absoluteTtl?: number; idleTtl?: number } = {}): Promise<TokenInfo> {
    const now = this.clock();
    const patch: TokenPatch = { slide: true };
    if (opts.absoluteTtl !== undefined) {
      patch.expiresAt = now + checkTtl('absoluteTtl', opts.absoluteTtl, 0, this.policy.maxTtl);
    }
    if (opts.idleTtl !== undefined) patch.idleTtl = checkTtl('idleTtl', opts.idleTtl, 0, this.policy.maxTtl);
    const record = await this.update(id, patch, now);
    this.events.emit('token.extended', { tokenId: id, expiresAt: record.expiresAt }, now);
    return record;
  }

  /** Attach a user to a token (e.g. CB login on an app session). The token string stays the same. */
  async upgrade(id: string, userId: number, opts: { kind?: TokenKind; scopes?: readonly string[] } = {}): Promise<TokenInfo> {
    const now = this.clock();
    const kind = opts.kind ?? 'user';
    const record = await this.update(id, { userId, kind, scopes: [...(opts.scopes ?? DEFAULT_SCOPES[kind])] }, now);
    this.events.emit('token.upgraded', { tokenId: id, userId }, now);
    return record;
  }

  /** Detach the user: the token becomes an app session again. */
  async downgrade(id: string, opts: { scopes?: readonly string[] } = {}): Promise<TokenInfo> {
    const now = this.clock();
    const record = await this.update(id, { userId: null, kind: 'app', scopes: [...(opts.scopes ?? DEFAULT_SCOPES.app)] }, now);
    this.events.emit('token.downgraded', { tokenId: id }, now);
    return record;
  }

  /** Replace a token's protocol data bag. */
  async setData(id: string, data: TokenData): Promise<TokenInfo> {
    return this.update(id, { data: checkData(data) }, this.clock());
  }

  /** Revoke by public id. Resolves true iff the token existed. */
  async revoke(id: string, reason = 'revoked'): Promise<boolean> {
    if (!isTokenId(id)) return false;
    const deleted = await this.store.delete(id);
    if (deleted) this.events.emit('token.revoked', { tokenId: id, userId: null, reason }, this.clock());
    return deleted;
  }

  /**
   * Logout: revoke the presented token after checking its secret (so an id alone cannot log anyone out) and
   * `require` (an entry point revokes only the tokens it accepts; a refused one is left untouched).
   */
  async revokeToken(token: unknown, reason = 'logout', require?: RequireOptions): Promise<TokenInfo> {
    const current = await this.peek(token, require);
    await this.store.delete(current.id);
    this.events.emit('token.revoked', { tokenId: current.id, userId: current.userId, reason }, this.clock());
    return current;
  }

  /** A user's live tokens, oldest first. */
  async list(userId: number): Promise<TokenInfo[]> {
    const records = await this.store.listByUser(userId, this.clock());
    return records.map(info);
  }

  /** Revoke all of a user's tokens but `except`. Resolves how many were revoked. */
  async revokeAll(userId: number, opts: { except?: readonly string[]; reason?: string } = {}): Promise<number> {
    // Stryker disable next-line ArrayDeclaration: equivalent, a token id is digits only, so an invented entry excepts nothing
    const n = await this.store.deleteByUser(userId, opts.except ?? [], this.clock());
    if (n > 0) this.events.emit('token.revoked', { tokenId: '*', userId, reason: opts.reason ?? 'revoke_all' }, this.clock());
    return n;
  }

  private parse(token: unknown): { id: string; secret: string } {
    if (token === undefined || token === null || token === '') throw new AuthError('token_missing');
    const parsed = parseToken(token);
    if (!parsed) {
      this.events.emit('token.rejected', { reason: 'malformed' }, this.clock());
      throw new AuthError('token_invalid');
    }
    return parsed;
  }

  private reject(tokenId: string, reason: 'unknown' | 'expired' | 'mismatch' | 'foreign', now: number): never {
    this.events.emit('token.rejected', { tokenId, reason }, now);
    throw new AuthError(reason === 'expired' ? 'token_expired' : 'token_invalid');
  }

  private async update(id: string, patch: TokenPatch, now: number): Promise<TokenInfo> {
    if (!isTokenId(id)) throw new AuthError('token_invalid');
    const record = await this.store.update(id, patch, now);
    if (!record) throw new AuthError('token_invalid');
    return info(record);
  }
}

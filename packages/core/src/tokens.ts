import type { Clock } from './clock';
import { DAY } from './clock';
import { AuthError, toStoreError } from './errors';
import type { AuthEvents } from './events';
import type { AuthenticateResult, TokenData, TokenKind, TokenPatch, TokenRecord, TokenStore } from './store';
import { formatToken, hashSecret, newSecret, newTokenId, parseToken, sameHash } from './token-format';

/** What callers see of a token: everything but the secret's hash. */
export type TokenInfo = Omit<TokenRecord, 'secretHash'>;

export interface TokenPolicy {
  /** Absolute lifetime of new tokens, ms. Default 7 days. */
  absoluteTtl: number;
  /** Inactivity window of new tokens, ms. Default 24 hours. */
  idleTtl: number;
  /** Longest absolute lifetime any caller may ask for, ms. Default 730 days (pCloud's maximum). */
  maxTtl: number;
}

export const DEFAULT_TOKEN_POLICY: TokenPolicy = { absoluteTtl: 7 * DAY, idleTtl: DAY, maxTtl: 730 * DAY };

export interface IssueOptions {
  userId: number | null;
  kind?: TokenKind;
  appId?: string | null;
  device?: string;
  scopes?: readonly string[];
  /** ms; default from the policy, capped at policy.maxTtl. */
  absoluteTtl?: number;
  /** ms; default from the policy; the idle expiry never passes the absolute one. */
  idleTtl?: number;
  data?: TokenData;
}

export interface Issued {
  /** The bearer credential. Hand it to the client once; it is not recoverable from the store. */
  token: string;
  info: TokenInfo;
}

export interface RequireOptions {
  /** Every listed scope must be on the token. */
  scopes?: readonly string[];
  /** The token's kind must be one of these. */
  kinds?: readonly TokenKind[];
}

const MAX_DEVICE = 256;
const MAX_DATA_BYTES = 2048;
const MAX_ID_ATTEMPTS = 5;
const DEFAULT_SCOPES: Readonly<Record<TokenKind, readonly string[]>> = {
  user: ['read', 'write'],
  guest: ['read', 'write'],
  app: ['read'],
};

function info(record: TokenRecord): TokenInfo {
  const { secretHash: _omit, ...rest } = record;
  return rest;
}

function checkTtl(name: string, v: number | undefined, fallback: number, max: number): number {
  if (v === undefined) return Math.min(fallback, max);
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new AuthError('invalid_request', `${name} must be a positive number of milliseconds.`);
  }
  return Math.min(Math.floor(v), max);
}

function checkData(data: TokenData | undefined): TokenData {
  if (data === undefined) return {};
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_DATA_BYTES) {
    throw new AuthError('invalid_request', `token data must stay under ${MAX_DATA_BYTES} bytes.`);
  }
  return { ...data };
}

function cleanDevice(device: unknown): string {
  return typeof device === 'string' ? device.slice(0, MAX_DEVICE) : '';
}

/**
 * Opaque token lifecycle on top of a TokenStore. Every method that takes a token string validates its
 * format before touching the store, so garbage input costs no store round trip.
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
    const secret = newSecret();
    const expiresAt = now + absoluteTtl;
    const base = {
      secretHash: hashSecret(secret),
      userId: opts.userId,
      kind,
      appId: opts.appId ?? null,
      device: cleanDevice(opts.device),
      scopes: [...(opts.scopes ?? DEFAULT_SCOPES[kind])],
      createdAt: now,
      expiresAt,
      idleTtl,
      idleExpiresAt: Math.min(now + idleTtl, expiresAt),
      lastUsedAt: now,
      data: checkData(opts.data),
    };
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
      const record: TokenRecord = { id: newTokenId(opts.userId), ...base };
      if (await this.call(() => this.store.create(record))) {
        this.events.emit('token.issued', { tokenId: record.id, userId: record.userId, kind, appId: record.appId }, now);
        return { token: formatToken(record.id, secret), info: info(record) };
      }
    }
    // 5 collisions in a 43-bit space means something is badly wrong with the store, not bad luck.
    throw new AuthError('store_unavailable', 'could not allocate a token id');
  }

  /** Validate and slide in one store call. Throws token_missing / token_invalid / token_expired / forbidden_*. */
  async authenticate(token: unknown, require?: RequireOptions): Promise<TokenInfo> {
    const parsed = this.parse(token);
    const now = this.clock();
    const secretHash = hashSecret(parsed.secret); // hashed once: this is the per-request hot path
    let result: AuthenticateResult;
    try {
      // Awaited directly rather than through call(): one closure and one promise fewer per request.
      result = await this.store.authenticate(parsed.id, secretHash, now);
    } catch (e) {
      throw toStoreError(e);
    }
    if (!result.ok) return this.reject(parsed.id, result.reason, now);
    // Defence in depth: a third-party store that forgot to compare still cannot let a wrong secret through.
    if (!sameHash(result.record.secretHash, secretHash)) return this.reject(parsed.id, 'mismatch', now);
    const record = result.record;
    checkRequirements(record, require);
    this.events.emit('token.authenticated', { tokenId: record.id, userId: record.userId, kind: record.kind }, now);
    return info(record);
  }

  /** Validate without sliding (for "check my token" endpoints that must not count as use). */
  async peek(token: unknown): Promise<TokenInfo> {
    const parsed = this.parse(token);
    const now = this.clock();
    const record = await this.call(() => this.store.peek(parsed.id, now));
    if (!record) return this.reject(parsed.id, 'unknown', now);
    if (!sameHash(record.secretHash, hashSecret(parsed.secret))) return this.reject(parsed.id, 'mismatch', now);
    return info(record);
  }

  /** Read a live token by its public id (for owners managing their tokens). Null when gone. */
  async get(id: string): Promise<TokenInfo | null> {
    if (!isTokenId(id)) return null;
    const record = await this.call(() => this.store.peek(id, this.clock()));
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
    const deleted = await this.call(() => this.store.delete(id));
    if (deleted) this.events.emit('token.revoked', { tokenId: id, userId: null, reason }, this.clock());
    return deleted;
  }

  /** Logout: revoke the presented token after checking its secret (so an id alone cannot log anyone out). */
  async revokeToken(token: unknown, reason = 'logout'): Promise<TokenInfo> {
    const current = await this.peek(token);
    await this.call(() => this.store.delete(current.id));
    this.events.emit('token.revoked', { tokenId: current.id, userId: current.userId, reason }, this.clock());
    return current;
  }

  /** A user's live tokens, oldest first. */
  async list(userId: number): Promise<TokenInfo[]> {
    const records = await this.call(() => this.store.listByUser(userId, this.clock()));
    return records.map(info);
  }

  /** Revoke all of a user's tokens but `except`. Resolves how many were revoked. */
  async revokeAll(userId: number, opts: { except?: readonly string[]; reason?: string } = {}): Promise<number> {
    const n = await this.call(() => this.store.deleteByUser(userId, opts.except ?? [], this.clock()));
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

  private reject(tokenId: string, reason: 'unknown' | 'expired' | 'mismatch', now: number): never {
    this.events.emit('token.rejected', { tokenId, reason }, now);
    throw new AuthError(reason === 'expired' ? 'token_expired' : 'token_invalid');
  }

  private async update(id: string, patch: TokenPatch, now: number): Promise<TokenInfo> {
    if (!isTokenId(id)) throw new AuthError('token_invalid');
    const record = await this.call(() => this.store.update(id, patch, now));
    if (!record) throw new AuthError('token_invalid');
    return info(record);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toStoreError(e);
    }
  }
}

export function isTokenId(id: unknown): id is string {
  return typeof id === 'string' && /^[1-9][0-9]{0,15}$/.test(id) && Number.isSafeInteger(Number(id));
}

/** Scope and kind checks shared by every guard. */
export function checkRequirements(t: Pick<TokenRecord, 'scopes' | 'kind'>, require?: RequireOptions): void {
  if (!require) return;
  if (require.kinds && !require.kinds.includes(t.kind)) {
    throw new AuthError('forbidden_kind', undefined, { kind: t.kind, allowed: require.kinds });
  }
  if (require.scopes) {
    for (const s of require.scopes) {
      if (!t.scopes.includes(s)) throw new AuthError('forbidden_scope', undefined, { missing: s });
    }
  }
}

import { EventEmitter } from 'node:events';
import type { TokenKind } from './store';
import type { BudgetName } from './throttle';

/**
 * Audit events for every authentication operation (ASVS 16.3.1). Payloads carry public handles only
 * (user id, token id, kind, reason, ip) and never a token secret, a password or a code.
 */
export interface AuthEventMap {
  'login.succeeded': { userId: number; ip?: string; method: string };
  'login.failed': { userId?: number; ip?: string; method: string; reason: string };
  /** An abuse budget refused a credential check, a sign-up or a mail; `budget` names which one. */
  'login.throttled': { ip?: string; budget: BudgetName; method: string };
  'token.issued': { tokenId: string; userId: number | null; kind: TokenKind; appId: string | null };
  'token.authenticated': { tokenId: string; userId: number | null; kind: TokenKind };
  'token.rejected': { tokenId?: string; reason: string };
  'token.extended': { tokenId: string; expiresAt: number };
  'token.upgraded': { tokenId: string; userId: number };
  'token.downgraded': { tokenId: string };
  'token.revoked': { tokenId: string; userId: number | null; reason: string };
  'user.registered': { userId: number };
  'user.deleted': { userId: number; tokensRevoked: number };
  'password.changed': { userId: number; tokensRevoked: number };
  'password.rehashed': { userId: number };
  'nonce.replayed': { scope: string };
}

export type AuthEventName = keyof AuthEventMap;
export type AuthEvent<K extends AuthEventName = AuthEventName> = AuthEventMap[K] & { type: K; at: number };

/** A typed EventEmitter. A listener that throws never breaks authentication: the error is swallowed. */
export class AuthEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  on<K extends AuthEventName>(name: K, listener: (event: AuthEvent<K>) => void): () => void {
    const safe = (e: AuthEvent<K>) => {
      try {
        listener(e);
      } catch {
        // An audit listener must not be able to turn a login into a 500.
      }
    };
    this.emitter.on(name, safe);
    return () => this.emitter.off(name, safe);
  }

  /** Subscribe to every event (for loggers and metrics). */
  onAny(listener: (event: AuthEvent) => void): () => void {
    const offs = ALL_EVENTS.map((n) => this.on(n, listener as (e: AuthEvent<typeof n>) => void));
    return () => offs.forEach((off) => off());
  }

  /** Whether anything listens to `name`: lets the per-request path skip even building the payload. */
  listens(name: AuthEventName): boolean {
    return this.emitter.listenerCount(name) > 0;
  }

  emit<K extends AuthEventName>(name: K, payload: AuthEventMap[K], at: number): void {
    // Fast path: authenticate runs on every request; skip building the object when nobody listens.
    if (this.emitter.listenerCount(name) === 0) return;
    this.emitter.emit(name, { type: name, at, ...payload });
  }
}

export const ALL_EVENTS: readonly AuthEventName[] = [
  'login.succeeded',
  'login.failed',
  'login.throttled',
  'token.issued',
  'token.authenticated',
  'token.rejected',
  'token.extended',
  'token.upgraded',
  'token.downgraded',
  'token.revoked',
  'user.registered',
  'user.deleted',
  'password.changed',
  'password.rehashed',
  'nonce.replayed',
];

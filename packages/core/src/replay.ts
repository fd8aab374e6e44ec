import type { Clock } from './clock';
import { AuthError, toStoreError } from './errors';
import type { AuthEvents } from './events';
import type { NonceStore } from './store';
import { sha256Hex } from './token-format';

/**
 * Replay guard: a (scope, nonce) pair is accepted once per window, across every process sharing the store.
 * Keys are hashed so arbitrary client input never becomes a raw store key.
 */
export class ReplayGuard {
  constructor(
    private readonly nonces: NonceStore,
    private readonly clock: Clock,
    private readonly events: AuthEvents,
  ) {}

  /** Resolves when the pair is fresh; throws `replayed_nonce` when it was seen within `ttlMs`. */
  async accept(scope: string, nonce: string, ttlMs: number): Promise<void> {
    let fresh: boolean;
    try {
      fresh = await this.nonces.putIfAbsent(`${scope}:${sha256Hex(nonce)}`, ttlMs, this.clock());
    } catch (e) {
      throw toStoreError(e);
    }
    if (!fresh) {
      this.events.emit('nonce.replayed', { scope }, this.clock());
      throw new AuthError('replayed_nonce');
    }
  }
}

import type { Clock } from './clock';
import { AuthError } from './errors';
import type { AuthEvents } from './events';
import type { CounterStore } from './store';
import { sha256 } from './crypto';

/**
 * Replay guard: a (scope, nonce) pair is accepted once per window, across every process sharing the store.
 * Keys are hashed so arbitrary client input never becomes a raw store key.
 */
export class ReplayGuard {
  constructor(
    private readonly counters: CounterStore,
    private readonly clock: Clock,
    private readonly events: AuthEvents,
  ) {}

  /** Resolves when the pair is fresh; throws `replayed_nonce` when it was seen within `ttlMs`. */
  async accept(scope: string, nonce: string, ttlMs: number): Promise<void> {
    // A nonce is a budget of one per window: of N concurrent uses exactly one gets it.
    const key = `nonce:${scope}:${sha256(nonce, 'hex')}`;
    const { ok: fresh } = await this.counters.reserve([{ key, limit: 1, windowMs: ttlMs }], this.clock());
    if (!fresh) {
      this.events.emit('nonce.replayed', { scope }, this.clock());
      throw new AuthError('replayed_nonce');
    }
  }
}

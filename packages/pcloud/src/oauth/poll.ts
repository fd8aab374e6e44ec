import type { PollSettings } from './options';

/** Something that says when the waiting client went away (the Express response). */
export interface Closable {
  once(event: 'close', fn: () => void): unknown;
  off(event: 'close', fn: () => void): unknown;
}

/**
 * The `poll_token` long-poll. A waiting oauth2_token call re-checks the store:
 * - at once when this process approves the matching request (in-process notifier), and
 * - every `intervalMs`, for a decision made by another process sharing the store (Redis),
 * until it finds a decision, `timeoutMs` passes, or the client disconnects. The store stays the one
 * source of truth (its `take` is atomic: of two polls for one request, one gets the decision); the
 * notifier only saves waiting. Timers are real (a long-poll is wall-clock by nature); tests configure
 * small values or rely on the notifier, and never wait for a timeout they do not test.
 */
export class PollHub {
  private readonly wakers = new Map<string, Set<() => void>>();
  private active = 0;

  constructor(private readonly settings: PollSettings) {}

  /** Calls waiting right now in this process. */
  get waiting(): number {
    return this.active;
  }

  /** A decision for `key` was stored: wake its pollers in this process. */
  notify(key: string): void {
    for (const wake of this.wakers.get(key) ?? []) wake();
  }

  /**
   * Run `check` until it yields a value (returned), or the timeout passes or `client` closes (null).
   * Over `maxWaiting` it checks once and does not wait.
   */
  async wait<T>(key: string, check: () => Promise<T | null>, client: Closable): Promise<T | null> {
    if (this.active >= this.settings.maxWaiting) return check();
    this.active++;
    let timedOut = false;
    let closed = false;
    let kicked = false;
    let kick: (() => void) | null = null;
    // Registered before the first check, so a decision landing during a check is not missed.
    const wake = () => {
      kicked = true;
      kick?.();
    };
    const onTimeout = () => {
      timedOut = true;
      wake();
    };
    const onClose = () => {
      closed = true;
      wake();
    };
    let set = this.wakers.get(key);
    if (!set) this.wakers.set(key, (set = new Set()));
    set.add(wake);
    const deadline = setTimeout(onTimeout, this.settings.timeoutMs);
    client.once('close', onClose);
    try {
      for (;;) {
        // A client that left must not take the decision: it stays in the store for the next poll.
        if (closed) return null;
        const found = await check();
        if (found !== null) return found;
        if (timedOut || closed) return null;
        if (!kicked) await this.pause((resume) => (kick = resume));
        kick = null;
        kicked = false;
      }
    } finally {
      clearTimeout(deadline);
      client.off('close', onClose);
      set.delete(wake);
      if (set.size === 0) this.wakers.delete(key);
      this.active--;
    }
  }

  /** Until woken or `intervalMs` passes. */
  private pause(register: (resume: () => void) => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.settings.intervalMs);
      register(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

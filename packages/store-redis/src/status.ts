import type { StoreStatus } from '@authmount/core';
import { RedisStoreError, type Client } from './io';

/**
 * What the store knows of its connection, from the client's events: whether it is usable, the REAL cause
 * when it is not (the last connection error: `connect ECONNREFUSED 127.0.0.1:6390`, `WRONGPASS ...`),
 * and a fatal configuration error found while connecting. Store calls and `ready()` read it so that a
 * failure says why, instead of "timed out".
 *
 * Only error MESSAGES are kept: ioredis attaches the failed command to its errors, and for a wrong
 * password that command is `AUTH <password>` / `HELLO 3 AUTH default <password>`.
 */
export class ConnectionWatch {
  private state: 'connecting' | StoreStatus['state'] = 'connecting';
  private lastError: string | undefined;
  /** Set once for good: every call fails with it (reconnecting would give the same answer). */
  fatal: RedisStoreError | undefined;
  private closed = false;
  private readonly listeners = new Set<(s: StoreStatus) => void>();
  private readonly waiters = new Set<{ resolve(): void; reject(e: Error): void }>();

  constructor(
    private readonly client: Client,
    /** Our own client: we listen to its errors (on yours only while ready() waits: the rest are your listeners'). */
    private readonly owned: boolean,
    private readonly report: (e: Error) => void,
  ) {
    if (client.status === 'ready') [this.state, this.everReady] = ['ready', true];
    client.on('ready', this.onReady);
    client.on('close', this.onClose);
    if (owned) client.on('error', this.onError);
  }

  /** True once the client has been ready at least once. */
  everReady = false;

  private readonly onReady = (): void => {
    if (this.fatal) return;
    this.everReady = true;
    this.lastError = undefined;
    this.set({ state: 'ready' });
    for (const w of this.waiters) w.resolve();
    this.waiters.clear();
  };

  private readonly onClose = (): void => {
    if (this.state === 'ready' && !this.closed) this.set({ state: 'unavailable', cause: this.lastError ?? 'connection closed' });
  };

  private readonly onError = (e: Error): void => {
    const message = e.message;
    this.report(new RedisStoreError(`redis connection: ${message}`, 'connection'));
    if (this.closed) return;
    // ioredis sends SELECT on connect and only emits its failure, then goes on in database 0: a db the
    // server does not have would silently mix this store's keys into db 0. Stop instead, loudly.
    if ((e as { command?: { name?: string } }).command?.name === 'select' && !this.fatal) {
      this.fatal = new RedisStoreError(`redis connection: ${message} (the db in the URL or in the \`redis.db\` option)`, 'connect');
      this.client.disconnect();
    }
    this.lastError = message;
    this.set({ state: 'unavailable', cause: message });
    const failure = this.fatal ?? new RedisStoreError(`redis connection failed: ${message}`, 'connect');
    for (const w of this.waiters) w.reject(failure);
    this.waiters.clear();
  };

  private set(s: StoreStatus): void {
    if (s.state === this.state) return; // once per change, never once per reconnection attempt
    this.state = s.state;
    for (const l of this.listeners) {
      try {
        l(s);
      } catch (e) {
        this.report(e as Error);
      }
    }
  }

  onStatus(listener: (s: StoreStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Why calls fail right now, when the connection is known to be down (else undefined: let the call try). */
  unavailable(operation: string): RedisStoreError | undefined {
    if (this.fatal) return this.fatal;
    if (this.client.status === 'ready' || this.lastError === undefined) return undefined;
    return new RedisStoreError(`redis ${operation} failed: Redis is unreachable (${this.lastError})`, operation);
  }

  /**
   * Resolves once the client is ready; rejects with the real cause as soon as a connection attempt fails
   * (or at once when the last one already did).
   */
  whenReady(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new RedisStoreError('redis store is closed', 'ready'));
    if (this.client.status === 'ready') return Promise.resolve();
    if (this.lastError !== undefined) return Promise.reject(new RedisStoreError(`redis connection failed: ${this.lastError}`, 'connect'));
    const waiting = new Promise<void>((resolve, reject) => this.waiters.add({ resolve, reject }));
    if (!this.owned) {
      const fail = (e: Error) => {
        for (const w of this.waiters) w.reject(new RedisStoreError(`redis connection failed: ${e.message}`, 'connect'));
        this.waiters.clear();
      };
      this.client.once('error', fail);
      void waiting.catch(() => undefined).finally(() => this.client.off('error', fail));
    }
    if (this.client.status === 'wait') this.client.connect().catch(() => undefined); // a lazyConnect client of yours
    return waiting;
  }

  close(): void {
    this.closed = true;
    this.client.off('ready', this.onReady);
    this.client.off('close', this.onClose);
    // Our own client keeps its error listener until it has ended: an error while closing must stay handled.
    if (this.owned) this.client.once('end', () => this.client.off('error', this.onError));
    for (const w of this.waiters) w.reject(new RedisStoreError('redis store is closed', 'ready'));
    this.waiters.clear();
    this.listeners.clear();
  }
}

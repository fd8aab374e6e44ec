import type { Cluster, Redis } from 'ioredis';
import type { Script } from './scripts';

export type Client = Redis | Cluster;
type Arg = string | number;

/**
 * A store failure. Core turns any rejection into `store_unavailable` (fail closed). This class exists so
 * that what travels up never carries ioredis' `command.args` (which hold hashes, record fields, ...):
 * only a message and the operation name.
 */
export class RedisStoreError extends Error {
  override readonly name = 'RedisStoreError';
  constructor(
    message: string,
    readonly operation: string,
  ) {
    super(message);
  }
}

function sanitize(e: unknown, operation: string): RedisStoreError {
  if (e instanceof RedisStoreError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new RedisStoreError(`redis ${operation} failed: ${message}`, operation);
}

const isNoScript = (e: unknown) => e instanceof Error && e.message.startsWith('NOSCRIPT');

/** One store operation: every command it sends goes through here, and stops once the deadline passed. */
export class Op {
  expired = false;
  constructor(
    private readonly client: Client,
    readonly name: string,
  ) {}

  private check(): void {
    if (this.expired) throw new RedisStoreError(`redis ${this.name} abandoned after its deadline`, this.name);
  }

  /** Run a script: EVALSHA, and EVAL once when the server's script cache no longer has it (restart, flush). */
  async run(script: Script, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    this.check();
    try {
      return await this.client.call('EVALSHA', script.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!isNoScript(e)) throw e;
      this.check();
      return this.client.call('EVAL', script.lua, keys.length, ...keys, ...args);
    }
  }

  /** EVAL only (the script's source): after a NOSCRIPT reply to an EVALSHA sent outside an Op. */
  async evalSource(script: Script, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    this.check();
    return this.client.call('EVAL', script.lua, keys.length, ...keys, ...args);
  }

  async cmd(name: string, ...args: Arg[]): Promise<unknown> {
    this.check();
    return this.client.call(name, ...args);
  }
}

export interface IoOptions {
  /** Deadline of one store operation, ms. */
  timeoutMs: number;
  /** Wait (within the deadline) for the first connection instead of failing while it is still being made. */
  awaitFirstReady: boolean;
  /** The connection's state: calls fail at once, with the real cause, while it is known to be down. */
  watch: ConnectionWatchLike;
}

/** What Io needs of the connection watch (status.ts). */
export interface ConnectionWatchLike {
  /** True once the client has been ready at least once. */
  readonly everReady: boolean;
  unavailable(operation: string): RedisStoreError | undefined;
  whenReady(): Promise<void>;
}

/**
 * Runs store operations against a client with a deadline each. Past the deadline an operation rejects
 * (so a request fails fast with store_unavailable), its remaining steps are not sent, and the late reply
 * of the step in flight is swallowed, so nothing is left as an unhandled rejection. While the connection
 * is known to be down, an operation fails at once with the connection's own error (`connect ECONNREFUSED
 * 127.0.0.1:6390`), not a deadline that says nothing about why.
 */
export class Io {
  /** The client's own per-command timeout (ioredis `commandTimeout`), or Infinity when it has none. */
  private readonly clientTimeoutMs: number;

  constructor(
    readonly client: Client,
    private readonly opts: IoOptions,
  ) {
    const own = client.isCluster ? (client as Cluster).options.redisOptions?.commandTimeout : (client as Redis).options.commandTimeout;
    this.clientTimeoutMs = typeof own === 'number' && own > 0 ? own : Number.POSITIVE_INFINITY;
  }

  /**
   * A store operation that is ONE script (authenticate, on every request). When the client's own
   * `commandTimeout` already bounds the command within our deadline (ioredis arms it on every command it
   * sends, and keeps it across cluster redirects) and the client is ready, it is sent as it is: no second
   * timer, no race, no Op. Otherwise it runs as any operation. After a NOSCRIPT reply (Redis restarted or
   * flushed its script cache) the source follows once (EVAL), under a deadline of its own.
   */
  script(name: string, script: Script, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    if (!(this.opts.watch.everReady && this.clientTimeoutMs <= this.opts.timeoutMs && this.client.status === 'ready')) {
      return this.op(name, (op) => op.run(script, keys, args));
    }
    return this.client.call('EVALSHA', script.sha, keys.length, ...keys, ...args).then(undefined, (e: unknown) => {
      if (isNoScript(e)) return this.op(name, (op) => op.evalSource(script, keys, args));
      throw this.opts.watch.unavailable(name) ?? sanitize(e, name);
    });
  }

  op<T>(name: string, fn: (op: Op) => Promise<T>): Promise<T> {
    const down = this.opts.watch.unavailable(name);
    if (down) return Promise.reject(down);
    const op = new Op(this.client, name);
    const work = this.start(op, fn);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        op.expired = true;
        reject(this.opts.watch.unavailable(name) ?? new RedisStoreError(`redis ${name} timed out after ${this.opts.timeoutMs} ms`, name));
      }, this.opts.timeoutMs);
    });
    work.catch(() => undefined); // a reply arriving after the deadline must not become an unhandled rejection
    return Promise.race([work, deadline]).then(
      (v) => {
        clearTimeout(timer);
        return v;
      },
      (e: unknown) => {
        clearTimeout(timer);
        // A command refused because the connection just dropped names the connection's error when known.
        throw e instanceof RedisStoreError ? e : (this.opts.watch.unavailable(name) ?? sanitize(e, name));
      },
    );
  }

  private async start<T>(op: Op, fn: (op: Op) => Promise<T>): Promise<T> {
    if (!this.opts.watch.everReady && this.opts.awaitFirstReady) {
      await this.opts.watch.whenReady(); // rejects with the real cause on the first failed attempt
    }
    return fn(op);
  }
}

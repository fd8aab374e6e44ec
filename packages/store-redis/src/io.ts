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
}

/**
 * Runs store operations against a client with a deadline each. Past the deadline an operation rejects
 * (so a request fails fast with store_unavailable), its remaining steps are not sent, and the late reply
 * of the step in flight is swallowed, so nothing is left as an unhandled rejection.
 */
export class Io {
  private everReady: boolean;
  private firstReady: Promise<void> | undefined;

  constructor(
    readonly client: Client,
    private readonly opts: IoOptions,
  ) {
    this.everReady = client.status === 'ready';
    if (!this.everReady) {
      this.firstReady = new Promise((resolve) => {
        client.once('ready', () => {
          this.everReady = true;
          resolve();
        });
      });
    }
  }

  op<T>(name: string, fn: (op: Op) => Promise<T>): Promise<T> {
    const op = new Op(this.client, name);
    const work = this.start(op, fn);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        op.expired = true;
        reject(new RedisStoreError(`redis ${name} timed out after ${this.opts.timeoutMs} ms`, name));
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
        throw sanitize(e, name);
      },
    );
  }

  private async start<T>(op: Op, fn: (op: Op) => Promise<T>): Promise<T> {
    if (!this.everReady && this.opts.awaitFirstReady && this.firstReady) {
      if (this.client.status === 'wait') this.client.connect().catch(() => undefined);
      await this.firstReady;
    }
    return fn(op);
  }
}

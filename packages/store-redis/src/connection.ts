import Redis, { type RedisOptions } from 'ioredis';
import type { Client } from './io';

export const DEFAULT_TIMEOUT_MS = 1000;

/**
 * Connection defaults for a client the store creates itself, chosen to FAIL FAST (authentication fails
 * closed with 503 while Redis is away, instead of piling requests up) and to heal on its own:
 * - enableOfflineQueue false: while disconnected, commands reject at once instead of queueing;
 * - commandTimeout: a connected-but-stalled server cannot hold a command for ever;
 * - maxRetriesPerRequest 1: no command is replayed over several reconnections;
 * - retryStrategy: reconnect for ever, backing off to at most 1 s, so service resumes soon after Redis does;
 * - disconnectTimeout 200 ms: closing while Redis is away makes ioredis arm a destroy timer on a socket
 *   that already closed; nothing clears it, so it would hold the process for its full length (2 s).
 * Anything in `options.redis` overrides these.
 */
export function createClient(url: string | undefined, options: RedisOptions | undefined, timeoutMs: number): Redis {
  const defaults: RedisOptions = {
    enableOfflineQueue: false,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    disconnectTimeout: 200,
  };
  const merged = { ...defaults, ...options };
  return url === undefined ? new Redis(merged) : new Redis(url, merged);
}

/** `work`, or a rejection once `ms` have passed; the timer never outlives the race. */
export async function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`gave up after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Close a client the store owns: a polite QUIT when connected (bounded), else a hard disconnect.
 * disconnect() is only called while the client is not yet 'end': on a socket that already closed,
 * ioredis would arm a 2 s destroy timer that nothing clears, holding the process (or a test run) open.
 */
export async function closeClient(client: Client, timeoutMs: number): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  if (client.status === 'ready') {
    await bounded(client.quit(), timeoutMs).catch(() => undefined);
    await bounded(ended, timeoutMs).catch(() => undefined);
  }
  // (re-read: the awaits above may have moved it to 'end')
  if ((client.status as string) !== 'end') client.disconnect();
}

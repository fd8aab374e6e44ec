import { PROBE_KEY, type AuthCore } from '@authmount/core';

export type StoreProbe =
  | { reachable: true; latencyMs: number }
  /** `cause` is short and safe to show: a timeout, or the error's name, code and message with URLs and addresses masked. */
  | { reachable: false; latencyMs: number; cause: string };

/** The counter the probe reads (core's `auth.probe()`): re-exported for tests that check it stays unwritten. */
export { PROBE_KEY };
const MAX_CAUSE = 200;

/**
 * Can this process reach its store right now? `auth.probe()` (one read of a key nothing writes, answered
 * with the store's own error), bounded by `timeoutMs` whatever the store does.
 */
export async function probeStore(auth: Pick<AuthCore, 'probe'>, timeoutMs: number): Promise<StoreProbe> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  // Through a promise chain, so a probe that throws synchronously is reported like one that rejects.
  const read = Promise.resolve()
    .then(() => auth.probe())
    .then(
      () => 'ok' as const,
      (e: unknown) => e,
    );
  try {
    const outcome = await Promise.race([read, deadline]);
    const latencyMs = Date.now() - started;
    if (outcome === 'ok') return { reachable: true, latencyMs };
    if (outcome === 'timeout') return { reachable: false, latencyMs, cause: `no answer within ${timeoutMs} ms` };
    return { reachable: false, latencyMs, cause: describeCause(outcome) };
  } finally {
    clearTimeout(timer);
  }
}

/** URLs (which may hold a password), then IPv4, bracketed IPv6 and host:port addresses. */
const MASKS: ReadonlyArray<[RegExp, string]> = [
  [/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<address>'],
  [/\[[0-9a-f:.]+\](?::\d+)?/gi, '<address>'],
  [/\b[a-z0-9-]+(?:\.[a-z0-9-]+)*:\d{1,5}\b/gi, '<address>'],
];

/**
 * A store error as one line an operator can act on ("RedisStoreError: redis counters.peek failed: connect
 * ECONNREFUSED <address>"). Store errors carry no token or password (the contract passes hashes and ids),
 * but a connection error quotes where it tried to connect, and may quote a URL with its password: both
 * are masked, like every error authmount lets out (the health check may be reachable from outside).
 */
export function describeCause(e: unknown): string {
  const name = e instanceof Error ? e.name : typeof e;
  const code = e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' ? ` [${(e as { code: string }).code}]` : '';
  const message = e instanceof Error ? e.message : '';
  let line = `${name}${code}${message ? `: ${message}` : ''}`.replace(/\s+/g, ' ');
  for (const [re, mask] of MASKS) line = line.replace(re, mask);
  return line.length > MAX_CAUSE ? `${line.slice(0, MAX_CAUSE - 1)}…` : line;
}

import { type AuthEvent, type AuthEventName, type AuthEvents } from '@authmount/core';

/**
 * The logger `createAuth({ logger })` accepts: pino's shape, `(obj, msg)`. pino, bunyan-style loggers
 * and most wrappers fit as they are; `debug` is optional.
 */
export interface AuthLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

type Level = 'debug' | 'info' | 'warn';

/**
 * One level per event. Failed and throttled logins and replayed nonces are `warn` (worth an alert when
 * they spike); `token.authenticated` happens on every authenticated request, so it is `debug`.
 */
export const EVENT_LOG_LEVELS: Readonly<Record<AuthEventName, Level>> = {
  'login.succeeded': 'info',
  'login.failed': 'warn',
  'login.throttled': 'warn',
  'token.issued': 'info',
  'token.authenticated': 'debug',
  'token.rejected': 'info',
  'token.extended': 'info',
  'token.upgraded': 'info',
  'token.downgraded': 'info',
  'token.revoked': 'info',
  'user.registered': 'info',
  'user.deleted': 'info',
  'password.changed': 'info',
  'password.rehashed': 'info',
  'nonce.replayed': 'warn',
};

/**
 * The only event fields that reach a log line. Events carry no secret by design; this allow-list keeps
 * it so if an event ever grows a field: a new field is dropped until someone decides it is safe to log.
 */
const LOGGED_FIELDS = ['userId', 'tokenId', 'kind', 'appId', 'ip', 'method', 'reason', 'scope', 'expiresAt', 'tokensRevoked'] as const;

/** The log record for one event: `{ event, at, ...allowed fields }`. */
export function logRecord(e: AuthEvent): Record<string, unknown> {
  const rec: Record<string, unknown> = { event: e.type, at: e.at };
  const fields = e as unknown as Record<string, unknown>;
  for (const k of LOGGED_FIELDS) if (fields[k] !== undefined) rec[k] = fields[k];
  return rec;
}

/** Write every core event to `logger`. Returns the unsubscribe function. A throwing logger never breaks a request. */
export function logAuthEvents(events: AuthEvents, logger: AuthLogger): () => void {
  return events.onAny((e) => {
    const level = EVENT_LOG_LEVELS[e.type] ?? 'info';
    const write = logger[level];
    if (typeof write === 'function') write.call(logger, logRecord(e), `authmount ${e.type}`);
  });
}

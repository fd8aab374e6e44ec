import { reportsStatus, type AuthEvent, type AuthEventName, type AuthEvents, type AuthStore } from '@authmount/core';

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
const LOGGED_FIELDS = [
  'userId',
  'tokenId',
  'kind',
  'appId',
  'ip',
  'method',
  'reason',
  'scope',
  'budget',
  'expiresAt',
  'tokensRevoked',
] as const;

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

/**
 * Write a networked store's connection state changes to `logger`: `warn` "authmount store unavailable"
 * with the cause (e.g. `connect ECONNREFUSED 127.0.0.1:6390`) when it goes away, `info` "authmount store
 * ready" when it answers again. One line per change, never one per reconnection attempt. A store that does
 * not report its state (the memory store) logs nothing. Returns the unsubscribe function.
 */
export function logStoreStatus(store: AuthStore, logger: AuthLogger): () => void {
  if (!reportsStatus(store)) return () => undefined;
  return store.onStatus((s) => {
    try {
      if (s.state === 'ready') logger.info({ store: store.name, state: s.state }, 'authmount store ready');
      else logger.warn({ store: store.name, state: s.state, cause: s.cause }, 'authmount store unavailable');
    } catch {
      // A throwing logger must never break the store's event handling.
    }
  });
}

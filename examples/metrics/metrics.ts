import type { Auth } from '@authmount/express';
import { Counter, Gauge, Registry } from 'prom-client';

/**
 * Wires authmount's core events to prom-client metrics. Labels are low-cardinality on purpose: event
 * kind, reason, method, token kind; never a user id, token id or IP (one time series per user would
 * exhaust Prometheus, and those belong in the audit log, not in metrics).
 *
 *   const registry = new Registry();
 *   authMetrics(auth, registry);
 *   app.get('/metrics', async (_req, res) => res.type(registry.contentType).send(await registry.metrics()));
 */
export function authMetrics(auth: Auth, registry: Registry = new Registry(), prefix = 'authmount_'): { registry: Registry; stop(): void } {
  const registers = [registry];
  const logins = new Counter({
    name: `${prefix}logins_total`,
    help: 'Login attempts by result (succeeded, failed, throttled) and method (protocol or route).',
    labelNames: ['result', 'method', 'reason'] as const,
    registers,
  });
  const issued = new Counter({
    name: `${prefix}tokens_issued_total`,
    help: 'Tokens issued, by kind.',
    labelNames: ['kind'] as const,
    registers,
  });
  const authenticated = new Counter({
    name: `${prefix}token_authentications_total`,
    help: 'Successful token authentications (one per authenticated request), by kind.',
    labelNames: ['kind'] as const,
    registers,
  });
  const rejected = new Counter({
    name: `${prefix}token_rejections_total`,
    help: 'Tokens refused, by reason (unknown, mismatch, expired, ...).',
    labelNames: ['reason'] as const,
    registers,
  });
  const revoked = new Counter({
    name: `${prefix}tokens_revoked_total`,
    help: 'Tokens revoked, by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  const events = new Counter({
    name: `${prefix}events_total`,
    help: 'Every authmount event, by type.',
    labelNames: ['event'] as const,
    registers,
  });
  new Gauge({
    name: `${prefix}password_hash_queue`,
    help: 'Password hashes waiting for a slot (argon2 concurrency bound); a steady non-zero value means logins queue.',
    registers,
    collect() {
      this.set(auth.hasher.queued);
    },
  });

  const on = auth.events;
  const offs = [
    on.onAny((e) => events.inc({ event: e.type })),
    on.on('login.succeeded', (e) => logins.inc({ result: 'succeeded', method: e.method, reason: '' })),
    on.on('login.failed', (e) => logins.inc({ result: 'failed', method: e.method, reason: e.reason })),
    on.on('login.throttled', (e) => logins.inc({ result: 'throttled', method: e.method, reason: e.budget })),
    on.on('token.issued', (e) => issued.inc({ kind: e.kind })),
    on.on('token.authenticated', (e) => authenticated.inc({ kind: e.kind })),
    on.on('token.rejected', (e) => rejected.inc({ reason: e.reason })),
    on.on('token.revoked', (e) => revoked.inc({ reason: e.reason })),
  ];
  const stop = () => offs.forEach((off) => off());
  return { registry, stop };
}

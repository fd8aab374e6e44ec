import type { AuthCore } from '@authmount/core';
import express, { type Response, type Router } from 'express';
import type { GracefulShutdown } from './shutdown';
import { probeStore, type StoreProbe } from './store-probe';

export interface HealthOptions {
  /** Longest wait for the store on a readiness check, ms. Default 1000. */
  timeoutMs?: number;
  /** The server's graceful shutdown: readiness answers 503 `draining` once it has begun. */
  shutdown?: Pick<GracefulShutdown, 'draining' | 'inFlight'>;
}

export interface ReadyBody {
  status: 'ok' | 'unavailable' | 'draining';
  /** Absent while draining (the store is not probed then). */
  store?: { name: string } & StoreProbe;
  /** With `shutdown`: requests being served by this process, this check included. */
  inFlight?: number;
}

/**
 * Health checks for a load balancer or an orchestrator, one router to mount where you like
 * (`app.use('/health', healthRoutes(auth, { shutdown }))`):
 *
 *   GET /live  → 200 `{ status: "ok" }` while the process serves HTTP. It never looks at the store: a store
 *                outage must not get every process restarted (they fail closed and recover by themselves).
 *   GET /ready → 200 `{ status: "ok", store: { name, reachable: true, latencyMs } }` when the store answers;
 *                503 `{ status: "unavailable", store: { name, reachable: false, latencyMs, cause } }` when it
 *                does not (`cause` names the error, never a secret); 503 `{ status: "draining" }` once a
 *                graceful shutdown has begun. Take the process out of rotation on 503.
 *
 * Concurrent readiness checks share one store probe, so a slow store is not asked twice at once.
 * Answers are `Cache-Control: no-store`. Mount them where only the load balancer can reach them if the
 * store's host and port (which a connection error may name) should stay private.
 */
export function healthRoutes(auth: Pick<AuthCore, 'storeName' | 'probe'>, opts: HealthOptions = {}): Router {
  const timeoutMs = opts.timeoutMs ?? 1000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new TypeError('healthRoutes: timeoutMs must be a positive integer of milliseconds');
  const r = express.Router();
  let probing: Promise<StoreProbe> | undefined;
  const probe = () => {
    probing ??= probeStore(auth, timeoutMs).finally(() => (probing = undefined));
    return probing;
  };
  const send = (res: Response, status: number, body: object) => {
    res.setHeader('Cache-Control', 'no-store');
    if (status === 503) res.setHeader('Retry-After', '1');
    res.status(status).json(body);
  };
  const inFlight = () => (opts.shutdown ? { inFlight: opts.shutdown.inFlight } : {});

  r.get('/live', (_req, res) => send(res, 200, { status: 'ok' }));
  r.get('/ready', (_req, res) => {
    if (opts.shutdown?.draining) return send(res, 503, { status: 'draining', ...inFlight() } satisfies ReadyBody);
    void probe().then((p) => {
      const body: ReadyBody = { status: p.reachable ? 'ok' : 'unavailable', store: { name: auth.storeName, ...p }, ...inFlight() };
      send(res, p.reachable ? 200 : 503, body);
    });
  });
  return r;
}

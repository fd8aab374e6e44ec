import { authRoutes, createAuth, type AuthConfig } from '@authmount/express';
import express from 'express';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { authMetrics } from './metrics';

/** An app with authmount at /auth, a guarded /me, and Prometheus metrics at /metrics. */
export function buildMetricsApp(config: AuthConfig = {}, opts: { defaultMetrics?: boolean } = {}) {
  const auth = createAuth(config);
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  authMetrics(auth, registry);

  const app = express();
  app.use('/auth', authRoutes(auth));
  app.get('/me', auth.requireAuth(), (req, res) => res.json({ userId: req.auth!.userId }));
  // Scrape endpoint. In production keep it off the public listener (or behind its own auth).
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return { app, auth, registry };
}

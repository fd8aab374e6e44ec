import { buildMetricsApp } from './app';

// npx tsx examples/metrics/server.ts, then: register a user via the demo or POST /auth/login, and curl /metrics.
const { app, auth } = buildMetricsApp({}, { defaultMetrics: true });
const port = Number(process.env.PORT ?? 3001);
void auth.accounts
  .register({ login: 'alice', email: 'alice@example.com', password: 'correct horse battery staple' })
  .then(() => app.listen(port, () => console.log(`metrics example on http://localhost:${port} (GET /metrics)`)));

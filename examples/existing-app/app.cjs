// An existing Express app (CommonJS) that adds authmount beside routes of its own.
// Outside this monorepo: `npm install express @authmount/express`, then `node app.cjs`.
const express = require('express');
const { authRoutes, createAuth } = require('@authmount/express');

async function main() {
  const app = express();
  app.disable('x-powered-by');

  // The app's own routes, untouched by authmount.
  app.get('/health', (_req, res) => res.json({ ok: true }));
  const api = express.Router();
  api.get('/products', (_req, res) => res.json({ products: [{ id: 1, name: 'Teapot' }] }));

  // authmount: its JSON login API under /api/auth, and a guard on the routes that need a user.
  const auth = createAuth(); // memory store, NIST password policy, argon2id defaults
  api.use('/auth', authRoutes(auth));
  api.get('/orders', auth.requireAuth(), (req, res) => res.json({ owner: req.auth.userId, orders: [] }));
  app.use('/api', api);

  app.use(auth.errorHandler()); // AuthErrors thrown by your own handlers become coded 4xx/503 JSON
  app.use((err, _req, res, _next) => res.status(500).json({ error: 'internal' })); // the app's own handler

  // A user to log in with; a real app registers users through its own sign-up flow.
  await auth.accounts.register({
    login: 'alice',
    email: 'alice@example.com',
    password: process.env.DEMO_PASSWORD ?? 'correct horse battery staple',
  });

  const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
    console.log(JSON.stringify({ listening: server.address().port }));
  });
  const stop = () => server.close(() => void auth.close());
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

import { createAuth, authRoutes, type Auth, type AuthConfig } from '@authmount/express';
import { xAuthBearer } from '@authmount/x-auth-bearer';
import { cbAppFromEnv, cbToken } from '@authmount/cb-token';
import { pcloud } from '@authmount/pcloud';
import { randomBytes } from 'node:crypto';
import express, { type Express } from 'express';

export interface DemoOptions extends AuthConfig {
  /** Print demo credentials and mail to this function (default console.log). */
  log?: (line: string) => void;
}

export interface Demo {
  app: Express;
  auth: Auth;
  /** A ready Bearer token for alice, to try GET /me straight away. */
  token: string;
  users: Array<{ login: string; email: string; password: string }>;
}

export const DEMO_USERS = [
  { login: 'alice', email: 'alice@example.com', password: 'correct horse battery staple' },
  { login: 'bob', email: 'bob@example.com', password: 'bob-likes-long-passphrases' },
];

/**
 * The quick-start server: authmount mounted into a plain Express app. The protocol route sets are
 * mounted at /pcloud, /xauth and /cb; authmount's own JSON API at /auth.
 */
export async function buildDemo(opts: DemoOptions = {}): Promise<Demo> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const auth = createAuth(opts);
  const app = express();
  app.disable('x-powered-by');

  app.get('/', (_req, res) => {
    res.json({ name: 'authmount demo', routes: ['GET /me (Bearer)', 'POST /auth/login', '/pcloud', '/xauth', '/cb'] });
  });
  app.use('/auth', authRoutes(auth));
  app.get('/me', auth.requireAuth(), async (req, res) => {
    const user = req.auth!.userId === null ? null : await auth.accounts.find(req.auth!.userId);
    res.json({ userId: req.auth!.userId, kind: req.auth!.kind, scopes: req.auth!.scopes, login: user?.login ?? null });
  });

  // (protocol adapters are mounted here)
  // pCloud: digest login on with PCLOUD_DIGEST_KEY (32 bytes, hex/base64) or a key made per start; mail is logged.
  // OAuth: one demo client "demo-app" (secret PCLOUD_OAUTH_SECRET or generated), redirect URI on localhost.
  const oauthSecret = process.env.PCLOUD_OAUTH_SECRET || randomBytes(24).toString('base64url');
  const demoPort = process.env.PORT ?? 3000;
  app.use('/pcloud', pcloud(auth, {
    digest: { key: process.env.PCLOUD_DIGEST_KEY || randomBytes(32) },
    mailer: async (m) => log(`mail to ${m.to} (${m.kind}): code=${m.code}`),
    oauth: {
      clients: [{ clientId: 'demo-app', clientSecret: oauthSecret, redirectUris: [`http://localhost:${demoPort}/`], name: 'authmount demo app' }],
    },
  }));
  // Printing a client secret is acceptable in this local demo only.
  if (!process.env.PCLOUD_OAUTH_SECRET) log(`pCloud OAuth client: client_id=demo-app client_secret=${oauthSecret} (generated)`);
  app.use('/xauth', xAuthBearer(auth));
  // CB-Token: one application from CB_APPLICATION_ID / CB_AUTH_KEY / CB_AUTH_SECRET (CB_ALLOW_UNSIGNED=1), or generated.
  const cb = cbAppFromEnv(process.env);
  app.use('/cb', cbToken(auth, { apps: [cb.app] }));
  // Printing an app secret is acceptable in this local demo only.
  if (cb.generated.length > 0) {
    log(`CB-Token app: application_id=${cb.app.applicationId} auth_key=${cb.app.authKey} auth_secret=${cb.app.authSecret} (generated: ${cb.generated.join(', ')})`);
  }

  app.use(auth.errorHandler());

  for (const u of DEMO_USERS) {
    const existing = await auth.accounts.findByIdentifier(u.login);
    if (!existing) await auth.accounts.register({ login: u.login, email: u.email, password: u.password });
  }
  const alice = (await auth.accounts.findByIdentifier('alice'))!;
  const { token } = await auth.tokens.issue({ userId: alice.id, device: 'demo start-up' });
  log(`demo users: ${DEMO_USERS.map((u) => `${u.login} / "${u.password}"`).join(', ')}`);
  // Printing a token is fine for a local demo only; library code never logs one.
  log(`try: curl -H "Authorization: Bearer ${token}" http://localhost:${process.env.PORT ?? 3000}/me`);
  return { app, auth, token, users: DEMO_USERS };
}

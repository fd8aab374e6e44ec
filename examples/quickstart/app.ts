import {
  createAuth,
  authRoutes,
  healthRoutes,
  registerIfAbsent,
  type Auth,
  type AuthConfig,
  type GracefulShutdown,
} from '@authmount/express';
import { xAuthBearer } from '@authmount/x-auth-bearer';
import { cbAppFromEnv, cbToken } from '@authmount/cb-token';
import { pcloud } from '@authmount/pcloud';
import { randomBytes } from 'node:crypto';
import express, { type Express } from 'express';
import { trustProxyFromEnv } from './env';

export interface DemoOptions extends AuthConfig {
  /** Print demo credentials and mail to this function (default console.log). */
  log?: (line: string) => void;
  /** The server's graceful shutdown (server.ts): /health/ready answers 503 "draining" once it begins. */
  shutdown?: Pick<GracefulShutdown, 'draining' | 'inFlight'>;
}

export interface Demo {
  app: Express;
  auth: Auth;
  /** A ready Bearer token for alice, to try GET /me straight away. */
  token: string;
  users: Array<{ login: string; email: string; password: string }>;
  /** Resolves once every mail queued after a reply (pCloud lostpassword) was handed to the mailer. */
  mailsSent(): Promise<void>;
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
  // Before anything is printed: a store that cannot answer stops the demo here, with the real cause.
  await auth.ready();
  const app = express();
  app.disable('x-powered-by');
  // Behind a load balancer: TRUST_PROXY (e.g. "loopback", "1") so req.ip, which throttling counts by, is the client's.
  const trustProxy = trustProxyFromEnv(process.env);
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);

  app.get('/', (_req, res) => {
    res.json({
      name: 'authmount demo',
      routes: ['GET /me (Bearer)', 'POST /auth/login', '/pcloud', '/xauth', '/cb', 'GET /health/live', 'GET /health/ready'],
    });
  });
  app.use('/health', healthRoutes(auth, { shutdown: opts.shutdown }));
  app.use('/auth', authRoutes(auth));
  app.get('/me', auth.requireAuth(), async (req, res) => {
    const user = req.auth!.userId === null ? null : await auth.accounts.find(req.auth!.userId);
    res.json({ userId: req.auth!.userId, kind: req.auth!.kind, scopes: req.auth!.scopes, login: user?.login ?? null });
  });

  // (protocol adapters are mounted here)
  // pCloud: digest login on with PCLOUD_DIGEST_KEY (32 bytes, hex/base64) or a key made per start; mail is logged.
  // OAuth: one demo client "demo-app" (secret PCLOUD_OAUTH_SECRET or generated), redirect URI on localhost.
  const oauthSecret = process.env.PCLOUD_OAUTH_SECRET || randomBytes(24).toString('base64url');
  // PUBLIC_URL: the address clients use (the load balancer's), the same on every process; default this process.
  const publicUrl = (process.env.PUBLIC_URL || `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');
  const pc = pcloud(auth, {
    digest: { key: process.env.PCLOUD_DIGEST_KEY || randomBytes(32) },
    mailer: async (m) => log(`mail to ${m.to} (${m.kind}): code=${m.code}`),
    oauth: {
      // pollToken: the demo shows the poll_token flow too; a real deployment turns it on only for apps that
      // cannot receive a redirect (see its phishing trade-off in the pCloud README).
      clients: [
        { clientId: 'demo-app', clientSecret: oauthSecret, redirectUris: [`${publicUrl}/`], name: 'authmount demo app', pollToken: true },
      ],
    },
  });
  app.use('/pcloud', pc);
  // Printing a client secret is acceptable in this local demo only.
  if (!process.env.PCLOUD_OAUTH_SECRET) log(`pCloud OAuth client: client_id=demo-app client_secret=${oauthSecret} (generated)`);
  app.use('/xauth', xAuthBearer(auth));
  // CB-Token: one application from CB_APPLICATION_ID / CB_AUTH_KEY / CB_AUTH_SECRET (CB_ALLOW_UNSIGNED=1), or generated.
  const cb = cbAppFromEnv(process.env);
  app.use('/cb', cbToken(auth, { apps: [cb.app] }));
  // Printing an app secret is acceptable in this local demo only.
  if (cb.generated.length > 0) {
    log(
      `CB-Token app: application_id=${cb.app.applicationId} auth_key=${cb.app.authKey} auth_secret=${cb.app.authSecret} (generated: ${cb.generated.join(', ')})`,
    );
  }

  app.use(auth.errorHandler());

  // Several processes may start at once on one store: a twin's registration counts as done (registerIfAbsent).
  for (const u of DEMO_USERS) await registerIfAbsent(auth, { login: u.login, email: u.email, password: u.password });
  const alice = (await auth.accounts.findByIdentifier('alice'))!;
  const { token } = await auth.tokens.issue({ userId: alice.id, device: 'demo start-up' });
  log(`demo users: ${DEMO_USERS.map((u) => `${u.login} / "${u.password}"`).join(', ')}`);
  // Printing a token is fine for a local demo only; library code never logs one.
  log(`try: curl -H "Authorization: Bearer ${token}" http://localhost:${process.env.PORT ?? 3000}/me`);
  return { app, auth, token, users: DEMO_USERS, mailsSent: () => pc.mailQueue.idle() };
}

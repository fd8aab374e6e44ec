import session, { type Store } from 'express-session';
import { createHmac, randomBytes } from 'node:crypto';
import { newApp, sendUser } from './server-kit';
import { SLIDE_TTL_MS, type Credential, type StartedServer } from './types';

declare module 'express-session' {
  interface SessionData {
    userId: number;
  }
}

const SECRET = randomBytes(32).toString('base64url');
const COOKIE = 'sid';

/** express-session's cookie value: `s:<sid>.<base64 HMAC-SHA256 without padding>` (the cookie-signature format). */
function signedCookie(sid: string): string {
  const mac = createHmac('sha256', SECRET).update(sid).digest('base64').replace(/=+$/, '');
  return `${COOKIE}=${encodeURIComponent(`s:${sid}.${mac}`)}`;
}

const storeSet = (store: Store, sid: string, sess: session.SessionData) =>
  new Promise<void>((resolve, reject) => store.set(sid, sess, (err?: unknown) => (err ? reject(err) : resolve())));

/**
 * express-session with `rolling: true` (Set-Cookie and a store touch on every response: the sliding
 * expiry), `resave: false`, `saveUninitialized: false`. Sessions are seeded straight into the store, as
 * a login would have left them.
 */
export async function sessionServer(
  store: Store,
  count: number,
  deadline: (sid: string) => Promise<number>,
  close: () => Promise<void>,
): Promise<StartedServer> {
  const app = newApp();
  app.use(
    session({
      name: COOKIE,
      secret: SECRET,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { maxAge: SLIDE_TTL_MS, httpOnly: true },
    }),
  );
  app.get('/me', (req, res) => {
    if (req.session.userId === undefined) return void res.status(401).json({ error: 'unauthorized' });
    sendUser(res, req.session.userId);
  });
  const sids: string[] = [];
  const credentials: Credential[] = [];
  const batch = 256;
  for (let start = 0; start < count; start += batch) {
    const jobs: Array<Promise<void>> = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const sid = randomBytes(24).toString('base64url');
      sids[i] = sid;
      credentials[i] = { request: { path: '/me', headers: { cookie: signedCookie(sid) } }, userId: i + 1 };
      const cookie = { originalMaxAge: SLIDE_TTL_MS, expires: new Date(Date.now() + SLIDE_TTL_MS), httpOnly: true, path: '/' };
      jobs.push(storeSet(store, sid, { cookie, userId: i + 1 } as unknown as session.SessionData));
    }
    await Promise.all(jobs);
  }
  return {
    handler: app,
    credentials,
    // A validly signed cookie for a session that does not exist, like a forged or expired one.
    invalid: { path: '/me', headers: { cookie: signedCookie(randomBytes(24).toString('base64url')) } },
    missing: { path: '/me' },
    deadline: (i) => deadline(sids[i]),
    close,
  };
}

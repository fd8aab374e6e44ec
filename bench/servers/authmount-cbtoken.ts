import { cbToken } from '@authmount/cb-token';
import { createAuth } from '@authmount/express';
import { ISSUER } from '@authmount/core';
import { memoryStore } from '@authmount/store-memory';
import { AUTHMOUNT_TOKENS, authmountServer, meFromAuth, newApp, randomSecret, seedAuthmount } from '../lib/server-kit';
import type { ServerDef } from '../lib/types';

const APP_ID = 1;

const def: ServerDef = {
  describe:
    "authmount memory store behind the CB-Token adapter's guard (`cbToken(auth, { apps }).guard()`, header `CB-Token: <token>`); user sessions, seeded as core tokens of the adapter's issuer (`cb-token`).",
  async start(ctx) {
    const auth = createAuth({ store: memoryStore(), tokens: AUTHMOUNT_TOKENS });
    const cb = cbToken(auth, { apps: [{ applicationId: APP_ID, authKey: 'bench-key', authSecret: randomSecret() }] });
    const app = newApp();
    app.get('/me', cb.guard(), meFromAuth);
    const issue = (count: number) =>
      // Seeded through core rather than POST /session (one argon2 login per credential); the issuer makes
      // them CB sessions, and the preflight catches any drift.
      seedAuthmount(auth, count, (a, userId) =>
        a.tokens.issue({
          userId,
          kind: 'user',
          issuer: ISSUER.cbToken,
          appId: String(APP_ID),
          device: 'bench',
          data: { ts: Math.floor(Date.now() / 1000) },
        }),
      );
    return authmountServer(
      auth,
      app,
      ctx.count,
      (t) => ({ path: '/me', headers: { 'cb-token': t } }),
      { path: '/me' },
      (_a, n) => issue(n),
    );
  },
};
export default def;

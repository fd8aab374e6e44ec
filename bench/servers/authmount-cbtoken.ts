import { cbToken } from '@authmount/cb-token';
import { createAuth } from '@authmount/express';
import { memoryStore } from '@authmount/store-memory';
// Not exported by the package: the data mark that makes a core token a CB session. Seeding through
// POST /session would cost one argon2 login per credential; the preflight catches any drift.
import { CB_MARK } from '../../packages/cb-token/src/guard';
import { AUTHMOUNT_TOKENS, authmountServer, meFromAuth, newApp, randomSecret, seedAuthmount } from '../lib/server-kit';
import type { ServerDef } from '../lib/types';

const APP_ID = 1;

const def: ServerDef = {
  describe:
    "authmount memory store behind the CB-Token adapter's guard (`cbToken(auth, { apps }).guard()`, header `CB-Token: <token>`); user sessions, seeded as core tokens carrying the adapter's session mark.",
  async start(ctx) {
    const auth = createAuth({ store: memoryStore(), tokens: AUTHMOUNT_TOKENS });
    const cb = cbToken(auth, { apps: [{ applicationId: APP_ID, authKey: 'bench-key', authSecret: randomSecret() }] });
    const app = newApp();
    app.get('/me', cb.guard(), meFromAuth);
    const issue = (count: number) =>
      seedAuthmount(auth, count, (a, userId) =>
        a.tokens.issue({
          userId,
          kind: 'user',
          appId: String(APP_ID),
          device: 'bench',
          data: { [CB_MARK]: true, ts: Math.floor(Date.now() / 1000) },
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

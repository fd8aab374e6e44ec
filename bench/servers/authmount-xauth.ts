import { ISSUER } from '@authmount/core';
import { createAuth } from '@authmount/express';
import { memoryStore } from '@authmount/store-memory';
import { xAuthBearer } from '@authmount/x-auth-bearer';
import { AUTHMOUNT_TOKENS, authmountServer, meFromAuth, newApp, seedAuthmount } from '../lib/server-kit';
import type { ServerDef } from '../lib/types';

const def: ServerDef = {
  describe:
    "authmount memory store behind the X-Auth-Bearer adapter's guard (`xAuthBearer(auth).guard()`, header `X-Auth-Bearer: <token>`).",
  async start(ctx) {
    const auth = createAuth({ store: memoryStore(), tokens: AUTHMOUNT_TOKENS });
    const app = newApp();
    app.get('/me', xAuthBearer(auth).guard(), meFromAuth);
    // The guard accepts this adapter's own tokens: seeded with its issuer.
    const seed = (a: typeof auth, n: number) =>
      seedAuthmount(a, n, (x, userId) => x.tokens.issue({ userId, issuer: ISSUER.xAuthBearer, device: 'bench' }));
    return authmountServer(auth, app, ctx.count, (t) => ({ path: '/me', headers: { 'x-auth-bearer': t } }), { path: '/me' }, seed);
  },
};
export default def;

import { createAuth } from '@authmount/express';
import { memoryStore } from '@authmount/store-memory';
import { xAuthBearer } from '@authmount/x-auth-bearer';
import { AUTHMOUNT_TOKENS, authmountServer, meFromAuth, newApp } from '../lib/server-kit';
import type { ServerDef } from '../lib/types';

const def: ServerDef = {
  describe:
    "authmount memory store behind the X-Auth-Bearer adapter's guard (`xAuthBearer(auth).guard()`, header `X-Auth-Bearer: <token>`).",
  async start(ctx) {
    const auth = createAuth({ store: memoryStore(), tokens: AUTHMOUNT_TOKENS });
    const app = newApp();
    app.get('/me', xAuthBearer(auth).guard(), meFromAuth);
    return authmountServer(auth, app, ctx.count, (t) => ({ path: '/me', headers: { 'x-auth-bearer': t } }), { path: '/me' });
  },
};
export default def;

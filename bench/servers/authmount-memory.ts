import { createAuth } from '@authmount/express';
import { memoryStore } from '@authmount/store-memory';
import { AUTHMOUNT_TOKENS, authmountServer, bearerHeader, meFromAuth, newApp } from '../lib/server-kit';
import type { ServerDef } from '../lib/types';

const def: ServerDef = {
  describe:
    '`createAuth({ store: memoryStore() })`, `GET /me` behind `auth.requireAuth()` (`Authorization: Bearer`); idle window 7,200 s, slid on every request.',
  async start(ctx) {
    const auth = createAuth({ store: memoryStore(), tokens: AUTHMOUNT_TOKENS });
    const app = newApp();
    app.get('/me', auth.requireAuth(), meFromAuth);
    return authmountServer(auth, app, ctx.count, (t) => ({ path: '/me', headers: bearerHeader(t) }), { path: '/me' });
  },
};
export default def;

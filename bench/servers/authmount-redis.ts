import { createAuth } from '@authmount/express';
import { redisStore } from '@authmount/store-redis';
import { AUTHMOUNT_TOKENS, authmountServer, bearerHeader, meFromAuth, newApp } from '../lib/server-kit';
import type { ServerDef } from '../lib/types';

const def: ServerDef = {
  describe:
    '`createAuth({ store: redisStore({ url, prefix }) })` (ioredis, single node), `GET /me` behind `auth.requireAuth()`: validate + slide is one Lua script (EVALSHA) per request.',
  async start(ctx) {
    if (!ctx.redisUrl) throw new Error('needs Redis');
    const auth = createAuth({
      store: redisStore({ url: ctx.redisUrl, prefix: 'bench:', commandTimeout: ctx.redisTimeoutMs }),
      tokens: AUTHMOUNT_TOKENS,
    });
    const app = newApp();
    app.get('/me', auth.requireAuth(), meFromAuth);
    return authmountServer(auth, app, ctx.count, (t) => ({ path: '/me', headers: bearerHeader(t) }), { path: '/me' });
  },
};
export default def;

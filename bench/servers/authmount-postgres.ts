import { createAuth } from '@authmount/express';
import { postgresStore } from '@authmount/store-postgres';
import { AUTHMOUNT_TOKENS, authmountServer, bearerHeader, meFromAuth, newApp } from '../lib/server-kit';
import type { ServerDef } from '../lib/types';

const def: ServerDef = {
  describe:
    '`createAuth({ store: postgresStore({ connectionString, schema }) })` (node-postgres, its default pool of 10), `GET /me` behind `auth.requireAuth()`: validate + slide is one prepared `WITH … UPDATE … RETURNING` statement per request.',
  async start(ctx) {
    if (!ctx.pgUrl) throw new Error('needs PostgreSQL');
    const store = postgresStore({ connectionString: ctx.pgUrl, schema: 'bench' });
    await store.migrate();
    const auth = createAuth({ store, tokens: AUTHMOUNT_TOKENS });
    const app = newApp();
    app.get('/me', auth.requireAuth(), meFromAuth);
    return authmountServer(auth, app, ctx.count, (t) => ({ path: '/me', headers: bearerHeader(t) }), { path: '/me' });
  },
};
export default def;

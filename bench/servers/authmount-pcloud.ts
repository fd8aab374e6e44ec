import { createAuth } from '@authmount/express';
import { pcloud } from '@authmount/pcloud';
import { memoryStore } from '@authmount/store-memory';
import { AUTHMOUNT_TOKENS, authmountServer, meFromAuth, newApp } from '../lib/server-kit';
import type { ServerDef } from '../lib/types';

const def: ServerDef = {
  describe:
    "authmount memory store behind the pCloud adapter's guard (`pcloud(auth).guard()`): the token travels as the `auth` query parameter, as pCloud clients send it.",
  async start(ctx) {
    const auth = createAuth({ store: memoryStore(), tokens: AUTHMOUNT_TOKENS });
    const app = newApp();
    app.get('/me', pcloud(auth).guard(), meFromAuth);
    const started = await authmountServer(auth, app, ctx.count, (t) => ({ path: `/me?auth=${encodeURIComponent(t)}` }), { path: '/me' });
    // pCloud answers every failure with HTTP 200 and a numeric `result` (1000: log in required, 2000: log in failed).
    return { ...started, refusal: { status: 200, bodyIncludes: '"result":' } };
  },
};
export default def;

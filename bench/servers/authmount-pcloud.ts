import { ISSUER } from '@authmount/core';
import { createAuth } from '@authmount/express';
import { pcloud } from '@authmount/pcloud';
import { memoryStore } from '@authmount/store-memory';
import { AUTHMOUNT_TOKENS, authmountServer, meFromAuth, newApp, seedAuthmount } from '../lib/server-kit';
import type { ServerDef } from '../lib/types';

const def: ServerDef = {
  describe:
    "authmount memory store behind the pCloud adapter's guard (`pcloud(auth).guard()`): the token travels as the `auth` query parameter, as pCloud clients send it.",
  async start(ctx) {
    const auth = createAuth({ store: memoryStore(), tokens: AUTHMOUNT_TOKENS });
    const app = newApp();
    app.get('/me', pcloud(auth).guard(), meFromAuth);
    // The guard accepts this adapter's own tokens: seeded with its issuer.
    const seed = (a: typeof auth, n: number) =>
      seedAuthmount(a, n, (x, userId) => x.tokens.issue({ userId, issuer: ISSUER.pcloud, device: 'bench' }));
    const started = await authmountServer(
      auth,
      app,
      ctx.count,
      (t) => ({ path: `/me?auth=${encodeURIComponent(t)}` }),
      { path: '/me' },
      seed,
    );
    // pCloud answers every failure with HTTP 200 and a numeric `result` (1000: log in required, 2000: log in failed).
    return { ...started, refusal: { status: 200, bodyIncludes: '"result":' } };
  },
};
export default def;

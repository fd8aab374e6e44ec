import { createAuth } from '@authmount/express';
import { redisStore } from '@authmount/store-redis';
import { Cluster } from 'ioredis';
import { AUTHMOUNT_TOKENS, authmountServer, bearerHeader, meFromAuth, newApp } from '../lib/server-kit';
import type { ServerDef } from '../lib/types';

const def: ServerDef = {
  describe:
    'The same as authmount-redis on a local 3-master Redis Cluster (an ioredis `Cluster` passed as `client`); tokens spread over the masters by their hash tags.',
  async start(ctx) {
    if (!ctx.clusterNodes) throw new Error('needs a Redis cluster');
    const client = new Cluster(ctx.clusterNodes, { redisOptions: { commandTimeout: ctx.redisTimeoutMs ?? 1000, maxRetriesPerRequest: 1 } });
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', reject);
    });
    const auth = createAuth({
      store: redisStore({ client, prefix: 'bench:', commandTimeout: ctx.redisTimeoutMs }),
      tokens: AUTHMOUNT_TOKENS,
    });
    const app = newApp();
    app.get('/me', auth.requireAuth(), meFromAuth);
    const started = await authmountServer(auth, app, ctx.count, (t) => ({ path: '/me', headers: bearerHeader(t) }), { path: '/me' });
    return {
      ...started,
      close: async () => {
        await started.close();
        client.disconnect();
      },
    };
  },
};
export default def;

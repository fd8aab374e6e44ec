import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { sessionServer } from '../lib/session-kit';
import { SLIDE_TTL_S, type ServerDef } from '../lib/types';

const PREFIX = 'sess:';

const def: ServerDef = {
  describe:
    'express-session + connect-redis 9 on node-redis (connect-redis ≥ 9 supports only node-redis), same options as session-memory; an unmodified rolling session costs `GET` + `EXPIRE` (touch).',
  async start(ctx) {
    if (!ctx.redisUrl) throw new Error('needs Redis');
    const client = createClient({ url: ctx.redisUrl });
    client.on('error', () => {});
    await client.connect();
    const store = new RedisStore({ client, prefix: PREFIX, ttl: SLIDE_TTL_S });
    const deadline = async (sid: string) => Date.now() + (await client.pTTL(PREFIX + sid));
    return sessionServer(store, ctx.count, deadline, async () => {
      await client.quit();
    });
  },
};
export default def;

import session from 'express-session';
import { sessionServer } from '../lib/session-kit';
import type { ServerDef } from '../lib/types';

const def: ServerDef = {
  describe:
    'express-session with its `MemoryStore`, `rolling: true` (the sliding expiry), `resave: false`, `saveUninitialized: false`; `/me` reads `req.session.userId`.',
  async start(ctx) {
    const store = new session.MemoryStore();
    const deadline = (sid: string) =>
      new Promise<number>((resolve, reject) =>
        store.get(sid, (err, sess) => {
          if (err || !sess?.cookie.expires) return reject(err ?? new Error('no session'));
          resolve(new Date(sess.cookie.expires).getTime());
        }),
      );
    return sessionServer(store, ctx.count, deadline, async () => {});
  },
};
export default def;

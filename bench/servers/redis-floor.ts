import type { NextFunction, Request, Response } from 'express';
import Redis from 'ioredis';
import { newApp, randomSecret, sendUser } from '../lib/server-kit';
import { SLIDE_TTL_S, type ServerDef } from '../lib/types';

const BEARER = /^Bearer ([A-Za-z0-9_-]+)$/;
const key = (token: string) => `tok:${token}`;

const def: ServerDef = {
  describe:
    "The floor for any Redis store: a hand-written middleware doing ONE `GETEX tok:<token> EX 7200` per request (validate + slide in one round trip) on ioredis, the client authmount's Redis store uses.",
  async start(ctx) {
    if (!ctx.redisUrl) throw new Error('needs Redis');
    const redis = new Redis(ctx.redisUrl);
    const list: string[] = [];
    for (let start = 0; start < ctx.count; start += 1000) {
      const pipe = redis.pipeline();
      for (let i = start; i < Math.min(ctx.count, start + 1000); i++) {
        const t = randomSecret();
        list[i] = t;
        pipe.set(key(t), JSON.stringify({ userId: i + 1 }), 'EX', SLIDE_TTL_S);
      }
      await pipe.exec();
    }
    const app = newApp();
    const guard = (req: Request, res: Response, next: NextFunction) => {
      const m = BEARER.exec(req.headers.authorization ?? '');
      if (!m) return void res.status(401).json({ error: 'unauthorized' });
      redis.getex(key(m[1]), 'EX', SLIDE_TTL_S).then(
        (v) => {
          if (v === null) return void res.status(401).json({ error: 'unauthorized' });
          res.locals.userId = (JSON.parse(v) as { userId: number }).userId;
          next();
        },
        () => void res.status(503).json({ error: 'unavailable' }),
      );
    };
    app.get('/me', guard, (_req, res) => sendUser(res, res.locals.userId as number));
    const present = (t: string) => ({ path: '/me', headers: { authorization: `Bearer ${t}` } });
    return {
      handler: app,
      credentials: list.map((t, i) => ({ request: present(t), userId: i + 1 })),
      invalid: present(randomSecret()),
      missing: { path: '/me' },
      deadline: async (i) => Date.now() + (await redis.pttl(key(list[i]))),
      close: async () => {
        redis.disconnect();
      },
    };
  },
};
export default def;

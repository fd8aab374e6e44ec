import type { NextFunction, Request, Response } from 'express';
import { newApp, randomSecret, sendUser } from '../lib/server-kit';
import { SLIDE_TTL_MS, type ServerDef } from '../lib/types';

const BEARER = /^Bearer ([A-Za-z0-9_-]+)$/;

const def: ServerDef = {
  describe:
    'Extra reference: a hand-written middleware over a `Map` (raw token → user, expiry slid in place). The cheapest possible in-memory check, with none of the safety (raw tokens as keys, no timing-safe compare, no bound).',
  async start(ctx) {
    const tokens = new Map<string, { userId: number; expiresAt: number }>();
    const list: string[] = [];
    for (let i = 0; i < ctx.count; i++) {
      const t = randomSecret();
      tokens.set(t, { userId: i + 1, expiresAt: Date.now() + SLIDE_TTL_MS });
      list.push(t);
    }
    const app = newApp();
    const guard = (req: Request, res: Response, next: NextFunction) => {
      const m = BEARER.exec(req.headers.authorization ?? '');
      const r = m ? tokens.get(m[1]) : undefined;
      const now = Date.now();
      if (!r || r.expiresAt <= now) return void res.status(401).json({ error: 'unauthorized' });
      r.expiresAt = now + SLIDE_TTL_MS;
      res.locals.userId = r.userId;
      next();
    };
    app.get('/me', guard, (_req, res) => sendUser(res, res.locals.userId as number));
    const present = (t: string) => ({ path: '/me', headers: { authorization: `Bearer ${t}` } });
    return {
      handler: app,
      credentials: list.map((t, i) => ({ request: present(t), userId: i + 1 })),
      invalid: present(randomSecret()),
      missing: { path: '/me' },
      deadline: async (i) => tokens.get(list[i])!.expiresAt,
      close: async () => {},
    };
  },
};
export default def;

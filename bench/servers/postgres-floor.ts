import type { NextFunction, Request, Response } from 'express';
import pg from 'pg';
import { newApp, randomSecret, sendUser } from '../lib/server-kit';
import { SLIDE_TTL_MS, type ServerDef } from '../lib/types';

const BEARER = /^Bearer ([A-Za-z0-9_-]+)$/;

const def: ServerDef = {
  describe:
    'The floor for any PostgreSQL store: a hand-written middleware doing ONE prepared `UPDATE floor_tokens SET expires_at = $2 WHERE token = $1 AND expires_at > $3 RETURNING user_id` per request (validate + slide in one round trip) on node-postgres, same pool size (10) as the store.',
  async start(ctx) {
    if (!ctx.pgUrl) throw new Error('needs PostgreSQL');
    const pool = new pg.Pool({ connectionString: ctx.pgUrl, max: 10 });
    pool.on('error', () => undefined);
    await pool.query(
      'CREATE TABLE floor_tokens (token text PRIMARY KEY, user_id integer NOT NULL, expires_at bigint NOT NULL) WITH (fillfactor = 80)',
    );
    const list: string[] = [];
    const now = Date.now();
    for (let start = 0; start < ctx.count; start += 1000) {
      const values: unknown[] = [];
      const rows: string[] = [];
      for (let i = start; i < Math.min(ctx.count, start + 1000); i++) {
        list[i] = randomSecret();
        values.push(list[i], i + 1, now + SLIDE_TTL_MS);
        rows.push(`($${values.length - 2}, $${values.length - 1}, $${values.length})`);
      }
      await pool.query(`INSERT INTO floor_tokens (token, user_id, expires_at) VALUES ${rows.join(', ')}`, values);
    }
    const app = newApp();
    const guard = (req: Request, res: Response, next: NextFunction) => {
      const m = BEARER.exec(req.headers.authorization ?? '');
      if (!m) return void res.status(401).json({ error: 'unauthorized' });
      const t = Date.now();
      pool
        .query<{ user_id: number }>({
          name: 'floor',
          text: 'UPDATE floor_tokens SET expires_at = $2 WHERE token = $1 AND expires_at > $3 RETURNING user_id',
          values: [m[1], t + SLIDE_TTL_MS, t],
        })
        .then(
          (r) => {
            if (r.rows.length === 0) return void res.status(401).json({ error: 'unauthorized' });
            res.locals.userId = r.rows[0].user_id;
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
      deadline: async (i) =>
        Number((await pool.query('SELECT expires_at FROM floor_tokens WHERE token = $1', [list[i]])).rows[0].expires_at),
      close: () => pool.end(),
    };
  },
};
export default def;

import passport from 'passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import { newApp, randomSecret, sendUser } from '../lib/server-kit';
import { SLIDE_TTL_MS, type ServerDef } from '../lib/types';

const def: ServerDef = {
  describe:
    'passport + passport-http-bearer, `session: false`; the verify callback looks the token up in a `Map` and slides an in-memory expiry (the usual "DB lookup" replaced by the fastest one).',
  async start(ctx) {
    const tokens = new Map<string, { userId: number; expiresAt: number }>();
    const list: string[] = [];
    for (let i = 0; i < ctx.count; i++) {
      const t = randomSecret();
      tokens.set(t, { userId: i + 1, expiresAt: Date.now() + SLIDE_TTL_MS });
      list.push(t);
    }
    const pp = new passport.Passport();
    pp.use(
      new BearerStrategy((token, done) => {
        const r = tokens.get(token);
        const now = Date.now();
        if (!r || r.expiresAt <= now) return done(null, false);
        r.expiresAt = now + SLIDE_TTL_MS;
        return done(null, { id: r.userId });
      }),
    );
    const app = newApp();
    app.use(pp.initialize());
    app.get('/me', pp.authenticate('bearer', { session: false }), (req, res) =>
      sendUser(res, (req.user as { id: number } | undefined)?.id),
    );
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

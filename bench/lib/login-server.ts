import { authRoutes, createAuth } from '@authmount/express';
import { memoryStore } from '@authmount/store-memory';
import { AUTHMOUNT_TOKENS, authmountServer, bearerHeader, meFromAuth, newApp } from './server-kit';
import type { ServerDef } from './types';

export const STORM_USER = { login: 'storm', email: 'storm@example.com', password: 'correct horse battery staple' };

/**
 * The server of the login-storm figure: `/me` behind requireAuth and authmount's own `POST /auth/login`,
 * default argon2id parameters and (unless the bench asks for another) core's hashing concurrency. Every
 * storm login is right, and only failures spend core's budgets, so nothing is refused; the per-IP
 * failure budget is off all the same (every request comes from 127.0.0.1) and so is load shedding
 * (`maxQueue: false`): the point is to make argon2 work, not to refuse it.
 */
const def: ServerDef = {
  describe: 'login storm server',
  async start(ctx) {
    const hashing = { maxQueue: false as const, ...(ctx.hashConcurrency ? { maxConcurrent: ctx.hashConcurrency } : {}) };
    const auth = createAuth({ store: memoryStore(), tokens: AUTHMOUNT_TOKENS, throttle: { ip: false }, hashing });
    await auth.accounts.register(STORM_USER);
    const app = newApp();
    app.use('/auth', authRoutes(auth));
    app.get('/me', auth.requireAuth(), meFromAuth);
    return authmountServer(auth, app, ctx.count, (t) => ({ path: '/me', headers: bearerHeader(t) }), { path: '/me' });
  },
};
export default def;

import { newApp, sendUser } from '../lib/server-kit';
import type { ServerDef } from '../lib/types';

const def: ServerDef = {
  describe: 'Express 5, `GET /me` answers a fixed user id without any authentication: the floor every ratio divides by.',
  async start() {
    const app = newApp();
    app.get('/me', (_req, res) => sendUser(res, 1));
    return { handler: app, credentials: [{ request: { path: '/me' }, userId: 1 }], close: async () => {} };
  },
};
export default def;

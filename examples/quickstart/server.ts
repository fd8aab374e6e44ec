import { gracefulShutdown } from '@authmount/express';
import { createServer } from 'node:http';
import { buildDemo } from './app';
import { sharedStoreFromEnv } from './env';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  // REDIS_URL (or REDIS_CLUSTER_NODES) set: every process started this way shares tokens and users through Redis.
  // They must then share the secrets the demo would otherwise generate per process: it refuses to start without them.
  const shared = sharedStoreFromEnv(process.env);
  const store = shared?.store;

  // SIGTERM/SIGINT: stop accepting, finish the requests in flight (at most SHUTDOWN_DRAIN_MS), close the store, exit.
  const server = createServer();
  const later: { mailsSent?: () => Promise<void> } = {}; // known once the demo is built
  const shutdown = gracefulShutdown(server, {
    drainMs: Number(process.env.SHUTDOWN_DRAIN_MS || 10_000),
    // The shared store's connections (what auth.close() closes); the memory store holds nothing past exit.
    close: async () => {
      await later.mailsSent?.(); // mails queued after a reply (lostpassword) go out before the store closes
      await store?.close();
    },
  });
  const demo = await buildDemo(store ? { store, shutdown } : { shutdown });
  later.mailsSent = demo.mailsSent;
  if (shared) console.log(`store: ${shared.label}`);
  server.on('request', demo.app);
  server.listen(port, () => console.log(`authmount demo listening on http://localhost:${port}`));
}

main().catch((e: unknown) => {
  // e.g. "redis connection failed: connect ECONNREFUSED 127.0.0.1:6390" (auth.ready() names the real cause).
  console.error('demo failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});

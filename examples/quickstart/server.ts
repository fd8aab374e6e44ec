import { redisStore } from '@authmount/store-redis';
import { buildDemo } from './app';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  // REDIS_URL set: every process started this way shares tokens and users through Redis.
  const redisUrl = process.env.REDIS_URL;
  const demo = await buildDemo(redisUrl ? { store: redisStore({ url: redisUrl }) } : {});
  if (redisUrl) console.log('store: redis');
  const server = demo.app.listen(port, () => console.log(`authmount demo listening on http://localhost:${port}`));
  const stop = () => {
    server.close();
    void demo.auth.close();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error('demo failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});

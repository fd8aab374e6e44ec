import type { SharedRedis } from './redis';

/** jest globalTeardown: stop the shared redis-server if the global setup started one. */
export default async function redisGlobalTeardown(): Promise<void> {
  const shared = (globalThis as { __authmountRedis?: SharedRedis }).__authmountRedis;
  await shared?.server?.close();
}

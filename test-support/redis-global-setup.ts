import { findOrStartSharedRedis, redisUnavailable, SHARED_URL_ENV, SKIP_REASON_ENV, type SharedRedis } from './redis';

/**
 * jest globalSetup: one shared Redis for the whole run (see redis.ts). Environment variables set here
 * reach the test workers, which jest starts afterwards.
 */
export default async function redisGlobalSetup(): Promise<void> {
  const found = await findOrStartSharedRedis();
  if ('skip' in found) {
    process.env[SKIP_REASON_ENV] = found.skip;
    redisUnavailable(found.skip); // throws under CI=true
    return;
  }
  process.env[SHARED_URL_ENV] = found.url;
  (globalThis as { __authmountRedis?: SharedRedis }).__authmountRedis = found;
}

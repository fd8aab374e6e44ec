import { dropRunSchemas, PG_URL_ENV, RUN_ENV } from './postgres';
import redisGlobalTeardown from './redis-global-teardown';

/** jest globalTeardown: stop the shared redis-server if we started one; drop this run's PostgreSQL schemas. */
export default async function globalTeardown(): Promise<void> {
  await redisGlobalTeardown();
  const url = process.env[PG_URL_ENV];
  const run = process.env[RUN_ENV];
  if (url && run)
    await dropRunSchemas(url, run).catch((e: unknown) => console.warn(`could not drop this run's test schemas: ${String(e)}`));
}

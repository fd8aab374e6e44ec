import { randomBytes } from 'node:crypto';
import { configuredPostgresUrl, PG_SKIP_ENV, PG_URL_ENV, postgresUnavailable, probePostgres, RUN_ENV } from './postgres';
import redisGlobalSetup from './redis-global-setup';

/**
 * jest globalSetup: the shared Redis (redis-global-setup.ts) and the shared PostgreSQL (postgres.ts) for
 * the whole run. Environment variables set here reach the test workers, which jest starts afterwards.
 */
export default async function globalSetup(): Promise<void> {
  await redisGlobalSetup();
  const url = process.env[PG_URL_ENV] || configuredPostgresUrl();
  const problem = await probePostgres(url);
  if (problem) {
    delete process.env[PG_URL_ENV];
    process.env[PG_SKIP_ENV] = problem;
    postgresUnavailable(problem); // throws under CI=true
    return;
  }
  process.env[PG_URL_ENV] = url;
  // One id for every schema of this run, so the teardown drops exactly this run's leftovers.
  process.env[RUN_ENV] = randomBytes(4).toString('hex');
}

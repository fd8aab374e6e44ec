import { existsSync } from 'node:fs';
import * as path from 'node:path';

export type Group = 'floor' | 'authmount' | 'peer' | 'extra';

export interface ServerEntry {
  /** File name in bench/servers/ (without .ts) and the name used everywhere in the results. */
  name: string;
  group: Group;
  /** Workspace package the server needs (packages/<dir>/src/index.ts). */
  needs?: string;
  redis?: 'single' | 'cluster';
  /** Runs against the bench's private PostgreSQL. */
  postgres?: true;
  /** Left out of --quick (extras, and the cluster which takes seconds to set up). */
  full?: true;
}

/** Every server of the throughput series, in run order (each round runs them all in this order). */
export const SERVERS: readonly ServerEntry[] = [
  { name: 'bare', group: 'floor' },
  { name: 'authmount-memory', group: 'authmount' },
  { name: 'authmount-pcloud', group: 'authmount', needs: 'pcloud' },
  { name: 'authmount-xauth', group: 'authmount', needs: 'x-auth-bearer' },
  { name: 'authmount-cbtoken', group: 'authmount', needs: 'cb-token' },
  { name: 'passport-bearer', group: 'peer' },
  { name: 'session-memory', group: 'peer' },
  { name: 'map-bearer', group: 'extra', full: true },
  { name: 'authmount-redis', group: 'authmount', needs: 'store-redis', redis: 'single' },
  { name: 'redis-floor', group: 'floor', redis: 'single' },
  { name: 'session-redis', group: 'peer', redis: 'single' },
  { name: 'authmount-redis-cluster', group: 'authmount', needs: 'store-redis', redis: 'cluster', full: true },
  { name: 'authmount-postgres', group: 'authmount', needs: 'store-postgres', postgres: true },
  { name: 'postgres-floor', group: 'floor', postgres: true },
];

export const ROOT = path.resolve(__dirname, '..', '..');
export const BENCH = path.join(ROOT, 'bench');

/** Null when the server can run, else the reason it cannot (reported as "not available", never a crash). */
export function unavailable(e: ServerEntry, redis: { single: boolean; cluster: string | null; postgres?: string | null }): string | null {
  if (e.needs && !existsSync(path.join(ROOT, 'packages', e.needs, 'src', 'index.ts'))) {
    return `@authmount/${e.needs} does not exist yet (no packages/${e.needs}/src/index.ts)`;
  }
  if (!existsSync(path.join(BENCH, 'servers', `${e.name}.ts`))) return `no bench/servers/${e.name}.ts`;
  if (e.redis === 'single' && !redis.single) return 'redis-server is not installed';
  if (e.redis === 'cluster' && redis.cluster !== null) return redis.cluster;
  if (e.postgres && redis.postgres !== null) return redis.postgres ?? 'PostgreSQL was not started';
  return null;
}

import type { AuthStore } from '@authmount/core';
import { redisStore } from '@authmount/store-redis';
import { Cluster } from 'ioredis';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * What the demo generates when it is not given, and what every process sharing one store must therefore
 * be given, with the same values: a CB session signed for one process's generated application, an OAuth
 * code exchanged with another process's generated client secret, or a password copy sealed under another
 * process's digest key would be refused. The store contract has no place to share them (and secrets do
 * not belong in the store), so with a shared store the demo refuses to start without them.
 */
export const SHARED_SECRETS = ['CB_APPLICATION_ID', 'CB_AUTH_KEY', 'CB_AUTH_SECRET', 'PCLOUD_OAUTH_SECRET', 'PCLOUD_DIGEST_KEY'] as const;

export function missingSharedSecrets(env: Env): string[] {
  return SHARED_SECRETS.filter((name) => !env[name]?.trim());
}

/** The start-up refusal: names every variable to set (values are never printed). */
export function sharedSecretsMessage(missing: readonly string[], storeVar: string): string {
  return (
    `${storeVar} is set, so other processes may share this store, and secrets generated per process would not ` +
    `match between them. Set the same values on every process: ${SHARED_SECRETS.join(', ')} ` +
    `(missing: ${missing.join(', ')}). For example CB_APPLICATION_ID=10001, CB_AUTH_KEY and CB_AUTH_SECRET from ` +
    '`openssl rand -hex 16`, PCLOUD_OAUTH_SECRET and PCLOUD_DIGEST_KEY from `openssl rand -hex 32`.'
  );
}

export interface SharedStore {
  store: AuthStore;
  /** Printed at start: no password. */
  label: string;
}

/**
 * The shared store the environment asks for, or null (memory, one process):
 * - `REDIS_CLUSTER_NODES=host:port,host:port,...`: a Redis Cluster (any reachable nodes; the rest is discovered);
 * - `REDIS_URL=redis://[:password@]host:port/db`: one Redis node.
 * `REDIS_PREFIX` overrides the key prefix (default "authmount:").
 * Throws, before connecting, when a secret of SHARED_SECRETS is missing (the message names them all).
 */
export function sharedStoreFromEnv(env: Env): SharedStore | null {
  const prefix = env.REDIS_PREFIX || undefined;
  const nodes = env.REDIS_CLUSTER_NODES?.trim();
  const url = env.REDIS_URL?.trim();
  const from = nodes ? 'REDIS_CLUSTER_NODES' : url ? 'REDIS_URL' : null;
  if (from === null) return null;
  const missing = missingSharedSecrets(env);
  if (missing.length > 0) throw new Error(sharedSecretsMessage(missing, from));
  if (nodes) {
    const seeds = nodes.split(',').map((hp) => {
      const m = /^\s*([^:\s]+):(\d+)\s*$/.exec(hp);
      if (!m) throw new Error(`REDIS_CLUSTER_NODES: expected host:port[,host:port...], got ${JSON.stringify(hp)}`);
      return { host: m[1], port: Number(m[2]) };
    });
    // ioredis' defaults: commands wait (queued) while the cluster is being discovered at start-up; the
    // store's own deadline (1 s) still bounds every call, so an outage still fails closed quickly.
    const client = new Cluster(seeds);
    client.on('error', () => undefined); // outages show up as store_unavailable (503) and in /health/ready
    const store = redisStore({ client, prefix });
    // The store never closes a client it is given: close the cluster client after the store.
    const closeStore = store.close.bind(store);
    store.close = async () => {
      await closeStore();
      await client.quit().catch(() => client.disconnect());
    };
    return { store, label: `redis cluster (${seeds.length} seed node(s))` };
  }
  return { store: redisStore({ url, prefix }), label: 'redis' };
}

/**
 * Express's `trust proxy` from TRUST_PROXY: "true"/"false", a hop count ("1"), or addresses and names
 * ("loopback", "10.0.0.0/8, uniquelocal"). Behind a load balancer it makes `req.ip` (which throttling
 * counts by) the client's address instead of the balancer's. Undefined when unset (Express's default: false).
 */
export function trustProxyFromEnv(env: Env): boolean | number | string | undefined {
  const v = env.TRUST_PROXY?.trim();
  if (!v) return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

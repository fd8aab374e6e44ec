import type { Cluster, Redis } from 'ioredis';
import type { Client } from './io';
import { globEscape } from './keys';

const BATCH = 500;

/**
 * Delete every key under `prefix` (SCAN + UNLINK, never KEYS). On a Cluster, each master is scanned on its
 * own (a SCAN only sees the node it runs on) and keys are unlinked one by one, since keys of different
 * slots cannot share a command. Meant for tests and tear-down, not for a hot path.
 */
export async function dropPrefix(client: Client, prefix: string): Promise<number> {
  const nodes: Redis[] = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  let n = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = (await node.call('SCAN', cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', BATCH)) as [string, string[]];
      cursor = next;
      if (keys.length === 0) continue;
      if (client.isCluster) {
        const p = node.pipeline();
        for (const k of keys) p.unlink(k);
        await p.exec();
      } else {
        await node.call('UNLINK', ...keys);
      }
      n += keys.length;
    } while (cursor !== '0');
  }
  return n;
}

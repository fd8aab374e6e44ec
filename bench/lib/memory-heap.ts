/**
 * Child process (`--expose-gc`): heap bytes per live token in the memory store, and the heap after the
 * tokens expired and were swept. Tokens are issued through core (what a login leaves behind), 5 per
 * user, on a manual clock so expiry is reached by moving time, not by waiting. The sweep is the store's
 * own (`MemoryStore.sweep`, what its timer runs), called once after the clock passed every expiry.
 */
import { DAY, manualClock } from '@authmount/core';
import { createAuth } from '@authmount/express';
import { memoryStore } from '@authmount/store-memory';
import { performance } from 'node:perf_hooks';

export interface HeapResult {
  tokens: number;
  warmTokens: number;
  /** Heap before the warm-up cycle. */
  coldHeap: number;
  baselineHeap: number;
  liveHeap: number;
  bytesPerToken: number;
  afterSweepHeap: number;
  /** afterSweepHeap / baselineHeap − 1 */
  afterVsBaseline: number;
  issueMs: number;
  sweepMs: number;
  storeTokensAfter: number;
}

declare const gc: () => void;

function heap(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2]);
  const clock = manualClock();
  const store = memoryStore({ clock, sweepIntervalMs: 0 });
  const auth = createAuth({ store, clock, tokens: { idleTtl: 2 * 3600_000, absoluteTtl: DAY } });
  const issue = async (count: number) => {
    const users = Math.max(1, Math.floor(count / 5));
    for (let start = 0; start < count; start += 1000) {
      const jobs: Array<Promise<unknown>> = [];
      for (let i = start; i < Math.min(count, start + 1000); i++)
        jobs.push(auth.tokens.issue({ userId: (i % users) + 1, device: 'bench' }));
      await Promise.all(jobs);
    }
  };
  const coldHeap = heap();
  // A warm-up cycle (issue, expire, sweep) before the baseline, so that code the optimiser compiles on
  // the way and other one-time allocations are in the baseline and not mistaken for a leak.
  const warm = Math.min(50_000, Math.max(1000, Math.floor(n / 10)));
  await issue(warm);
  clock.advance(2 * DAY);
  store.sweep(clock());
  const baselineHeap = heap();
  const t0 = performance.now();
  await issue(n);
  const issueMs = performance.now() - t0;
  const liveHeap = heap();
  clock.advance(2 * DAY);
  const t1 = performance.now();
  store.sweep(clock());
  const sweepMs = performance.now() - t1;
  const afterSweepHeap = heap();
  const result: HeapResult = {
    tokens: n,
    warmTokens: warm,
    coldHeap,
    baselineHeap,
    liveHeap,
    bytesPerToken: (liveHeap - baselineHeap) / n,
    afterSweepHeap,
    afterVsBaseline: afterSweepHeap / baselineHeap - 1,
    issueMs,
    sweepMs,
    storeTokensAfter: store.stats().tokens,
  };
  await auth.close();
  process.send?.({ type: 'result', result }, () => process.exit(0));
}

main().catch((e: unknown) => {
  process.send?.({ type: 'error', message: e instanceof Error ? e.message : String(e) }, () => process.exit(1));
});

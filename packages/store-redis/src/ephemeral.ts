import type { BudgetCharge, CodeStore, CounterState, CounterStore, ReserveResult } from '@authmount/core';
import { int } from './codec';
import type { Io } from './io';
import type { Keys } from './keys';
import { CODE_TAKE, COUNTER_INCREMENT, COUNTER_RESERVE, COUNTER_SETTLE } from './scripts';

/**
 * Single-use codes and counters: at most one script each. Every value carries its own deadline
 * ("<expiresAt>|<value>", "<count>|<resetAt>") so validity follows the caller's `now`; the key's TTL only
 * reclaims memory. All counters share one hash tag (keys.ts), so a multi-key reservation is one script.
 */

export function redisCodeStore(io: Io, keys: Keys, slack: number): CodeStore {
  return {
    put: (key, value, expiresAt, now) =>
      io.op('codes.put', async (op) => {
        await op.cmd('SET', keys.code(key), `${int(expiresAt)}|${value}`, 'PX', int(Math.max(expiresAt - now, 0) + slack));
      }),
    take: (key, now) => io.op('codes.take', async (op) => (await op.run(CODE_TAKE, [keys.code(key)], [int(now)])) as string | null),
  };
}

export function redisCounterStore(io: Io, keys: Keys, slack: number): CounterStore {
  return {
    increment: (key, windowMs, now) =>
      io.op('counters.increment', async (op) => {
        const [count, resetAt] = (await op.run(COUNTER_INCREMENT, [keys.counter(key)], [int(now), int(windowMs), slack])) as [
          string,
          string,
        ];
        return { count: Number(count), resetAt: Number(resetAt) };
      }),
    peek: (key, now) =>
      io.op('counters.peek', async (op): Promise<CounterState> => {
        const v = (await op.cmd('GET', keys.counter(key))) as string | null;
        if (v !== null) {
          const bar = v.indexOf('|');
          const state = { count: Number(v.slice(0, bar)), resetAt: Number(v.slice(bar + 1)) };
          if (now < state.resetAt) return state;
        }
        return { count: 0, resetAt: now };
      }),
    reserve: (charges: readonly BudgetCharge[], now) =>
      io.op('counters.reserve', async (op): Promise<ReserveResult> => {
        if (charges.length === 0) return { ok: true };
        const args: Array<string | number> = [int(now), slack];
        for (const c of charges) args.push(int(c.limit), int(c.windowMs));
        const [index, retryAt] = (await op.run(
          COUNTER_RESERVE,
          charges.map((c) => keys.counter(c.key)),
          args,
        )) as [number, string?];
        return index === 0 ? { ok: true } : { ok: false, key: charges[index - 1].key, retryAt: Number(retryAt) };
      }),
    settle: (entries, now) =>
      io.op('counters.settle', async (op) => {
        if (entries.length === 0) return;
        await op.run(
          COUNTER_SETTLE,
          entries.map((e) => keys.counter(e.key)),
          [int(now), ...entries.map((e) => e.action)],
        );
      }),
  };
}

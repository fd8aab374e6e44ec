import type { Clock, CodeStore, CounterState, CounterStore, NonceStore } from '@authmount/core';
import { int } from './codec';
import type { Io } from './io';
import type { Keys } from './keys';
import { CODE_TAKE, COUNTER_INCREMENT, NONCE_PUT } from './scripts';

/**
 * Single-use codes, nonces and counters: one key and at most one script each. Every value carries its
 * own deadline ("<expiresAt>|<value>", "<count>|<resetAt>") so validity follows the caller's `now`;
 * the key's TTL only reclaims memory.
 */

export function redisCodeStore(io: Io, keys: Keys, slack: number, clock: Clock): CodeStore {
  return {
    // `put` gets no `now`, so the TTL counts from the store's clock (inject the same clock as core's).
    put: (key, value, expiresAt) =>
      io.op('codes.put', async (op) => {
        const ttl = Math.max(expiresAt - clock(), 0) + slack;
        await op.cmd('SET', keys.code(key), `${int(expiresAt)}|${value}`, 'PX', int(ttl));
      }),
    take: (key, now) => io.op('codes.take', async (op) => (await op.run(CODE_TAKE, [keys.code(key)], [int(now)])) as string | null),
  };
}

export function redisNonceStore(io: Io, keys: Keys, slack: number): NonceStore {
  return {
    putIfAbsent: (key, ttlMs, now) =>
      io.op('nonces.putIfAbsent', async (op) => Number(await op.run(NONCE_PUT, [keys.nonce(key)], [int(now), int(ttlMs), slack])) === 1),
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
    reset: (key) =>
      io.op('counters.reset', async (op) => {
        await op.cmd('DEL', keys.counter(key));
      }),
  };
}

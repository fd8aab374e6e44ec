/**
 * Child process: login throughput against raw `argon2.verify`, in the same process, rounds interleaved.
 * Both use core's default parameters (argon2id m=19456, t=2, p=1). Raw verify runs with 4 calls in
 * flight (libuv's default thread pool; the baseline's method) and with 2 (one per core); the better of
 * the two is the reference. A "login" is what a login route does besides HTTP: `accounts.login`
 * (throttle, lookup, verify) + `tokens.issue`, 8 in flight (core's gate lets `cores` of them hash).
 */
import argon2 from 'argon2';
import { DEFAULT_ARGON2 } from '@authmount/core';
import { createAuth } from '@authmount/express';
import { memoryStore } from '@authmount/store-memory';
import { cpus } from 'node:os';
import { median } from './stats';

export interface LoginRatioResult {
  params: string;
  rounds: Array<{ raw4PerSec: number; raw2PerSec: number; loginPerSec: number; ratio: number }>;
  medianRaw4: number;
  medianRaw2: number;
  medianLogin: number;
  medianRatio: number;
  maxConcurrent: number;
}

/** Keep `inFlight` calls of `task` running for `ms`; completions per second. */
async function rate(task: () => Promise<unknown>, inFlight: number, ms: number): Promise<number> {
  let done = 0;
  const end = Date.now() + ms;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (Date.now() < end) {
      await task();
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (done / Number(process.hrtime.bigint() - t0)) * 1e9;
}

async function main(): Promise<void> {
  const [roundsArg, msArg] = process.argv.slice(2);
  const rounds = Number(roundsArg);
  const ms = Number(msArg);
  const password = 'correct horse battery staple';
  // No IP given to login (no per-IP throttle); the account throttle only counts failures.
  const store = memoryStore();
  const auth = createAuth({ store });
  await auth.accounts.register({ login: 'bench', email: 'bench@example.com', password });
  const stored = (await store.users.findByLogin('bench', Date.now()))!.passwordHash!;
  const login = async () => {
    const a = await auth.accounts.login({ identifier: 'bench', password, ip: undefined, method: 'bench' });
    await auth.tokens.issue({ userId: a.id, device: 'bench' });
  };
  const raw = () => argon2.verify(stored, password);
  // Warm-up: both paths once.
  await raw();
  await login();
  const out: LoginRatioResult['rounds'] = [];
  for (let r = 0; r < rounds; r++) {
    const raw4PerSec = await rate(raw, 4, ms);
    const loginPerSec = await rate(login, 8, ms);
    const raw2PerSec = await rate(raw, 2, ms);
    // The reference is the better of the two raw set-ups in this round: the stricter comparison.
    const best = Math.max(raw4PerSec, raw2PerSec);
    out.push({ raw4PerSec, raw2PerSec, loginPerSec, ratio: loginPerSec / best });
  }
  await auth.close();
  const result: LoginRatioResult = {
    params: `argon2id m=${DEFAULT_ARGON2.memoryCost}, t=${DEFAULT_ARGON2.timeCost}, p=${DEFAULT_ARGON2.parallelism}`,
    rounds: out,
    medianRaw4: median(out.map((x) => x.raw4PerSec)),
    medianRaw2: median(out.map((x) => x.raw2PerSec)),
    medianLogin: median(out.map((x) => x.loginPerSec)),
    medianRatio: median(out.map((x) => x.ratio)),
    maxConcurrent: cpus().length,
  };
  process.send?.({ type: 'result', result }, () => process.exit(0));
}

main().catch((e: unknown) => {
  process.send?.({ type: 'error', message: e instanceof Error ? e.message : String(e) }, () => process.exit(1));
});

import type { HasherOptions, ThrottleOptions } from '@authmount/core';

/**
 * Small argon2id parameters for tests that are not about hashing cost. Tests that ARE about the
 * parameters (defaults, rehash) set their own.
 */
export const FAST_HASHING: HasherOptions = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

/** Every abuse budget off: for fuzzers and tests that must reach the code behind the budgets every time. */
export const NO_BUDGETS: ThrottleOptions = { pair: false, account: false, ip: false, signup: false, mailIp: false, mailAccount: false };

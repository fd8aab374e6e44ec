import type { HasherOptions } from '@authmount/core';

/**
 * Small argon2id parameters for tests that are not about hashing cost. Tests that ARE about the
 * parameters (defaults, rehash) set their own.
 */
export const FAST_HASHING: HasherOptions = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

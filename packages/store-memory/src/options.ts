import { option, validateOptions, z } from '@authmount/core';

/** `memoryStore(options)`: checked at construction with core's toolkit (same error type and format as createAuth). */
const schema = z.strictObject(
  {
    maxEntries: option.integer('a positive integer (entries per map)', 1).optional(),
    sweepIntervalMs: option.integer('an integer number of milliseconds, 0 for no timer', 0).optional(),
    clock: option.func('a function returning epoch milliseconds').optional(),
  },
  { error: 'expected an options object ({ maxEntries, sweepIntervalMs, clock })' },
);

/** Throws ConfigError naming every invalid option of `memoryStore`. */
export function validateMemoryStoreOptions(opts: unknown): void {
  validateOptions(schema, opts, 'memoryStore');
}

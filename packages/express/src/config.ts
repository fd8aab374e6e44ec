import { ConfigError, option, STORE_METHODS, validateOptions, z } from '@authmount/core';

/**
 * Start-up validation of `createAuth(config)`, `requireAuth`/`optionalAuth` and `authRoutes`, with core's
 * one toolkit (`validateOptions`, the same error type and format as every other factory). A wrong option
 * fails here, naming the option and what was expected, instead of surfacing later as a 500 at request time
 * (or, worse, as a silently weaker setting, or a 400 that blames the client). Only the shape is checked;
 * core's constructors keep their own checks and still work without this (createAuthCore is not validated
 * here).
 *
 * Nested option objects (`tokens`, `throttle`, `hashing`, a throttle rule) are strict: an unknown key
 * there is almost always a typo (`idleTTL`). The top level of `createAuth` is not strict, because apps
 * commonly pass one options object that also carries their own settings; a top-level key that differs from
 * a known option only by case is still rejected. Guard and route options are strict.
 */

/** Thrown by `createAuth` (and every other authmount factory) for an invalid configuration: core's `ConfigError`. */
export { ConfigError as AuthConfigError };

const { func: fn, integer: int, milliseconds: ms } = option;

/** Every method of the store contract (core's STORE_METHODS, from packages/core/src/store.ts) must be a function. */
function methods(part: keyof typeof STORE_METHODS) {
  const shape: Record<string, z.ZodType> = {};
  for (const n of STORE_METHODS[part]) shape[n] = fn(`a function (AuthStore.${part}.${n})`);
  return z.looseObject(shape, { error: `expected an object implementing the AuthStore ${part} contract` });
}

const storeSchema = z.looseObject(
  {
    name: z.string({ error: 'expected a string (the store name)' }),
    tokens: methods('tokens'),
    users: methods('users'),
    codes: methods('codes'),
    counters: methods('counters'),
    clients: methods('clients').optional(),
    close: fn('a function (AuthStore.close)'),
    ready: fn('a function (AuthStore.ready)').optional(),
  },
  { error: 'expected an AuthStore (e.g. memoryStore() or redisStore(...))' },
);

const hashingSchema = z
  .strictObject(
    {
      memoryCost: int('an integer number of KiB, at least 8', 8, 2 ** 32 - 1).optional(),
      timeCost: int('an integer number of iterations, at least 1', 1, 2 ** 32 - 1).optional(),
      parallelism: int('an integer from 1 to 255', 1, 255).optional(),
      maxConcurrent: int('an integer of at least 1', 1).optional(),
      maxQueue: z
        .union([z.literal(false), int('false or an integer of at least 0', 0)], { error: 'expected false or an integer of at least 0' })
        .optional(),
      pepper: z.instanceof(Buffer, { error: 'expected a Buffer' }).optional(),
      legacy: z
        .array(
          z.looseObject(
            { name: z.string(), matches: fn('a function (matches)'), verify: fn('a function (verify)') },
            { error: 'expected a LegacyHashFormat ({ name, matches(hash), verify(hash, password) })' },
          ),
          { error: 'expected an array of LegacyHashFormat (e.g. [bcryptHashes])' },
        )
        .optional(),
    },
    { error: 'expected an object ({ memoryCost, timeCost, parallelism, maxConcurrent, maxQueue, pepper, legacy })' },
  )
  .refine((h) => h.memoryCost === undefined || h.memoryCost >= 8 * (h.parallelism ?? 1), {
    error: 'expected memoryCost of at least 8 KiB per lane (8 × parallelism)',
    path: ['memoryCost'],
  });

const tokensSchema = z.strictObject(
  { absoluteTtl: ms().optional(), idleTtl: ms().optional(), maxTtl: ms().optional() },
  { error: 'expected an object ({ absoluteTtl, idleTtl, maxTtl } in ms)' },
);

const throttleSchema = z.strictObject(
  {
    pair: option.throttleRule().optional(),
    account: option.throttleRule().optional(),
    ip: option.throttleRule().optional(),
    signup: option.throttleRule().optional(),
    mailIp: option.throttleRule().optional(),
    mailAccount: option.throttleRule().optional(),
  },
  { error: 'expected an object ({ pair, account, ip, signup, mailIp, mailAccount })' },
);

const loggerSchema = z.looseObject(
  {
    info: fn('a function (logger.info)'),
    warn: fn('a function (logger.warn)'),
    error: fn('a function (logger.error)'),
    debug: fn('a function (logger.debug)').optional(),
  },
  { error: 'expected a pino-compatible logger (info, warn, error methods)' },
);

const extractorsSchema = z.array(fn('a credential extractor function'), { error: 'expected an array of extractor functions' });

const configSchema = z.looseObject(
  {
    store: storeSchema.optional(),
    clock: fn('a function returning epoch milliseconds').optional(),
    passwordPolicy: option.passwordPolicy().optional(),
    hashing: hashingSchema.optional(),
    tokens: tokensSchema.optional(),
    throttle: throttleSchema.optional(),
    extractors: extractorsSchema.optional(),
    logger: loggerSchema.optional(),
  },
  { error: 'expected an options object' },
);

const guardSchema = z.strictObject(
  {
    issuers: option.stringList('issuer name').optional(),
    scopes: option.stringList('scope name').optional(),
    kinds: option.tokenKinds().optional(),
    extractors: extractorsSchema.optional(),
    onError: fn('a function (err, req, res, next)').optional(),
  },
  { error: 'expected an options object ({ issuers, scopes, kinds, extractors, onError })' },
);

const routesSchema = z.strictObject(
  { absoluteTtl: ms().optional(), idleTtl: ms().optional() },
  { error: 'expected an options object ({ absoluteTtl, idleTtl } in ms)' },
);

/** Throws ConfigError listing every invalid option of `createAuth`; returns normally for a valid configuration. */
export function validateConfig(config: unknown): void {
  validateOptions(configSchema, config, 'createAuth');
}

/** The options of `requireAuth` / `optionalAuth` (`factory` names which). */
export function validateGuardOptions(opts: unknown, factory: string): void {
  validateOptions(guardSchema, opts, factory);
}

/** The options of `authRoutes`. */
export function validateRoutesOptions(opts: unknown): void {
  validateOptions(routesSchema, opts, 'authRoutes');
}

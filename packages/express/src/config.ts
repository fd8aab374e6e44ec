import { z } from 'zod';

/**
 * Start-up validation of `createAuth(config)`. A wrong option fails here, with a message naming the
 * option and what was expected, instead of surfacing later as a 500 at request time (or, worse, as a
 * silently weaker setting). Only the shape is checked; core's constructors keep their own checks and
 * still work without this (createAuthCore is not validated here).
 *
 * Nested option objects (`tokens`, `throttle`, `hashing`, a throttle rule) are strict: an unknown key
 * there is almost always a typo (`idleTTL`). The top level is not strict, because apps commonly pass
 * one options object that also carries their own settings; a top-level key that differs from a known
 * option only by case is still rejected.
 */

/** Thrown by `createAuth` for an invalid configuration. `issues` lists every problem found. */
export class AuthConfigError extends TypeError {
  readonly issues: ReadonlyArray<{ option: string; message: string }>;
  constructor(issues: ReadonlyArray<{ option: string; message: string }>) {
    super(`Invalid authmount configuration (createAuth):\n${issues.map((i) => `  - ${i.option}: ${i.message}`).join('\n')}`);
    this.name = 'AuthConfigError';
    this.issues = issues;
  }
}

type AnyFn = (...args: never[]) => unknown;
const fn = (what: string) => z.custom<AnyFn>((v) => typeof v === 'function', { error: `expected ${what}` });

const int = (what: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(min, { error: `expected ${what}` })
    .max(max, { error: `expected ${what}` });

const ms = () => int('a positive integer number of milliseconds', 1);

/** Every method of the store contract (packages/core/src/store.ts) must be a function. */
function methods(part: string, names: readonly string[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const n of names) shape[n] = fn(`a function (AuthStore.${part}.${n})`);
  return z.looseObject(shape, { error: `expected an object implementing the AuthStore ${part} contract` });
}

const storeSchema = z.looseObject(
  {
    name: z.string({ error: 'expected a string (the store name)' }),
    tokens: methods('tokens', ['create', 'authenticate', 'peek', 'update', 'delete', 'listByUser', 'deleteByUser']),
    users: methods('users', ['create', 'findById', 'findByLogin', 'findByEmail', 'update', 'delete']),
    codes: methods('codes', ['put', 'take']),
    nonces: methods('nonces', ['putIfAbsent']),
    counters: methods('counters', ['increment', 'peek', 'reset']),
    close: fn('a function (AuthStore.close)'),
  },
  { error: 'expected an AuthStore (e.g. memoryStore() or redisStore(...))' },
);

const POLICY_EXPECTED = "expected 'nist', 'pcloud' or a PasswordPolicy object ({ name, maxLength, validate })";
const policySchema = z.custom(
  (v) => {
    if (v === 'nist' || v === 'pcloud') return true;
    if (typeof v !== 'object' || v === null) return false;
    const p = v as { name?: unknown; maxLength?: unknown; validate?: unknown };
    return typeof p.name === 'string' && Number.isInteger(p.maxLength) && typeof p.validate === 'function';
  },
  { error: POLICY_EXPECTED },
);

const hashingSchema = z
  .strictObject(
    {
      memoryCost: int('an integer number of KiB, at least 8', 8, 2 ** 32 - 1).optional(),
      timeCost: int('an integer number of iterations, at least 1', 1, 2 ** 32 - 1).optional(),
      parallelism: int('an integer from 1 to 255', 1, 255).optional(),
      maxConcurrent: int('an integer of at least 1', 1).optional(),
      pepper: z.instanceof(Buffer, { error: 'expected a Buffer' }).optional(),
    },
    { error: 'expected an object ({ memoryCost, timeCost, parallelism, maxConcurrent, pepper })' },
  )
  .refine((h) => h.memoryCost === undefined || h.memoryCost >= 8 * (h.parallelism ?? 1), {
    error: 'expected memoryCost of at least 8 KiB per lane (8 × parallelism)',
    path: ['memoryCost'],
  });

const tokensSchema = z.strictObject(
  { absoluteTtl: ms().optional(), idleTtl: ms().optional(), maxTtl: ms().optional() },
  { error: 'expected an object ({ absoluteTtl, idleTtl, maxTtl } in ms)' },
);

const RULE_EXPECTED = 'expected false or { limit, windowMs }';
const ruleSchema = z.union(
  [z.literal(false), z.strictObject({ limit: int('a positive integer', 1), windowMs: ms() }, { error: RULE_EXPECTED })],
  { error: RULE_EXPECTED },
);

const throttleSchema = z.strictObject(
  { ip: ruleSchema.optional(), account: ruleSchema.optional() },
  { error: 'expected an object ({ ip, account })' },
);

const loggerSchema = z.looseObject(
  { info: fn('a function (logger.info)'), warn: fn('a function (logger.warn)'), error: fn('a function (logger.error)') },
  { error: 'expected a pino-compatible logger (info, warn, error methods)' },
);

const configSchema = z.looseObject(
  {
    store: storeSchema.optional(),
    clock: fn('a function returning epoch milliseconds').optional(),
    passwordPolicy: policySchema.optional(),
    hashing: hashingSchema.optional(),
    tokens: tokensSchema.optional(),
    throttle: throttleSchema.optional(),
    extractors: z.array(fn('a credential extractor function'), { error: 'expected an array of extractor functions' }).optional(),
    logger: loggerSchema.optional(),
  },
  { error: 'expected an options object' },
);

const KNOWN = Object.keys(configSchema.shape);
const RULE_KEYS = ['limit', 'windowMs'];
/** The keys each strict object accepts, to name them when an unknown one is found. */
const STRICT_KEYS: Readonly<Record<string, readonly string[]>> = {
  tokens: Object.keys(tokensSchema.shape),
  hashing: ['memoryCost', 'timeCost', 'parallelism', 'maxConcurrent', 'pepper'],
  throttle: Object.keys(throttleSchema.shape),
  'throttle.ip': RULE_KEYS,
  'throttle.account': RULE_KEYS,
};

/** A short description of what was received. Values are shown only for numbers and booleans: never echo a string (it could be a secret). */
function received(input: unknown, path: readonly PropertyKey[]): string {
  let v: unknown = input;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v;
}

type Issue = z.core.$ZodIssue;

/** A union failure reports the branch that got furthest (a wrong `windowMs`, not "expected false or ..."). */
function flatten(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const branches = issue.errors.map((list) => list.flatMap(flatten));
  const deepest = branches
    .filter((b) => b.some((i) => i.path.length > 0))
    .sort((a, b) => Math.max(...b.map((i) => i.path.length)) - Math.max(...a.map((i) => i.path.length)))[0];
  return deepest ? deepest.map((i) => ({ ...i, path: [...issue.path, ...i.path] })) : [issue];
}

/** Throws AuthConfigError listing every invalid option; returns normally for a valid configuration. */
export function validateConfig(config: unknown): void {
  const issues: Array<{ option: string; message: string }> = [];
  const result = configSchema.safeParse(config);
  if (!result.success) {
    for (const issue of result.error.issues.flatMap(flatten)) {
      const where = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const allowed = STRICT_KEYS[where] ?? [];
        for (const key of issue.keys) {
          issues.push({ option: `${where}.${key}`, message: `unknown option; expected one of ${allowed.join(', ')}` });
        }
      } else {
        issues.push({ option: where || '(config)', message: `${issue.message}, received ${received(config, issue.path)}` });
      }
    }
  }
  if (config !== null && typeof config === 'object') {
    for (const key of Object.keys(config)) {
      const near = KNOWN.find((k) => k !== key && k.toLowerCase() === key.toLowerCase());
      if (near) issues.push({ option: key, message: `unknown option; did you mean "${near}"?` });
    }
  }
  if (issues.length > 0) throw new AuthConfigError(issues);
}

import { z } from 'zod';

/**
 * The one validation toolkit of every authmount factory (`createAuth`, `memoryStore`, `redisStore`,
 * `requireAuth`, `authRoutes`, `pcloud`, `xAuthBearer`, `cbToken`, ...). Each package writes its schema
 * with zod (re-exported here, so the whole framework uses one copy) and calls `validateOptions` in ONE
 * line at the top of its factory: a wrong option fails at start-up with a message naming the factory,
 * the option's path and what was expected, instead of surfacing later as a 500, a silent fallback or a
 * request the client gets blamed for.
 *
 * The message format is the same everywhere:
 *
 *   Invalid authmount configuration (redisStore):
 *     - urll: unknown option; expected one of url, redis, ... (did you mean "url"?)
 *     - commandTimeout: expected a positive integer number of milliseconds, received 0
 *
 * Every problem is listed at once. A string value is never echoed (it could be a password, a URL with
 * credentials or a key): only numbers and booleans are shown, anything else by its type.
 */
export { z };

export interface ConfigIssue {
  /** The option's path: `tokens.idleTtl`, `apps.0.authSecret`, or `(config)` for the whole object. */
  option: string;
  message: string;
}

/** Thrown by every authmount factory for an invalid configuration. `issues` lists every problem found. */
export class ConfigError extends TypeError {
  /** The factory that refused its options: `createAuth`, `redisStore`, `pcloud`, ... */
  readonly factory: string;
  readonly issues: readonly ConfigIssue[];
  constructor(factory: string, issues: readonly ConfigIssue[]) {
    super(`Invalid authmount configuration (${factory}):\n${issues.map((i) => `  - ${i.option}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.factory = factory;
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------------------------
// Building blocks for the packages' schemas (same wording everywhere)

type AnyFn = (...args: never[]) => unknown;

/** A function; `what` names it in the message ("a function (logger.info)"). */
function func(what = 'a function') {
  return z.custom<AnyFn>((v) => typeof v === 'function', { error: `expected ${what}` });
}

/** An integer in [min, max]; `what` is the whole expectation ("a positive integer number of milliseconds"). */
function integer(what: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(min, { error: `expected ${what}` })
    .max(max, { error: `expected ${what}` });
}

/** A duration in milliseconds: a positive integer (`'1h'` and `-5` are refused, not reinterpreted). */
const milliseconds = () => integer('a positive integer number of milliseconds', 1);

/** A duration in seconds: a positive integer. */
const seconds = () => integer('a positive integer number of seconds', 1);

/** A list of non-empty strings (scopes, redirect URIs). A bare string is refused: `'read'` is not `['read']`. */
const stringList = (what: string) =>
  z.array(z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` }), { error: `expected an array of ${what}s` });

/** A body size as body-parser reads it: a number of bytes, or a string like '64kb' / '1mb'. */
const BYTES_EXPECTED = "expected a number of bytes or a size like '64kb'";
const byteSize = () =>
  z.union(
    [
      integer('a positive integer number of bytes', 1),
      z.string({ error: BYTES_EXPECTED }).regex(/^\s*\d+(\.\d+)?\s*(b|kb|mb|gb)?\s*$/i, { error: BYTES_EXPECTED }),
    ],
    { error: BYTES_EXPECTED },
  );

const POLICY_EXPECTED = "expected 'nist', 'pcloud' or a PasswordPolicy object ({ name, maxLength, validate })";
/** A password policy spec: 'nist', 'pcloud' or a PasswordPolicy object. */
const passwordPolicy = () =>
  z.custom(
    (v) => {
      if (v === 'nist' || v === 'pcloud') return true;
      if (typeof v !== 'object' || v === null) return false;
      const p = v as { name?: unknown; maxLength?: unknown; validate?: unknown };
      return typeof p.name === 'string' && Number.isInteger(p.maxLength) && typeof p.validate === 'function';
    },
    { error: POLICY_EXPECTED },
  );

const RULE_EXPECTED = 'expected false or { limit, windowMs }';
/** A throttle rule: `false` (off) or `{ limit, windowMs }`. */
const throttleRule = () =>
  z.union(
    [z.literal(false), z.strictObject({ limit: integer('a positive integer', 1), windowMs: milliseconds() }, { error: RULE_EXPECTED })],
    { error: RULE_EXPECTED },
  );

/** A list of token kinds ('user', 'app', 'guest'). */
const tokenKinds = () =>
  z.array(z.enum(['user', 'app', 'guest'], { error: "expected 'user', 'app' or 'guest'" }), {
    error: "expected an array of token kinds ('user', 'app', 'guest')",
  });

/** The shared vocabulary; use these rather than bare zod types so every factory words its errors alike. */
export const option = { func, integer, milliseconds, seconds, stringList, byteSize, passwordPolicy, throttleRule, tokenKinds } as const;

// ---------------------------------------------------------------------------------------------
// validateOptions

type Issue = z.core.$ZodIssue;
type Schema = z.ZodType;

/** A short description of what was received. Values are shown only for numbers and booleans: never echo a string. */
function received(input: unknown, path: readonly PropertyKey[]): string {
  let v: unknown = input;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v;
}

/** A union failure reports the branch that got furthest (a wrong `windowMs`, not "expected false or ..."). */
function flatten(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const branches = issue.errors.map((list) => list.flatMap(flatten));
  const deepest = branches
    .filter((b) => b.some((i) => i.path.length > 0))
    .sort((a, b) => Math.max(...b.map((i) => i.path.length)) - Math.max(...a.map((i) => i.path.length)))[0];
  return deepest ? deepest.map((i) => ({ ...i, path: [...issue.path, ...i.path] })) : [issue];
}

interface Def {
  type: string;
  innerType?: Schema;
  options?: Schema[];
  element?: Schema;
  valueType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  catchall?: Schema;
}
const defOf = (s: Schema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object schema(s) that may describe the value at `path` (through optional, union, array, record). */
function objectsAt(schema: Schema, path: readonly PropertyKey[]): Def[] {
  const d = defOf(schema);
  switch (d.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return objectsAt(d.innerType!, path);
    case 'pipe':
      return objectsAt(d.in!, path);
    case 'union':
      return d.options!.flatMap((o) => objectsAt(o, path));
    case 'array':
      return path.length > 0 && typeof path[0] === 'number' ? objectsAt(d.element!, path.slice(1)) : [];
    case 'record':
      return path.length > 0 ? objectsAt(d.valueType!, path.slice(1)) : [];
    case 'object': {
      if (path.length === 0) return [d];
      const next = d.shape![String(path[0])];
      return next ? objectsAt(next, path.slice(1)) : [];
    }
    default:
      return [];
  }
}

/** Edits between two keys (optimal string alignment: a swap of two neighbours, `auht`, counts as one). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known key `key` was most likely meant to be: same letters in another case, or one or two edits away. */
function nearest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  const limit = key.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestD = limit + 1;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

const isLoose = (d: Def) => d.catchall !== undefined && defOf(d.catchall).type === 'unknown';

/**
 * Loose objects (createAuth's top level: apps keep their own settings in the same object) accept keys they
 * do not know, but a key that differs from an option only by case is still a typo.
 */
function caseTypos(schema: Schema, value: unknown, path: PropertyKey[], out: ConfigIssue[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const d of objectsAt(schema, [])) {
    if (d.type !== 'object') continue;
    const known = Object.keys(d.shape!);
    for (const key of Object.keys(value)) {
      if (key in d.shape!) {
        caseTypos(d.shape![key], (value as Record<string, unknown>)[key], [...path, key], out);
      } else if (isLoose(d)) {
        const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
        if (near) out.push({ option: [...path, key].join('.'), message: `unknown option; did you mean "${near}"?` });
      }
    }
  }
}

/**
 * Check `value` against `schema`; throw a ConfigError naming `factory` and listing every problem, or return
 * normally. Strict objects (`z.strictObject`) name each unknown key with the keys they accept and the
 * nearest one ("did you mean"); loose objects only flag keys that differ from an option by case.
 */
export function validateOptions(schema: Schema, value: unknown, factory: string): void {
  const issues: ConfigIssue[] = [];
  const result = schema.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues.flatMap(flatten)) {
      const where = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const known = [...new Set(objectsAt(schema, issue.path).flatMap((d) => Object.keys(d.shape ?? {})))];
        for (const key of issue.keys) {
          const near = nearest(key, known);
          issues.push({
            option: where ? `${where}.${key}` : key,
            message: `unknown option; expected one of ${known.join(', ')}${near ? ` (did you mean "${near}"?)` : ''}`,
          });
        }
      } else {
        issues.push({ option: where || '(config)', message: `${issue.message}, received ${received(value, issue.path)}` });
      }
    }
  }
  caseTypos(schema, value, [], issues);
  if (issues.length > 0) throw new ConfigError(factory, issues);
}

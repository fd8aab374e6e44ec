import { option, validateOptions, z } from '@authmount/core';

/**
 * `redisStore(options)`: checked at construction with core's toolkit, so a typo (`urll`), a URL that is
 * not one, or a database number that is not a number fails at start-up naming the option, in the same
 * format as createAuth. The URL itself is never echoed (it may carry a password). Whether the database
 * exists on the server is only known once connected: `ready()` (and every call) then fail loudly with
 * Redis' own answer instead of silently using database 0.
 */

const URL_EXPECTED = 'expected a redis:// or rediss:// URL (redis://[:password@]host[:port][/db]) or a Unix socket path';

/** True for what the store accepts as `url`: a redis(s):// URL with an optional numeric db path, or a socket path. */
function isRedisUrl(v: string): boolean {
  if (v.startsWith('/')) return true; // Unix socket, as ioredis reads it
  if (!/^rediss?:\/\//i.test(v)) return false;
  try {
    const u = new URL(v);
    return u.hostname.length > 0 && /^\/?(\d+)?$/.test(u.pathname);
  } catch {
    return false;
  }
}

const schema = z
  .strictObject(
    {
      url: z.string({ error: URL_EXPECTED }).refine(isRedisUrl, { error: URL_EXPECTED }).optional(),
      // ioredis has many options and owns their meaning: only the object and the ones the store relies on are checked.
      redis: z
        .looseObject(
          {
            db: option.integer('a database number (an integer of at least 0)', 0).optional(),
            host: z.string({ error: 'expected a host name' }).min(1, { error: 'expected a host name' }).optional(),
            port: option.integer('a port number (1 to 65535)', 1, 65535).optional(),
          },
          { error: 'expected an object of ioredis options' },
        )
        .optional(),
      client: z
        .looseObject(
          { call: option.func('an ioredis Redis or Cluster client'), on: option.func('an ioredis Redis or Cluster client') },
          { error: 'expected an ioredis Redis or Cluster client' },
        )
        .optional(),
      prefix: z
        .string({ error: 'expected a string' })
        .refine((p) => !/[{}]/.test(p), { error: 'expected a prefix without "{" or "}" (they would capture the Cluster hash tag)' })
        .optional(),
      commandTimeout: option.milliseconds().optional(),
      ttlSlackMs: option.milliseconds().optional(),
      clock: option.func('a function returning epoch milliseconds').optional(),
      dropKeysOnClose: z.boolean({ error: 'expected true or false' }).optional(),
      onError: option.func('a function (err) => void').optional(),
    },
    { error: 'expected an options object' },
  )
  .refine((o) => o.client === undefined || (o.url === undefined && o.redis === undefined), {
    error: 'pass either `client` or `url`/`redis`, not both',
    path: ['client'],
  });

/** Throws ConfigError naming every invalid option of `redisStore`. */
export function validateRedisStoreOptions(opts: unknown): void {
  validateOptions(schema, opts, 'redisStore');
}

import { option, validateOptions, z } from '@authmount/core';

/**
 * `cbToken(auth, options)`, `cbTokenGuard(auth, options, opts)` and the guard's options: checked at
 * start-up with core's toolkit (same error type and format as createAuth). An application's `authSecret`
 * is the HMAC key of signed requests: shorter than 16 characters it is guessable, so it is refused here,
 * naming the option, rather than accepted and brute-forced later. Secrets are never echoed.
 */
export const MIN_AUTH_SECRET = 16;

const SECRET_EXPECTED = `expected a secret of at least ${MIN_AUTH_SECRET} characters (the HMAC key of signed requests; use a random one)`;
const APP_ID_EXPECTED = "expected an application id: 1-64 letters, digits, '-' or '_' (or a non-negative integer)";

const appSchema = z
  .strictObject(
    {
      applicationId: z.union([option.integer(APP_ID_EXPECTED, 0), z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: APP_ID_EXPECTED })], {
        error: APP_ID_EXPECTED,
      }),
      authKey: z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' }),
      authSecret: z.string({ error: SECRET_EXPECTED }).min(MIN_AUTH_SECRET, { error: SECRET_EXPECTED }).nullable().optional(),
      allowUnsigned: z.boolean({ error: 'expected true or false' }).optional(),
      signatureAlgorithms: z
        .array(z.enum(['sha1', 'sha256'], { error: "expected 'sha1' or 'sha256'" }), { error: "expected an array of 'sha1' / 'sha256'" })
        .optional(),
      autoCreateUsers: z.boolean({ error: 'expected true or false' }).optional(),
    },
    { error: 'expected an application ({ applicationId, authKey, authSecret, ... })' },
  )
  .refine((a) => (a.authSecret !== undefined && a.authSecret !== null) || a.allowUnsigned === true, {
    error: `${SECRET_EXPECTED}, or allowUnsigned: true for an application without one`,
    path: ['authSecret'],
  });

const appsSchema = z.union(
  [
    z.array(appSchema).superRefine((apps, ctx) => {
      const ids = new Set<string>();
      const keys = new Set<string>();
      apps.forEach((a, i) => {
        const id = String(a.applicationId);
        if (ids.has(id))
          ctx.addIssue({ code: 'custom', path: [i, 'applicationId'], message: 'expected a unique applicationId (defined twice)' });
        if (keys.has(a.authKey))
          ctx.addIssue({ code: 'custom', path: [i, 'authKey'], message: 'expected a unique authKey (two applications share it)' });
        ids.add(id);
        keys.add(a.authKey);
      });
    }),
    z.looseObject(
      {
        findById: option.func('a registry with findById and findByAuthKey'),
        findByAuthKey: option.func('a registry with findById and findByAuthKey'),
      },
      { error: 'expected a registry ({ findById, findByAuthKey })' },
    ),
  ],
  { error: 'expected an array of applications or a registry ({ findById, findByAuthKey })' },
);

const schema = z.strictObject(
  {
    apps: appsSchema,
    sessionIdleTtl: option.milliseconds().optional(),
    sessionMaxAge: option.milliseconds().optional(),
    guestTtl: option.milliseconds().optional(),
    timestampWindowSeconds: option.seconds().optional(),
    providers: z
      .record(z.string(), option.func('a verifier function (credentials) => Promise<identity | null>'), {
        error: 'expected an object of verifier functions',
      })
      .optional(),
    bodyLimit: option.byteSize().optional(),
    acceptIssuers: option.stringList('issuer name').min(1, { error: 'expected a non-empty array of issuer names' }).optional(),
  },
  { error: 'expected an options object ({ apps, ... })' },
);

const guardSchema = z.strictObject(
  {
    allow: z.enum(['read-only-app', 'user', 'any'], { error: "expected 'read-only-app', 'user' or 'any'" }).optional(),
    acceptIssuers: option.stringList('issuer name').min(1, { error: 'expected a non-empty array of issuer names' }).optional(),
  },
  { error: 'expected an options object ({ allow, acceptIssuers })' },
);

/** Throws ConfigError naming every invalid option of `cbToken` / `cbTokenGuard` (`factory` names which). */
export function validateCbTokenOptions(opts: unknown, factory = 'cbToken'): void {
  validateOptions(schema, opts, factory);
}

/** Throws ConfigError naming every invalid option of the CB-Token guard. */
export function validateCbGuardOptions(opts: unknown): void {
  validateOptions(guardSchema, opts, 'cbToken .guard()');
}

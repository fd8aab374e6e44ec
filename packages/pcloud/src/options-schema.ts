import { option, validateOptions, z } from '@authmount/core';
import { isClientId, MIN_SECRET_LENGTH, redirectUriProblem } from './oauth/clients';
import { parseKey } from './password-copy';

/**
 * `pcloud(auth, options)`, `.method(name, handler, options)` and `.guard(options)`: checked at start-up
 * with core's toolkit, so every wrong option (`codeTtl: { reset: '1h' }`, `limits: { maxBodyByte: ... }`,
 * a digest key of the wrong size, a redirect URI over plain http) fails there naming the option, in the
 * same format as createAuth. Deeper rules that need the whole list (duplicate client ids) stay in
 * staticClients.
 */

const { func: fn, milliseconds: ms, seconds } = option;

/** No key (an unset `PCLOUD_DIGEST_KEY`): digest login stays off, and the adapter says so once at start-up. */
export const isMissingKey = (key: unknown): boolean => key === undefined || key === null || key === '';

const KEY_EXPECTED = 'expected a 32-byte key (AES-256): a Buffer, 64 hex characters or 43/44 base64 characters';
const digestKey = z.custom(
  (key) => {
    if (isMissingKey(key)) return true;
    if (typeof key !== 'string' && !(key instanceof Uint8Array)) return false;
    try {
      parseKey(key);
      return true;
    } catch {
      return false;
    }
  },
  { error: KEY_EXPECTED },
);

const clientConfig = z.strictObject(
  {
    clientId: z
      .string({ error: "expected 1-64 letters, digits, '-' or '_'" })
      .refine(isClientId, { error: "expected 1-64 letters, digits, '-' or '_'" }),
    clientSecret: z
      .string({ error: `expected a random secret of ${MIN_SECRET_LENGTH} to 512 characters` })
      .min(MIN_SECRET_LENGTH, { error: `expected a random secret of ${MIN_SECRET_LENGTH} to 512 characters` })
      .max(512, { error: `expected a random secret of ${MIN_SECRET_LENGTH} to 512 characters` }),
    redirectUris: z.array(
      z.string({ error: 'expected a redirect URI' }).superRefine((uri, ctx) => {
        const problem = redirectUriProblem(uri);
        if (problem) ctx.addIssue({ code: 'custom', message: `redirect URI ${problem}` });
      }),
      { error: 'expected an array of redirect URIs (may be empty)' },
    ),
    name: z
      .string({ error: 'expected a name of 1 to 100 characters' })
      .refine((n) => n.trim().length > 0 && n.length <= 100, { error: 'expected a name of 1 to 100 characters' }),
    scopes: option
      .stringList('scope name')
      .refine((s) => !s.includes('account'), { error: "expected grant scopes without 'account' (OAuth tokens never manage the account)" })
      .optional(),
    pollToken: z.boolean({ error: 'expected true or false' }).optional(),
  },
  { error: 'expected a client ({ clientId, clientSecret, redirectUris, name, scopes?, pollToken? })' },
);

const oauthSchema = z.strictObject(
  {
    clients: z.union(
      [
        z.array(clientConfig),
        z.looseObject({ find: fn('a registry with find(clientId)') }, { error: 'expected a registry with find(clientId)' }),
      ],
      { error: 'expected a list of clients or a registry with find(clientId)' },
    ),
    codeTtlMs: ms().optional(),
    tokens: z
      .strictObject({ absoluteTtl: ms().optional(), idleTtl: ms().optional() }, { error: 'expected { absoluteTtl, idleTtl } in ms' })
      .optional(),
    poll: z
      .strictObject(
        {
          timeoutMs: ms().optional(),
          intervalMs: ms().optional(),
          grantTtlMs: ms().optional(),
          maxWaiting: option.integer('a positive integer', 1).optional(),
        },
        { error: 'expected { timeoutMs, intervalMs, grantTtlMs, maxWaiting }' },
      )
      .optional(),
  },
  { error: 'expected an object ({ clients, codeTtlMs, tokens, poll })' },
);

const schema = z.strictObject(
  {
    passwordPolicy: option.passwordPolicy().optional(),
    digest: z
      .union([z.literal(false), z.strictObject({ key: digestKey }, { error: 'expected false or { key }' })], {
        error: 'expected false or { key }',
      })
      .optional(),
    mailer: fn('a function (message) => Promise<void>').optional(),
    tokens: z
      .strictObject(
        {
          authExpire: seconds().optional(),
          authInactiveExpire: seconds().optional(),
          maxAuthExpire: seconds().optional(),
          maxAuthInactiveExpire: seconds().optional(),
        },
        { error: 'expected an object of lifetimes in seconds' },
      )
      .optional(),
    codeTtl: z
      .strictObject(
        { reset: ms().optional(), verify: ms().optional(), changemail: ms().optional(), deactivate: ms().optional() },
        { error: 'expected an object ({ reset, verify, changemail, deactivate } in ms)' },
      )
      .optional(),
    cookies: z.enum(['all', 'auth', 'none'], { error: "expected 'all', 'auth' or 'none'" }).optional(),
    limits: z
      .strictObject(
        {
          maxBodyBytes: option.integer('a positive integer number of bytes', 1).optional(),
          maxFields: option.integer('a positive integer', 1).optional(),
        },
        { error: 'expected an object ({ maxBodyBytes, maxFields })' },
      )
      .optional(),
    userinfo: fn('a function (account) => fields').optional(),
    inviteUrl: fn('a function (code, req) => string').optional(),
    onError: fn('a function (err, method) => void').optional(),
    oauth: oauthSchema.optional(),
    acceptIssuers: option.stringList('issuer name').min(1, { error: 'expected a non-empty array of issuer names' }).optional(),
  },
  { error: 'expected an options object' },
);

const methodSchema = z.strictObject(
  {
    auth: z.boolean({ error: 'expected true or false' }).optional(),
    scopes: option.stringList('scope name').optional(),
    body: z.boolean({ error: 'expected true or false' }).optional(),
  },
  { error: 'expected an options object ({ auth, scopes, body })' },
);

/** Throws ConfigError naming every invalid option of `pcloud(auth, options)`. */
export function validatePcloudOptions(opts: unknown): void {
  validateOptions(schema, opts, 'pcloud');
}

/** The options of `.method(name, handler, options)` and `.guard(options)` (`factory` names which). */
export function validateMethodOptions(opts: unknown, factory: string): void {
  validateOptions(methodSchema, opts, factory);
}

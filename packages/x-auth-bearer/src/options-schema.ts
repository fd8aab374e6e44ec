import { option, validateOptions, z } from '@authmount/core';

/**
 * `xAuthBearer(auth, options)` and its guard's options: checked at start-up with core's toolkit (same
 * error type and format as createAuth). Whether a lifetime fits the Auth's `tokens.maxTtl` is checked in
 * options.ts, which knows the Auth.
 */
const schema = z.strictObject(
  {
    shortTtl: option.milliseconds().optional(),
    longTtl: option.milliseconds().optional(),
    maxLifetime: option.milliseconds().optional(),
    acceptIssuers: option.stringList('issuer name').min(1, { error: 'expected a non-empty array of issuer names' }).optional(),
    user: option.func('a function (account, user) => object').optional(),
    bodyLimit: option.byteSize().optional(),
  },
  { error: 'expected an options object ({ shortTtl, longTtl, maxLifetime, acceptIssuers, user, bodyLimit })' },
);

const guardSchema = z.strictObject(
  {
    kinds: option.tokenKinds().optional(),
    scopes: option.stringList('scope name').optional(),
    acceptIssuers: option.stringList('issuer name').min(1, { error: 'expected a non-empty array of issuer names' }).optional(),
  },
  { error: 'expected an options object ({ kinds, scopes, acceptIssuers })' },
);

/** Throws ConfigError naming every invalid option of `xAuthBearer`. */
export function validateXAuthBearerOptions(opts: unknown): void {
  validateOptions(schema, opts, 'xAuthBearer');
}

/** Throws ConfigError naming every invalid option of the X-Auth-Bearer guard. */
export function validateXAuthGuardOptions(opts: unknown): void {
  validateOptions(guardSchema, opts, 'xAuthBearer .guard()');
}

/**
 * A consumer under the strictest TypeScript settings: `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`,
 * `verbatimModuleSyntax` (TypeScript 7's `tsc --init` turns all three on). Compiled twice:
 * - here, by test/readme-samples.test.ts with TypeScript 5 against the sources;
 * - in a fresh ESM app, by examples/existing-app's test with TypeScript 5 AND TypeScript 7 against the
 *   declarations installed from the packed tarballs.
 *
 * Under exactOptionalPropertyTypes, `{ url: process.env.REDIS_URL }` only compiles when `url?` is declared
 * `string | undefined`. Two checks: the calls below (what apps write), and a type-level walk over every public
 * option type that lists any optional property that does not accept `undefined` (it must list none).
 */
import { cbToken, cbTokenGuard, type CbApp, type CbGuardOptions, type CbTokenOptions, type ProviderIdentity } from '@authmount/cb-token';
import type { HasherOptions, IssueOptions, NistPolicyOptions, RequireOptions, ThrottleOptions } from '@authmount/core';
import {
  authRoutes,
  composePolicy,
  createAuth,
  nistPolicy,
  rules,
  type AuthConfig,
  type AuthRoutesOptions,
  type RequireAuthOptions,
} from '@authmount/express';
import { pcloud, type MethodOptions, type OAuthClientConfig, type OAuthOptions, type PcloudOptions } from '@authmount/pcloud';
import { memoryStore, type MemoryStoreOptions } from '@authmount/store-memory';
import { postgresStore, type PostgresStoreOptions } from '@authmount/store-postgres';
import { redisStore, type RedisStoreOptions } from '@authmount/store-redis';
import { xAuthBearer, type XAuthBearerOptions, type XAuthGuardOptions } from '@authmount/x-auth-bearer';
import express from 'express';

// ---------------------------------------------------------------------------------------------
// Type level: every optional property of every option type accepts `undefined` (recursively).

type Fn = (...args: never[]) => unknown;
/** Values the walk does not enter: functions, binary data, and objects owned by other libraries or by core. */
type Leaf =
  | Fn
  | Uint8Array
  | Iterable<string>
  | RedisStoreOptions['redis']
  | RedisStoreOptions['client']
  | PostgresStoreOptions['pool']
  | PostgresStoreOptions['poolOptions']
  | AuthConfig['store']
  | AuthConfig['logger'];
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
/** `-?` removes only the `undefined` that optionality adds: what is left says whether `undefined` was declared. */
type Declared<T> = { [K in keyof T]-?: T[K] };
/** Paths of optional properties that refuse `undefined`; `never` when there is none. */
type Refusing<T, P extends string = ''> = T extends Leaf
  ? never
  : T extends readonly (infer E)[]
    ? Refusing<E, `${P}[].`>
    : T extends object
      ? | { [K in OptionalKeys<T> & string]: undefined extends Declared<T>[K] ? never : `${P}${K}` }[OptionalKeys<T> & string]
        | { [K in keyof T & string]-?: Refusing<Declared<T>[K], `${P}${K}.`> }[keyof T & string]
      : never;
/**
 * Compiles only when T is never; otherwise the error shows the offending paths. Without
 * exactOptionalPropertyTypes (the repository's own tsconfig) optional already means `| undefined`, so the
 * walk is meaningless and skipped.
 */
type ExactOptional = { a?: string | undefined } extends { a?: string } ? false : true;
type None<T extends (ExactOptional extends true ? never : unknown)> = T;

export type OptionTypesAcceptUndefined = [
  None<Refusing<AuthConfig>>,
  None<Refusing<RequireAuthOptions>>,
  None<Refusing<AuthRoutesOptions>>,
  None<Refusing<HasherOptions>>,
  None<Refusing<ThrottleOptions>>,
  None<Refusing<NistPolicyOptions>>,
  None<Refusing<RequireOptions>>,
  None<Refusing<IssueOptions>>,
  None<Refusing<MemoryStoreOptions>>,
  None<Refusing<RedisStoreOptions>>,
  None<Refusing<PostgresStoreOptions>>,
  None<Refusing<PcloudOptions>>,
  None<Refusing<OAuthOptions>>,
  None<Refusing<OAuthClientConfig>>,
  None<Refusing<MethodOptions>>,
  None<Refusing<XAuthBearerOptions>>,
  None<Refusing<XAuthGuardOptions>>,
  None<Refusing<CbTokenOptions>>,
  None<Refusing<CbApp>>,
  None<Refusing<CbGuardOptions>>,
  None<Refusing<ProviderIdentity>>,
];

// ---------------------------------------------------------------------------------------------
// What apps write: optional settings straight from the environment (string | undefined).

const env = process.env;
const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

export async function build(): Promise<void> {
  const store = env.DATABASE_URL
    ? postgresStore({ connectionString: env.DATABASE_URL, schema: env.PG_SCHEMA, queryTimeoutMs: num(env.PG_TIMEOUT_MS), users: undefined })
    : env.REDIS_URL
      ? redisStore({ url: env.REDIS_URL, prefix: env.REDIS_PREFIX, commandTimeout: num(env.REDIS_TIMEOUT_MS), onError: undefined })
      : memoryStore({ maxEntries: num(env.MAX_ENTRIES), sweepIntervalMs: undefined, clock: undefined });
  const auth = createAuth({
    store,
    clock: undefined,
    passwordPolicy: env.POLICY === 'pcloud' ? 'pcloud' : nistPolicy({ minLength: num(env.MIN_LENGTH), extraBlocklist: undefined }),
    hashing: { memoryCost: num(env.ARGON2_MEMORY), timeCost: undefined, pepper: undefined },
    tokens: { absoluteTtl: num(env.TOKEN_TTL), idleTtl: undefined, maxTtl: undefined },
    throttle: { ip: undefined, account: { limit: 5, windowMs: 60_000 } },
    extractors: undefined,
    logger: undefined,
  });
  await auth.ready();

  const app = express();
  app.use('/auth', authRoutes(auth, { idleTtl: num(env.IDLE_TTL), absoluteTtl: undefined }));
  app.get('/files', auth.requireAuth({ scopes: env.SCOPE ? [env.SCOPE] : undefined, kinds: undefined }), (req, res) => {
    const scopes = req.auth?.scopes ?? [];
    const first: string | undefined = scopes[0]; // noUncheckedIndexedAccess
    res.json({ user: req.auth?.userId ?? null, first: first ?? null });
  });

  const api = pcloud(auth, {
    digest: { key: env.PCLOUD_DIGEST_KEY }, // unset: digest login off, said once
    mailer: async (m) => console.log(`mail to ${m.to} (${m.kind})`),
    codeTtl: { reset: num(env.RESET_TTL_MS) },
    limits: { maxBodyBytes: num(env.MAX_BODY), maxFields: undefined },
    oauth: env.OAUTH_SECRET
      ? { clients: [{ clientId: 'app', clientSecret: env.OAUTH_SECRET, redirectUris: [], name: 'App' }], codeTtlMs: undefined }
      : undefined,
  });
  api.method('listfolder', async (call) => ({ owner: call.userId }), { scopes: undefined, body: undefined });
  app.use('/pcloud', api);

  app.use('/api', xAuthBearer(auth, { shortTtl: num(env.SHORT_TTL), user: undefined, bodyLimit: env.BODY_LIMIT }));

  const cbApps: CbApp[] = [
    {
      applicationId: 1,
      authKey: env.CB_AUTH_KEY ?? 'key',
      authSecret: env.CB_AUTH_SECRET,
      allowUnsigned: env.CB_AUTH_SECRET === undefined,
    },
  ];
  const cb = cbToken(auth, {
    apps: cbApps,
    sessionIdleTtl: num(env.CB_IDLE),
    providers: {
      facebook: async (creds): Promise<ProviderIdentity | null> => ({
        subject: creds.keys.token ?? 'x',
        email: undefined,
        fullName: undefined,
      }),
    },
    bodyLimit: undefined,
  });
  app.use('/cb', cb);
  app.get('/cb/data', cb.guard({ allow: undefined }), cbTokenGuard(auth, { apps: cbApps }, { allow: 'any' }), (_req, res) => res.end());

  const policy = composePolicy('mine', [rules.minLength(12), rules.maxLength(64)], { maxLength: 64 });
  void policy;
  await auth.close();
}

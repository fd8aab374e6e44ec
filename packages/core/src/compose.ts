import type { AuthStore, CodeStore, CounterStore, OAuthClientRegistry, TokenStore, UserStore } from './store';

/** The four concerns of an AuthStore. */
export type StoreConcern = 'tokens' | 'users' | 'codes' | 'counters';

interface Parts {
  tokens: TokenStore;
  users: UserStore;
  codes: CodeStore;
  counters: CounterStore;
}

/** A concern given either as a whole store (its part is used) or as the sub-store itself. */
type Source<K extends StoreConcern> = AuthStore | Parts[K];

/**
 * What `composeStore` takes: every concern named, or `rest` for the ones not named.
 * The types insist on it: leaving a concern without a source does not compile.
 */
export type ComposeOptions = {
  /** Shown in logs and errors. Default `compose(users:postgres, tokens:redis, ...)`. */
  name?: string;
  /**
   * Extra work for close() (e.g. closing a client you passed sub-stores of). Every whole AuthStore
   * passed is closed by the composition anyway, once each, whatever it serves.
   */
  close?: () => Promise<void>;
  /**
   * The OAuth client registry (optional in the contract): a whole store (its `clients`) or a registry.
   * Default: `rest`'s, else the users store's (clients are account-like data, kept with the users).
   */
  clients?: AuthStore | OAuthClientRegistry;
} & (({ rest: AuthStore } & { [K in StoreConcern]?: Source<K> }) | ({ rest?: undefined } & { [K in StoreConcern]: Source<K> }));

const CONCERNS: readonly StoreConcern[] = ['tokens', 'users', 'codes', 'counters'];

function isAuthStore(v: unknown): v is AuthStore {
  return typeof v === 'object' && v !== null && 'tokens' in v && 'users' in v && typeof (v as AuthStore).close === 'function';
}

/**
 * One AuthStore made of several, one per concern: users where the app keeps them (PostgreSQL), tokens,
 * counters and codes where they are cheap to touch on every request (Redis, memory).
 *
 *   const store = composeStore({ users: postgresStore({ pool }), rest: redisStore({ url }) });
 *   const store = composeStore({ users: pg, tokens: redis, codes: redis, counters: redis });
 *
 * Each concern keeps its own store's guarantees (atomicity within the concern); nothing spans two
 * stores, and the contract never asks for that: core revokes a user's tokens and deletes the user in
 * separate calls. close() closes every whole store once (in parallel), then runs `close` if given.
 */
export function composeStore(opts: ComposeOptions): AuthStore {
  const rest = opts.rest;
  const parts = {} as Parts;
  const owners: string[] = [];
  const whole = new Set<AuthStore>();
  if (rest !== undefined) {
    if (!isAuthStore(rest)) throw new TypeError('composeStore: `rest` must be an AuthStore');
    whole.add(rest);
  }
  for (const k of CONCERNS) {
    const src = (opts as Record<StoreConcern, unknown>)[k] ?? rest;
    if (src === undefined || src === null) throw new TypeError(`composeStore: no store for ${k} (name it, or pass \`rest\`)`);
    if (isAuthStore(src)) {
      whole.add(src);
      (parts as unknown as Record<string, unknown>)[k] = src[k];
      owners.push(`${k}:${src.name}`);
    } else {
      (parts as unknown as Record<string, unknown>)[k] = src;
      owners.push(`${k}:custom`);
    }
  }
  const usersSource = (opts as { users?: unknown }).users;
  const clientsSource = opts.clients ?? rest ?? (isAuthStore(usersSource) ? usersSource : undefined);
  const clients = clientsSource && isAuthStore(clientsSource) ? clientsSource.clients : clientsSource;
  if (opts.clients && isAuthStore(opts.clients)) whole.add(opts.clients);
  let closing: Promise<void> | undefined;
  return {
    name: opts.name ?? `compose(${owners.join(', ')})`,
    ...parts,
    ...(clients ? { clients } : {}),
    close() {
      closing ??= (async () => {
        const results = await Promise.allSettled([...whole].map((s) => s.close()));
        if (opts.close) await opts.close();
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      })();
      return closing;
    },
  };
}

import { toStoreError } from './errors';
import type { AuthStore, AuthenticateResult, OAuthClientRegistry, TokenFilter, TokenStore } from './store';

/** The method names of a contract interface. */
type MethodsOf<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];
/** `true` only when `L` lists every method of `T` (a method added to a contract must be listed below). */
type ListsAll<T, L extends readonly PropertyKey[]> = [Exclude<MethodsOf<T>, L[number]>] extends [never] ? true : never;

/**
 * Every method of every sub-store contract, listed once: the fail-closed wrapper wraps these, and
 * `createAuth`'s option check expects them. A contract method missing here fails to compile.
 */
export const STORE_METHODS = {
  tokens: ['create', 'authenticate', 'peek', 'update', 'delete', 'listByUser', 'deleteByUser'],
  users: ['create', 'findById', 'findByLogin', 'findByEmail', 'update', 'delete'],
  codes: ['put', 'take'],
  counters: ['increment', 'peek', 'reserve', 'settle'],
  clients: ['find', 'create', 'remove', 'list'],
} as const;

type Parts = Required<Pick<AuthStore, keyof typeof STORE_METHODS>>;
const complete: { [P in keyof Parts]: ListsAll<Parts[P], (typeof STORE_METHODS)[P]> } = {
  tokens: true,
  users: true,
  codes: true,
  counters: true,
  clients: true,
};
void complete;

/** The rejection handler of every wrapped call: module-level, so a call allocates no closure for it. */
function unavailable(e: unknown): never {
  throw toStoreError(e);
}

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

/**
 * `inner` with each of `methods` failing closed: a rejection, and a synchronous throw alike, becomes a
 * rejection with `store_unavailable` (the original as its `cause`; AuthErrors such as `capacity` pass as
 * they are). The method is looked up on `inner` at each call, so the wrapper follows the object it wraps.
 */
function guarded<T extends object>(inner: T, methods: readonly string[]): T {
  const out: Record<string, AnyMethod> = {};
  for (const name of methods) {
    out[name] = (...args) => {
      try {
        return ((inner as Record<string, AnyMethod>)[name].apply(inner, args) as Promise<unknown>).then(undefined, unavailable);
      } catch (e) {
        return Promise.reject(toStoreError(e));
      }
    };
  }
  return out as T;
}

/**
 * The token store, with `authenticate` written out: it runs on every request, so it takes its four
 * arguments as they are (no rest array, no apply) and adds one `.then` with the module-level handler.
 */
function guardedTokens(inner: TokenStore): TokenStore {
  const tokens = guarded(inner, STORE_METHODS.tokens);
  tokens.authenticate = (id: string, secretHash: string, now: number, filter?: TokenFilter): Promise<AuthenticateResult> => {
    try {
      return inner.authenticate(id, secretHash, now, filter).then(undefined, unavailable);
    } catch (e) {
      return Promise.reject(toStoreError(e));
    }
  };
  return tokens;
}

/**
 * Fail-closed by construction: the store every core service is built on (createAuthCore wraps it once).
 * Every method of every sub-store (tokens, users, codes, counters and, when the store has one, the OAuth
 * client registry) turns any failure into `store_unavailable`, so no service or adapter has to remember to.
 * `name`, `ready` and `close` are passed through: their errors are the real cause, for operators.
 */
export function failClosed(store: AuthStore): AuthStore {
  const clients: OAuthClientRegistry | undefined = store.clients ? guarded(store.clients, STORE_METHODS.clients) : undefined;
  return {
    name: store.name,
    tokens: guardedTokens(store.tokens),
    users: guarded(store.users, STORE_METHODS.users),
    codes: guarded(store.codes, STORE_METHODS.codes),
    counters: guarded(store.counters, STORE_METHODS.counters),
    clients,
    close: () => store.close(),
    ...(store.ready ? { ready: () => store.ready!() } : {}),
  };
}

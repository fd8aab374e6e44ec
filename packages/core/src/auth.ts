import { AccountService } from './accounts';
import { systemClock, type Clock } from './clock';
import { CodeService } from './codes';
import { AuthEvents } from './events';
import { failClosed } from './fail-closed';
import { resolvePolicy, type PasswordPolicy, type PolicySpec } from './password-policy';
import { PasswordHasher, type HasherOptions } from './passwords';
import { ReplayGuard } from './replay';
import { ResetCodeService } from './reset-codes';
import type { AuthStore, OAuthClientRegistry } from './store';
import { Throttle, type ThrottleOptions } from './throttle';
import { DEFAULT_TOKEN_POLICY, type TokenPolicy } from './token-rules';
import { TokenService } from './tokens';

export interface AuthCoreConfig {
  store: AuthStore;
  /** Epoch-ms time source; inject a manual clock in tests. */
  clock?: Clock | undefined;
  /** 'nist' (default), 'pcloud', or a policy built with composePolicy. */
  passwordPolicy?: PolicySpec | undefined;
  /** argon2id parameters, the concurrency bound and the load-shedding bound (`maxQueue`). */
  hashing?: HasherOptions | undefined;
  /** Default token lifetimes (ms); an absent or undefined one keeps its default. */
  tokens?: { [K in keyof TokenPolicy]?: TokenPolicy[K] | undefined } | undefined;
  /** Abuse budgets (failures per pair / account / IP, sign-ups, mails); `false` turns one off. */
  throttle?: ThrottleOptions | undefined;
}

/** The counter `probe()` reads. Nothing ever increments it, so the read is a miss: one cheap GET on Redis. */
export const PROBE_KEY = 'authmount:probe';

/**
 * The framework-free core: every service wired to one store, one clock and one event bus. It hands out
 * services, never the store: protocol adapters and apps go through them, so every store call is
 * fail-closed (see failClosed) and every credential check spends its budgets.
 */
export interface AuthCore {
  /** The store's short name ("memory", "redis"), for logs and health checks. */
  readonly storeName: string;
  readonly clock: Clock;
  readonly events: AuthEvents;
  readonly tokens: TokenService;
  readonly accounts: AccountService;
  readonly throttle: Throttle;
  readonly replay: ReplayGuard;
  readonly codes: CodeService;
  /** Password-reset codes: void once the password changes or a newer code is issued. */
  readonly resetCodes: ResetCodeService;
  readonly hasher: PasswordHasher;
  readonly policy: PasswordPolicy;
  /**
   * The store's OAuth client registry (fail-closed like every store call), or undefined when the store keeps
   * none. The pCloud adapter's `storeClients(auth)` manages clients through it.
   */
  readonly clients: OAuthClientRegistry | undefined;
  /**
   * One cheap read (`counters.peek` of PROBE_KEY, which nothing writes) that resolves when the store answers
   * and rejects with the store's OWN error, not `store_unavailable`: health checks report that cause.
   */
  probe(): Promise<void>;
  /**
   * Resolves once the store answers; rejects with the real cause (e.g. `connect ECONNREFUSED 127.0.0.1:6390`,
   * `ERR DB index is out of range`, a wrong password). Await it at start-up, before announcing the service.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createAuthCore(config: AuthCoreConfig): AuthCore {
  const raw = config.store;
  // Wrapped once, here: every service below sees a store whose failures are all store_unavailable.
  const store = failClosed(raw);
  const clock = config.clock ?? systemClock;
  const events = new AuthEvents();
  const policy = resolvePolicy(config.passwordPolicy);
  const hasher = new PasswordHasher(config.hashing);
  const t = config.tokens ?? {};
  const tokens = new TokenService(store.tokens, clock, events, {
    absoluteTtl: t.absoluteTtl ?? DEFAULT_TOKEN_POLICY.absoluteTtl,
    idleTtl: t.idleTtl ?? DEFAULT_TOKEN_POLICY.idleTtl,
    maxTtl: t.maxTtl ?? DEFAULT_TOKEN_POLICY.maxTtl,
  });
  const throttle = new Throttle(store.counters, clock, events, config.throttle);
  const accounts = new AccountService(store.users, tokens, hasher, policy, throttle, clock, events);
  const codes = new CodeService(store.codes, clock);
  return {
    storeName: raw.name,
    clock,
    events,
    tokens,
    accounts,
    throttle,
    replay: new ReplayGuard(store.counters, clock, events),
    codes,
    resetCodes: new ResetCodeService(codes, store.counters, store.users, clock),
    hasher,
    policy,
    clients: store.clients,
    // A promise chain, so a store that throws synchronously rejects like one that fails asynchronously.
    probe: () =>
      Promise.resolve()
        .then(() => raw.counters.peek(PROBE_KEY, clock()))
        .then(() => undefined),
    ready: () => (raw.ready ? raw.ready() : Promise.resolve()),
    close: () => raw.close(),
  };
}

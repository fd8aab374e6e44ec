import { AccountService } from './accounts';
import { systemClock, type Clock } from './clock';
import { CodeService } from './codes';
import { AuthEvents } from './events';
import { resolvePolicy, type PasswordPolicy, type PolicySpec } from './password-policy';
import { PasswordHasher, type HasherOptions } from './passwords';
import { ReplayGuard } from './replay';
import type { AuthStore } from './store';
import { LoginThrottle, type ThrottleOptions } from './throttle';
import { DEFAULT_TOKEN_POLICY, TokenService, type TokenPolicy } from './tokens';

export interface AuthCoreConfig {
  store: AuthStore;
  /** Epoch-ms time source; inject a manual clock in tests. */
  clock?: Clock;
  /** 'nist' (default), 'pcloud', or a policy built with composePolicy. */
  passwordPolicy?: PolicySpec;
  /** argon2id parameters and the concurrency bound. */
  hashing?: HasherOptions;
  /** Default token lifetimes (ms). */
  tokens?: Partial<TokenPolicy>;
  throttle?: ThrottleOptions;
}

/** The framework-free core: every service wired to one store, one clock and one event bus. */
export interface AuthCore {
  readonly store: AuthStore;
  readonly clock: Clock;
  readonly events: AuthEvents;
  readonly tokens: TokenService;
  readonly accounts: AccountService;
  readonly throttle: LoginThrottle;
  readonly replay: ReplayGuard;
  readonly codes: CodeService;
  readonly hasher: PasswordHasher;
  readonly policy: PasswordPolicy;
  close(): Promise<void>;
}

export function createAuthCore(config: AuthCoreConfig): AuthCore {
  const store = config.store;
  const clock = config.clock ?? systemClock;
  const events = new AuthEvents();
  const policy = resolvePolicy(config.passwordPolicy);
  const hasher = new PasswordHasher(config.hashing);
  const tokens = new TokenService(store.tokens, clock, events, { ...DEFAULT_TOKEN_POLICY, ...config.tokens });
  const throttle = new LoginThrottle(store.counters, clock, events, config.throttle);
  const accounts = new AccountService(store.users, tokens, hasher, policy, throttle, clock, events);
  return {
    store,
    clock,
    events,
    tokens,
    accounts,
    throttle,
    replay: new ReplayGuard(store.nonces, clock, events),
    codes: new CodeService(store.codes, clock),
    hasher,
    policy,
    close: () => store.close(),
  };
}

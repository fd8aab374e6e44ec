import type { Clock } from './clock';
import { AuthError, toStoreError } from './errors';
import type { AuthEvents } from './events';
import type { PasswordHasher } from './passwords';
import type { PasswordPolicy, PolicyContext } from './password-policy';
import type { JsonValue, UserRecord, UserStore, UserWriteResult } from './store';
import { accountKey, type LoginThrottle } from './throttle';
import type { TokenService } from './tokens';

/** A user as callers see it: never the password hash. */
export type Account = Omit<UserRecord, 'passwordHash'> & { hasPassword: boolean };

export interface RegisterInput {
  login?: string | null;
  email?: string | null;
  /** null for accounts without a password (guests, external providers). */
  password: string | null;
  attributes?: Record<string, JsonValue>;
  /** Guests: the account disappears at this instant (epoch ms). */
  expiresAt?: number | null;
}

export interface LoginInput {
  /** A login name or an e-mail address. */
  identifier: unknown;
  password: unknown;
  ip?: string;
  /** Which route or protocol is logging in, for events ("pcloud", "cb", ...). */
  method: string;
}

export interface ChangePasswordOptions {
  /** Token ids that survive the change (usually the caller's own). */
  keepTokenIds?: readonly string[];
  /** Revoke the user's other tokens (ASVS 7.4.3). Default true. */
  revokeOthers?: boolean;
}

/** Inputs larger than this are refused outright, before any policy or hashing work (DoS bound). */
const HARD_INPUT_LIMIT = 4096;
const MAX_IDENTIFIER = 254;

function toAccount(u: UserRecord): Account {
  const { passwordHash, ...rest } = u;
  return { ...rest, hasPassword: passwordHash !== null };
}

function optString(name: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_IDENTIFIER) {
    throw new AuthError('invalid_request', `${name} must be a non-empty string of at most ${MAX_IDENTIFIER} characters.`, { field: name });
  }
  return v;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isEmail(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_IDENTIFIER && EMAIL_RE.test(v);
}

/**
 * Accounts: registration, credential checks (throttled, enumeration-safe), password changes, deletion.
 */
export class AccountService {
  constructor(
    private readonly users: UserStore,
    private readonly tokens: TokenService,
    private readonly hasher: PasswordHasher,
    readonly policy: PasswordPolicy,
    private readonly throttle: LoginThrottle,
    private readonly clock: Clock,
    private readonly events: AuthEvents,
  ) {}

  /**
   * Check a new password against the policy. Throws `password_policy` with every violation in
   * `details.violations`, or `invalid_request` for non-strings and absurd sizes (before any other work).
   */
  checkPassword(password: unknown, ctx: PolicyContext = {}): string {
    // The policy is O(n) and checks the length first, so oversized input costs no hashing.
    const violations = this.policy.validate(password, ctx);
    if (violations.length > 0 || typeof password !== 'string') throw new AuthError('password_policy', undefined, { violations });
    return password;
  }

  async register(input: RegisterInput): Promise<Account> {
    const login = optString('login', input.login);
    const email = optString('email', input.email);
    if (email !== null && !isEmail(email)) throw new AuthError('invalid_request', 'email is not a valid address.', { field: 'email' });
    const password = input.password === null ? null : this.checkPassword(input.password, { login: login ?? undefined, email: email ?? undefined });
    const now = this.clock();
    const passwordHash = password === null ? null : await this.hasher.hash(password);
    const res = await this.call(() =>
      this.users.create({
        login,
        email,
        passwordHash,
        createdAt: now,
        updatedAt: now,
        expiresAt: input.expiresAt ?? null,
        attributes: input.attributes ?? {},
      }),
    );
    const user = this.unwrap(res);
    this.events.emit('user.registered', { userId: user.id }, now);
    return user;
  }

  /**
   * Verify a login/e-mail and password. Throttled before any hashing; an unknown account runs a dummy
   * verification so it costs the same as a wrong password, and both fail with `invalid_credentials`.
   * A hash made with old parameters is replaced on success.
   */
  async login(input: LoginInput): Promise<Account> {
    if (typeof input.identifier !== 'string' || input.identifier.length === 0 || input.identifier.length > MAX_IDENTIFIER) {
      throw new AuthError('invalid_request', 'login must be a non-empty string.', { field: 'login' });
    }
    if (typeof input.password !== 'string' || input.password.length === 0) {
      throw new AuthError('invalid_request', 'password must be a non-empty string.', { field: 'password' });
    }
    const identifier = input.identifier;
    const password = input.password;
    await this.throttle.checkIp({ ip: input.ip, method: input.method });
    const now = this.clock();
    // Looked up before the account check so every alias of one account shares one failure counter.
    const user = await this.findByIdentifier(identifier);
    const key = { ip: input.ip, account: accountKey(user, identifier), method: input.method };
    await this.throttle.checkAccount(key);
    const fail = async (reason: string, userId?: number): Promise<never> => {
      await this.throttle.failed(key);
      this.events.emit('login.failed', { userId, ip: input.ip, method: input.method, reason }, now);
      throw new AuthError('invalid_credentials');
    };
    // Longer than any acceptable password: it cannot match, and hashing it would be free work for an attacker.
    if ([...password.slice(0, this.policy.maxLength * 2 + 2)].length > this.policy.maxLength) return fail('too_long', user?.id);
    if (!user || user.passwordHash === null) {
      await this.hasher.dummyVerify(password);
      return fail('unknown_account', user?.id);
    }
    const v = await this.hasher.verify(user.passwordHash, password);
    if (!v.ok) return fail('wrong_password', user.id);
    await this.throttle.succeeded(key);
    if (v.needsRehash) {
      const passwordHash = await this.hasher.hash(password);
      await this.call(() => this.users.update(user.id, { passwordHash, updatedAt: this.clock() }, this.clock()));
      this.events.emit('password.rehashed', { userId: user.id }, now);
    }
    this.events.emit('login.succeeded', { userId: user.id, ip: input.ip, method: input.method }, now);
    return toAccount(user);
  }

  /** Re-check a known user's password (re-authentication before sensitive operations). Not throttled. */
  async verifyPassword(userId: number, password: unknown): Promise<boolean> {
    if (typeof password !== 'string' || password.length === 0 || password.length > HARD_INPUT_LIMIT) return false;
    const user = await this.call(() => this.users.findById(userId, this.clock()));
    if (!user || user.passwordHash === null) {
      await this.hasher.dummyVerify(password);
      return false;
    }
    return (await this.hasher.verify(user.passwordHash, password)).ok;
  }

  /**
   * Change a password: the current one is required (ASVS 6.2.3), the new one must pass the policy and
   * differ. Other tokens are revoked unless `revokeOthers: false`.
   */
  async changePassword(userId: number, oldPassword: unknown, newPassword: unknown, opts: ChangePasswordOptions = {}): Promise<{ tokensRevoked: number }> {
    const user = await this.requireUser(userId);
    const next = this.checkPassword(newPassword, { login: user.login ?? undefined, email: user.email ?? undefined });
    if (!(await this.verifyPassword(userId, oldPassword))) throw new AuthError('password_mismatch');
    if (oldPassword === next) throw new AuthError('same_password');
    return this.storePassword(userId, next, opts);
  }

  /** Set a password without the old one (after a reset code was verified). Revokes all tokens by default. */
  async setPassword(userId: number, newPassword: unknown, opts: ChangePasswordOptions = {}): Promise<{ tokensRevoked: number }> {
    const user = await this.requireUser(userId);
    const next = this.checkPassword(newPassword, { login: user.login ?? undefined, email: user.email ?? undefined });
    return this.storePassword(userId, next, opts);
  }

  async find(userId: number): Promise<Account | null> {
    const u = await this.call(() => this.users.findById(userId, this.clock()));
    return u ? toAccount(u) : null;
  }

  /** Look an account up by login or e-mail (e-mail first when the identifier looks like one). */
  async findByIdentifier(identifier: string): Promise<UserRecord | null> {
    const now = this.clock();
    const byEmail = () => this.call(() => this.users.findByEmail(identifier, now));
    const byLogin = () => this.call(() => this.users.findByLogin(identifier, now));
    if (identifier.includes('@')) return (await byEmail()) ?? (await byLogin());
    return (await byLogin()) ?? (await byEmail());
  }

  /** Change login, e-mail or attributes (attributes are merged shallowly). */
  async update(userId: number, patch: { login?: string | null; email?: string | null; attributes?: Record<string, JsonValue> }): Promise<Account> {
    const user = await this.requireUser(userId);
    const p: Parameters<UserStore['update']>[1] = { updatedAt: this.clock() };
    if (patch.login !== undefined) p.login = optString('login', patch.login);
    if (patch.email !== undefined) {
      p.email = optString('email', patch.email);
      if (p.email !== null && !isEmail(p.email)) throw new AuthError('invalid_request', 'email is not a valid address.', { field: 'email' });
    }
    if (patch.attributes !== undefined) p.attributes = { ...user.attributes, ...patch.attributes };
    const res = await this.call(() => this.users.update(userId, p, this.clock()));
    if (!res) throw new AuthError('not_found');
    return this.unwrap(res);
  }

  /** Delete the account and revoke every token it has (ASVS 7.4.2). */
  async delete(userId: number): Promise<void> {
    const tokensRevoked = await this.tokens.revokeAll(userId, { reason: 'account_deleted' });
    const existed = await this.call(() => this.users.delete(userId));
    // Revoke again: a login racing the deletion could have issued a token in between.
    await this.tokens.revokeAll(userId, { reason: 'account_deleted' });
    if (!existed) throw new AuthError('not_found');
    this.events.emit('user.deleted', { userId, tokensRevoked }, this.clock());
  }

  private async storePassword(userId: number, password: string, opts: ChangePasswordOptions): Promise<{ tokensRevoked: number }> {
    const passwordHash = await this.hasher.hash(password);
    const res = await this.call(() => this.users.update(userId, { passwordHash, updatedAt: this.clock() }, this.clock()));
    if (!res) throw new AuthError('not_found');
    const tokensRevoked =
      opts.revokeOthers === false ? 0 : await this.tokens.revokeAll(userId, { except: opts.keepTokenIds, reason: 'password_changed' });
    this.events.emit('password.changed', { userId, tokensRevoked }, this.clock());
    return { tokensRevoked };
  }

  private async requireUser(userId: number): Promise<UserRecord> {
    const u = await this.call(() => this.users.findById(userId, this.clock()));
    if (!u) throw new AuthError('not_found');
    return u;
  }

  private unwrap(res: UserWriteResult): Account {
    if (!res.ok) throw new AuthError('conflict', `That ${res.conflict} is already registered.`, { field: res.conflict });
    return toAccount(res.user);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toStoreError(e);
    }
  }
}

import type { Clock } from './clock';
import { AuthError } from './errors';
import type { AuthEvents } from './events';
import { loginLookupForm, normaliseLogin } from './logins';
import type { PasswordHasher } from './passwords';
import type { PasswordPolicy, PolicyContext } from './password-policy';
import type { JsonValue, UserRecord, UserStore, UserWriteResult } from './store';
import { assertStorable } from './storable';
import { accountKey, type Attempt, type Throttle } from './throttle';
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

/** A login: the credentials and where they come from (`ip`, `method`: see `Attempt`). */
export interface LoginInput extends Attempt {
  /** A login name or an e-mail address. */
  identifier: unknown;
  password: unknown;
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

/** A stored user as callers may see it: the hash dropped, `hasPassword` in its place. */
export function toAccount(u: UserRecord): Account {
  const { passwordHash, ...rest } = u;
  return { ...rest, hasPassword: passwordHash !== null };
}

/** What every public lookup answers: the account without its hash, or null. */
const accountOrNull = (u: UserRecord | null): Account | null => (u ? toAccount(u) : null);

function optString(name: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_IDENTIFIER) {
    throw new AuthError('invalid_request', `${name} must be a non-empty string of at most ${MAX_IDENTIFIER} characters.`, { field: name });
  }
  return v;
}

/** A login to store: absent stays null, anything else goes through THE normaliser (logins.ts). */
function optLogin(v: unknown): string | null {
  return v === undefined || v === null ? null : normaliseLogin(v);
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isEmail(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_IDENTIFIER && EMAIL_RE.test(v);
}

/**
 * Accounts: registration, credential checks, password changes, deletion. Every method that checks a
 * password (login, verifyPassword, changePassword) takes the attempt's origin and spends the failure
 * budgets itself (core's Throttle, reserved before any hashing): no caller can forget it. signUp spends
 * the sign-up budget; register is for trusted server code (seeding, provider accounts) and spends none.
 */
export class AccountService {
  constructor(
    private readonly users: UserStore,
    private readonly tokens: TokenService,
    private readonly hasher: PasswordHasher,
    readonly policy: PasswordPolicy,
    private readonly throttle: Throttle,
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

  /** Create an account from trusted server code (seeding, admin tools, provider accounts): no budget. */
  register(input: RegisterInput): Promise<Account> {
    return this.create(input, (work) => work());
  }

  /**
   * Create an account because a CLIENT asked (a sign-up form, a guest session): the input is checked
   * first, then one sign-up of the client's IP is spent (`rate_limited` when over), then the password is
   * hashed. A sign-up that fails afterwards (a taken e-mail) stays counted: it cost a hash.
   */
  signUp(input: RegisterInput, attempt: Attempt): Promise<Account> {
    return this.create(input, (work) => this.throttle.signup(attempt, work));
  }

  /** Check the input (no budget spent on malformed input), then hash and store under `guard`. */
  private async create(input: RegisterInput, guard: (work: () => Promise<Account>) => Promise<Account>): Promise<Account> {
    const login = optLogin(input.login);
    const email = optString('email', input.email);
    if (email !== null && !isEmail(email)) throw new AuthError('invalid_request', 'email is not a valid address.', { field: 'email' });
    const attributes = input.attributes ?? {};
    assertStorable('attributes', attributes);
    const password =
      input.password === null ? null : this.checkPassword(input.password, { login: login ?? undefined, email: email ?? undefined });
    return guard(async () => {
      const now = this.clock();
      const passwordHash = password === null ? null : await this.hasher.hash(password);
      const res = await this.users.create({
        login,
        email,
        passwordHash,
        createdAt: now,
        updatedAt: now,
        expiresAt: input.expiresAt ?? null,
        attributes,
      });
      const user = this.unwrap(res);
      this.events.emit('user.registered', { userId: user.id }, now);
      return user;
    });
  }

  /**
   * Verify a login/e-mail and password. The failure budgets (pair, account, ip) are reserved before any
   * hashing and refunded only if the password is right; an unknown account runs a dummy verification so
   * it costs the same as a wrong password, and both fail with `invalid_credentials`. Over a budget:
   * `rate_limited`. A hash made with old parameters is replaced on success.
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
    const now = this.clock();
    // Looked up first so every alias of one account shares one budget (the key is the user id).
    const user = await this.findForPasswordCheck(identifier);
    let reason = 'wrong_password';
    let needsRehash = false;
    const ok = await this.throttle.check(input, accountKey(user, identifier), async () => {
      // Longer than any acceptable password: it cannot match, and hashing it would be free work for an attacker.
      if ([...password.slice(0, this.policy.maxLength * 2 + 2)].length > this.policy.maxLength) {
        reason = 'too_long';
        return false;
      }
      if (!user || user.passwordHash === null) {
        await this.hasher.dummyVerify(password);
        reason = 'unknown_account';
        return false;
      }
      const v = await this.hasher.verify(user.passwordHash, password);
      // A stored hash no format recognises fails closed like a wrong password for the client, but is
      // reported as what it is (an operator's problem: map or register its format, see hashing.legacy).
      if (v.unknownFormat !== undefined) reason = 'unknown_hash_format';
      needsRehash = v.needsRehash;
      return v.ok;
    });
    if (!ok || !user) {
      this.events.emit('login.failed', { userId: user?.id, ip: input.ip, method: input.method, reason }, now);
      throw new AuthError('invalid_credentials');
    }
    if (needsRehash) await this.rehash(user.id, password, now);
    this.events.emit('login.succeeded', { userId: user.id, ip: input.ip, method: input.method }, now);
    return toAccount(user);
  }

  /** Best effort: a shed (overloaded) rehash must not fail a login that succeeded; the next login retries. */
  private async rehash(userId: number, password: string, now: number): Promise<void> {
    let passwordHash: string;
    try {
      passwordHash = await this.hasher.hash(password);
    } catch (e) {
      if (e instanceof AuthError && e.code === 'overloaded') return;
      throw e;
    }
    await this.users.update(userId, { passwordHash, updatedAt: this.clock() }, this.clock());
    this.events.emit('password.rehashed', { userId }, now);
  }

  /**
   * Re-check a known user's password (re-authentication before sensitive operations), under the same
   * failure budgets as a login of that account (a stolen token cannot brute-force the password here).
   * Over a budget: `rate_limited`.
   */
  async verifyPassword(userId: number, password: unknown, attempt: Attempt): Promise<boolean> {
    if (typeof password !== 'string' || password.length === 0 || password.length > HARD_INPUT_LIMIT) return false;
    const user = await this.users.findById(userId, this.clock());
    return this.throttle.check(attempt, accountKey({ id: userId }, ''), async () => {
      if (!user || user.passwordHash === null) {
        await this.hasher.dummyVerify(password);
        return false;
      }
      return (await this.hasher.verify(user.passwordHash, password)).ok;
    });
  }

  /**
   * Change a password: the current one is required (ASVS 6.2.3) and checked like `verifyPassword` (failure
   * budgets), the new one must pass the policy and differ. Other tokens are revoked unless `revokeOthers: false`.
   */
  async changePassword(
    userId: number,
    oldPassword: unknown,
    newPassword: unknown,
    attempt: Attempt,
    opts: ChangePasswordOptions = {},
  ): Promise<{ tokensRevoked: number }> {
    const user = await this.requireUser(userId);
    const next = this.checkPassword(newPassword, { login: user.login ?? undefined, email: user.email ?? undefined });
    if (!(await this.verifyPassword(userId, oldPassword, attempt))) throw new AuthError('password_mismatch');
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
    return accountOrNull(await this.users.findById(userId, this.clock()));
  }

  /** Look an account up by e-mail only: one store call whatever the answer (lostpassword's equal work). */
  async findByEmail(email: string): Promise<Account | null> {
    return accountOrNull(await this.users.findByEmail(email, this.clock()));
  }

  /** Look an account up by its exact login (compared case-insensitively, as stored; no normalisation). */
  async findByLogin(login: string): Promise<Account | null> {
    return accountOrNull(await this.users.findByLogin(login, this.clock()));
  }

  /**
   * Look an account up by login or e-mail (e-mail first when the identifier looks like one). The login is
   * looked up in its NFKC form (`ｂｏｂ` finds `bob`), and as typed when that differs and finds nothing
   * (a login stored before the normaliser existed).
   */
  async findByIdentifier(identifier: string): Promise<Account | null> {
    return accountOrNull(await this.findForPasswordCheck(identifier));
  }

  /**
   * INTERNAL to credential checks: `findByIdentifier`'s lookup, but the stored record WITH its password
   * hash. For core's own login and for an adapter that verifies a password its own way (the pCloud
   * adapter's digest login, which checks its password copy against the hash). Never hand the result to a
   * client, a log or an event; every other caller uses the Account lookups.
   */
  async findForPasswordCheck(identifier: string): Promise<UserRecord | null> {
    const now = this.clock();
    const byEmail = () => this.users.findByEmail(identifier, now);
    const asLogin = loginLookupForm(identifier);
    const byLogin = async () =>
      (await this.users.findByLogin(asLogin, now)) ?? (asLogin === identifier ? null : await this.users.findByLogin(identifier, now));
    if (identifier.includes('@')) return (await byEmail()) ?? (await byLogin());
    return (await byLogin()) ?? (await byEmail());
  }

  /** Change login, e-mail or attributes (attributes are merged shallowly). */
  async update(
    userId: number,
    patch: { login?: string | null; email?: string | null; attributes?: Record<string, JsonValue> },
  ): Promise<Account> {
    const user = await this.requireUser(userId);
    const p: Parameters<UserStore['update']>[1] = { updatedAt: this.clock() };
    if (patch.login !== undefined) p.login = optLogin(patch.login);
    if (patch.email !== undefined) {
      p.email = optString('email', patch.email);
      if (p.email !== null && !isEmail(p.email))
        throw new AuthError('invalid_request', 'email is not a valid address.', { field: 'email' });
    }
    if (patch.attributes !== undefined) {
      assertStorable('attributes', patch.attributes);
      p.attributes = { ...user.attributes, ...patch.attributes };
    }
    const res = await this.users.update(userId, p, this.clock());
    if (!res) throw new AuthError('not_found');
    return this.unwrap(res);
  }

  /** Delete the account and revoke every token it has (ASVS 7.4.2). */
  async delete(userId: number): Promise<void> {
    const tokensRevoked = await this.tokens.revokeAll(userId, { reason: 'account_deleted' });
    const existed = await this.users.delete(userId);
    // Revoke again: a login racing the deletion could have issued a token in between.
    await this.tokens.revokeAll(userId, { reason: 'account_deleted' });
    if (!existed) throw new AuthError('not_found');
    this.events.emit('user.deleted', { userId, tokensRevoked }, this.clock());
  }

  private async storePassword(userId: number, password: string, opts: ChangePasswordOptions): Promise<{ tokensRevoked: number }> {
    const passwordHash = await this.hasher.hash(password);
    const res = await this.users.update(userId, { passwordHash, updatedAt: this.clock() }, this.clock());
    if (!res) throw new AuthError('not_found');
    const tokensRevoked =
      opts.revokeOthers === false ? 0 : await this.tokens.revokeAll(userId, { except: opts.keepTokenIds, reason: 'password_changed' });
    this.events.emit('password.changed', { userId, tokensRevoked }, this.clock());
    return { tokensRevoked };
  }

  private async requireUser(userId: number): Promise<UserRecord> {
    const u = await this.users.findById(userId, this.clock());
    if (!u) throw new AuthError('not_found');
    return u;
  }

  private unwrap(res: UserWriteResult): Account {
    if (!res.ok) throw new AuthError('conflict', `That ${res.conflict} is already registered.`, { field: res.conflict });
    return toAccount(res.user);
  }
}

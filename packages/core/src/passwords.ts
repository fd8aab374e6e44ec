import argon2 from 'argon2';
import { cpus } from 'node:os';
import { AuthError } from './errors';
import { DEFAULT_LEGACY_FORMATS, describeHash, isArgon2Hash, legacyFormatOf, type LegacyHashFormat } from './legacy-hashes';

/**
 * argon2id parameters. Defaults are OWASP's floor (Password Storage Cheat Sheet): m=19 MiB, t=2, p=1.
 * Stored with every hash (PHC string), so raising them later re-hashes each user at their next login.
 */
export interface Argon2Params {
  /** KiB. Default 19456. */
  memoryCost: number;
  /** Iterations. Default 2. */
  timeCost: number;
  /** Lanes. Default 1. */
  parallelism: number;
}

export const DEFAULT_ARGON2: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export interface HasherOptions {
  /** KiB. Default 19456. */
  memoryCost?: number | undefined;
  /** Iterations. Default 2. */
  timeCost?: number | undefined;
  /** Lanes. Default 1. */
  parallelism?: number | undefined;
  /**
   * Most hashes computed at once; the rest wait in line. Bounds memory (m × this) and keeps a login storm
   * from starving the event loop's thread pool. Default: number of CPU cores.
   */
  maxConcurrent?: number | undefined;
  /**
   * Load shedding: most calls waiting for a slot, per line. There are two lines: verifications (logins,
   * password re-checks) are served before new hashes (sign-ups, password changes, rehashes), so a sign-up
   * flood delays a login by at most the hashes already running. A call that finds its line full fails at
   * once with `overloaded` (503 + Retry-After) instead of making everyone wait. Default 64.
   * `false`: one unbounded first-come line, no shedding (the behaviour before load shedding existed).
   */
  maxQueue?: number | false | undefined;
  /** Optional pepper (argon2 `secret`), kept outside the store. */
  pepper?: Buffer | undefined;
  /**
   * Other hash formats a login still accepts, re-hashed to argon2id on success (legacy-hashes.ts).
   * Default `[bcryptHashes]`; `[]` accepts argon2id only; add your own `{ name, matches, verify }`.
   */
  legacy?: readonly LegacyHashFormat[] | undefined;
}

export const DEFAULT_MAX_QUEUE = 64;
/** What an `overloaded` refusal tells the client: the line drains in about this long. */
const OVERLOADED_RETRY_MS = 1000;

export interface VerifyResult {
  ok: boolean;
  /** The hash was made with other parameters: store `hash(password)` now that the password is known. */
  needsRehash: boolean;
  /**
   * Set when no format recognises the stored hash (not argon2, no `legacy` format matches): the password
   * cannot be checked at all, which is a configuration problem, not a wrong password. A loggable
   * description (the scheme marker), never the hash.
   */
  unknownFormat?: string;
}

type Line = 'verify' | 'hash';

/**
 * Counting semaphore: at most `max` tasks run at once. The others wait in two FIFO lines, verifications
 * first, each at most `maxQueue` long (beyond that: `overloaded`). With `maxQueue: false`, one unbounded
 * FIFO line for everything. A finishing task hands its slot straight to the next waiter.
 */
class Gate {
  private running = 0;
  private readonly lines: Record<Line, Array<() => void>> = { verify: [], hash: [] };
  constructor(
    private readonly max: number,
    private readonly maxQueue: number | false,
  ) {}
  async run<T>(kind: Line, task: () => Promise<T>): Promise<T> {
    if (this.running < this.max) this.running++;
    else {
      const line = this.maxQueue === false ? this.lines.hash : this.lines[kind];
      if (this.maxQueue !== false && line.length >= this.maxQueue) {
        throw new AuthError('overloaded', undefined, { retryAfterMs: OVERLOADED_RETRY_MS });
      }
      await new Promise<void>((r) => line.push(r));
    }
    try {
      return await task();
    } finally {
      const next = this.lines.verify.shift() ?? this.lines.hash.shift();
      if (next) next();
      else this.running--;
    }
  }
  get queued(): number {
    return this.lines.verify.length + this.lines.hash.length;
  }
}

/**
 * argon2id hashing with a bound on concurrent work. Passwords are NFKC-normalised before hashing and
 * verifying (NIST 800-63B), and otherwise used exactly as received: no trimming, no truncation.
 */
export class PasswordHasher {
  readonly params: Argon2Params;
  private readonly gate: Gate;
  private readonly pepper?: Buffer;
  private readonly legacy: readonly LegacyHashFormat[];
  private dummyHash: Promise<string> | undefined;
  /** How many dummy verifications ran (unknown-account logins); lets tests assert the work was done. */
  dummyVerifications = 0;
  /** How many argon2 verifications ran (real and dummy); lets tests count what reached argon2. */
  verifications = 0;

  constructor(opts: HasherOptions = {}) {
    this.params = {
      memoryCost: opts.memoryCost ?? DEFAULT_ARGON2.memoryCost,
      timeCost: opts.timeCost ?? DEFAULT_ARGON2.timeCost,
      parallelism: opts.parallelism ?? DEFAULT_ARGON2.parallelism,
    };
    this.gate = new Gate(Math.max(1, opts.maxConcurrent ?? cpus().length), opts.maxQueue ?? DEFAULT_MAX_QUEUE);
    this.pepper = opts.pepper;
    this.legacy = opts.legacy ?? DEFAULT_LEGACY_FORMATS;
  }

  hash(password: string): Promise<string> {
    return this.gate.run('hash', () =>
      argon2.hash(password.normalize('NFKC'), { type: argon2.argon2id, ...this.params, secret: this.pepper }),
    );
  }

  /** Throws `overloaded` when the line is full (nothing was verified). */
  async verify(hash: string, password: string): Promise<VerifyResult> {
    if (!isArgon2Hash(hash)) return this.verifyLegacy(hash, password);
    let ok: boolean;
    try {
      ok = await this.gate.run('verify', () => {
        this.verifications++;
        return argon2.verify(hash, password.normalize('NFKC'), { secret: this.pepper });
      });
    } catch (e) {
      if (e instanceof AuthError) throw e;
      // A corrupt or foreign hash string is a failed login, not a crash.
      return { ok: false, needsRehash: false };
    }
    return { ok, needsRehash: ok && argon2.needsRehash(hash, this.params) };
  }

  /** A hash in another format: a match is re-hashed (needsRehash); no match of any format is reported. */
  private async verifyLegacy(hash: string, password: string): Promise<VerifyResult> {
    const format = legacyFormatOf(hash, this.legacy);
    if (!format) {
      await this.dummyVerify(password); // the same cost as any failed login
      return { ok: false, needsRehash: false, unknownFormat: describeHash(hash) };
    }
    let ok: boolean;
    try {
      ok =
        (await this.gate.run('verify', () => {
          this.verifications++;
          return format.verify(hash, password);
        })) === true;
    } catch (e) {
      if (e instanceof AuthError) throw e; // overloaded: shed like any verification
      return { ok: false, needsRehash: false };
    }
    return { ok, needsRehash: ok };
  }

  /**
   * Spend the same work as a real verification against a fixed hash, so a login for an unknown account
   * takes as long as one with a wrong password (ASVS 6.3.8: no enumeration by timing).
   */
  async dummyVerify(password: string): Promise<void> {
    // A shed (overloaded) first attempt must not leave a rejected promise cached for ever.
    // Stryker disable next-line StringLiteral: equivalent, any fixed password makes the same work
    this.dummyHash ??= this.hash('authmount-dummy-password').catch((e: unknown) => {
      this.dummyHash = undefined;
      throw e;
    });
    const h = await this.dummyHash;
    this.dummyVerifications++;
    await this.verify(h, password);
  }

  /** Hashes waiting for a slot right now (for metrics). */
  get queued(): number {
    return this.gate.queued;
  }
}

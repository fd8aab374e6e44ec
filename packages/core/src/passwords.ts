import argon2 from 'argon2';
import { cpus } from 'node:os';

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

export interface HasherOptions extends Partial<Argon2Params> {
  /**
   * Most hashes computed at once; the rest wait in line. Bounds memory (m × this) and keeps a login storm
   * from starving the event loop's thread pool. Default: number of CPU cores.
   */
  maxConcurrent?: number;
  /** Optional pepper (argon2 `secret`), kept outside the store. */
  pepper?: Buffer;
}

export interface VerifyResult {
  ok: boolean;
  /** The hash was made with other parameters: store `hash(password)` now that the password is known. */
  needsRehash: boolean;
}

/** Counting semaphore: at most `max` tasks run at once, the rest wait FIFO. */
class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
  get queued(): number {
    return this.waiting.length;
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
  private dummyHash: Promise<string> | undefined;
  /** How many dummy verifications ran (unknown-account logins); lets tests assert the work was done. */
  dummyVerifications = 0;

  constructor(opts: HasherOptions = {}) {
    this.params = {
      memoryCost: opts.memoryCost ?? DEFAULT_ARGON2.memoryCost,
      timeCost: opts.timeCost ?? DEFAULT_ARGON2.timeCost,
      parallelism: opts.parallelism ?? DEFAULT_ARGON2.parallelism,
    };
    this.gate = new Gate(Math.max(1, opts.maxConcurrent ?? cpus().length));
    this.pepper = opts.pepper;
  }

  hash(password: string): Promise<string> {
    return this.gate.run(() =>
      argon2.hash(password.normalize('NFKC'), { type: argon2.argon2id, ...this.params, secret: this.pepper }),
    );
  }

  async verify(hash: string, password: string): Promise<VerifyResult> {
    let ok = false;
    try {
      ok = await this.gate.run(() => argon2.verify(hash, password.normalize('NFKC'), { secret: this.pepper }));
    } catch {
      // A corrupt or foreign hash string is a failed login, not a crash.
      return { ok: false, needsRehash: false };
    }
    return { ok, needsRehash: ok && argon2.needsRehash(hash, this.params) };
  }

  /**
   * Spend the same work as a real verification against a fixed hash, so a login for an unknown account
   * takes as long as one with a wrong password (ASVS 6.3.8: no enumeration by timing).
   */
  async dummyVerify(password: string): Promise<void> {
    this.dummyHash ??= this.hash('authmount-dummy-password');
    const h = await this.dummyHash;
    this.dummyVerifications++;
    await this.verify(h, password);
  }

  /** Hashes waiting for a slot right now (for metrics). */
  get queued(): number {
    return this.gate.queued;
  }
}

import type { Clock } from './clock';
import { AuthError } from './errors';
import type { CodeStore, JsonValue } from './store';
import { sha256 } from './crypto';
import { randomCode } from './token-format';

/**
 * Single-use codes (password reset, e-mail verification, OAuth authorization codes). The code goes to the
 * user; the store keeps only SHA-256(purpose:code) with the payload, and `consume` takes it atomically.
 */
export class CodeService {
  constructor(
    private readonly codes: CodeStore,
    private readonly clock: Clock,
  ) {}

  /** A fresh code bound to `purpose`, valid for `ttlMs`. `bytes` of entropy (default 32). */
  async issue(purpose: string, payload: JsonValue, ttlMs: number, bytes = 32): Promise<string> {
    const code = randomCode(bytes);
    await this.put(purpose, code, payload, ttlMs);
    return code;
  }

  /** Store a caller-made value (e.g. a short numeric code, or a digest) as single-use. */
  async put(purpose: string, code: string, payload: JsonValue, ttlMs: number): Promise<void> {
    const now = this.clock();
    await this.codes.put(this.key(purpose, code), JSON.stringify(payload), now + ttlMs, now);
  }

  /** The payload, once. Throws `code_invalid` when unknown, already used or expired. */
  async consume<T extends JsonValue = JsonValue>(purpose: string, code: unknown): Promise<T> {
    if (typeof code !== 'string' || code.length === 0 || code.length > 512) throw new AuthError('code_invalid');
    const raw = await this.codes.take(this.key(purpose, code), this.clock());
    if (raw === null) throw new AuthError('code_invalid');
    return JSON.parse(raw) as T;
  }

  private key(purpose: string, code: string): string {
    return `${purpose}:${sha256(code, 'hex')}`;
  }
}

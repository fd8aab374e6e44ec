import bcrypt from 'bcryptjs';

/**
 * A password hash format other than argon2id that logins still accept: the hashes an app already has in
 * its users table (bcrypt, usually). A successful login with one re-hashes the password to argon2id at
 * once (the hasher reports `needsRehash`), so each user moves over at their next login and the old
 * format fades out without a data migration or a password reset.
 */
export interface LegacyHashFormat {
  /** Short name for docs and tests (`bcrypt`). */
  readonly name: string;
  /** Whether `hash` is in this format: a cheap test of its shape (prefix, length, alphabet). */
  matches(hash: string): boolean;
  /**
   * Whether `password` matches `hash`. Resolve false for a wrong password; a throw (corrupt hash) also
   * fails the login. `password` is exactly what the client sent (no NFKC normalisation: the app hashed
   * what it received, so that is what matches).
   */
  verify(hash: string, password: string): Promise<boolean>;
}

const BCRYPT = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

/**
 * bcrypt (`$2a$`, `$2b$`, `$2y$`), verified by bcryptjs (pure JavaScript, no native build; it yields to
 * the event loop between rounds). Like every bcrypt, it only reads the first 72 bytes of a password: the
 * argon2id hash that replaces it covers the whole password. On by default (`hashing.legacy`).
 */
export const bcryptHashes: LegacyHashFormat = {
  name: 'bcrypt',
  matches: (hash) => BCRYPT.test(hash),
  verify: (hash, password) => bcrypt.compare(password, hash),
};

export const DEFAULT_LEGACY_FORMATS: readonly LegacyHashFormat[] = [bcryptHashes];

/** argon2's own PHC strings (`$argon2id$...`, also `$argon2i$`/`$argon2d$`): the hasher's native format. */
export function isArgon2Hash(hash: string): boolean {
  return hash.startsWith('$argon2');
}

/** The first registered format that recognises `hash`, or undefined (an unknown format). */
export function legacyFormatOf(hash: string, formats: readonly LegacyHashFormat[]): LegacyHashFormat | undefined {
  return formats.find((f) => {
    try {
      return f.matches(hash);
    } catch {
      return false;
    }
  });
}

/**
 * A description of an unrecognised hash that is safe to log: its scheme marker (`$pbkdf2-sha256$`, the
 * text up to the second `$`, at most 24 characters) or its length, never the hash itself.
 */
export function describeHash(hash: string): string {
  const m = /^\$[A-Za-z0-9-]{1,22}\$/.exec(hash);
  return m ? `scheme ${m[0]}` : `no $scheme$ prefix, ${hash.length} characters`;
}

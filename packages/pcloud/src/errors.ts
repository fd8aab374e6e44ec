import { AuthError, type AuthErrorCode, type PolicyRuleCode, type PolicyViolation } from '@authmount/core';

/**
 * THE error table of the pCloud adapter's JSON methods: every failure they can answer with, as pCloud's
 * numeric `result` and pCloud's exact `error` message (pclouddoc errors.txt and docs.pcloud.com; see README
 * "Errors"). Below it, the two mappings INTO this table: core `AuthErrorCode`s and password-policy
 * violations (the access-token path overrides four codes: oauth/access.ts). Nothing else in the package
 * chooses a code or a message. The OAuth authorize page answers in HTML: its table is oauth/page-errors.ts.
 */
export const PCLOUD_ERRORS = {
  login_required: { result: 1000, error: 'Log in required.' },
  missing_code: { result: 1022, error: "Please provide 'code'." },
  missing_oldpassword: { result: 1031, error: "Please provide 'oldpassword'." },
  missing_newpassword: { result: 1032, error: "Please provide 'newpassword'." },
  missing_mail: { result: 1033, error: "Please provide 'mail'." },
  missing_password: { result: 1034, error: "Please provide 'password'." },
  missing_tokenid: { result: 1076, error: "Please provide 'tokenid'." },
  // OAuth: pCloud documents no error list for oauth2_token; 1103–1105, 2111–2114 and 6001 are ours, in
  // pCloud's classes and wording (README "OAuth 2.0: decisions"). 1022, 2012 and 2094 are pCloud's own.
  missing_client_id: { result: 1103, error: "Please provide 'client_id'." },
  missing_client_secret: { result: 1104, error: "Please provide 'client_secret'." },
  missing_code_verifier: { result: 1105, error: "Please provide 'code_verifier'." },
  login_failed: { result: 2000, error: 'Log in failed.' },
  invalid_code: { result: 2012, error: "Invalid 'code' provided." },
  email_already_verified: { result: 2013, error: 'Email is already verified.' },
  invalid_mail: { result: 2018, error: "Invalid 'mail' provided." },
  same_password: { result: 2030, error: 'New password is the same as the old one.' },
  wrong_oldpassword: { result: 2031, error: "Wrong 'oldpassword' provided." },
  password_too_short: { result: 2032, error: 'Password too short. Minimum length is 6 characters.' },
  password_edge_space: { result: 2033, error: 'Password can not start or end with space.' },
  password_few_distinct: { result: 2034, error: 'Password does not contain enough different characters. The minimum is 4.' },
  password_consecutive: { result: 2035, error: 'Password can not contain only consecutive characters.' },
  reset_code_expired: { result: 2036, error: "Verification 'code' expired. Please request password reset again." },
  terms_not_accepted: { result: 2037, error: 'You need to accept Terms of Service and all other agreements to register.' },
  email_registered: { result: 2038, error: 'User with this email is already registered.' },
  code_expired: { result: 2074, error: "Expired 'code' provided." },
  // An invalid, expired or revoked OAuth access token (pcloud-sdk-java#22; Cryptomator's INVALID_ACCESS_TOKEN).
  invalid_access_token: { result: 2094, error: "Invalid 'access_token' provided." },
  tokenid_not_found: { result: 2102, error: "Provided 'tokenid' not found." },
  invalid_client_id: { result: 2111, error: "Invalid 'client_id' provided." },
  invalid_client_secret: { result: 2112, error: "Invalid 'client_secret' provided." },
  invalid_request_id: { result: 2113, error: "Invalid 'request_id' provided." },
  oauth_denied: { result: 2114, error: 'The user denied access to the application.' },
  // pclsync turns digest login off and retries with the plain password on 2237; pCloud's message for it is
  // unknown, so this one is ours (README: decisions).
  digest_unavailable: { result: 2237, error: 'Digest login is not available. Log in with a password.' },
  // A login refused by core's normaliser (an app method creating logins): ours, in pCloud's wording (README "Errors").
  invalid_username: { result: 2120, error: "Invalid 'username' provided." },
  same_mail: { result: 2271, error: 'User is already with this mail.' },
  wrong_password: { result: 2272, error: "Wrong 'password' provided." },
  too_many_tries: { result: 4000, error: 'Too many login tries from this IP address.' },
  // 5xxx is pCloud's retryable "internal" class: the protocol's equivalent of a 503 (README: store outage).
  internal: { result: 5000, error: 'Internal error. Try again later.' },
  // A poll_token long-poll that timed out before the user decided: 6xxx is pCloud's "non-error condition"
  // class (6000 "Not modified"); the client simply polls again.
  poll_timeout: { result: 6001, error: 'The request was not approved yet. Call oauth2_token again.' },
} as const satisfies Record<string, { result: number; error: string }>;

export type PcloudErrorName = keyof typeof PCLOUD_ERRORS;

/** Core error codes → the table. Method handlers translate the few context-dependent cases themselves. */
export const FROM_AUTH_ERROR: Readonly<Record<AuthErrorCode, PcloudErrorName>> = {
  // The only core call fed raw client input that can answer invalid_request is the login (identifier
  // syntax); every other input is validated here before core sees it.
  invalid_request: 'login_failed',
  invalid_credentials: 'login_failed',
  token_missing: 'login_required',
  token_invalid: 'login_failed',
  token_expired: 'login_failed',
  rate_limited: 'too_many_tries',
  // Shed argon2 work: 5xxx is the retryable class (4000 would make pclsync sleep 5 minutes).
  overloaded: 'internal',
  password_policy: 'password_too_short', // refined per violation, see FROM_VIOLATION
  password_mismatch: 'wrong_oldpassword',
  same_password: 'same_password',
  replayed_nonce: 'login_failed',
  bad_signature: 'login_failed',
  stale_timestamp: 'login_failed',
  // pCloud answers 1000 when a valid credential is not good enough for a method (OAuth tokens on trash_clear).
  forbidden_scope: 'login_required',
  // A token without a user (an app session of another protocol) logs nobody in.
  forbidden_kind: 'login_failed',
  conflict: 'email_registered',
  invalid_login: 'invalid_username',
  // The account behind a live credential vanished (deleted meanwhile): the login is no longer valid.
  not_found: 'login_failed',
  code_invalid: 'invalid_code',
  store_unavailable: 'internal',
  capacity: 'internal',
};

/**
 * Password-policy violations → 2032–2035. pCloud has codes for the four rules of its own profile only; the
 * others (another profile's rules) go to the closest class: length problems to 2032, weak-pattern rules to
 * 2035. The message is always the violation's own, which for the 'pcloud' profile IS pCloud's message
 * and for other profiles states the real limit (e.g. "at least 15 characters").
 */
export const FROM_VIOLATION: Readonly<Record<PolicyRuleCode, PcloudErrorName>> = {
  not_string: 'missing_newpassword',
  too_short: 'password_too_short',
  too_long: 'password_too_short',
  edge_whitespace: 'password_edge_space',
  too_few_distinct: 'password_few_distinct',
  only_sequential: 'password_consecutive',
  only_keyboard_run: 'password_consecutive',
  common_password: 'password_consecutive',
  context_word: 'password_consecutive',
};

export interface PcloudFailure {
  result: number;
  error: string;
}

/**
 * A failure in pCloud's format. Apps throw it from their own methods too, either with a name from the
 * table (`new PcloudError('login_failed')`) or with their own code (`new PcloudError({ result: 2009,
 * error: 'File not found.' })`).
 */
export class PcloudError extends Error {
  readonly result: number;

  constructor(what: PcloudErrorName | PcloudFailure, message?: string) {
    const f = typeof what === 'string' ? PCLOUD_ERRORS[what] : what;
    super(message ?? f.error);
    this.name = 'PcloudError';
    this.result = f.result;
  }

  toFailure(): PcloudFailure {
    return { result: this.result, error: this.message };
  }
}

export function pcloudError(name: PcloudErrorName): PcloudError {
  return new PcloudError(name);
}

export function fromViolation(v: PolicyViolation): PcloudError {
  return new PcloudError(FROM_VIOLATION[v.code], v.message);
}

/**
 * Any thrown value → a pCloud failure. AuthErrors go through the table; anything unexpected is an
 * internal error (5000), reported through `onUnexpected` and never shown to the client.
 */
export function toFailure(e: unknown, onUnexpected: (e: unknown) => void): PcloudFailure {
  if (e instanceof PcloudError) return e.toFailure();
  if (e instanceof AuthError) {
    if (e.code === 'password_policy') {
      const v = (e.details.violations as PolicyViolation[] | undefined)?.[0];
      if (v) return fromViolation(v).toFailure();
    }
    return { ...PCLOUD_ERRORS[FROM_AUTH_ERROR[e.code]] };
  }
  onUnexpected(e);
  return { ...PCLOUD_ERRORS.internal };
}

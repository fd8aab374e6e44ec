import { AuthError, type AuthErrorCode } from '@authmount/core';

/**
 * The OAuth authorize page speaks HTML, not pCloud's JSON: its failures, with the HTTP status and the
 * text shown to the user. "Invalid 'client_id'." is what pCloud's own page shows (rclone#5492).
 */
export const PAGE_ERRORS = {
  missing_client: { status: 400, message: "Please provide 'client_id'." },
  invalid_client: { status: 400, message: "Invalid 'client_id'." },
  missing_redirect_uri: { status: 400, message: "Please provide 'redirect_uri' (required for response_type=token)." },
  invalid_redirect_uri: { status: 400, message: "Invalid 'redirect_uri': it must match one the application registered, exactly." },
  invalid_response_type: { status: 400, message: "Invalid 'response_type': use code, token or poll_token." },
  invalid_request_id: { status: 400, message: "Invalid 'request_id': 10 to 128 letters, digits, '-' or '_'." },
  poll_not_allowed: { status: 400, message: 'This application may not use response_type=poll_token.' },
  invalid_state: { status: 400, message: "Invalid 'state': at most 2048 characters." },
  invalid_pkce: {
    status: 400,
    message:
      'Invalid PKCE parameters: send code_challenge (43 base64url characters) with code_challenge_method=S256, with response_type=code.',
  },
  invalid_parameter: { status: 400, message: 'A parameter was sent more than once or in an unreadable form.' },
  bad_form: { status: 400, message: 'The form could not be read. Reload the page and try again.' },
  csrf: { status: 403, message: 'This form expired or was not sent from this page. Please try again.' },
  missing_credentials: { status: 400, message: 'Enter your e-mail and password.' },
  login_failed: { status: 401, message: 'Wrong e-mail or password.' },
  rate_limited: { status: 429, message: 'Too many login attempts. Please wait a while and try again.' },
  unavailable: { status: 503, message: 'The service is temporarily unavailable. Please try again later.' },
  internal: { status: 500, message: 'Something went wrong on our side. Please try again later.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type PageErrorName = keyof typeof PAGE_ERRORS;

/** Core codes the authorize page can meet (its login and its store calls) → the page's table. */
export const PAGE_FROM_AUTH_ERROR: Readonly<Partial<Record<AuthErrorCode, PageErrorName>>> = {
  invalid_request: 'missing_credentials',
  invalid_credentials: 'login_failed',
  not_found: 'login_failed',
  rate_limited: 'rate_limited',
  overloaded: 'unavailable',
  store_unavailable: 'unavailable',
  capacity: 'unavailable',
};

/** A page failure for any thrown value; anything unknown is reported through `onUnexpected`. */
export function toPageError(e: unknown, onUnexpected: (e: unknown) => void): PageErrorName {
  if (e instanceof AuthError) {
    const name = PAGE_FROM_AUTH_ERROR[e.code];
    if (name) return name;
  }
  onUnexpected(e);
  return 'internal';
}

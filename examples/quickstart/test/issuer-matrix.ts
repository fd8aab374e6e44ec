/**
 * THE cross-issuer matrix (issue 13): which token is accepted at which entry point, when everything is
 * mounted on one app. `issuer-matrix.test.ts` drives every cell over HTTP on every test store, and checks
 * that docs/SECURITY.md carries exactly `renderMatrix()` between its markers, so the two cannot drift.
 * After changing the table, regenerate the docs with:
 *   node --import tsx scripts/security-matrix.ts
 */

/** The tokens, one per issuer and session kind, each obtained the way its clients obtain it. */
export const TOKENS = ['auth', 'pcloud', 'xauth', 'cbApp', 'cbUser', 'cbGuest', 'oauth'] as const;
export type TokenSource = (typeof TOKENS)[number];

export const TOKEN_LABELS: Readonly<Record<TokenSource, string>> = {
  auth: '`/auth` login',
  pcloud: 'pCloud login',
  xauth: 'X-Auth login',
  cbApp: 'CB app session',
  cbUser: 'CB user session',
  cbGuest: 'CB guest session',
  oauth: 'OAuth access token',
};

export interface MatrixRow {
  /** Stable key (also the test's name suffix). */
  key: string;
  /** The entry point as the docs show it. */
  label: string;
  accepts: readonly TokenSource[];
}

const CB_ALL: readonly TokenSource[] = ['cbApp', 'cbUser', 'cbGuest'];
const CB_USERS: readonly TokenSource[] = ['cbUser', 'cbGuest'];

export const MATRIX: readonly MatrixRow[] = [
  { key: 'me', label: '`requireAuth()` (default)', accepts: ['auth'] },
  { key: 'me-shared', label: "`requireAuth({ issuers: ['authmount', 'pcloud'] })`", accepts: ['auth', 'pcloud'] },
  { key: 'me-cb-apps', label: "`requireAuth({ issuers: ['cb-token'], kinds: ['app'] })`", accepts: ['cbApp'] },
  { key: 'xauth-guard', label: 'X-Auth `guard()`', accepts: ['xauth'] },
  { key: 'xauth-guard-shared', label: "X-Auth `guard({ acceptIssuers: ['x-auth-bearer', 'authmount'] })`", accepts: ['auth', 'xauth'] },
  { key: 'pcloud-guard', label: 'pCloud `guard()`', accepts: ['pcloud', 'oauth'] },
  { key: 'cb-guard-read', label: 'CB `guard()`, GET', accepts: CB_ALL },
  { key: 'cb-guard-write', label: 'CB `guard()`, POST', accepts: CB_USERS },
  { key: 'xauth-get-login', label: 'X-Auth `GET /login`', accepts: ['xauth'] },
  { key: 'xauth-put-login', label: 'X-Auth `PUT /login`', accepts: ['xauth'] },
  { key: 'xauth-delete-login', label: 'X-Auth `DELETE /login`', accepts: ['xauth'] },
  { key: 'pcloud-userinfo', label: 'pCloud `userinfo`', accepts: ['pcloud', 'oauth'] },
  { key: 'pcloud-listtokens', label: 'pCloud `listtokens`', accepts: ['pcloud'] },
  { key: 'pcloud-deletetoken', label: 'pCloud `deletetoken`', accepts: ['pcloud'] },
  { key: 'pcloud-logout', label: 'pCloud `logout`', accepts: ['pcloud', 'oauth'] },
  { key: 'pcloud-changepassword', label: 'pCloud `changepassword`', accepts: ['pcloud'] },
  { key: 'cb-get-session', label: 'CB `GET /session`', accepts: CB_ALL },
  { key: 'cb-delete-session', label: 'CB `DELETE /session`', accepts: CB_ALL },
  { key: 'cb-post-login', label: 'CB `POST /login`', accepts: CB_ALL },
  { key: 'cb-delete-login', label: 'CB `DELETE /login`', accepts: CB_USERS },
  { key: 'auth-logout', label: '`POST /auth/logout`', accepts: ['auth'] },
  { key: 'auth-tokens', label: '`GET /auth/tokens`', accepts: ['auth'] },
  { key: 'auth-delete-token', label: '`DELETE /auth/tokens/:id`', accepts: ['auth'] },
  { key: 'auth-password', label: '`POST /auth/password`', accepts: ['auth'] },
];

export const MATRIX_START = '<!-- issuer-matrix:start (generated from examples/quickstart/test/issuer-matrix.ts) -->';
export const MATRIX_END = '<!-- issuer-matrix:end -->';

/** The table as it appears in docs/SECURITY.md (✅ accepted, · refused and left untouched). */
export function renderMatrix(): string {
  const head = `| entry point | ${TOKENS.map((t) => TOKEN_LABELS[t]).join(' | ')} |`;
  const rule = `| --- | ${TOKENS.map(() => ':---:').join(' | ')} |`;
  const rows = MATRIX.map((r) => `| ${r.label} | ${TOKENS.map((t) => (r.accepts.includes(t) ? '✅' : '·')).join(' | ')} |`);
  return [MATRIX_START, head, rule, ...rows, MATRIX_END].join('\n');
}

/** `doc` with the block between the markers replaced by the current table (throws when a marker is missing). */
export function withMatrix(doc: string): string {
  const start = doc.indexOf(MATRIX_START);
  const end = doc.indexOf(MATRIX_END);
  if (start < 0 || end < start) throw new Error('docs/SECURITY.md has no issuer-matrix markers');
  return doc.slice(0, start) + renderMatrix() + doc.slice(end + MATRIX_END.length);
}

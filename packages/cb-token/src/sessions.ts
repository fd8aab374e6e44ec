import { ISSUER, type Account, type Issued, type TokenData } from '@authmount/core';
import type { AppRequest } from './app-auth';
import type { CbContext } from './context';

/**
 * Issue a CB session as a core token:
 * - app session: kind 'app', no user, read-only;
 * - user session: kind 'user';
 * - guest session: kind 'guest', living exactly as long as its guest user (1 day). It does not slide:
 *   its idle window equals its whole lifetime, so every use "slides" it to its absolute expiry.
 * App and user sessions slide by `sessionIdleTtl` (2 h) on every authenticated request, up to
 * `sessionMaxAge` (30 days) after creation. That is every session's ceiling (issuer `cb-token`): a
 * login, a logout or a guest turned user never moves the expiry past creation + sessionMaxAge.
 */
export async function issueSession(ctx: CbContext, req: AppRequest, user: Account | null, device: string): Promise<Issued> {
  const { auth, opts } = ctx;
  const now = auth.clock();
  const guest = user !== null && user.attributes.is_guest === true;
  let absoluteTtl = opts.sessionMaxAge;
  let idleTtl = opts.sessionIdleTtl;
  if (guest) {
    absoluteTtl = Math.max(1, (user.expiresAt ?? now + opts.guestTtl) - now);
    idleTtl = absoluteTtl;
  }
  const data: TokenData = { ts: req.timestamp ?? Math.floor(now / 1000) };
  if (req.nonce !== null) data.nonce = req.nonce;
  return auth.tokens.issue({
    userId: user?.id ?? null,
    kind: user === null ? 'app' : guest ? 'guest' : 'user',
    issuer: ISSUER.cbToken,
    appId: String(req.app.applicationId),
    device,
    absoluteTtl,
    idleTtl,
    maxLifetime: opts.sessionMaxAge,
    data,
  });
}

import { AuthError, ISSUER, type Account, type RequireOptions, type TokenInfo } from '@authmount/core';
import type { Auth } from '@authmount/express';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import { sendError, XAuthError } from './errors';
import type { ResolvedOptions } from './options';
import { bodyOf, parseLongtoken, presentedToken, requireBodyType, requiredString } from './params';
import { sendLoginReply } from './reply';
import { shapeUser } from './user';

const METHOD = 'x-auth-bearer';
const ALLOWED = 'GET, HEAD, POST, PUT, DELETE, OPTIONS';

/**
 * What GET/PUT/DELETE /login act on: this adapter's own tokens, whatever the guards share. PUT prolongs by
 * this protocol's rules, which are not another protocol's (nor an OAuth client's) to have.
 */
const OWN: RequireOptions = { issuers: [ISSUER.xAuthBearer] };
const NOT_FOUND_CODES = new Set(['token_invalid', 'token_expired', 'token_missing', 'forbidden_kind', 'forbidden_scope']);

/**
 * On /login the vendor documents 404 for an expired token. Unknown, revoked, malformed, wrong-secret and
 * foreign tokens answer the same 404, so the reply never tells an attacker which of those it was.
 */
async function tokenCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AuthError && NOT_FOUND_CODES.has(e.code)) {
      throw new AuthError('not_found', 'The token does not exist or has expired.');
    }
    throw e;
  }
}

/** Body-parser failures become coded 4xx answers in our shape, never HTML or a 500. */
const renderErrors: ErrorRequestHandler = (err, _req, res, _next) => {
  const status = (err as { status?: unknown } | null)?.status;
  if (!(err instanceof AuthError) && !(err instanceof XAuthError) && typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return sendError(res, new XAuthError('payload_too_large'));
    // 415 from a parser means an unsupported charset or content encoding.
    if (status === 415) return sendError(res, new XAuthError('unsupported_media_type', 'Unsupported charset or content encoding.'));
    return sendError(res, new AuthError('invalid_request', 'The request body could not be parsed.', { field: 'body' }));
  }
  sendError(res, err);
};

/**
 * Express 5 forwards a rejected handler promise to the error middleware by itself; Express 4 (also
 * supported) would leave the request hanging. Forwarding explicitly works on both.
 */
const handle =
  (fn: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req, res, next) => {
    fn(req, res).catch(next);
  };

export function loginRouter(auth: Auth, o: ResolvedOptions): Router {
  const r = express.Router();
  const ttlOf = (long: boolean) => (long ? o.longTtl : o.shortTtl);

  // A token only stands for a user here: app sessions of other protocols (no user) are "not found".
  const accountOf = async (t: TokenInfo): Promise<Account> => {
    const account = t.userId === null ? null : await auth.accounts.find(t.userId);
    if (!account) throw new AuthError('not_found', 'The token does not exist or has expired.');
    return account;
  };

  r.route('/login')
    .post(
      // The vendor's one exception to JSON: login is an HTML form post.
      requireBodyType('urlencoded', 'application/x-www-form-urlencoded'),
      express.urlencoded({ extended: false, limit: o.bodyLimit, parameterLimit: 20 }),
      handle(async (req: Request, res: Response) => {
        const form = bodyOf(req);
        const login = requiredString(form, 'login');
        const pass = requiredString(form, 'pass');
        // Checked before the password so a malformed flag never costs a throttle attempt or a hash.
        const ttl = ttlOf(parseLongtoken(form.longtoken));
        const account = await auth.accounts.login({ identifier: login, password: pass, ip: auth.clientIp(req), method: METHOD });
        // Shape the user before issuing, so a failing hook cannot leave an issued token nobody received.
        const user = await shapeUser(account, o.user);
        // Fixed expiry (the vendor's "30 days from creation"): idle window = absolute lifetime, so use never
        // moves validTo; only PUT does.
        const issued = await auth.tokens.issue({
          userId: account.id,
          issuer: ISSUER.xAuthBearer,
          device: req.get('user-agent') ?? '',
          absoluteTtl: ttl,
          idleTtl: ttl,
          maxLifetime: o.maxLifetime,
        });
        sendLoginReply(res, issued.token, issued.info.expiresAt, user);
      }),
    )
    .get(
      handle(async (req: Request, res: Response) => {
        const token = presentedToken(req, req.query.token, 'query parameter');
        // peek: checking a token is not a use and must not move anything.
        const info = await tokenCall(() => auth.tokens.peek(token, OWN));
        const user = await shapeUser(await accountOf(info), o.user);
        sendLoginReply(res, token, info.expiresAt, user);
      }),
    )
    .put(
      requireBodyType('json', 'application/json'),
      express.json({ limit: o.bodyLimit }),
      handle(async (req: Request, res: Response) => {
        const body = bodyOf(req);
        const ttl = ttlOf(parseLongtoken(body.longtoken));
        const token = presentedToken(req, body.token, 'field');
        // extend() works on the public id alone, so the secret is verified first: an id is not a credential.
        const current = await tokenCall(() => auth.tokens.peek(token, OWN));
        const user = await shapeUser(await accountOf(current), o.user);
        // "From now", as the vendor says: the new validTo is now + 24 h / 30 d, even if that is earlier
        // than the old one (a 30-day token prolonged without longtoken gets 24 h), but never past the token's
        // ceiling (creation + maxLifetime): the store clamps it, so repeated PUTs cannot make a token immortal.
        const info = await tokenCall(() => auth.tokens.extend(current.id, { absoluteTtl: ttl, idleTtl: ttl }));
        sendLoginReply(res, token, info.expiresAt, user);
      }),
    )
    .delete(
      handle(async (req: Request, res: Response) => {
        const token = presentedToken(req, req.query.token, 'query parameter');
        // revokeToken checks the secret: knowing a token's public id is not enough to log anyone out.
        await tokenCall(() => auth.tokens.revokeToken(token, 'logout', OWN));
        res.status(204).end();
      }),
    )
    .all((req: Request, res: Response) => {
      res.setHeader('Allow', ALLOWED);
      // OPTIONS is a question, not a wrong method (CORS middleware placed before us answers preflights).
      if (req.method === 'OPTIONS') return void res.status(204).end();
      sendError(res, new XAuthError('method_not_allowed'));
    });

  r.use(renderErrors);
  return r;
}

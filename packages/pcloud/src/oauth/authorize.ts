import type { AuthError } from '@authmount/core';
import { bodyFields } from '@authmount/express';
import type { Request, Response, Router } from 'express';
import type { Ctx } from '../call';
import { urlencodedBody, type ParamLimits } from '../params';
import { PAGE_ERRORS, toPageError, type PageErrorName } from './page-errors';
import { clearCsrf, csrfFor, csrfValid } from './csrf';
import { issueAccessToken, issueCode, pollKey, putPollGrant } from './grants';
import type { OAuthResolved } from './options';
import { codePage, formPage, messagePage, sendPage } from './page';
import type { PollHub } from './poll';
import { checkRequest, type AuthorizeRequest } from './request';

const PAGE = '/oauth2/authorize';
// The form has a dozen short fields; anything much bigger is not from this page.
const FORM_LIMITS: ParamLimits = { maxBodyBytes: 16 * 1024, maxFields: 30 };

/**
 * The authorize page, `GET` (show the form) and `POST` (log in and decide) on `/oauth2/authorize` of the
 * pCloud router. Errors in the request are shown on the page and never redirected; only the user's
 * decision goes back to the app.
 */
export function mountAuthorize(router: Router, ctx: Ctx, o: OAuthResolved, hub: PollHub): void {
  const report = (e: unknown) => ctx.cfg.onError(e, 'oauth2/authorize');

  const fail = (res: Response, name: PageErrorName): void => {
    const e = PAGE_ERRORS[name];
    if (e.status === 503) res.setHeader('Retry-After', '1'); // store down or argon2 shed (overloaded)
    sendPage(res, e.status, messagePage('Cannot continue', e.message));
  };

  /** The form again, with a message (wrong password, expired CSRF token, throttled). */
  const again = (req: Request, res: Response, r: AuthorizeRequest, name: PageErrorName, username?: string, retryAfter?: number): void => {
    const e = PAGE_ERRORS[name];
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    const html = formPage({ request: r, csrf: csrfFor(req, res), action: req.baseUrl + PAGE, error: e.message, username });
    sendPage(res, e.status, html, r.redirectUri);
  };

  /** Back to the app: 303 so the browser follows with GET; never cached (the URL may carry a token). */
  const back = (req: Request, res: Response, r: AuthorizeRequest, params: Record<string, string>): void => {
    if (r.state !== null) params.state = r.state;
    const uri = r.redirectUri as string;
    const encoded = new URLSearchParams(params).toString();
    // Appended, not rebuilt through URL, so the registered URI reaches the app byte for byte.
    const location = r.responseType === 'token' ? `${uri}#${encoded}` : `${uri}${uri.includes('?') ? '&' : '?'}${encoded}`;
    clearCsrf(req, res);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.redirect(303, location);
  };

  const done = (req: Request, res: Response, title: string, message: string): void => {
    clearCsrf(req, res);
    sendPage(res, 200, messagePage(title, message));
  };

  const approve = async (req: Request, res: Response, r: AuthorizeRequest, userId: number): Promise<void> => {
    const client = r.client;
    switch (r.responseType) {
      case 'code': {
        const code = await issueCode(ctx, o, { c: client.clientId, r: r.redirectUri, u: userId, p: r.codeChallenge });
        if (r.redirectUri !== null) return back(req, res, r, { code });
        clearCsrf(req, res);
        return sendPage(res, 200, codePage(client.name, code, Math.max(1, Math.round(o.codeTtlMs / 60_000))));
      }
      case 'token': {
        const issued = await issueAccessToken(ctx, o, client, userId);
        return back(req, res, r, { access_token: issued.token, token_type: 'bearer', uid: String(userId) });
      }
      case 'poll_token': {
        const key = pollKey(client.clientId, r.requestId as string);
        await putPollGrant(ctx, o, key, { u: userId });
        hub.notify(key);
        return done(req, res, 'Access allowed', `${client.name} can now use your account. You can close this window.`);
      }
    }
  };

  const deny = async (req: Request, res: Response, r: AuthorizeRequest): Promise<void> => {
    if (r.responseType === 'poll_token') {
      const key = pollKey(r.client.clientId, r.requestId as string);
      await putPollGrant(ctx, o, key, { d: 1 });
      hub.notify(key);
    } else if (r.redirectUri !== null) {
      return back(req, res, r, { error: 'access_denied' });
    }
    done(req, res, 'Access denied', `${r.client.name} was not given access to your account. You can close this window.`);
  };

  router.get(PAGE, (req, res) => {
    void (async () => {
      try {
        const checked = await checkRequest(o.registry, req.query as Record<string, unknown>);
        if (!checked.ok) return fail(res, checked.error);
        const r = checked.request;
        sendPage(res, 200, formPage({ request: r, csrf: csrfFor(req, res), action: req.baseUrl + PAGE }), r.redirectUri);
      } catch (e) {
        fail(res, toPageError(e, report));
      }
    })();
  });

  router.post(PAGE, (req, res) => {
    void (async () => {
      try {
        const body = await readForm(req, res);
        if (body === null) return fail(res, 'bad_form');
        const checked = await checkRequest(o.registry, body);
        if (!checked.ok) return fail(res, checked.error);
        const r = checked.request;
        const username = typeof body.username === 'string' ? body.username : '';
        if (!csrfValid(req, body.csrf)) return again(req, res, r, 'csrf', username);
        if (body.decision === 'deny') return await deny(req, res, r);
        if (body.decision !== 'allow') return fail(res, 'bad_form');
        const password = typeof body.password === 'string' ? body.password : '';
        if (username === '' || password === '') return again(req, res, r, 'missing_credentials', username);
        let userId: number;
        try {
          // Core's login: failure budgets reserved before any hashing, enumeration-safe.
          userId = (await ctx.auth.accounts.login({ identifier: username, password, ip: ctx.auth.clientIp(req), method: 'pcloud-oauth' }))
            .id;
        } catch (e) {
          const name = toPageError(e, report);
          if (name === 'login_failed' || name === 'missing_credentials') return again(req, res, r, name, username);
          if (name === 'rate_limited') return again(req, res, r, name, username, (e as AuthError).retryAfterSeconds);
          return fail(res, name);
        }
        await approve(req, res, r, userId);
      } catch (e) {
        if (!res.headersSent) fail(res, toPageError(e, report));
        else report(e);
      }
    })();
  });
}

/** The form body through express.urlencoded; null when it is not a readable form (never a 500). */
function readForm(req: Request, res: Response): Promise<Record<string, unknown> | null> {
  if (!req.is('application/x-www-form-urlencoded')) return Promise.resolve(null);
  return urlencodedBody(req, res, FORM_LIMITS).then((body) => (body === undefined ? null : (bodyFields(req) ?? null)));
}

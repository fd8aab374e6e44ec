import { type Auth, contextOf } from '@authmount/express';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { CallState, type Ctx, type PcloudCall } from './call';
import { toFailure, type PcloudFailure } from './errors';
import { establish, type LoginRules } from './login';
import { MailQueue } from './mail-queue';
import { BUILTINS } from './methods';
import { mountAuthorize } from './oauth/authorize';
import { PollHub } from './oauth/poll';
import { oauth2Token } from './oauth/token-method';
import { noteDigestOff, resolveOptions, type PcloudOptions } from './options';
import { validateMethodOptions, validatePcloudOptions } from './options-schema';
import { readParams, type Params } from './params';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the pCloud adapter's guard (and on its methods): the call's login state and parameters. */
      pcloud?: PcloudCall;
    }
  }
}

/** An app method: return the reply fields (result, auth and id are added), or answer `call.res` yourself. */
export type MethodHandler = (call: PcloudCall) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

export interface MethodOptions {
  /** Needs a logged-in user: 1000 without credentials (pCloud's "Auth: yes"). Default true. */
  auth?: boolean | undefined;
  /** Scopes a token must carry (else 1000, as pCloud answers for tokens a method refuses). */
  scopes?: readonly string[] | undefined;
  /**
   * Read form bodies for parameters (default true). Set false for methods that stream the body themselves
   * (uploads): their parameters then come from the query string and cookies only, as pCloud clients send them.
   */
  body?: boolean | undefined;
}

export interface PcloudRouter extends Router {
  /** Add an app method at `/<name>`; it gets every global login parameter, exactly like userinfo. */
  method(name: string, handler: MethodHandler, opts?: MethodOptions): PcloudRouter;
  /**
   * Middleware for ordinary Express routes: runs the global login parameters, sets `req.pcloud` (and
   * `req.auth` when a token is involved), or answers the failure in pCloud's format.
   */
  guard(opts?: MethodOptions): RequestHandler;
  /**
   * Mails sent after the reply (lostpassword never waits for the mailer). `mailQueue.idle()` resolves when
   * every queued mail was handed to the mailer (or failed, reported through `onError`): await it in a
   * graceful shutdown before closing the store.
   */
  readonly mailQueue: Pick<MailQueue, 'idle' | 'size'>;
}

interface Entry {
  name: string;
  rules: LoginRules;
  body: boolean;
  run(call: CallState): Promise<Record<string, unknown> | void>;
}

const METHOD_NAME = /^[a-z0-9_]{1,64}$/;
const PATH = /^\/([a-z0-9_]{1,64})\/?$/;

/** Parameters are read once per request, whichever of guard and router asks first. */
const paramsCache = new WeakMap<Request, Promise<Params>>();

/**
 * pCloud's HTTP JSON protocol on an Express Router: each method is a path (`/userinfo`, ...), parameters
 * come from the query, form bodies and cookies, and every reply is HTTP 200 JSON with a numeric `result`.
 * Unknown paths fall through to the host app (pCloud documents no reply for them; README).
 * With the `oauth` option the same router also serves OAuth 2.0: the authorize page at
 * `/oauth2/authorize`, the `oauth2_token` method, and access tokens on every method.
 */
export function pcloud(auth: Auth, options: PcloudOptions = {}): PcloudRouter {
  validatePcloudOptions(options); // a wrong option fails here, naming it (ConfigError)
  const cfg = resolveOptions(options);
  noteDigestOff(options, auth.logger);
  const ctx: Ctx = { auth, cfg, mails: new MailQueue(cfg.onError) };
  const methods = new Map<string, Entry>();
  const router = express.Router() as PcloudRouter;

  const params = (req: Request, res: Response, body: boolean): Promise<Params> => {
    let p = paramsCache.get(req);
    if (!p) {
      p = readParams(req, res, { cookies: cfg.cookies, limits: cfg.limits, body });
      paramsCache.set(req, p);
    }
    return p;
  };

  const send = (call: CallState, fields: Record<string, unknown>): void => {
    const body: Record<string, unknown> = { result: 0, ...fields };
    body.result = 0;
    if (call.authToken !== null && !call.ownTokenRevoked) body.auth = call.authToken;
    if (call.params.id !== undefined) body.id = call.params.id;
    write(call.res, body);
  };

  const fail = (res: Response, p: Params | undefined, f: PcloudFailure): void => {
    const body: Record<string, unknown> = { result: f.result, error: f.error };
    if (p?.id !== undefined) body.id = p.id;
    res.setHeader('X-Error', String(f.result));
    write(res, body);
  };

  /** One call, start to end. Never rejects: every failure is answered in pCloud's format. */
  const run = async (entry: Entry, req: Request, res: Response): Promise<void> => {
    let p: Params | undefined;
    try {
      p = await params(req, res, entry.body);
      const call = new CallState(ctx, req, res, entry.name, p, send);
      req.pcloud = call;
      await establish(ctx, call, entry.rules);
      if (call.token) req.auth = contextOf(call.token);
      const fields = await entry.run(call);
      if (!res.headersSent) send(call, fields ?? {});
    } catch (e) {
      if (res.headersSent) return cfg.onError(e, entry.name);
      fail(
        res,
        p,
        toFailure(e, (err) => cfg.onError(err, entry.name)),
      );
    }
  };

  router.use((req, res, next) => {
    const m = PATH.exec(req.path);
    const entry = m ? methods.get(m[1]) : undefined;
    if (!entry) return next();
    void run(entry, req, res);
  });

  const add = (entry: Entry): void => {
    if (!METHOD_NAME.test(entry.name)) throw new TypeError(`pcloud: invalid method name ${JSON.stringify(entry.name)} (a-z, 0-9, _)`);
    if (methods.has(entry.name)) throw new TypeError(`pcloud: method ${entry.name} is already defined`);
    methods.set(entry.name, entry);
  };

  const builtins = [...BUILTINS];
  if (cfg.oauth) {
    const hub = new PollHub(cfg.oauth.poll);
    builtins.push(oauth2Token(cfg.oauth, hub));
    mountAuthorize(router, ctx, cfg.oauth, hub);
  }
  // Built-ins take this adapter's own tokens (and OAuth ones, scoped); the app's methods and guard() take
  // the issuers the app chose (acceptIssuers, by default the same).
  for (const b of builtins) {
    add({
      name: b.name,
      rules: { required: b.required, issuers: cfg.ownIssuers, scopes: b.scopes },
      body: true,
      run: (call) => b.run(ctx, call),
    });
  }

  router.method = (name, handler, opts = {}) => {
    validateMethodOptions(opts, 'pcloud .method()');
    const rules = { required: opts.auth ?? true, issuers: cfg.acceptIssuers, scopes: opts.scopes };
    add({ name, rules, body: opts.body ?? true, run: async (call) => handler(call) });
    return router;
  };

  Object.defineProperty(router, 'mailQueue', { value: ctx.mails });

  router.guard = (opts = {}) => {
    validateMethodOptions(opts, 'pcloud .guard()');
    const rules = { required: opts.auth ?? true, issuers: cfg.acceptIssuers, scopes: opts.scopes };
    return (req, res, next) => {
      const name = req.path.replace(/^\//, '') || 'guard';
      let p: Params | undefined;
      const go = async (): Promise<boolean> => {
        try {
          p = await params(req, res, opts.body ?? true);
          const call = new CallState(ctx, req, res, name, p, send);
          await establish(ctx, call, rules);
          req.pcloud = call;
          if (call.token) req.auth = contextOf(call.token);
          return true;
        } catch (e) {
          fail(
            res,
            p,
            toFailure(e, (err) => cfg.onError(err, name)),
          );
          return false;
        }
      };
      void go().then((ok) => {
        if (ok) next();
      });
    };
  };

  return router;
}

/** pCloud replies: always HTTP 200 JSON (clients treat any other status as a transport failure). */
function write(res: Response, body: Record<string, unknown>): void {
  // Replies carry tokens (getauth) and per-user data: never cached by anyone.
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).json(body);
}

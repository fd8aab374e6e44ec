import busboy from 'busboy';
import { parse as parseCookies } from 'cookie';
import express, { type Request, type Response } from 'express';

/** A request's pCloud parameters: every value a single string. */
export type Params = Readonly<Record<string, string>>;

/**
 * Which cookies count as parameters. pCloud reads every parameter from cookies too (PD-api; the Java SDK
 * sends `timeformat` that way), so 'all' is the default. 'auth' reads only the `auth` cookie (useful when
 * the host app shares its cookie space with the API); 'none' ignores cookies.
 */
export type CookieParams = 'all' | 'auth' | 'none';

export interface ParamLimits {
  /** Largest form body read, bytes. Default 64 KiB. */
  maxBodyBytes: number;
  /** Most fields read from a body. Default 100. */
  maxFields: number;
}

export const DEFAULT_LIMITS: ParamLimits = { maxBodyBytes: 64 * 1024, maxFields: 100 };

type Raw = Record<string, unknown>;

/**
 * Repeated keys (`?a=1&a=2`) arrive as arrays; the last value wins, the same rule as between sources.
 * Non-string leftovers (nested objects from another parser) are dropped.
 */
function flatten(into: Record<string, string>, src: unknown): void {
  if (!src || typeof src !== 'object') return;
  for (const [k, v] of Object.entries(src as Raw)) {
    if (k === '__proto__') continue;
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (typeof last === 'string') into[k] = last;
  }
}

/** Run express.urlencoded as a function (the methods, the authorize page); a body it cannot read resolves as no body. */
export function urlencodedBody(req: Request, res: Response, limits: ParamLimits): Promise<unknown> {
  const parser = express.urlencoded({ extended: false, limit: limits.maxBodyBytes, parameterLimit: limits.maxFields });
  return new Promise((resolve) => {
    parser(req, res, (err?: unknown) => resolve(err ? undefined : req.body));
  });
}

/** Fields of a multipart/form-data body (PHP's SDK posts this way). Files are skipped, never buffered. */
function multipartBody(req: Request, limits: ParamLimits): Promise<unknown> {
  return new Promise((resolve) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { fields: limits.maxFields, fieldSize: limits.maxBodyBytes, files: 0, parts: limits.maxFields },
      });
    } catch {
      return resolve(undefined); // no or malformed boundary
    }
    const fields: Record<string, string> = {};
    let total = 0;
    let settled = false;
    const done = (v: unknown) => {
      if (settled) return;
      settled = true;
      resolve(v);
    };
    const abandon = () => {
      req.unpipe(bb);
      req.resume(); // drain whatever the client still sends; nothing of it is kept
      done(undefined);
    };
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limits.maxBodyBytes && !settled) abandon();
    });
    bb.on('field', (name, value, info) => {
      if (!info.valueTruncated && name !== '__proto__') fields[name] = value;
    });
    bb.on('file', (_name, stream) => stream.resume());
    bb.on('close', () => done(fields));
    bb.on('error', () => abandon());
    // A client that disconnects mid-body: nothing more will come, so do not wait for busboy.
    req.on('close', () => {
      if (!req.complete) done(undefined);
    });
    req.pipe(bb);
  });
}

/**
 * Read the body once per request (the guard and the router may both ask). Form bodies only: pCloud
 * documents GET query, form POST and cookies; a JSON or other body is not read (README: decisions).
 * A body that cannot be read (malformed, too large) counts as absent: its parameters are then missing and
 * the method answers the matching pCloud error, instead of an invented "bad request" code.
 */
async function bodyParams(req: Request, res: Response, limits: ParamLimits): Promise<unknown> {
  // The host app's own body parser got there first: use what it read (the stream is spent).
  if (req.readableEnded) return req.body;
  if (req.is('application/x-www-form-urlencoded')) return urlencodedBody(req, res, limits);
  if (req.is('multipart/form-data')) return multipartBody(req, limits);
  return undefined;
}

/**
 * The parameters of a call, applied in pCloud's order (PD-api "GENERAL"): GET query, then the POST body,
 * then cookies; a later source overrides an earlier one.
 */
export async function readParams(
  req: Request,
  res: Response,
  opts: { cookies: CookieParams; limits: ParamLimits; body: boolean },
): Promise<Params> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  flatten(out, req.query);
  if (opts.body) flatten(out, await bodyParams(req, res, opts.limits));
  if (opts.cookies !== 'none' && typeof req.headers.cookie === 'string') {
    let jar: Record<string, string | undefined> = {};
    try {
      jar = parseCookies(req.headers.cookie);
    } catch {
      // An unparseable Cookie header carries no parameters.
    }
    if (opts.cookies === 'auth') jar = { auth: jar.auth };
    flatten(out, jar);
  }
  return out;
}

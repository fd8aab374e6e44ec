import { AuthError } from '@authmount/core';
import { sameSecret } from './apps';
import { findApp, type CbContext } from './context';
import { CbError, invalidParam } from './errors';
import type { CbApp } from './options';
import { requiredString, stringParam, type Params } from './params';
import { assertCanonical, verifySignature } from './signature';

/** What a verified POST /session request tells about itself, echoed in the session (`nonce`, `ts`). */
export interface AppRequest {
  app: CbApp;
  /** Request `timestamp` (unix seconds) when sent. */
  timestamp: number | null;
  /** Request `nonce` when sent: a number when it is one (as CB echoes it), else the string. */
  nonce: number | string | null;
}

const TIMESTAMP = /^[0-9]{1,12}$/;

function parseTimestamp(body: Params): number | null {
  const raw = stringParam(body, 'timestamp', { max: 16 });
  if (raw === undefined) return null;
  if (!TIMESTAMP.test(raw)) throw new AuthError('stale_timestamp');
  return Number(raw);
}

function parseNonce(body: Params): number | string | null {
  const raw = stringParam(body, 'nonce', { max: 64 });
  if (raw === undefined) return null;
  // Echoed in the session and kept in its data: no control characters (a NUL is not storable everywhere).
  if (/\p{Cc}/u.test(raw)) throw invalidParam('nonce');
  return /^[0-9]{1,15}$/.test(raw) ? Number(raw) : raw;
}

function appNotFound(): CbError {
  return new CbError('unknown_application', 'unknown application');
}

/**
 * Authenticate the application behind a POST /session, in this order (cheapest and stateless first,
 * the one store write last, so refused requests never consume nonce space):
 * 0. the body has only the protocol's shape (scalars, one level under user / keys / firebase_*, no
 *    `[ ] = &` in names; signed: no value that reads as more parameters), so its signed string stands for
 *    it alone; anything else is 422 before any lookup or signing;
 * 1. `application_id` + `auth_key` name a registered application (auth_key compared in constant time);
 * 2. `signature`, when sent, is a valid HMAC over every other parameter; when absent, the application
 *    must allow unsigned requests;
 * 3. `timestamp`, when sent, is within the window of the server clock (required with a signature);
 * 4. signed requests: the (timestamp, nonce) pair was not used before by this application, remembered
 *    until the timestamp leaves the window (after which the timestamp check refuses it anyway).
 */
export async function authenticateApp(ctx: CbContext, body: Params): Promise<AppRequest> {
  const signed = body.signature !== undefined && body.signature !== null && body.signature !== '';
  assertCanonical(body, signed);
  const applicationId = requiredString(body, 'application_id', { max: 64 });
  const authKey = requiredString(body, 'auth_key', { max: 256 });
  const app = await findApp(ctx, applicationId);
  if (!app || !sameSecret(authKey, app.authKey)) throw appNotFound();

  const secret = typeof app.authSecret === 'string' && app.authSecret.length > 0 ? app.authSecret : null;
  if (signed) {
    if (!secret || !verifySignature(body, body.signature, secret, app.signatureAlgorithms ?? ['sha1'])) {
      throw new AuthError('bad_signature');
    }
  } else if (app.allowUnsigned !== true) {
    throw invalidParam('signature', 'cannot be blank');
  }

  const timestamp = parseTimestamp(body);
  const nonce = parseNonce(body);
  const now = ctx.auth.clock();
  const window = ctx.opts.timestampWindowMs;
  if (timestamp !== null && Math.abs(timestamp * 1000 - now) > window) throw new AuthError('stale_timestamp');

  if (signed) {
    // Without both, a captured signed request could be replayed for as long as the secret lives.
    if (timestamp === null) throw invalidParam('timestamp', 'cannot be blank');
    if (nonce === null) throw invalidParam('nonce', 'cannot be blank');
    const ttl = Math.max(1, timestamp * 1000 + window - now + 1000);
    await ctx.auth.replay.accept(`cb:${String(app.applicationId)}:${timestamp}`, String(nonce), ttl);
  }
  return { app, timestamp, nonce };
}

/** The application named by a `CB-AuthKey` header (POST /users without a session, SDK v6). */
export async function appByAuthKey(ctx: CbContext, authKey: string): Promise<CbApp> {
  if (authKey.length > 256) throw appNotFound();
  const app = await ctx.opts.apps.findByAuthKey(authKey);
  if (!app || !sameSecret(authKey, app.authKey)) throw appNotFound();
  return app;
}

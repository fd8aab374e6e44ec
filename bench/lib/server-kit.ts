import type { Issued } from '@authmount/core';
import type { Auth } from '@authmount/express';
import express, { type Express, type Request, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import { SLIDE_TTL_MS, type Credential, type ReqSpec, type StartedServer } from './types';

/**
 * Building blocks shared by the files in bench/servers/, so that every variant answers the same
 * `GET /me` with the same JSON and differs only in how it authenticates.
 */

export function newApp(): Express {
  const app = express();
  // Identical for every variant, so response sizes stay comparable.
  app.disable('x-powered-by');
  return app;
}

/**
 * Requests that reached the protected handler. The host compares it with the requests it received, so
 * a protocol that answers refusals with HTTP 200 (pCloud) cannot pass a broken run off as throughput.
 */
export const served = { count: 0 };

/** The protected handler: the authenticated user's id, nothing else. */
export function sendUser(res: Response, userId: number | null | undefined): void {
  served.count++;
  res.json({ userId });
}

export function meFromAuth(req: Request, res: Response): void {
  sendUser(res, req.auth?.userId);
}

export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Token policy for the authmount variants: the same 2 h sliding window every peer uses. */
export const AUTHMOUNT_TOKENS = { idleTtl: SLIDE_TTL_MS, absoluteTtl: 7 * 24 * 3600 * 1000 };

/** A well-formed authmount token with a wrong secret: same shape, fails at the secret comparison. */
export function forgedToken(token: string): string {
  const [id] = token.split('.');
  return `${id}.${randomSecret()}`;
}

export type IssueFn = (auth: Auth, userId: number) => Promise<Issued>;
const defaultIssue: IssueFn = (auth, userId) => auth.tokens.issue({ userId, device: 'bench' });

export interface SeededTokens {
  tokens: string[];
  ids: string[];
  userIds: number[];
}

/** Issue `count` tokens through core (one per user 1..count), a few hundred in flight at a time. */
export async function seedAuthmount(auth: Auth, count: number, issue: IssueFn = defaultIssue): Promise<SeededTokens> {
  const out: SeededTokens = { tokens: new Array(count), ids: new Array(count), userIds: new Array(count) };
  const batch = 256;
  for (let start = 0; start < count; start += batch) {
    const jobs: Array<Promise<void>> = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      jobs.push(
        issue(auth, i + 1).then((t) => {
          out.tokens[i] = t.token;
          out.ids[i] = t.info.id;
          out.userIds[i] = i + 1;
        }),
      );
    }
    await Promise.all(jobs);
  }
  return out;
}

/**
 * The common shape of an authmount variant: a guard in front of `/me`, tokens issued through core, and
 * the slide check reading the token's idle deadline back through core.
 */
export async function authmountServer(
  auth: Auth,
  app: Express,
  count: number,
  present: (token: string) => ReqSpec,
  missing: ReqSpec,
  seed: (auth: Auth, count: number) => Promise<SeededTokens> = seedAuthmount,
): Promise<StartedServer> {
  const seeded = await seed(auth, count);
  const credentials: Credential[] = seeded.tokens.map((t, i) => ({ request: present(t), userId: seeded.userIds[i] }));
  return {
    handler: app,
    credentials,
    invalid: present(forgedToken(seeded.tokens[0])),
    missing,
    deadline: async (i) => {
      const t = await auth.tokens.get(seeded.ids[i]);
      if (!t) throw new Error(`token #${i} is gone`);
      return t.idleExpiresAt;
    },
    close: () => auth.close(),
  };
}

export const bearerHeader = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

import { randomBytes, randomInt } from 'node:crypto';
import type { CbApp } from './options';

export interface AppFromEnv {
  app: CbApp;
  /** Names of the variables that were missing and generated (their values must be shown to the operator). */
  generated: Array<'CB_APPLICATION_ID' | 'CB_AUTH_KEY' | 'CB_AUTH_SECRET'>;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomKey(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

/**
 * One application from `CB_APPLICATION_ID`, `CB_AUTH_KEY`, `CB_AUTH_SECRET` (each generated when unset:
 * a 5-digit id, a 15-character key like CB's, a 256-bit secret) and `CB_ALLOW_UNSIGNED=1`.
 * Meant for demos and single-application deployments.
 */
export function cbAppFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): AppFromEnv {
  const generated: AppFromEnv['generated'] = [];
  const pick = (name: AppFromEnv['generated'][number], make: () => string) => {
    const v = env[name]?.trim();
    if (v) return v;
    generated.push(name);
    return make();
  };
  const applicationId = pick('CB_APPLICATION_ID', () => String(randomInt(10000, 100000)));
  const authKey = pick('CB_AUTH_KEY', () => randomKey(15));
  const authSecret = pick('CB_AUTH_SECRET', () => randomBytes(32).toString('base64url'));
  return {
    app: {
      applicationId: /^[1-9][0-9]{0,15}$/.test(applicationId) ? Number(applicationId) : applicationId,
      authKey,
      authSecret,
      allowUnsigned: env.CB_ALLOW_UNSIGNED === '1',
    },
    generated,
  };
}

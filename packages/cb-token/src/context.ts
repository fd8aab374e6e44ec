import type { Auth } from '@authmount/express';
import type { CbApp } from './options';
import type { ResolvedOptions } from './options';

/** Everything the route handlers and the guard share. */
export interface CbContext {
  auth: Auth;
  opts: ResolvedOptions;
}

export async function findApp(ctx: CbContext, applicationId: string): Promise<CbApp | null> {
  return (await ctx.opts.apps.findById(applicationId)) ?? null;
}

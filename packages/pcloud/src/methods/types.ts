import { ACCOUNT_SCOPE } from '@authmount/core';
import type { CallState, Ctx } from '../call';

/** A built-in method: its login rule and a handler returning the reply fields (result/auth/id are added). */
export interface Builtin {
  name: string;
  /** Auth "yes" in pCloud's docs: 1000 without credentials. */
  required: boolean;
  /**
   * Scopes a token must carry (1000 "Log in required." otherwise, as pCloud answers OAuth tokens on the
   * methods it refuses them). Account methods ask for ACCOUNT_SCOPE, which OAuth tokens never have.
   */
  scopes?: readonly string[];
  run(ctx: Ctx, call: CallState): Promise<Record<string, unknown>>;
}

/** The account methods' requirement: first-party session tokens have it, OAuth access tokens never. */
export const ACCOUNT: readonly string[] = [ACCOUNT_SCOPE];

/** A parameter that must be present and non-empty, else the given pCloud "Please provide" error. */
export function has(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}

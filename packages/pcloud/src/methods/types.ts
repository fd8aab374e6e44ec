import type { CallState, Ctx } from '../call';

/** A built-in method: its login rule and a handler returning the reply fields (result/auth/id are added). */
export interface Builtin {
  name: string;
  /** Auth "yes" in pCloud's docs: 1000 without credentials. */
  required: boolean;
  run(ctx: Ctx, call: CallState): Promise<Record<string, unknown>>;
}

/** A parameter that must be present and non-empty, else the given pCloud "Please provide" error. */
export function has(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}

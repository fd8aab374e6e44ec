/**
 * Type tests: compiled by `tsc --noEmit` (npm test runs it), and run by jest so the file also counts.
 * Each @ts-expect-error line FAILS the type check if the error it expects is gone.
 */
import type { Request } from 'express';
import { isAuthenticated, type AuthContext, type AuthenticatedRequest } from '../src';

function handler(req: Request): number | null {
  // @ts-expect-error req.auth may be undefined before narrowing
  const bad: AuthContext = req.auth;
  void bad;
  if (isAuthenticated(req)) {
    const narrowed: AuthenticatedRequest = req;
    const ctx: AuthContext = req.auth;
    // Never called: it only has to fail to compile.
    const mutate = () => {
      // @ts-expect-error the context is read-only data, scopes cannot be pushed to
      ctx.scopes.push('admin');
    };
    void mutate;
    return narrowed.auth.userId;
  }
  return null;
}

describe('req.auth typing', () => {
  it('is augmented onto Express.Request and narrowed by isAuthenticated', () => {
    const req = { auth: { userId: 3 } } as unknown as Request;
    expect(handler(req)).toBe(3);
    expect(handler({} as Request)).toBeNull();
  });
});

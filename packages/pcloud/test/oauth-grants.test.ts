import { AuthError } from '@authmount/core';
import type { Ctx } from '../src/call';
import { isOAuthToken, revokeReplayed, takeCode, takePollGrant } from '../src/oauth/grants';

// The grant helpers against a code store that fails on purpose, one way at a time: "no such code" is a
// null (answered 2012 or a poll that goes on waiting), any other failure propagates (answered 5000), and
// a replayed code revokes only its own client's token. oauth-token.test.ts and oauth-poll.test.ts run the
// same code over HTTP on every store.

function ctxWith(consume: (purpose: string, key: string) => Promise<unknown>) {
  const consumed: string[] = [];
  const revoked: Array<[string, string]> = [];
  const ctx = {
    auth: {
      codes: {
        consume: (purpose: string, key: string) => {
          consumed.push(purpose);
          return consume(purpose, key);
        },
      },
      tokens: { revoke: async (id: string, reason: string) => (revoked.push([id, reason]), true) },
    },
  } as unknown as Ctx;
  return { ctx, consumed, revoked };
}

const gone = () => Promise.reject(new AuthError('code_invalid'));
const down = () => Promise.reject(new AuthError('store_unavailable'));
const bug = () => Promise.reject(new TypeError('bug'));

describe('OAuth grants', () => {
  it('takeCode: a missing code is null; an outage or a bug propagates', async () => {
    expect(await takeCode(ctxWith(gone).ctx, 'c')).toBeNull();
    await expect(takeCode(ctxWith(down).ctx, 'c')).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(takeCode(ctxWith(bug).ctx, 'c')).rejects.toBeInstanceOf(TypeError);
    const { ctx, consumed } = ctxWith(async () => ({ c: 'app', r: null, u: 1, p: null }));
    expect(await takeCode(ctx, 'c')).toEqual({ c: 'app', r: null, u: 1, p: null });
    expect(consumed).toEqual(['pcloud-oauth-code']);
  });

  it('takePollGrant: no decision yet is null; an outage or a bug propagates', async () => {
    expect(await takePollGrant(ctxWith(gone).ctx, 'k')).toBeNull();
    await expect(takePollGrant(ctxWith(down).ctx, 'k')).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(takePollGrant(ctxWith(bug).ctx, 'k')).rejects.toBeInstanceOf(TypeError);
    const { ctx, consumed } = ctxWith(async () => ({ u: 3 }));
    expect(await takePollGrant(ctx, 'k')).toEqual({ u: 3 });
    expect(consumed).toEqual(['pcloud-oauth-poll']);
  });

  it('revokeReplayed: revokes the token a code produced, for that same client only; an outage propagates', async () => {
    const same = ctxWith(async () => ({ c: 'app', t: '123' }));
    await revokeReplayed(same.ctx, 'c', 'app');
    expect(same.revoked).toEqual([['123', 'oauth_code_replayed']]);
    expect(same.consumed).toEqual(['pcloud-oauth-used']);
    const other = ctxWith(async () => ({ c: 'app', t: '123' }));
    await revokeReplayed(other.ctx, 'c', 'intruder');
    expect(other.revoked).toEqual([]);
    const never = ctxWith(gone);
    await revokeReplayed(never.ctx, 'c', 'app');
    expect(never.revoked).toEqual([]);
    await expect(revokeReplayed(ctxWith(down).ctx, 'c', 'app')).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(revokeReplayed(ctxWith(bug).ctx, 'c', 'app')).rejects.toBeInstanceOf(TypeError);
  });

  it('isOAuthToken: issuer oauth AND a client id; a token of another issuer with an app id is not one', () => {
    expect(isOAuthToken({ issuer: 'oauth', appId: 'photo-app' })).toBe(true);
    expect(isOAuthToken({ issuer: 'oauth', appId: null })).toBe(false);
    expect(isOAuthToken({ issuer: 'cb-token', appId: '42' })).toBe(false);
    expect(isOAuthToken({ issuer: 'pcloud', appId: null })).toBe(false);
  });
});

import type { CallState, Ctx } from '../call';
import { pcloudError } from '../errors';
import { has, type Builtin } from '../methods/types';
import { isClientId, secretMatches, type OAuthClient } from './clients';
import { issueAccessToken, pkceMatches, pollKey, rememberExchange, revokeReplayed, takeCode, takePollGrant } from './grants';
import type { OAuthResolved } from './options';
import type { PollHub } from './poll';
import { REQUEST_ID } from './request';

/**
 * oauth2_token (auth: no). Two forms, chosen by what is sent:
 * - `client_id` + `client_secret` + `code` (+ `code_verifier` with PKCE, + `redirect_uri` optionally): the
 *   code flow's exchange;
 * - `client_id` + `request_id`: the poll_token long-poll, answered when the user decides or on timeout.
 * Reply: `{ access_token, token_type: "bearer", uid }` (docs.pcloud.com oauth2_token).
 */
export function oauth2Token(o: OAuthResolved, hub: PollHub): Builtin {
  return {
    name: 'oauth2_token',
    required: false,
    async run(ctx, call) {
      const p = call.params;
      if (!has(p.client_id)) throw pcloudError('missing_client_id');
      const client = isClientId(p.client_id) ? await o.registry.find(p.client_id) : null;
      if (!client) throw pcloudError('invalid_client_id');
      if (has(p.code)) return exchange(ctx, o, client, call);
      if (has(p.request_id)) return poll(ctx, o, hub, client, call);
      throw pcloudError('missing_code');
    },
  };
}

async function exchange(ctx: Ctx, o: OAuthResolved, client: OAuthClient, call: CallState): Promise<Record<string, unknown>> {
  const p = call.params;
  const code = p.code as string;
  if (!has(p.client_secret)) throw pcloudError('missing_client_secret');
  // The secret first: a caller without it cannot burn the code.
  if (!secretMatches(client, p.client_secret)) throw pcloudError('invalid_client_secret');
  const grant = await takeCode(ctx, code);
  if (!grant) {
    await revokeReplayed(ctx, code, client.clientId);
    throw pcloudError('invalid_code');
  }
  // From here on the code is spent whatever happens: a code is good for one attempt only.
  if (grant.c !== client.clientId) throw pcloudError('invalid_code');
  // pCloud's clients send no redirect_uri here; one that does must send the URI the code went to.
  if (p.redirect_uri !== undefined && p.redirect_uri !== (grant.r ?? '')) throw pcloudError('invalid_code');
  if (grant.p !== null) {
    if (!has(p.code_verifier)) throw pcloudError('missing_code_verifier');
    if (!pkceMatches(p.code_verifier, grant.p)) throw pcloudError('invalid_code');
  } else if (p.code_verifier !== undefined) {
    // A verifier for a code issued without a challenge means the challenge was stripped (PKCE downgrade).
    throw pcloudError('invalid_code');
  }
  return grantToken(ctx, o, client, grant.u, code);
}

async function poll(ctx: Ctx, o: OAuthResolved, hub: PollHub, client: OAuthClient, call: CallState): Promise<Record<string, unknown>> {
  const requestId = call.params.request_id as string;
  // A client without the poll_token opt-in has no pollable request: 2113, like an unknown request_id.
  if (client.pollToken !== true || !REQUEST_ID.test(requestId)) throw pcloudError('invalid_request_id');
  const key = pollKey(client.clientId, requestId);
  const grant = await hub.wait(key, () => takePollGrant(ctx, key), call.res);
  if (grant === null) throw pcloudError('poll_timeout');
  if ('d' in grant) throw pcloudError('oauth_denied');
  return grantToken(ctx, o, client, grant.u, null);
}

async function grantToken(
  ctx: Ctx,
  o: OAuthResolved,
  client: OAuthClient,
  userId: number,
  code: string | null,
): Promise<Record<string, unknown>> {
  // The account may have been deleted since it approved.
  if (!(await ctx.auth.accounts.find(userId))) throw pcloudError(code === null ? 'oauth_denied' : 'invalid_code');
  const issued = await issueAccessToken(ctx, o, client, userId);
  if (code !== null) await rememberExchange(ctx, o, code, client.clientId, issued.info.id);
  return { access_token: issued.token, token_type: 'bearer', uid: userId };
}

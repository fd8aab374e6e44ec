import type { TokenInfo } from '@authmount/core';
import { isTokenId } from '@authmount/core';
import { DIGEST_PURPOSE, DIGEST_TTL_MS, newDigest } from '../digest';
import { pcloudError } from '../errors';
import { ATTR } from '../passwords';
import { ACCOUNT, has, type Builtin } from './types';

/** getdigest (auth: no): a 30-second, single-use digest for the next digest login. */
export const getdigest: Builtin = {
  name: 'getdigest',
  required: false,
  async run({ auth, cfg }, call) {
    if (!cfg.digestKey) throw pcloudError('digest_unavailable');
    const digest = newDigest();
    await auth.codes.put(DIGEST_PURPOSE, digest, {}, DIGEST_TTL_MS);
    return { digest, expires: call.time(auth.clock() + DIGEST_TTL_MS) };
  },
};

/** userinfo (auth: yes): the recommended login point. Extra fields come from the `userinfo` option. */
export const userinfo: Builtin = {
  name: 'userinfo',
  required: true,
  async run({ cfg }, call) {
    const a = await call.account();
    const lang = a.attributes[ATTR.language];
    const base: Record<string, unknown> = {
      userid: a.id,
      email: a.email ?? a.login ?? '',
      emailverified: a.attributes[ATTR.emailVerified] === true,
      registered: call.time(a.createdAt),
      language: typeof lang === 'string' ? lang : 'en',
      premium: false,
      quota: 10 * 1024 ** 3,
      usedquota: 0,
    };
    return cfg.userinfo ? { ...base, ...(await cfg.userinfo(a)) } : base;
  },
};

/**
 * logout (auth: yes): revoke the token the call used; `auth_deleted` says whether one was. A call that
 * logged in with a password and no getauth holds no token, so it answers false.
 */
export const logout: Builtin = {
  name: 'logout',
  required: true,
  async run({ auth }, call) {
    call.user();
    if (call.tokenId === null) return { auth_deleted: false };
    const deleted = await auth.tokens.revoke(call.tokenId, 'logout');
    call.ownTokenRevoked = true;
    return { auth_deleted: deleted };
  },
};

function tokenView(call: { time(ms: number): string | number; tokenId: string | null }, t: TokenInfo) {
  return {
    tokenid: Number(t.id),
    device: t.device,
    created: call.time(t.createdAt),
    expires_inactive: call.time(t.idleExpiresAt),
    expires: call.time(t.expiresAt),
    // Our extension (no source shows one): marks the token this very call used.
    current: t.id === call.tokenId,
  };
}

/** listtokens (auth: yes): the user's live tokens, oldest first. */
export const listtokens: Builtin = {
  name: 'listtokens',
  required: true,
  scopes: ACCOUNT,
  async run({ auth }, call) {
    const tokens = await auth.tokens.list(call.user());
    return { tokens: tokens.map((t) => tokenView(call, t)) };
  },
};

/** deletetoken (auth: yes): revoke one of the caller's own tokens by tokenid. */
export const deletetoken: Builtin = {
  name: 'deletetoken',
  required: true,
  scopes: ACCOUNT,
  async run({ auth }, call) {
    const userId = call.user();
    const raw = call.params.tokenid;
    if (!has(raw)) throw pcloudError('missing_tokenid');
    // Accept what a client may echo back from listtokens: a decimal integer, nothing else.
    const id = /^\d{1,16}$/.test(raw) ? String(Number(raw)) : '';
    const t = isTokenId(id) ? await auth.tokens.get(id) : null;
    // Another user's tokenid answers exactly like an unknown one.
    if (!t || t.userId !== userId) throw pcloudError('tokenid_not_found');
    await auth.tokens.revoke(id, 'deleted_by_owner');
    if (id === call.tokenId) call.ownTokenRevoked = true;
    return {};
  },
};

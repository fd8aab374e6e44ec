import { DROP_INDEX, HELD, Script, SET_INDEX } from './lua';

/** The user directory's scripts (users.ts): uniqueness of login and e-mail checked and indexed in one step. */

/**
 * KEYS: user, login index, e-mail index. ARGV: now, slack, id, hasLogin, hasEmail, expiresAt ('' = never),
 * then the user's field/value pairs. Uniqueness check and insert in one step.
 * -> 'ok' | 'login' | 'email' (taken by a live user) | 'retry' (id already used).
 */
export const USER_CREATE = new Script(
  'user_create',
  `
local now, slack, id, exp = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[6]
if redis.call('EXISTS', KEYS[1]) == 1 then return 'retry' end
if ARGV[4] == '1' and held(KEYS[2], id, now) then return 'login' end
if ARGV[5] == '1' and held(KEYS[3], id, now) then return 'email' end
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
if exp ~= '' then redis.call('PEXPIRE', KEYS[1], ttl(tonumber(exp), now, slack)) end
local entry = id .. '|' .. exp
if ARGV[4] == '1' then setIndex(KEYS[2], entry, exp, now, slack) end
if ARGV[5] == '1' then setIndex(KEYS[3], entry, exp, now, slack) end
return 'ok'
`,
  [HELD, SET_INDEX],
);

/**
 * KEYS: user, old login index, new login index, old e-mail index, new e-mail index (old = new when the
 * value does not change; a placeholder when null). ARGV: now, slack, id, expected version,
 * loginChanges, emailChanges, final expiresAt ('' = never), final hasLogin, final hasEmail,
 * old hasLogin, old hasEmail, number of set args N, N set args (field/value), then fields to delete.
 * -> 'ok' | 'gone' (missing or expired) | 'retry' (version moved: re-read and try again) | 'login' | 'email'.
 */
export const USER_UPDATE = new Script(
  'user_update',
  `
local now, slack, id, exp = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[7]
local cur = redis.call('HMGET', KEYS[1], 'v', 'x')
if not cur[1] then return 'gone' end
if cur[2] and now >= tonumber(cur[2]) then return 'gone' end
if cur[1] ~= ARGV[4] then return 'retry' end
if ARGV[5] == '1' and ARGV[8] == '1' and held(KEYS[3], id, now) then return 'login' end
if ARGV[6] == '1' and ARGV[9] == '1' and held(KEYS[5], id, now) then return 'email' end
local n = tonumber(ARGV[12])
if n > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 13, 12 + n)) end
if #ARGV > 12 + n then redis.call('HDEL', KEYS[1], unpack(ARGV, 13 + n)) end
redis.call('HINCRBY', KEYS[1], 'v', 1)
if exp == '' then redis.call('PERSIST', KEYS[1])
else redis.call('PEXPIRE', KEYS[1], ttl(tonumber(exp), now, slack)) end
local entry = id .. '|' .. exp
if ARGV[10] == '1' and KEYS[2] ~= KEYS[3] then dropIndex(KEYS[2], id) end
if ARGV[11] == '1' and KEYS[4] ~= KEYS[5] then dropIndex(KEYS[4], id) end
if ARGV[8] == '1' then setIndex(KEYS[3], entry, exp, now, slack) end
if ARGV[9] == '1' then setIndex(KEYS[5], entry, exp, now, slack) end
return 'ok'
`,
  [HELD, SET_INDEX, DROP_INDEX],
);

/** KEYS: user, login index, e-mail index. ARGV: id, expected version. -> 1 deleted, 0 missing, -1 retry. */
export const USER_DELETE = new Script(
  'user_delete',
  `
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return 0 end
if v ~= ARGV[2] then return -1 end
redis.call('DEL', KEYS[1])
dropIndex(KEYS[2], ARGV[1])
dropIndex(KEYS[3], ARGV[1])
return 1
`,
  [DROP_INDEX],
);

import { createHash } from 'node:crypto';

/**
 * Every Lua script the store runs. Rules they all follow:
 * - Validity is decided from the caller's `now` (an argument), never from Redis' clock, so tests can move
 *   time and processes agree on the instant they were asked about.
 * - TTLs are set RELATIVE to that `now` (deadline - now + slack): Redis reclaims dead keys on its own, but
 *   correctness never depends on it (a key that outlives its deadline is still refused by the checks).
 * - Each script declares every key it touches, and all of them share one hash tag (see keys.ts).
 * - Numbers go back to Redis through `int()` (plain decimal) so no TTL is ever written in exponent form.
 */

const PRELUDE = `
local function int(n) return string.format('%d', n) end
local function map(f)
  local r = {}
  for i = 1, #f, 2 do r[f[i]] = f[i + 1] end
  return r
end
local function flat(r)
  local out = {}
  for k, v in pairs(r) do out[#out + 1] = k; out[#out + 1] = v end
  return out
end
local function live(r, now) return now < tonumber(r.e) and now < tonumber(r.x) end
local function ttl(deadline, now, slack) return int(math.max(deadline - now, 0) + slack) end
local function raise(key, deadline, now, slack)
  local want = math.max(deadline - now, 0) + slack
  if redis.call('PTTL', key) < want then redis.call('PEXPIRE', key, int(want)) end
end
-- Constant-time comparison of two hash strings. They are SHA-256 digests, so a timing leak would not
-- help forge a secret anyway; this keeps the store from being the weak link.
local function same(a, b)
  if not a or #a ~= #b then return false end
  local d = 0
  for i = 1, #a do d = bit.bor(d, bit.bxor(string.byte(a, i), string.byte(b, i))) end
  return d == 0
end
local function held(key, self, now)
  local v = redis.call('GET', key)
  if not v then return false end
  local bar = string.find(v, '|', 1, true)
  local id, exp = string.sub(v, 1, bar - 1), string.sub(v, bar + 1)
  if id == self then return false end
  return exp == '' or now < tonumber(exp)
end
local function setIndex(key, entry, exp, now, slack)
  if exp == '' then redis.call('SET', key, entry)
  else redis.call('SET', key, entry, 'PX', ttl(tonumber(exp), now, slack)) end
end
local function dropIndex(key, self)
  local v = redis.call('GET', key)
  if v and string.sub(v, 1, #self + 1) == self .. '|' then redis.call('DEL', key) end
end
`;

export class Script {
  readonly lua: string;
  readonly sha: string;
  constructor(
    readonly name: string,
    body: string,
  ) {
    this.lua = `${PRELUDE}\n${body}`;
    this.sha = createHash('sha1').update(this.lua).digest('hex');
  }
}

/**
 * KEYS[1] token, KEYS[2] the owner's index (only when it shares the token's tag).
 * ARGV: now, slack, index member, then the record's field/value pairs.
 * -> -1 when the id exists (nothing changed), else the index size (0 without an index).
 */
export const TOKEN_CREATE = new Script(
  'token_create',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local now, slack = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
local r = {}
for j = 4, #ARGV, 2 do r[ARGV[j]] = ARGV[j + 1] end
redis.call('PEXPIRE', KEYS[1], ttl(math.min(tonumber(r.e), tonumber(r.x)), now, slack))
if KEYS[2] then
  redis.call('ZADD', KEYS[2], r.c, ARGV[3])
  raise(KEYS[2], tonumber(r.e), now, slack)
  return redis.call('ZCARD', KEYS[2])
end
return 0
`,
);

/**
 * THE hot path: validate and slide in one script. KEYS[1] token. ARGV: secretHash, now, slack.
 * -> 0 unknown, 1 expired (and deleted), 2 mismatch (nothing changed), or the record's field/value pairs
 *    after the slide.
 */
export const TOKEN_AUTHENTICATE = new Script(
  'token_authenticate',
  `
local f = redis.call('HGETALL', KEYS[1])
if #f == 0 then return 0 end
local r = map(f)
local now = tonumber(ARGV[2])
if not live(r, now) then
  redis.call('DEL', KEYS[1])
  return 1
end
if not same(r.h, ARGV[1]) then return 2 end
local x = int(math.min(now + tonumber(r.i), tonumber(r.e)))
redis.call('HSET', KEYS[1], 'l', ARGV[2], 'x', x)
redis.call('PEXPIRE', KEYS[1], ttl(tonumber(x), now, tonumber(ARGV[3])))
r.l = ARGV[2]
r.x = x
return flat(r)
`,
);

/**
 * First step of an update that changes the owner or the absolute expiry (see tokens.ts).
 * KEYS[1] token. ARGV: now, moving ('1'/'0'), target user ('' = none).
 * -> 0 when missing or dead, else { generation allocated for the move ('' if none), field/value pairs... }.
 * A move allocates a fresh generation v and records its own pending mark, field "p:<v>" = target user,
 * before any index is touched. Concurrent moves each have their own mark, so none blocks another.
 */
export const TOKEN_BEGIN = new Script(
  'token_begin',
  `
local f = redis.call('HGETALL', KEYS[1])
if #f == 0 then return 0 end
local r = map(f)
if not live(r, tonumber(ARGV[1])) then
  redis.call('DEL', KEYS[1])
  return 0
end
local gen = ''
if ARGV[2] == '1' and (r.u or '') ~= ARGV[3] then
  gen = int(redis.call('HINCRBY', KEYS[1], 'n', 1))
  redis.call('HSET', KEYS[1], 'p:' .. gen, ARGV[3])
end
local out = flat(r)
table.insert(out, 1, gen)
return out
`,
);

/**
 * Apply a patch. KEYS[1] token. ARGV: now, slack, mode, gen, user, slide ('1'/'0'), then patch pairs.
 * mode 'none': apply unconditionally. 'cas': only if the token's generation is still \`gen\` and its owner
 * \`user\`. 'move': the pending mark "p:<gen>" = \`user\` must exist; the owner becomes \`user\` under
 * generation \`gen\` and the mark goes — the linearisation point of a move (the last commit wins).
 * -> 0 missing or dead, 1 conflict (nothing changed, caller retries), else the record's pairs.
 */
export const TOKEN_COMMIT = new Script(
  'token_commit',
  `
local f = redis.call('HGETALL', KEYS[1])
if #f == 0 then return 0 end
local r = map(f)
local now, slack, mode = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
if not live(r, now) then
  redis.call('DEL', KEYS[1])
  return 0
end
if mode == 'cas' and (r.g ~= ARGV[4] or (r.u or '') ~= ARGV[5]) then return 1 end
local mark = 'p:' .. ARGV[4]
if mode == 'move' and r[mark] ~= ARGV[5] then return 1 end
local w = {}
for j = 7, #ARGV, 2 do
  r[ARGV[j]] = ARGV[j + 1]
  w[#w + 1] = ARGV[j]
  w[#w + 1] = ARGV[j + 1]
end
if mode == 'move' then
  redis.call('HDEL', KEYS[1], mark)
  r[mark] = nil
  r.g = ARGV[4]
  w[#w + 1] = 'g'
  w[#w + 1] = r.g
  if ARGV[5] == '' then
    redis.call('HDEL', KEYS[1], 'u')
    r.u = nil
  else
    r.u = ARGV[5]
    w[#w + 1] = 'u'
    w[#w + 1] = r.u
  end
end
local e = tonumber(r.e)
local x = tonumber(r.x)
if ARGV[6] == '1' then x = now + tonumber(r.i) end
r.x = int(math.min(x, e))
w[#w + 1] = 'x'
w[#w + 1] = r.x
redis.call('HSET', KEYS[1], unpack(w))
redis.call('PEXPIRE', KEYS[1], ttl(tonumber(r.x), now, slack))
return flat(r)
`,
);

/** KEYS[1] token. -> 0 when missing, else { owner ('' = none), generation } of the deleted token. */
export const TOKEN_DELETE = new Script(
  'token_delete',
  `
local f = redis.call('HMGET', KEYS[1], 'u', 'g')
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
return { f[1] or '', f[2] or '0' }
`,
);

/**
 * Add (or refresh) an index member and make the index outlive the token. KEYS[1] index.
 * ARGV: now, slack, score (createdAt), member, token expiresAt, nx ('1' = do not touch an existing member).
 * -> the index size.
 */
export const INDEX_ADD = new Script(
  'index_add',
  `
if ARGV[6] == '1' then redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[4])
else redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4]) end
raise(KEYS[1], tonumber(ARGV[5]), tonumber(ARGV[1]), tonumber(ARGV[2]))
return redis.call('ZCARD', KEYS[1])
`,
);

/**
 * Resolve index members against their tokens (all KEYS share one tag). ARGV: mode ('list'|'delete'),
 * userId, now, then per key: the member's generation and a keep flag ('1' = spared by delete).
 * A member is 'live' when the token exists, is live at now, and is owned by userId under that generation;
 * 'pending' when a move to userId under that generation is in flight; otherwise 'stale' (and a dead
 * token is deleted). In 'delete' mode a live, unspared token is deleted ('deleted') or spared ('kept').
 * -> one reply per key: { status } or, for 'list', { 'live', field/value pairs... }.
 */
export const TOKEN_RESOLVE = new Script(
  'token_resolve',
  `
local mode, uid, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local out = {}
for i, k in ipairs(KEYS) do
  local gen, keep = ARGV[2 + 2 * i], ARGV[3 + 2 * i]
  local f = redis.call('HGETALL', k)
  local res = { 'stale' }
  if #f > 0 then
    local r = map(f)
    if not live(r, now) then
      redis.call('DEL', k)
    elseif r.g == gen and r.u == uid then
      if mode == 'delete' and keep ~= '1' then
        redis.call('DEL', k)
        res = { 'deleted' }
      elseif mode == 'list' then
        res = f
        table.insert(res, 1, 'live')
      else
        res = { 'kept' }
      end
    elseif r['p:' .. gen] == uid then
      res = { 'pending' }
    end
  end
  out[i] = res
end
return out
`,
);

/** KEYS[1] code. ARGV: now. Atomic get-and-delete; the value only if it was still valid at now. */
export const CODE_TAKE = new Script(
  'code_take',
  `
local v = redis.call('GET', KEYS[1])
if not v then return false end
redis.call('DEL', KEYS[1])
local bar = string.find(v, '|', 1, true)
if not bar then return false end
if tonumber(ARGV[1]) < tonumber(string.sub(v, 1, bar - 1)) then return string.sub(v, bar + 1) end
return false
`,
);

/** KEYS[1] nonce. ARGV: now, ttlMs, slack. -> 1 when accepted (absent or expired at now), else 0. */
export const NONCE_PUT = new Script(
  'nonce_put',
  `
local now, ttlMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local v = redis.call('GET', KEYS[1])
if v and now < tonumber(v) then return 0 end
redis.call('SET', KEYS[1], int(now + ttlMs), 'PX', ttl(now + ttlMs, now, tonumber(ARGV[3])))
return 1
`,
);

/** KEYS[1] counter "count|resetAt". ARGV: now, windowMs, slack. -> { count, resetAt } after the increment. */
export const COUNTER_INCREMENT = new Script(
  'counter_increment',
  `
local now = tonumber(ARGV[1])
local v = redis.call('GET', KEYS[1])
local count, reset = 0, 0
if v then
  local bar = string.find(v, '|', 1, true)
  count = tonumber(string.sub(v, 1, bar - 1))
  reset = tonumber(string.sub(v, bar + 1))
end
if v and now < reset then count = count + 1
else
  count = 1
  reset = now + tonumber(ARGV[2])
end
redis.call('SET', KEYS[1], int(count) .. '|' .. int(reset), 'PX', ttl(reset, now, tonumber(ARGV[3])))
return { int(count), int(reset) }
`,
);

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
);

import { AUTH_FIELDS } from '../codec';
import { FLAT, INT, LIVE, LIVE_TOKEN, MAP, RAISE, Script, TTL } from './lua';

/** The token scripts (tokens.ts): create, the authenticate hot path, the two-step update, delete, the owner index. */

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
  [TTL, RAISE],
);

/**
 * THE hot path: validate, filter and slide in one script. KEYS[1] token. ARGV: secretHash, now, slack,
 * granularity cap (MAX_SLIDE_GRANULARITY_MS), then the filter ('-1', '-1', '0' when there is none: per
 * list a count, -1 = no list, then the values; issuers, kinds, scopes).
 * -> 0 unknown, 1 expired (and deleted), 2 mismatch (nothing changed), else the AUTH_FIELDS values in
 *    their order (false where absent) after the slide, with a 15th element 1 when the filter refused the
 *    token (then nothing changed).
 * Written for the per-request cost (issue 18): standalone (no prelude of helper closures to build on every
 * call), ONE HMGET of the fields it needs (no HGETALL into a Lua table and back), the reply a fixed-order
 * array (no field names), and no write at all while the slide would move the deadline less than the
 * granularity (see core's slideGranularity): then it is a read-only script.
 */
export const TOKEN_AUTHENTICATE = new Script(
  'token_authenticate',
  `
local f = redis.call('HMGET', KEYS[1], ${AUTH_FIELDS.map((x) => `'${x}'`).join(', ')})
local h = f[1]
if not h then return 0 end
local now = tonumber(ARGV[2])
local e, x = tonumber(f[2]), tonumber(f[3])
if not (now < e and now < x) then
  redis.call('DEL', KEYS[1])
  return 1
end
-- Constant time over the stored hash's length (a SHA-256 digest: a timing leak could not help forge a
-- secret anyway; this keeps the store from being the weak link).
local given = ARGV[1]
if #h ~= #given then return 2 end
local d = 0
for j = 1, #h do d = bit.bor(d, bit.bxor(string.byte(h, j), string.byte(given, j))) end
if d ~= 0 then return 2 end
-- The filter (core's \`accepts\`): issuer (absent = authmount, records older than issuers), kind, scopes.
local p = 5
for _, have in ipairs({ f[5] or 'authmount', f[6] }) do
  local n = tonumber(ARGV[p])
  if n >= 0 then
    local found = false
    for j = p + 1, p + n do if ARGV[j] == have then found = true end end
    if not found then f[15] = 1 return f end
    p = p + 1 + n
  else
    p = p + 1
  end
end
local n = tonumber(ARGV[p])
if n > 0 then
  local have = {}
  for _, sc in ipairs(cjson.decode(f[7] or '[]')) do have[sc] = true end
  for j = p + 1, p + n do if not have[ARGV[j]] then f[15] = 1 return f end end
end
local i = tonumber(f[4])
local nx = math.min(now + i, e)
local g = math.min(math.floor(i / 100), tonumber(ARGV[4]))
if nx - x >= g or now - tonumber(f[14]) >= g then
  local sx = string.format('%d', nx)
  redis.call('HSET', KEYS[1], 'l', ARGV[2], 'x', sx)
  redis.call('PEXPIRE', KEYS[1], string.format('%d', math.max(nx - now, 0) + tonumber(ARGV[3])))
  f[3] = sx
  f[14] = ARGV[2]
end
return f
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
local r = liveToken(KEYS[1], tonumber(ARGV[1]))
if not r then return 0 end
local gen = ''
if ARGV[2] == '1' and (r.u or '') ~= ARGV[3] then
  gen = int(redis.call('HINCRBY', KEYS[1], 'n', 1))
  redis.call('HSET', KEYS[1], 'p:' .. gen, ARGV[3])
end
local out = flat(r)
table.insert(out, 1, gen)
return out
`,
  [INT, FLAT, LIVE_TOKEN],
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
local now, slack, mode = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local r = liveToken(KEYS[1], now)
if not r then return 0 end
if mode == 'cas' and (r.g ~= ARGV[4] or (r.u or '') ~= ARGV[5]) then return 1 end
local mark = 'p:' .. ARGV[4]
if mode == 'move' and r[mark] ~= ARGV[5] then return 1 end
-- The ceiling: no patch moves the absolute expiry past it (records older than the field: their expiry then).
local ceiling = tonumber(r.z or r.e)
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
if tonumber(r.e) > ceiling then
  r.e = int(ceiling)
  w[#w + 1] = 'e'
  w[#w + 1] = r.e
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
  [TTL, FLAT, LIVE_TOKEN],
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
  [RAISE],
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
  [MAP, LIVE],
);

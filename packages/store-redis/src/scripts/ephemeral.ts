import { COUNTER, INT, Script, TTL } from './lua';

/** Single-use codes and counters (ephemeral.ts): each value carries its own deadline. */

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

/** KEYS[1] counter "count|resetAt". ARGV: now, windowMs, slack. -> { count, resetAt } after the increment. */
export const COUNTER_INCREMENT = new Script(
  'counter_increment',
  `
local now = tonumber(ARGV[1])
local count, reset = counter(KEYS[1], now)
if not reset then reset = now + tonumber(ARGV[2]) end
count = count + 1
redis.call('SET', KEYS[1], int(count) .. '|' .. int(reset), 'PX', ttl(reset, now, tonumber(ARGV[3])))
return { int(count), int(reset) }
`,
  [TTL, COUNTER],
);

/**
 * All-or-nothing reservation on counters (all KEYS share one tag). ARGV: now, slack, then per key its
 * limit and windowMs. -> { 0 } when every key was counted, else { index of the first exhausted key, its resetAt }
 * and nothing changed.
 */
export const COUNTER_RESERVE = new Script(
  'counter_reserve',
  `
local now, slack = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = {}
for i, k in ipairs(KEYS) do
  local count, reset = counter(k, now)
  if not reset then reset = now + tonumber(ARGV[2 + 2 * i]) end
  if count >= tonumber(ARGV[1 + 2 * i]) then return { i, int(reset) } end
  state[i] = { count + 1, reset }
end
for i, k in ipairs(KEYS) do
  local s = state[i]
  redis.call('SET', k, int(s[1]) .. '|' .. int(s[2]), 'PX', ttl(s[2], now, slack))
end
return { 0 }
`,
  [TTL, COUNTER],
);

/**
 * Refund or clear counters (all KEYS share one tag). ARGV: now, then per key 'refund' or 'clear'.
 * A refund takes one off a live window (never below 0) and keeps the key's TTL.
 */
export const COUNTER_SETTLE = new Script(
  'counter_settle',
  `
local now = tonumber(ARGV[1])
for i, k in ipairs(KEYS) do
  if ARGV[1 + i] == 'clear' then redis.call('DEL', k)
  else
    local count, reset = counter(k, now)
    if reset and count > 0 then redis.call('SET', k, int(count - 1) .. '|' .. int(reset), 'KEEPTTL') end
  end
end
return 1
`,
  [INT, COUNTER],
);

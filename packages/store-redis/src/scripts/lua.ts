import { createHash } from 'node:crypto';

/**
 * The Lua scripts' common ground. Rules every script follows:
 * - Validity is decided from the caller's `now` (an argument), never from Redis' clock, so tests can move
 *   time and processes agree on the instant they were asked about.
 * - TTLs are set RELATIVE to that `now` (deadline - now + slack): Redis reclaims dead keys on its own, but
 *   correctness never depends on it (a key that outlives its deadline is still refused by the checks).
 * - Each script declares every key it touches, and all of them share one hash tag (see keys.ts).
 * - Numbers go back to Redis through `int()` (plain decimal) so no TTL is ever written in exponent form.
 *
 * A script carries only the helpers it calls (each a local function Redis builds on every call), so the
 * per-request authenticate script carries none.
 */

/** A Lua helper function; `needs` are the helpers it calls, put before it. */
export interface Helper {
  readonly name: string;
  readonly lua: string;
  readonly needs?: readonly Helper[];
}

export const INT: Helper = { name: 'int', lua: `local function int(n) return string.format('%d', n) end` };

export const TTL: Helper = {
  name: 'ttl',
  needs: [INT],
  lua: `local function ttl(deadline, now, slack) return int(math.max(deadline - now, 0) + slack) end`,
};

/** Make a key live at least until `deadline` (+ slack); never shortens it. */
export const RAISE: Helper = {
  name: 'raise',
  needs: [INT],
  lua: `local function raise(key, deadline, now, slack)
  local want = math.max(deadline - now, 0) + slack
  if redis.call('PTTL', key) < want then redis.call('PEXPIRE', key, int(want)) end
end`,
};

/** HGETALL's flat reply as a table, and back. */
export const MAP: Helper = {
  name: 'map',
  lua: `local function map(f)
  local r = {}
  for i = 1, #f, 2 do r[f[i]] = f[i + 1] end
  return r
end`,
};

export const FLAT: Helper = {
  name: 'flat',
  lua: `local function flat(r)
  local out = {}
  for k, v in pairs(r) do out[#out + 1] = k; out[#out + 1] = v end
  return out
end`,
};

/** A token record (as a table) is live at `now`: both deadlines ahead. */
export const LIVE: Helper = { name: 'live', lua: `local function live(r, now) return now < tonumber(r.e) and now < tonumber(r.x) end` };

/** The token hash at `key` as a table when it is live at `now`; nil when missing (a dead one is deleted). */
export const LIVE_TOKEN: Helper = {
  name: 'liveToken',
  needs: [MAP, LIVE],
  lua: `local function liveToken(key, now)
  local f = redis.call('HGETALL', key)
  if #f == 0 then return nil end
  local r = map(f)
  if not live(r, now) then
    redis.call('DEL', key)
    return nil
  end
  return r
end`,
};

/** A counter "count|resetAt" at `now`: its count and window end, or 0 and nil when absent or its window ended. */
export const COUNTER: Helper = {
  name: 'counter',
  lua: `local function counter(key, now)
  local v = redis.call('GET', key)
  if not v then return 0, nil end
  local bar = string.find(v, '|', 1, true)
  local count, reset = tonumber(string.sub(v, 1, bar - 1)), tonumber(string.sub(v, bar + 1))
  if now < reset then return count, reset end
  return 0, nil
end`,
};

/** A login / e-mail index entry "<id>|<expiresAt or empty>" held by another live user. */
export const HELD: Helper = {
  name: 'held',
  lua: `local function held(key, self, now)
  local v = redis.call('GET', key)
  if not v then return false end
  local bar = string.find(v, '|', 1, true)
  local id, exp = string.sub(v, 1, bar - 1), string.sub(v, bar + 1)
  if id == self then return false end
  return exp == '' or now < tonumber(exp)
end`,
};

export const SET_INDEX: Helper = {
  name: 'setIndex',
  needs: [TTL],
  lua: `local function setIndex(key, entry, exp, now, slack)
  if exp == '' then redis.call('SET', key, entry)
  else redis.call('SET', key, entry, 'PX', ttl(tonumber(exp), now, slack)) end
end`,
};

export const DROP_INDEX: Helper = {
  name: 'dropIndex',
  lua: `local function dropIndex(key, self)
  local v = redis.call('GET', key)
  if v and string.sub(v, 1, #self + 1) == self .. '|' then redis.call('DEL', key) end
end`,
};

/** Every helper, for the test that checks each script defines what it calls. */
export const HELPERS: readonly Helper[] = [INT, TTL, RAISE, MAP, FLAT, LIVE, LIVE_TOKEN, COUNTER, HELD, SET_INDEX, DROP_INDEX];

/** The helpers and everything they need, each once, a helper after the ones it calls. */
function prelude(helpers: readonly Helper[]): string {
  const out: Helper[] = [];
  const add = (h: Helper) => {
    if (out.includes(h)) return;
    for (const n of h.needs ?? []) add(n);
    out.push(h);
  };
  for (const h of helpers) add(h);
  return out.map((h) => h.lua).join('\n');
}

export class Script {
  readonly lua: string;
  readonly sha: string;
  constructor(
    readonly name: string,
    body: string,
    helpers: readonly Helper[] = [],
  ) {
    this.lua = helpers.length > 0 ? `${prelude(helpers)}\n${body}` : body;
    this.sha = createHash('sha1').update(this.lua).digest('hex');
  }
}

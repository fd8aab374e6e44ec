import * as scripts from '../src/scripts';
import { HELPERS, Script } from '../src/scripts/lua';

const all = Object.values(scripts).filter((v): v is Script => v instanceof Script);

describe('the Lua scripts, one file per concern', () => {
  it('are all exported from one place', () => {
    expect(all.map((s) => s.name).sort()).toEqual([
      'code_take',
      'counter_increment',
      'counter_reserve',
      'counter_settle',
      'index_add',
      'token_authenticate',
      'token_begin',
      'token_commit',
      'token_create',
      'token_delete',
      'token_resolve',
      'user_create',
      'user_delete',
      'user_update',
    ]);
  });

  // A helper called but not defined fails only when Redis reaches that line: checked here for every path.
  it.each(all.map((s) => [s.name, s] as const))('%s defines exactly the helpers it calls', (_name, s) => {
    for (const h of HELPERS) {
      const definition = `local function ${h.name}(`;
      const defined = s.lua.includes(definition);
      const called = new RegExp(`(?<![\\w.:])${h.name}\\(`).test(s.lua.split(definition).join(''));
      expect({ helper: h.name, defined }).toEqual({ helper: h.name, defined: called });
    }
  });

  it('the authenticate script (every request) builds no helper closure at all', () => {
    expect(scripts.TOKEN_AUTHENTICATE.lua).not.toMatch(/local function/);
  });
});

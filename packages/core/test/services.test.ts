import { AuthError, MINUTE } from '../src';
import { makeCore } from './helpers';

describe('ReplayGuard', () => {
  it('accepts a nonce once per window and per scope', async () => {
    const { core, clock } = makeCore();
    await core.replay.accept('app1', '1700000000:42', 2 * MINUTE);
    await expect(core.replay.accept('app1', '1700000000:42', 2 * MINUTE)).rejects.toMatchObject({ code: 'replayed_nonce' });
    await core.replay.accept('app2', '1700000000:42', 2 * MINUTE);
    clock.advance(2 * MINUTE);
    await core.replay.accept('app1', '1700000000:42', 2 * MINUTE);
  });

  it('lets exactly one of 50 concurrent uses through', async () => {
    const { core } = makeCore();
    const r = await Promise.allSettled(Array.from({ length: 50 }, () => core.replay.accept('a', 'n', MINUTE)));
    expect(r.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('CodeService', () => {
  it('hands a payload out once, and only within its lifetime', async () => {
    const { core, clock } = makeCore();
    const code = await core.codes.issue('reset', { userId: 3 }, 10 * MINUTE);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(core.codes.consume('verify', code)).rejects.toMatchObject({ code: 'code_invalid' });
    expect(await core.codes.consume('reset', code)).toEqual({ userId: 3 });
    await expect(core.codes.consume('reset', code)).rejects.toMatchObject({ code: 'code_invalid' });
    const late = await core.codes.issue('reset', 1, MINUTE);
    clock.advance(MINUTE);
    await expect(core.codes.consume('reset', late)).rejects.toMatchObject({ code: 'code_invalid' });
    for (const bad of [undefined, 42, ['x'], '', 'x'.repeat(10_000)]) {
      await expect(core.codes.consume('reset', bad)).rejects.toBeInstanceOf(AuthError);
    }
  });

  it('keeps only a hash of the code in the store', async () => {
    const { core, store } = makeCore();
    const puts: string[] = [];
    const put = store.codes.put.bind(store.codes);
    store.codes.put = (key, value, exp, now) => {
      puts.push(key, value);
      return put(key, value, exp, now);
    };
    const code = await core.codes.issue('reset', { u: 1 }, MINUTE);
    expect(puts).toHaveLength(2); // the store was written once (so the next line is not vacuous)
    expect(puts.join(' ')).not.toContain(code);
  });
});

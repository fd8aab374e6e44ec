import { AuthError, DAY, HOUR, MAX_RESET_CODE_LIFETIME, MINUTE, RESET_EPOCH_MS, manualClock } from '../src';
import { testStores } from '../../../test-support/stores';
import { makeCore } from './helpers';

const PW = 'correct horse battery staple';
const PW2 = 'another quite long passphrase';
const PW3 = 'a third rather long passphrase';

async function code(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof AuthError)) throw new Error(`expected an AuthError, got ${String(e)}`);
  return e.code;
}

describe.each(testStores())('ResetCodeService on the $name store', (ts) => {
  // Starts 2 h before an epoch boundary, so tests can cross one.
  const start = (Math.floor(Date.UTC(2026, 0, 1) / RESET_EPOCH_MS) + 1) * RESET_EPOCH_MS - 2 * HOUR;
  const setup = async () => {
    const clock = manualClock(start);
    const { core, store } = makeCore({ store: ts.make(clock), clock });
    const uid = (await core.accounts.register({ login: 'alice', email: 'alice@example.com', password: PW })).id;
    return { core, store, clock, uid };
  };

  it('a reset code is refused once the password changed, whichever way it changed', async () => {
    const { core, uid } = await setup();
    try {
      const c1 = await core.resetCodes.issue(uid, HOUR);
      await core.accounts.changePassword(uid, PW, PW2, { ip: undefined, method: 'test' });
      expect(await code(core.resetCodes.redeem(c1))).toBe('code_invalid');

      const c2 = await core.resetCodes.issue(uid, HOUR);
      await core.accounts.setPassword(uid, PW3);
      expect(await code(core.resetCodes.redeem(c2))).toBe('code_invalid');

      // Without a change the newest code works, and only once.
      const c3 = await core.resetCodes.issue(uid, HOUR);
      expect(await core.resetCodes.redeem(c3)).toEqual({ userId: uid, payload: {} });
      expect(await code(core.resetCodes.redeem(c3))).toBe('code_invalid');
    } finally {
      await core.close();
    }
  });

  it('a second code voids the first; the newest works', async () => {
    const { core, uid } = await setup();
    try {
      const first = await core.resetCodes.issue(uid, HOUR, { payload: { n: 1 } });
      const second = await core.resetCodes.issue(uid, HOUR, { payload: { n: 2 } });
      const third = await core.resetCodes.issue(uid, HOUR, { payload: { n: 3 } });
      expect(await code(core.resetCodes.redeem(first))).toBe('code_invalid');
      expect(await code(core.resetCodes.redeem(second))).toBe('code_invalid');
      expect(await core.resetCodes.redeem(third)).toEqual({ userId: uid, payload: { n: 3 } });
    } finally {
      await core.close();
    }
  });

  it('a newer code issued in a later epoch voids the older one', async () => {
    const { core, clock, uid } = await setup();
    try {
      const old = await core.resetCodes.issue(uid, 3 * HOUR);
      clock.advance(2 * HOUR + MINUTE); // across the epoch boundary; `old` is still within its lifetime
      const newer = await core.resetCodes.issue(uid, 3 * HOUR);
      expect(await code(core.resetCodes.redeem(old))).toBe('code_invalid');
      expect((await core.resetCodes.redeem(newer)).userId).toBe(uid);
    } finally {
      await core.close();
    }
  });

  it('a code issued late in an epoch and late in its counter window lives its whole lifetime', async () => {
    const clock = manualClock((Math.floor(Date.UTC(2026, 0, 1) / RESET_EPOCH_MS) + 1) * RESET_EPOCH_MS - 30 * MINUTE);
    const { core } = makeCore({ store: ts.make(clock), clock });
    try {
      const uid = (await core.accounts.register({ login: 'bob', password: PW })).id;
      await core.resetCodes.issue(uid, HOUR); // opens the epoch's counter
      clock.advance(29 * MINUTE);
      const late = await core.resetCodes.issue(uid, HOUR); // one minute before the epoch ends
      clock.advance(41 * MINUTE); // next epoch, and 70 min after the counter opened: more than one code lifetime
      expect((await core.resetCodes.redeem(late)).userId).toBe(uid);
      const expired = await core.resetCodes.issue(uid, HOUR);
      clock.advance(HOUR);
      expect(await code(core.resetCodes.redeem(expired))).toBe('code_invalid');
    } finally {
      await core.close();
    }
  });

  it('fails closed when the generation counter was lost, even when a new counter reaches the same count', async () => {
    const { core, store, clock, uid } = await setup();
    try {
      const before = await core.resetCodes.issue(uid, HOUR);
      await store.counters.settle([{ key: `reset-gen:${uid}:${Math.floor(clock() / RESET_EPOCH_MS)}`, action: 'clear' }], clock());
      clock.advance(MINUTE);
      expect(await code(core.resetCodes.redeem(before))).toBe('code_invalid');

      const lost = await core.resetCodes.issue(uid, HOUR);
      await store.counters.settle([{ key: `reset-gen:${uid}:${Math.floor(clock() / RESET_EPOCH_MS)}`, action: 'clear' }], clock());
      clock.advance(MINUTE);
      const after = await core.resetCodes.issue(uid, HOUR); // count 1 again, another window
      expect(await code(core.resetCodes.redeem(lost))).toBe('code_invalid');
      expect((await core.resetCodes.redeem(after)).userId).toBe(uid);
    } finally {
      await core.close();
    }
  });

  it('purposes are separate namespaces that share one generation; deleted users and bad input are refused', async () => {
    const { core, uid } = await setup();
    try {
      const a = await core.resetCodes.issue(uid, HOUR, { purpose: 'app:reset' });
      expect(await code(core.resetCodes.redeem(a))).toBe('code_invalid'); // wrong purpose uses nothing up...
      const b = await core.resetCodes.issue(uid, HOUR, { purpose: 'other:reset' });
      expect(await code(core.resetCodes.redeem(a, { purpose: 'app:reset' }))).toBe('code_invalid'); // ...but b voided a
      expect((await core.resetCodes.redeem(b, { purpose: 'other:reset' })).userId).toBe(uid);

      const c = await core.resetCodes.issue(uid, HOUR);
      await core.accounts.delete(uid);
      expect(await code(core.resetCodes.redeem(c))).toBe('code_invalid');
      expect(await code(core.resetCodes.issue(uid, HOUR))).toBe('not_found');
      for (const bad of [0, -1, 1.5, MAX_RESET_CODE_LIFETIME + 1, Number.NaN]) {
        expect(await code(core.resetCodes.issue(1, bad))).toBe('invalid_request');
      }
      for (const bad of [undefined, 42, '', 'x'.repeat(10_000)]) expect(await code(core.resetCodes.redeem(bad))).toBe('code_invalid');
      // Something under the purpose that `issue` did not make is not a reset code.
      await core.codes.put('reset', 'forged', { u: 2, fp: 'x' }, DAY);
      expect(await code(core.resetCodes.redeem('forged'))).toBe('code_invalid');
    } finally {
      await core.close();
    }
  });
});

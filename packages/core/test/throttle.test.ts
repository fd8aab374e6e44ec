import { memoryStore } from '@authmount/store-memory';
import {
  AuthError,
  AuthEvents,
  DEFAULT_THROTTLE,
  HOUR,
  MINUTE,
  Throttle,
  accountKey,
  manualClock,
  type AuthEvent,
  type BudgetCharge,
  type CounterStore,
  type ThrottleOptions,
} from '../src';
import { authError } from './helpers';

// The Throttle on its own, over the memory store's counters, with every counter call recorded: the keys it
// charges, which budgets it skips, what it refunds. accounts.test.ts checks the same budgets through logins.

interface Calls {
  reserve: BudgetCharge[][];
  settle: { key: string; action: 'refund' | 'clear' }[][];
}

function makeThrottle(opts: ThrottleOptions = {}) {
  const clock = manualClock();
  const store = memoryStore({ clock, sweepIntervalMs: 0 });
  const calls: Calls = { reserve: [], settle: [] };
  const counters: CounterStore = {
    increment: (...a) => store.counters.increment(...a),
    peek: (...a) => store.counters.peek(...a),
    reserve: (charges, now) => {
      calls.reserve.push([...charges]);
      return store.counters.reserve(charges, now);
    },
    settle: (entries, now) => {
      calls.settle.push([...entries]);
      return store.counters.settle(entries, now);
    },
  };
  const events = new AuthEvents();
  const seen: AuthEvent[] = [];
  events.onAny((e) => seen.push(e));
  return { throttle: new Throttle(counters, clock, events, opts), clock, calls, events: seen, store };
}

const at = (ip: string | undefined) => ({ ip, method: 'test' });
const fail = () => Promise.resolve(false);
const pass = () => Promise.resolve(true);

describe('Throttle', () => {
  it('has the documented defaults (README "Configuration", docs/SECURITY.md)', () => {
    expect(DEFAULT_THROTTLE).toEqual({
      pair: { limit: 10, windowMs: 900_000 },
      account: { limit: 100, windowMs: 86_400_000 },
      ip: { limit: 100, windowMs: 3_600_000 },
      signup: { limit: 20, windowMs: 600_000 },
      mailIp: { limit: 20, windowMs: 600_000 },
      mailAccount: { limit: 5, windowMs: 3_600_000 },
    });
  });

  it('charges the defaults when given no options, and keeps the defaults of the budgets not given', async () => {
    const { throttle, calls } = makeThrottle({ ip: { limit: 7, windowMs: MINUTE } });
    await throttle.check(at('1.1.1.1'), 'u:1', fail);
    expect(calls.reserve).toEqual([
      [
        { key: 'fail:pair:u:1|1.1.1.1', limit: 10, windowMs: 15 * MINUTE },
        { key: 'fail:acct:u:1', limit: 100, windowMs: 24 * HOUR },
        { key: 'fail:ip:1.1.1.1', limit: 7, windowMs: MINUTE },
      ],
    ]);
  });

  it('refuses the 11th consecutive failure of one pair by default, for 15 minutes', async () => {
    const { throttle, clock } = makeThrottle();
    for (let i = 0; i < 10; i++) expect(await throttle.check(at('1.1.1.1'), 'u:1', fail)).toBe(false);
    let ran = false;
    const e = await authError(
      throttle.check(at('1.1.1.1'), 'u:1', () => {
        ran = true;
        return pass();
      }),
    );
    expect([e.code, e.details.budget, e.details.retryAfterMs]).toEqual(['rate_limited', 'pair', 15 * MINUTE]);
    expect(ran).toBe(false);
    clock.advance(15 * MINUTE - 1);
    expect((await authError(throttle.check(at('1.1.1.1'), 'u:1', pass))).details.retryAfterMs).toBe(1);
    clock.advance(1);
    expect(await throttle.check(at('1.1.1.1'), 'u:1', pass)).toBe(true);
  });

  it('keys the account as u:<id> once known, else as the looked-up form of what was typed', () => {
    expect(accountKey({ id: 42 }, 'Alice')).toBe('u:42');
    expect(accountKey(null, 'Alice')).toBe('i:alice');
    expect(accountKey(undefined, 'ＡＬＩＣＥ')).toBe('i:alice');
    // A user id and a typed login of the same digits are different budgets.
    expect(accountKey({ id: 5 }, 'x')).not.toBe(accountKey(null, '5'));
  });

  it('a check with no account charges the IP only; with no IP, the account only; with neither, nothing', async () => {
    const { throttle, calls } = makeThrottle();
    await throttle.check(at('1.1.1.1'), undefined, fail);
    await throttle.check(at(undefined), 'u:1', fail);
    await throttle.check(at(undefined), undefined, fail);
    expect(calls.reserve.map((c) => c.map((x) => x.key))).toEqual([['fail:ip:1.1.1.1'], ['fail:acct:u:1']]);
  });

  it('keeps pairs apart: another account at this IP and this account elsewhere are not refused', async () => {
    const { throttle } = makeThrottle({ pair: { limit: 1, windowMs: MINUTE }, account: false, ip: false });
    await throttle.check(at('1.1.1.1'), 'u:1', fail);
    expect((await authError(throttle.check(at('1.1.1.1'), 'u:1', pass))).details.budget).toBe('pair');
    expect(await throttle.check(at('1.1.1.1'), 'u:2', pass)).toBe(true);
    expect(await throttle.check(at('2.2.2.2'), 'u:1', pass)).toBe(true);
  });

  it('keeps accounts and IPs apart in their own budgets', async () => {
    const { throttle } = makeThrottle({ pair: false, account: { limit: 1, windowMs: MINUTE }, ip: { limit: 1, windowMs: MINUTE } });
    await throttle.check(at('1.1.1.1'), 'u:1', fail);
    expect(await throttle.check(at('2.2.2.2'), 'u:2', pass)).toBe(true);
    expect((await authError(throttle.check(at('3.3.3.3'), 'u:1', pass))).details.budget).toBe('account');
    expect((await authError(throttle.check(at('1.1.1.1'), 'u:3', pass))).details.budget).toBe('ip');
  });

  it('a success refunds the account and IP and clears the pair; a failure settles nothing', async () => {
    const { throttle, calls } = makeThrottle();
    await throttle.check(at('1.1.1.1'), 'u:1', fail);
    expect(calls.settle).toEqual([]);
    await throttle.check(at('1.1.1.1'), 'u:1', pass);
    expect(calls.settle).toEqual([
      [
        { key: 'fail:pair:u:1|1.1.1.1', action: 'clear' },
        { key: 'fail:acct:u:1', action: 'refund' },
        { key: 'fail:ip:1.1.1.1', action: 'refund' },
      ],
    ]);
  });

  it('gives the reservation back when the check is shed as overloaded; any other error keeps it counted', async () => {
    const { throttle, calls } = makeThrottle({ pair: false, account: { limit: 1, windowMs: MINUTE }, ip: false });
    const overloaded = () => Promise.reject(new AuthError('overloaded'));
    for (let i = 0; i < 3; i++) expect((await authError(throttle.check(at('1.1.1.1'), 'u:1', overloaded))).code).toBe('overloaded');
    expect(calls.settle).toEqual([
      [{ key: 'fail:acct:u:1', action: 'refund' }],
      [{ key: 'fail:acct:u:1', action: 'refund' }],
      [{ key: 'fail:acct:u:1', action: 'refund' }],
    ]);
    const broken = () => Promise.reject(new AuthError('store_unavailable'));
    expect((await authError(throttle.check(at('1.1.1.1'), 'u:1', broken))).code).toBe('store_unavailable');
    expect((await authError(throttle.check(at('1.1.1.1'), 'u:1', pass))).code).toBe('rate_limited');
    const thrown = await throttle.check(at('1.1.1.1'), 'u:2', () => Promise.reject(new TypeError('bug'))).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(TypeError);
    expect((await authError(throttle.check(at('1.1.1.1'), 'u:2', pass))).code).toBe('rate_limited');
  });

  it('emits login.throttled with the budget, the IP and the method, and never runs the check', async () => {
    const { throttle, events, clock } = makeThrottle({ pair: false, account: false, ip: { limit: 1, windowMs: MINUTE } });
    await throttle.check({ ip: '9.9.9.9', method: 'pcloud' }, 'u:1', fail);
    clock.advance(10_000);
    await authError(throttle.check({ ip: '9.9.9.9', method: 'pcloud' }, 'u:1', pass));
    expect(events).toEqual([{ type: 'login.throttled', at: clock(), ip: '9.9.9.9', budget: 'ip', method: 'pcloud' }]);
  });

  it('makes no store call when every budget the operation would spend is off', async () => {
    const { throttle, calls } = makeThrottle({ pair: false, account: false, ip: false, signup: false });
    expect(await throttle.check(at('1.1.1.1'), 'u:1', pass)).toBe(true);
    expect(await throttle.check(at('1.1.1.1'), 'u:1', fail)).toBe(false);
    expect(await throttle.signup(at('1.1.1.1'), () => Promise.resolve('made'))).toBe('made');
    expect(calls).toEqual({ reserve: [], settle: [] });
  });

  it('skips only the budgets that are off', async () => {
    const { throttle, calls } = makeThrottle({ pair: false, ip: false });
    await throttle.check(at('1.1.1.1'), 'u:1', pass);
    expect(calls.reserve.map((c) => c.map((x) => x.key))).toEqual([['fail:acct:u:1']]);
    expect(calls.settle).toEqual([[{ key: 'fail:acct:u:1', action: 'refund' }]]);
  });

  it('signup: one per IP, spent whatever create answers, given back when shed; no IP spends nothing', async () => {
    const { throttle, calls } = makeThrottle({ signup: { limit: 2, windowMs: MINUTE } });
    expect(await throttle.signup(at('1.1.1.1'), () => Promise.resolve(1))).toBe(1);
    expect(calls.reserve).toEqual([[{ key: 'signup:ip:1.1.1.1', limit: 2, windowMs: MINUTE }]]);
    expect((await authError(throttle.signup(at('1.1.1.1'), () => Promise.reject(new AuthError('overloaded'))))).code).toBe('overloaded');
    expect(calls.settle).toEqual([[{ key: 'signup:ip:1.1.1.1', action: 'refund' }]]);
    expect((await authError(throttle.signup(at('1.1.1.1'), () => Promise.reject(new AuthError('conflict'))))).code).toBe('conflict');
    const e = await authError(throttle.signup(at('1.1.1.1'), () => Promise.resolve(2)));
    expect([e.code, e.details.budget]).toEqual(['rate_limited', 'signup']);
    expect(await throttle.signup(at('2.2.2.2'), () => Promise.resolve(3))).toBe(3);
    calls.reserve.length = 0;
    expect(await throttle.signup(at(undefined), () => Promise.resolve(4))).toBe(4);
    expect(calls.reserve).toEqual([]);
  });

  it('mail: the account budget always, the IP budget when there is an IP, in one reservation', async () => {
    const { throttle, calls } = makeThrottle();
    await throttle.mail(at('1.1.1.1'), 'u:1');
    await throttle.mail(at(undefined), 'i:bob');
    expect(calls.reserve).toEqual([
      [
        { key: 'mail:ip:1.1.1.1', limit: 20, windowMs: 10 * MINUTE },
        { key: 'mail:acct:u:1', limit: 5, windowMs: HOUR },
      ],
      [{ key: 'mail:acct:i:bob', limit: 5, windowMs: HOUR }],
    ]);
  });
});

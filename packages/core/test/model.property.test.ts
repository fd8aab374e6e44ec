/**
 * Model-based property test of the token service: random sequences of operations and clock moves run
 * against the real service (on every test store) and against a tiny reference model; every answer must
 * agree. On failure fast-check prints the seed and the shrunk path; reproduce with
 *   AUTHMOUNT_PROPERTY_SEED=<seed> AUTHMOUNT_PROPERTY_PATH=<path> npx jest model.property
 * CI runs AUTHMOUNT_PROPERTY_RUNS (default 60) sequences per store.
 */
import fc from 'fast-check';
import { AuthError, HOUR, MINUTE, createAuthCore, manualClock, type AuthCore } from '../src';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores } from '../../../test-support/stores';

const RUNS = Number(process.env.AUTHMOUNT_PROPERTY_RUNS ?? 60);
const SEED = process.env.AUTHMOUNT_PROPERTY_SEED ? Number(process.env.AUTHMOUNT_PROPERTY_SEED) : undefined;
const PATH = process.env.AUTHMOUNT_PROPERTY_PATH;

interface ModelToken {
  token: string;
  id: string;
  userId: number | null;
  createdAt: number;
  expiresAt: number;
  idleTtl: number;
  idleExpiresAt: number;
  revoked: boolean;
}

type Op =
  | { op: 'issue'; userId: number | null; abs: number; idle: number }
  | { op: 'auth'; i: number }
  | { op: 'extend'; i: number; abs: number | null; idle: number | null }
  | { op: 'upgrade'; i: number; userId: number }
  | { op: 'downgrade'; i: number }
  | { op: 'revoke'; i: number }
  | { op: 'revokeAll'; userId: number; except: number[] }
  | { op: 'list'; userId: number }
  | { op: 'advance'; ms: number };

const user = fc.constantFrom(1, 2, 3);
const idx = fc.nat(20);
const ttl = fc.integer({ min: 1, max: 12 }).map((h) => h * HOUR);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('issue' as const), userId: fc.option(user, { nil: null }), abs: ttl, idle: ttl }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('auth' as const), i: idx }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('extend' as const), i: idx, abs: fc.option(ttl, { nil: null }), idle: fc.option(ttl, { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('upgrade' as const), i: idx, userId: user }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('downgrade' as const), i: idx }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('revoke' as const), i: idx }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('revokeAll' as const), userId: user, except: fc.array(idx, { maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('list' as const), userId: user }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4 * HOUR }) }) },
);

const live = (t: ModelToken, now: number) => !t.revoked && now < t.expiresAt && now < t.idleExpiresAt;

async function outcome<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (e instanceof AuthError) return { ok: false, code: e.code };
    throw e;
  }
}

/** Run one sequence; throws (with a readable message) at the first disagreement. */
async function check(core: AuthCore, clock: ReturnType<typeof manualClock>, ops: Op[]): Promise<void> {
  const model: ModelToken[] = [];
  const pick = (i: number) => (model.length === 0 ? undefined : model[i % model.length]);
  const expect = (cond: boolean, what: string) => {
    if (!cond) throw new Error(`model disagreement: ${what}`);
  };
  for (const o of ops) {
    const now = clock();
    switch (o.op) {
      case 'issue': {
        const r = await core.tokens.issue({ userId: o.userId, absoluteTtl: o.abs, idleTtl: o.idle });
        model.push({
          token: r.token,
          id: r.info.id,
          userId: o.userId,
          createdAt: now,
          expiresAt: now + o.abs,
          idleTtl: o.idle,
          idleExpiresAt: Math.min(now + o.idle, now + o.abs),
          revoked: false,
        });
        break;
      }
      case 'auth': {
        const t = pick(o.i);
        if (!t) break;
        const r = await outcome(core.tokens.authenticate(t.token));
        expect(r.ok === live(t, now), `authenticate ok=${r.ok}, model live=${live(t, now)}`);
        if (r.ok) {
          t.idleExpiresAt = Math.min(now + t.idleTtl, t.expiresAt);
          expect(r.value.idleExpiresAt === t.idleExpiresAt, 'slid idle expiry');
          expect(r.value.userId === t.userId, 'owner after authenticate');
        }
        break;
      }
      case 'extend': {
        const t = pick(o.i);
        if (!t) break;
        const r = await outcome(core.tokens.extend(t.id, { absoluteTtl: o.abs ?? undefined, idleTtl: o.idle ?? undefined }));
        expect(r.ok === live(t, now), `extend ok=${r.ok}, model live=${live(t, now)}`);
        if (r.ok) {
          if (o.abs !== null) t.expiresAt = now + o.abs;
          if (o.idle !== null) t.idleTtl = o.idle;
          t.idleExpiresAt = Math.min(now + t.idleTtl, t.expiresAt);
          expect(r.value.expiresAt === t.expiresAt && r.value.idleExpiresAt === t.idleExpiresAt, 'expiry after extend');
        }
        break;
      }
      case 'upgrade':
      case 'downgrade': {
        const t = pick(o.i);
        if (!t) break;
        const r = await outcome(o.op === 'upgrade' ? core.tokens.upgrade(t.id, o.userId) : core.tokens.downgrade(t.id));
        expect(r.ok === live(t, now), `${o.op} ok=${r.ok}, model live=${live(t, now)}`);
        if (r.ok) t.userId = o.op === 'upgrade' ? o.userId : null;
        break;
      }
      case 'revoke': {
        const t = pick(o.i);
        if (!t) break;
        const existed = await core.tokens.revoke(t.id);
        // A dead token may already have been reclaimed, so only a live one must report true.
        if (live(t, now)) expect(existed, 'revoke of a live token reports true');
        t.revoked = true;
        break;
      }
      case 'revokeAll': {
        const except = o.except.map((i) => pick(i)?.id).filter((x): x is string => x !== undefined);
        const victims = model.filter((t) => t.userId === o.userId && !except.includes(t.id));
        const n = await core.tokens.revokeAll(o.userId, { except });
        expect(n === victims.filter((t) => live(t, now)).length, `revokeAll count ${n}`);
        victims.forEach((t) => (t.revoked = true));
        break;
      }
      case 'list': {
        const got = (await core.tokens.list(o.userId)).map((t) => t.id).sort();
        const want = model.filter((t) => t.userId === o.userId && live(t, now)).map((t) => t.id).sort();
        expect(JSON.stringify(got) === JSON.stringify(want), `list(${o.userId}) = ${got.length} tokens, model ${want.length}`);
        break;
      }
      case 'advance':
        clock.advance(o.ms);
        break;
    }
  }
  // Final sweep of invariants: every token the model says is dead stays dead.
  for (const t of model) {
    if (!live(t, clock())) expect(!(await outcome(core.tokens.authenticate(t.token))).ok, 'a dead token authenticated');
  }
}

describe.each(testStores())('token service vs reference model ($name store)', ({ make }) => {
  it(`agrees on ${RUNS} random operation sequences`, async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        cases++;
        const clock = manualClock(Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 1000) * MINUTE);
        const core = createAuthCore({ store: make(clock), clock, hashing: FAST_HASHING, tokens: { maxTtl: 24 * HOUR } });
        try {
          await check(core, clock, ops);
        } finally {
          await core.close();
        }
      }),
      { numRuns: RUNS, seed: SEED, path: PATH, verbose: 1 },
    );
    console.log(`model property: ${cases} sequences checked`);
  });
});

/**
 * Model-based property test of the token service: random sequences of operations and clock moves run
 * against the real service (on every test store) and against a tiny reference model; every answer must
 * agree. After every operation the lifetime ceiling holds for every live token:
 * expiresAt ≤ createdAt + maxLifetime and expiresAt ≤ maxExpiresAt, whatever extend / upgrade / downgrade /
 * slide did; and a token an issuer filter refused was neither slid nor touched. On failure fast-check prints the seed and the shrunk path; reproduce with
 *   AUTHMOUNT_PROPERTY_SEED=<seed> AUTHMOUNT_PROPERTY_PATH=<path> npx jest model.property
 * CI runs AUTHMOUNT_PROPERTY_RUNS (default 60) sequences per store.
 */
import fc from 'fast-check';
import { AuthError, HOUR, MINUTE, createAuthCore, manualClock, slideGranularity, type AuthCore, type AuthStore } from '../src';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores } from '../../../test-support/stores';

const RUNS = Number(process.env.AUTHMOUNT_PROPERTY_RUNS ?? 60);
const SEED = process.env.AUTHMOUNT_PROPERTY_SEED ? Number(process.env.AUTHMOUNT_PROPERTY_SEED) : undefined;
const PATH = process.env.AUTHMOUNT_PROPERTY_PATH;

interface ModelToken {
  token: string;
  id: string;
  userId: number | null;
  issuer: string;
  createdAt: number;
  /** createdAt + the effective maxLifetime (max(abs, min(asked, maxTtl))). */
  ceiling: number;
  expiresAt: number;
  idleTtl: number;
  idleExpiresAt: number;
  lastUsedAt: number;
  revoked: boolean;
}

type Op =
  | { op: 'issue'; userId: number | null; abs: number; idle: number; max: number | null; issuer: string }
  | { op: 'auth'; i: number }
  | { op: 'authAs'; i: number; issuer: string }
  | { op: 'extend'; i: number; abs: number | null; idle: number | null }
  | { op: 'upgrade'; i: number; userId: number }
  | { op: 'downgrade'; i: number }
  | { op: 'revoke'; i: number }
  | { op: 'revokeAll'; userId: number; except: number[] }
  | { op: 'list'; userId: number }
  | { op: 'advance'; ms: number };

const MAX_TTL = 24 * HOUR;
const ISSUERS = ['authmount', 'pcloud', 'x-auth-bearer'];
const user = fc.constantFrom(1, 2, 3);
const issuer = fc.constantFrom(...ISSUERS);
const idx = fc.nat(20);
const ttl = fc.integer({ min: 1, max: 12 }).map((h) => h * HOUR);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('issue' as const),
      userId: fc.option(user, { nil: null }),
      abs: ttl,
      idle: ttl,
      // maxLifetime: absent (policy.maxTtl), below, within or above the absolute lifetime and maxTtl.
      max: fc.option(
        fc.integer({ min: 1, max: 36 }).map((h) => h * HOUR),
        { nil: null },
      ),
      issuer,
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('auth' as const), i: idx }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('authAs' as const), i: idx, issuer }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('extend' as const),
      i: idx,
      abs: fc.option(
        fc.integer({ min: 1, max: 48 }).map((h) => h * HOUR),
        { nil: null },
      ),
      idle: fc.option(ttl, { nil: null }),
    }),
  },
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
async function check(core: AuthCore, store: AuthStore, clock: ReturnType<typeof manualClock>, ops: Op[]): Promise<void> {
  const model: ModelToken[] = [];
  const pick = (i: number) => (model.length === 0 ? undefined : model[i % model.length]);
  const expect = (cond: boolean, what: string) => {
    if (!cond) throw new Error(`model disagreement: ${what}`);
  };
  /**
   * After an accepted authenticate: the store slid the idle expiry to min(now + idleTtl, expiresAt), or, as
   * the contract allows (slideGranularity in store.ts), skipped a slide that would move it by less than the
   * granularity — then nothing changed, lastUsedAt included. Never later than the ideal, never earlier than
   * the granularity allows. The model follows what the store did.
   */
  const followSlide = (t: ModelToken, got: { idleExpiresAt: number; lastUsedAt: number }, now: number) => {
    const ideal = Math.min(now + t.idleTtl, t.expiresAt);
    const slid = got.idleExpiresAt === ideal && got.lastUsedAt === now;
    const skipped =
      got.idleExpiresAt === t.idleExpiresAt && got.lastUsedAt === t.lastUsedAt && ideal - t.idleExpiresAt < slideGranularity(t.idleTtl);
    expect(slid || skipped, `slid idle expiry: got ${got.idleExpiresAt}/${got.lastUsedAt}, ideal ${ideal}`);
    t.idleExpiresAt = got.idleExpiresAt;
    t.lastUsedAt = got.lastUsedAt;
  };
  /** The ceiling invariant, on what the store holds for every token the model says is live. */
  const ceilingHolds = async (after: string) => {
    const now = clock();
    for (const t of model) {
      if (!live(t, now)) continue;
      const r = await store.tokens.peek(t.id, now);
      expect(r !== null, `${after}: a live token is missing`);
      expect(r!.maxExpiresAt === t.ceiling, `${after}: maxExpiresAt ${r!.maxExpiresAt} != createdAt + maxLifetime ${t.ceiling}`);
      expect(r!.expiresAt <= t.ceiling && r!.expiresAt <= r!.maxExpiresAt, `${after}: expiresAt past the ceiling`);
      expect(r!.idleExpiresAt <= r!.expiresAt, `${after}: idle expiry past the absolute one`);
      expect(
        r!.expiresAt === t.expiresAt && r!.idleExpiresAt === t.idleExpiresAt && r!.lastUsedAt === t.lastUsedAt,
        `${after}: expiry or last use differs from the model`,
      );
    }
  };
  for (const o of ops) {
    const now = clock();
    switch (o.op) {
      case 'issue': {
        const r = await core.tokens.issue({
          userId: o.userId,
          absoluteTtl: o.abs,
          idleTtl: o.idle,
          maxLifetime: o.max ?? undefined,
          issuer: o.issuer,
        });
        model.push({
          token: r.token,
          id: r.info.id,
          userId: o.userId,
          issuer: o.issuer,
          createdAt: now,
          ceiling: now + Math.max(o.abs, Math.min(o.max ?? MAX_TTL, MAX_TTL)),
          expiresAt: now + o.abs,
          idleTtl: o.idle,
          idleExpiresAt: Math.min(now + o.idle, now + o.abs),
          lastUsedAt: now,
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
          followSlide(t, r.value, now);
          expect(r.value.userId === t.userId, 'owner after authenticate');
        }
        break;
      }
      case 'authAs': {
        // An entry point that accepts one issuer: the others are refused inside the store call, not slid.
        const t = pick(o.i);
        if (!t) break;
        const r = await outcome(core.tokens.authenticate(t.token, { issuers: [o.issuer] }));
        const accepted = live(t, now) && t.issuer === o.issuer;
        expect(r.ok === accepted, `authenticate as ${o.issuer} ok=${r.ok}, model ${accepted}`);
        if (r.ok) {
          followSlide(t, r.value, now);
        } else if (live(t, now)) {
          expect(!r.ok && r.code === 'token_invalid', 'a foreign token answers like an unknown one');
        }
        // Refused or not, the sweep below compares idleExpiresAt and lastUsedAt with the model.
        break;
      }
      case 'extend': {
        const t = pick(o.i);
        if (!t) break;
        const r = await outcome(core.tokens.extend(t.id, { absoluteTtl: o.abs ?? undefined, idleTtl: o.idle ?? undefined }));
        expect(r.ok === live(t, now), `extend ok=${r.ok}, model live=${live(t, now)}`);
        if (r.ok) {
          // "From now", clamped to the ceiling by the store.
          if (o.abs !== null) t.expiresAt = Math.min(now + o.abs, t.ceiling);
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
        const want = model
          .filter((t) => t.userId === o.userId && live(t, now))
          .map((t) => t.id)
          .sort();
        expect(JSON.stringify(got) === JSON.stringify(want), `list(${o.userId}) = ${got.length} tokens, model ${want.length}`);
        break;
      }
      case 'advance':
        clock.advance(o.ms);
        break;
    }
    await ceilingHolds(o.op);
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
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }), async (ops) => {
        cases++;
        const clock = manualClock(Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 1000) * MINUTE);
        const store = make(clock);
        const core = createAuthCore({ store, clock, hashing: FAST_HASHING, tokens: { maxTtl: MAX_TTL } });
        try {
          await check(core, store, clock, ops);
        } finally {
          await core.close();
        }
      }),
      { numRuns: RUNS, seed: SEED, path: PATH, verbose: 1 },
    );
    console.log(`model property: ${cases} sequences checked`);
  });
});

import { AuthError, MAX_LOGIN_LENGTH, loginLookupForm, manualClock, normaliseLogin, type LoginRule } from '../src';
import { testStores } from '../../../test-support/stores';
import { makeCore } from './helpers';

const PW = 'correct horse battery staple';

function refusal(raw: unknown): { code: string; rule?: unknown; field?: unknown } {
  try {
    normaliseLogin(raw);
  } catch (e) {
    if (!(e instanceof AuthError)) throw e;
    return { code: e.code, rule: e.details.rule, field: e.details.field };
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

const ruleOf = (raw: unknown) => refusal(raw).rule as LoginRule;

describe('normaliseLogin', () => {
  it('NFKC: full-width and other compatibility forms become the plain login; case is kept', () => {
    expect(normaliseLogin('ｂｏｂ')).toBe('bob');
    expect(normaliseLogin('ＢＯＢ')).toBe('BOB');
    expect(normaliseLogin('ﬁona')).toBe('fiona'); // ligature
    expect(normaliseLogin('bob²')).toBe('bob2');
    expect(normaliseLogin('e\u0301mile')).toBe('émile'); // composed
    expect(normaliseLogin('anna_nowak')).toBe('anna_nowak');
    expect(normaliseLogin('Anna Nowak')).toBe('Anna Nowak'); // an inner space is fine
    expect(normaliseLogin('李小龍')).toBe('李小龍');
  });

  it('refuses control and format characters: zero-width space and joiners, bidi marks, BOM, NUL, tab, line breaks', () => {
    for (const c of [
      '\u200B',
      '\u200C',
      '\u200D',
      '\u2060',
      '\u200E',
      '\u200F',
      '\u202E',
      '\u2066',
      '\uFEFF',
      '\u00AD',
      '\0',
      '\t',
      '\n',
      '\u007F',
      '\u0085',
      '\u2028',
      '\u2029',
    ]) {
      expect([c.codePointAt(0), ruleOf(`bob${c}`)]).toEqual([c.codePointAt(0), 'control']);
      expect(ruleOf(`b${c}ob`)).toBe('control');
    }
    expect(ruleOf('bob\uD800')).toBe('control'); // a lone surrogate cannot even be stored as UTF-8
  });

  it('refuses leading or trailing whitespace of any kind', () => {
    for (const s of [' bob', 'bob ', '\u00A0bob', 'bob\u3000', '\u2003bob', '   ']) expect(ruleOf(s)).toBe('edge_whitespace');
  });

  it('refuses @, also in its full-width and small forms, so a login never looks like an e-mail', () => {
    for (const s of ['BOB@EXAMPLE.COM', 'bob@', '@bob', 'bob＠example.com', 'bob﹫example.com']) expect(ruleOf(s)).toBe('at_sign');
  });

  it('refuses empty and over-long logins (also when NFKC makes them long); non-strings are invalid_request', () => {
    expect(ruleOf('')).toBe('empty');
    expect(normaliseLogin('a'.repeat(MAX_LOGIN_LENGTH))).toHaveLength(MAX_LOGIN_LENGTH);
    expect(ruleOf('a'.repeat(MAX_LOGIN_LENGTH + 1))).toBe('too_long');
    expect(ruleOf('\uFDFA'.repeat(20))).toBe('too_long'); // 20 characters, 360 after NFKC
    expect(ruleOf('a'.repeat(1_000_000))).toBe('too_long');
    expect(refusal(' bob')).toEqual({ code: 'invalid_login', rule: 'edge_whitespace', field: 'login' });
    for (const bad of [42, {}, ['bob'], true]) expect(refusal(bad)).toMatchObject({ code: 'invalid_request', field: 'login' });
  });

  it('lookup form: NFKC only, never refuses', () => {
    expect(loginLookupForm('ｂｏｂ')).toBe('bob');
    expect(loginLookupForm(' bob\u200B')).toBe(' bob\u200B');
  });
});

describe.each(testStores())('AccountService with the login normaliser on the $name store', (ts) => {
  const setup = async () => {
    const clock = manualClock();
    const { core, store } = makeCore({ store: ts.make(clock), clock });
    const bob = await core.accounts.register({ login: 'bob', email: 'bob@example.com', password: PW });
    return { core, store, bob };
  };
  const codeOf = async (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: unknown) => (e instanceof AuthError ? `${e.code}${e.details.rule ? `:${String(e.details.rule)}` : ''}` : String(e)),
    );

  it('next to bob, ｂｏｂ, bob + U+200B, " bob" and BOB@EXAMPLE.COM cannot be registered as logins', async () => {
    const { core } = await setup();
    try {
      const register = (login: string) => codeOf(core.accounts.register({ login, password: PW }));
      expect(await register('ｂｏｂ')).toBe('conflict');
      expect(await register('bob\u200B')).toBe('invalid_login:control');
      expect(await register(' bob')).toBe('invalid_login:edge_whitespace');
      expect(await register('BOB@EXAMPLE.COM')).toBe('invalid_login:at_sign');
      // A new full-width login is stored in its plain form.
      expect((await core.accounts.register({ login: 'ｊｏｈｎ', password: PW })).login).toBe('john');
    } finally {
      await core.close();
    }
  });

  it('a login change goes through the same rules', async () => {
    const { core, bob } = await setup();
    try {
      const other = await core.accounts.register({ login: 'other', password: PW });
      const update = (login: string) => codeOf(core.accounts.update(other.id, { login }));
      expect(await update('ｂｏｂ')).toBe('conflict');
      expect(await update('\u202Ebob')).toBe('invalid_login:control');
      expect(await update('bob ')).toBe('invalid_login:edge_whitespace');
      expect(await update('bob@example.com')).toBe('invalid_login:at_sign');
      expect((await core.accounts.update(other.id, { login: 'ｏｔｔｏ' })).login).toBe('otto');
      expect((await core.accounts.find(bob.id))?.login).toBe('bob');
    } finally {
      await core.close();
    }
  });

  it('logs in with the full-width form of a login (NFKC on lookup), and finds logins stored before the normaliser', async () => {
    const { core, store, bob } = await setup();
    try {
      expect((await core.accounts.login({ identifier: 'ｂｏｂ', password: PW, ip: undefined, method: 't' })).id).toBe(bob.id);
      expect((await core.accounts.login({ identifier: 'ＢＯＢ', password: PW, ip: undefined, method: 't' })).id).toBe(bob.id);
      expect(await codeOf(core.accounts.login({ identifier: 'bob\u200B', password: PW, ip: undefined, method: 't' }))).toBe(
        'invalid_credentials',
      );
      // A legacy record (written straight to the store) is still found as typed.
      const now = core.clock();
      const legacy = await store.users.create({
        login: 'ｌｅｇａｃｙ',
        email: null,
        passwordHash: null,
        createdAt: now,
        updatedAt: now,
        expiresAt: null,
        attributes: {},
      });
      if (!legacy.ok) throw new Error('legacy user not created');
      expect((await core.accounts.findByIdentifier('ｌｅｇａｃｙ'))?.id).toBe(legacy.user.id);
    } finally {
      await core.close();
    }
  });
});

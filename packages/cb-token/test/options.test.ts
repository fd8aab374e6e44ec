import { ConfigError, manualClock } from '@authmount/core';
import { createAuth } from '@authmount/express';
import { cbToken, cbTokenGuard, staticApps, type CbTokenOptions } from '@authmount/cb-token';
import { refusedConfig, issueFor } from '../../../test-support/config-errors';
import { FAST_HASHING } from '../../../test-support/fast';
import { APP, OPEN_APP } from './helpers';

describe('cbToken options are checked at start-up (same format as createAuth)', () => {
  const auth = createAuth({ clock: manualClock(), hashing: FAST_HASHING });
  afterAll(() => auth.close());

  const refused = (make: () => unknown, factory = 'cbToken'): ConfigError => refusedConfig(make, factory);
  const issue = issueFor;

  it('refuses an authSecret shorter than 16 characters, naming the option and never echoing it', () => {
    const err = refused(() => cbToken(auth, { apps: [{ applicationId: 1, authKey: 'k', authSecret: 'short-secret' }] }));
    expect(issue(err, 'apps.0.authSecret')).toMatch(/at least 16 characters/);
    expect(err.message).not.toContain('short-secret');
    // staticApps (used directly, without the factory) applies the same rule.
    expect(() => staticApps([{ applicationId: 1, authKey: 'k', authSecret: 'short-secret' }])).toThrow(/at least 16 characters/);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['no apps', {}, 'apps', /array of applications or a registry/],
    [
      'an app without a secret that does not allow unsigned requests',
      { apps: [{ applicationId: 1, authKey: 'k' }] },
      'apps.0.authSecret',
      /or allowUnsigned: true/,
    ],
    [
      'an unknown signature algorithm',
      { apps: [{ ...APP, signatureAlgorithms: ['md5'] }] },
      'apps.0.signatureAlgorithms.0',
      /'sha1' or 'sha256'/,
    ],
    ['a typo in an app', { apps: [{ ...OPEN_APP, allowUnsinged: true }] }, 'apps.0.allowUnsinged', /did you mean "allowUnsigned"/],
    ['two apps with one id', { apps: [APP, { ...OPEN_APP, applicationId: 42 }] }, 'apps.1.applicationId', /unique applicationId/],
    [
      'a registry without findByAuthKey',
      { apps: { findById: () => null } },
      'apps.findByAuthKey',
      /registry with findById and findByAuthKey/,
    ],
    ['an idle window given as text', { apps: [APP], sessionIdleTtl: '2h' }, 'sessionIdleTtl', /milliseconds, received string/],
    ['a fractional timestamp window', { apps: [APP], timestampWindowSeconds: 1.5 }, 'timestampWindowSeconds', /seconds, received 1.5/],
    ['a provider that is not a function', { apps: [APP], providers: { facebook: 'yes' } }, 'providers.facebook', /verifier function/],
    ['a body limit that is not a size', { apps: [APP], bodyLimit: 'big' }, 'bodyLimit', /size like '64kb'/],
  ])('refuses %s', (_what, options, option, message) => {
    expect(
      issue(
        refused(() => cbToken(auth, options as CbTokenOptions)),
        option,
      ),
    ).toMatch(message);
  });

  it('checks cbTokenGuard and the guard options too', () => {
    expect(
      issue(
        refused(() => cbTokenGuard(auth, { apps: [APP], guestTtl: 0 }), 'cbTokenGuard'),
        'guestTtl',
      ),
    ).toMatch(/received 0/);
    expect(
      issue(
        refused(() => cbTokenGuard(auth, { apps: [APP] }, { allow: 'users' } as never), 'cbToken .guard()'),
        'allow',
      ),
    ).toMatch(/'read-only-app', 'user' or 'any'/);
    expect(
      issue(
        refused(() => cbToken(auth, { apps: [APP] }).guard({ alow: 'any' } as never), 'cbToken .guard()'),
        'alow',
      ),
    ).toMatch(/did you mean "allow"/);
  });

  it('accepts undefined for every optional option', () => {
    const env: Record<string, string | undefined> = {};
    expect(() =>
      cbToken(auth, {
        apps: [
          {
            applicationId: 1,
            authKey: 'k',
            authSecret: env.CB_AUTH_SECRET ?? 'a-secret-of-16-chars',
            allowUnsigned: undefined,
            signatureAlgorithms: undefined,
            autoCreateUsers: undefined,
          },
        ],
        sessionIdleTtl: undefined,
        sessionMaxAge: undefined,
        guestTtl: undefined,
        timestampWindowSeconds: undefined,
        providers: undefined,
        bodyLimit: undefined,
      }).guard({ allow: undefined }),
    ).not.toThrow();
  });
});

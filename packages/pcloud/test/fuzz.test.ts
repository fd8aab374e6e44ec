import { manualClock } from '@authmount/core';
import { createAuth } from '@authmount/express';
import { memoryStore } from '@authmount/store-memory';
import express from 'express';
import { FAST_HASHING, NO_BUDGETS } from '../../../test-support/fast';
import { fuzzEndpoints, type FuzzEndpoint, type FuzzReply } from '../../../test-support/fuzz';
import { pcloud } from '../src';
import { KEY, PW } from './helpers';
import { CLIENT, OTHER, PAGE } from './oauth-helpers';

/** Every parameter any method reads (global login parameters first); each endpoint gets them all. */
const PARAMS = [
  'auth',
  'access_token',
  'username',
  'password',
  'digest',
  'passworddigest',
  'getauth',
  'logout',
  'authexpire',
  'authinactiveexpire',
  'device',
  'id',
  'timeformat',
  'tokenid',
  'oldpassword',
  'newpassword',
  'mail',
  'newmail',
  'termsaccepted',
  'language',
  'referer',
  'invite',
  'ref',
  'code',
  'client_id',
  'client_secret',
  'code_verifier',
  'redirect_uri',
  'request_id',
] as const;

const METHODS = [
  'getdigest',
  'userinfo',
  'logout',
  'listtokens',
  'deletetoken',
  'changepassword',
  'register',
  'lostpassword',
  'resetpassword',
  'sendverificationemail',
  'verifyemail',
  'sendchangemail',
  'changemail',
  'senddeactivatemail',
  'deactivateuser',
  'invite',
  'userinvites',
  'oauth2_token',
];

const A = 'alice@example.com';

describe('fuzzing the pCloud adapter (every method, the OAuth page) and its guard', () => {
  it('always answers HTTP 200 JSON with a numeric result, an error string on failure, and failures change nothing', async () => {
    const clock = manualClock();
    const store = memoryStore({ clock, sweepIntervalMs: 0 });
    const auth = createAuth({ store, clock, hashing: FAST_HASHING, passwordPolicy: 'pcloud', throttle: NO_BUDGETS });
    const router = pcloud(auth, {
      digest: { key: KEY },
      mailer: async () => {},
      // A fuzzed request_id that happens to be well-formed must not hold a case for the default 120 s.
      oauth: { clients: [CLIENT, OTHER], poll: { timeoutMs: 50, intervalMs: 10 } },
    });
    const app = express();
    app.use('/pcloud', router);
    app.get('/files', router.guard(), (req, res) => res.json({ result: 0, user: req.auth!.userId }));
    const alice = await auth.accounts.register({ email: A, password: PW, attributes: {} });
    const { token } = await auth.tokens.issue({ userId: alice.id });

    // Users 1..5 cover alice and anything a fuzzed register could create; tokens of alice.
    const state = async () => {
      const users = await Promise.all([1, 2, 3, 4, 5].map((id) => store.users.findById(id, clock())));
      return JSON.stringify([(await auth.tokens.list(alice.id)).map((t) => [t.id, t.expiresAt, t.scopes]), users]);
    };
    const headers = ['cookie', 'authorization'];
    const endpoints: FuzzEndpoint[] = [
      ...METHODS.map((m): FuzzEndpoint => ({ method: 'POST', path: `/pcloud/${m}`, params: PARAMS, headers })),
      { method: 'GET', path: '/pcloud/userinfo', params: PARAMS, headers },
      { method: 'GET', path: '/pcloud/oauth2_token', params: PARAMS, headers },
      {
        method: 'GET',
        path: PAGE,
        params: ['client_id', 'response_type', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method'],
        headers,
      },
      {
        method: 'POST',
        path: PAGE,
        params: ['client_id', 'response_type', 'redirect_uri', 'state', 'csrf', 'decision', 'username', 'password'],
        headers,
      },
      { method: 'GET', path: '/files', params: PARAMS, headers },
    ];
    const reports = await fuzzEndpoints({
      app,
      seeds: [token, `auth=${token}`, A, PW, CLIENT.clientId, CLIENT.clientSecret, CLIENT.redirectUris[0], '1'],
      endpoints,
      // The OAuth page is HTML (a browser page): 4xx there is a refusal; everything else is pCloud's result.
      // (A bare reply from Node's own HTTP parser, e.g. 431, is a refusal too.)
      isRejected: (r: FuzzReply) => (isHtml(r) || r.status !== 200 ? r.status >= 400 : resultOf(r) !== 0),
      checkReply: (r: FuzzReply, req) => {
        if (req.path.startsWith(PAGE)) {
          if (r.status === 302 || r.status === 303) return;
          if (!isHtml(r)) throw new Error(`OAuth page answered ${r.status} ${String(r.headers['content-type'])}`);
          if (!String(r.headers['cache-control']).includes('no-store')) throw new Error('OAuth page without no-store');
          return;
        }
        if (r.status !== 200) throw new Error(`HTTP ${r.status} from a pCloud method: ${r.body.slice(0, 200)}`);
        if (!String(r.headers['content-type']).startsWith('application/json'))
          throw new Error(`not JSON: ${String(r.headers['content-type'])}`);
        const body = JSON.parse(r.body) as { result?: unknown; error?: unknown };
        if (typeof body.result !== 'number' || !Number.isInteger(body.result))
          throw new Error(`no numeric result: ${r.body.slice(0, 200)}`);
        if (body.result !== 0 && (typeof body.error !== 'string' || body.error === ''))
          throw new Error(`result ${body.result} without an error string`);
        // A guard that let the request through leaves the reply to the app's own route (here /files).
        const appReply = req.path.startsWith('/files') && body.result === 0;
        if (!appReply && !String(r.headers['cache-control']).includes('no-store'))
          throw new Error('pCloud reply without Cache-Control: no-store');
      },
      state,
    });
    const total = reports.reduce((n, r) => n + r.cases, 0);
    console.log(`fuzz (pcloud): ${reports.map((r) => `${r.endpoint}=${r.cases}`).join(', ')}; ${total} cases`);
    expect(reports).toHaveLength(endpoints.length);
    await auth.close();
  }, 60_000);
});

function isHtml(r: FuzzReply): boolean {
  return String(r.headers['content-type']).startsWith('text/html');
}

function resultOf(r: FuzzReply): unknown {
  try {
    return (JSON.parse(r.body) as { result?: unknown }).result;
  } catch {
    return undefined;
  }
}

// THE rule for "are we under CI?", in plain JavaScript so jest reporters (test-support/*.js) use it too;
// TypeScript code imports it through test-support/ci.ts.
//
// CI systems set `CI` to `true` (GitHub, GitLab, CircleCI…), some to `1`; `.ci/run` sets `true`. Any value
// but empty, `0` or `false` counts, so `CI=1` cannot turn a required test into a skip.
function isCI(env = process.env) {
  const v = (env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}
module.exports = { isCI };

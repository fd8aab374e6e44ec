/**
 * The "used by an existing app" story, proven the way a user meets authmount: the packages are built and
 * packed (`npm run pack`'s script), installed from the tarballs into fresh Express apps OUTSIDE this
 * workspace (no paths, no workspace links), and driven over real HTTP. Four apps: ESM (.mjs) and CommonJS
 * (.cjs), each on Express 5 and on Express 4, two with ioredis 6 and two with ioredis 5 (the Redis store's
 * peer range); one app of each major then runs a second `npm install`, which is where a peer conflict shows
 * (ERESOLVE).
 * The ESM app on Express 5 also compiles a strict consumer (test/strict-consumer.ts) with TypeScript 5 and
 * TypeScript 7 under TypeScript 7's `tsc --init` settings. One packed set of tarballs serves all; the
 * installs run in parallel.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sharedRedisUrl } from '../../../test-support/redis';

const ROOT = path.resolve(__dirname, '../../..');
const EXAMPLE = path.resolve(__dirname, '..');
const FIXTURES = path.join(__dirname, 'fixtures');
const STRICT_CONSUMER = path.join(ROOT, 'test', 'strict-consumer.ts');
const PASSWORD = 'existing app passphrase 42';

interface Variant {
  name: string;
  module: 'esm' | 'cjs';
  express: 4 | 5;
  /** The ioredis major installed beside @authmount/store-redis (its peer range is ^5 || ^6). */
  ioredis: 5 | 6;
  /** Run a second `npm install` (one app per ioredis major is enough). */
  reinstall?: boolean;
  /** Also type-check the installed declarations with tsc (one variant is enough: the types do not vary). */
  typecheck?: boolean;
}
const VARIANTS: Variant[] = [
  { name: 'ESM on Express 5', module: 'esm', express: 5, ioredis: 6, reinstall: true, typecheck: true },
  { name: 'CommonJS on Express 5', module: 'cjs', express: 5, ioredis: 5, reinstall: true },
  { name: 'ESM on Express 4', module: 'esm', express: 4, ioredis: 5 },
  { name: 'CommonJS on Express 4', module: 'cjs', express: 4, ioredis: 6 },
];

/**
 * The environment for child npm and node processes. Every npm_* variable is dropped: `npm test` exports
 * npm_config_local_prefix=<this workspace>, which would point a nested `npm install` back at the monorepo.
 */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: cleanEnv(extraEnv), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const versionOf = async (dir: string): Promise<string> =>
  (JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;

// ---------------------------------------------------------------------------------------------
// Build (only what is stale) and pack

interface PackageInfo {
  dir: string;
  name: string;
  outputs: string[];
}

async function packages(): Promise<PackageInfo[]> {
  const out: PackageInfo[] = [];
  for (const dir of (await readdir(path.join(ROOT, 'packages'))).sort()) {
    const pkgFile = path.join(ROOT, 'packages', dir, 'package.json');
    const pkg = JSON.parse(await readFile(pkgFile, 'utf8')) as { name: string; exports: Record<string, unknown> };
    const entries = Object.keys(pkg.exports)
      .filter((k) => k !== './package.json')
      .map((k) => (k === '.' ? 'index' : `${k.slice(2)}/index`));
    const outputs = entries.flatMap((e) => ['.js', '.mjs', '.d.ts'].map((ext) => path.join(ROOT, 'packages', dir, 'dist', e + ext)));
    out.push({ dir, name: pkg.name, outputs });
  }
  return out;
}

async function newestMtime(p: string): Promise<number> {
  const s = await stat(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const e of await readdir(p)) newest = Math.max(newest, await newestMtime(path.join(p, e)));
  return newest;
}

/** Packages whose dist is missing or older than their sources or the build configuration. */
async function stalePackages(pkgs: PackageInfo[]): Promise<string[]> {
  const shared = Math.max(
    ...(await Promise.all(['scripts/build.mjs', 'tsconfig.json', 'tsconfig.build.json'].map((f) => newestMtime(path.join(ROOT, f))))),
  );
  const stale: string[] = [];
  for (const p of pkgs) {
    const inputs = Math.max(
      shared,
      await newestMtime(path.join(ROOT, 'packages', p.dir, 'src')),
      await newestMtime(path.join(ROOT, 'packages', p.dir, 'package.json')),
    );
    const outputs = await Promise.all(
      p.outputs.map((f) =>
        stat(f).then(
          (s) => s.mtimeMs,
          () => -1,
        ),
      ),
    );
    if (outputs.some((m) => m < inputs)) stale.push(p.dir);
  }
  return stale;
}

interface Packed {
  name: string;
  filename: string;
  files: Array<{ path: string }>;
}

// ---------------------------------------------------------------------------------------------
// The temporary apps

interface App {
  variant: Variant;
  dir: string;
}

async function createApp(v: Variant, tmp: string, tarballs: Packed[], pins: Record<string, string>): Promise<App> {
  const dir = path.join(tmp, `app-${v.module}-express${v.express}`);
  await mkdir(dir);
  const strict = v.typecheck ? createStrictConsumer(dir) : Promise.resolve(); // its own install, in parallel
  strict.catch(() => undefined); // awaited below; a failure must not surface as an unhandled rejection first
  const dependencies: Record<string, string> = { express: pins[`express${v.express}`], ioredis: pins[`ioredis${v.ioredis}`] };
  for (const t of tarballs) dependencies[t.name] = `file:${path.join(tmp, 'tarballs', t.filename)}`;
  const devDependencies = v.typecheck
    ? {
        typescript: pins.typescript,
        '@types/express': pins['@types/express'],
        '@types/node': pins['@types/node'],
        '@types/pg': pins['@types/pg'],
      }
    : {};
  const pkg = {
    name: `existing-app-${v.module}-${v.express}`,
    version: '1.0.0',
    private: true,
    type: v.module === 'esm' ? 'module' : 'commonjs',
    dependencies,
    devDependencies,
  };
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  const app = v.module === 'esm' ? 'app.mjs' : 'app.cjs';
  await copyFile(path.join(EXAMPLE, app), path.join(dir, app));
  for (const f of ['smoke.mjs', 'smoke.cjs', 'expected.cjs', 'types-check.mts', 'types-check.cts'])
    await copyFile(path.join(FIXTURES, f), path.join(dir, f));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir);
  // The next install of anything re-checks every peer range: a store-redis peer that refused the installed
  // ioredis failed HERE (ERESOLVE), after a first install that had only warned.
  if (v.reinstall) await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `ms@${pins.ms}`], dir);
  await strict;
  return { variant: v, dir };
}

/**
 * `strict/` inside the app: TypeScript 7 installed from the registry, its own `tsc --init` (which turns on
 * exactOptionalPropertyTypes, noUncheckedIndexedAccess and verbatimModuleSyntax), an ESM package, and the
 * repository's strict consumer. Modules resolve from the app's node_modules, i.e. the installed tarballs.
 */
async function createStrictConsumer(app: string): Promise<void> {
  const dir = path.join(app, 'strict');
  await mkdir(dir);
  const pkg = { name: 'strict-consumer', version: '1.0.0', private: true, type: 'module', devDependencies: { typescript: '^7.0.2' } };
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir);
  await run(process.execPath, [path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '--init'], dir);
  await copyFile(STRICT_CONSUMER, path.join(dir, 'consumer.ts'));
}

const children = new Set<ChildProcess>();

/** Start the app on a free port; resolves once it prints {"listening": port}. */
async function start(app: App): Promise<{ base: string; stop(): Promise<void> }> {
  const file = app.variant.module === 'esm' ? 'app.mjs' : 'app.cjs';
  const child = spawn(process.execPath, [file], {
    cwd: app.dir,
    env: cleanEnv({ PORT: '0', DEMO_PASSWORD: PASSWORD }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${file} did not start within 20 s\n${stderr}`)), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /\{"listening":(\d+)\}/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code} before listening\n${stderr}`));
    });
  });
  return {
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      children.delete(child);
    },
  };
}

async function call(base: string, method: string, url: string, opts: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked with toMatchObject
  const body = json ? ((await res.json()) as Record<string, any>) : (await res.text(), null);
  return { status: res.status, headers: res.headers, body };
}

// ---------------------------------------------------------------------------------------------

let tmp: string;
let packed: Packed[];
const apps = new Map<string, App>();

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'authmount-existing-app-'));
  const pkgs = await packages();
  const stale = await stalePackages(pkgs);
  if (stale.length > 0) await run('npm', ['run', 'build', '--silent'], ROOT, { AUTHMOUNT_BUILD: stale.join(',') });

  await mkdir(path.join(tmp, 'tarballs'));
  // What `npm run pack` runs (without its build: done above for what was stale).
  const json = await run(
    process.execPath,
    [path.join(ROOT, 'scripts', 'pack.mjs'), '--no-build', '--json', '--dest', path.join(tmp, 'tarballs')],
    ROOT,
  );
  packed = JSON.parse(json) as Packed[];

  // Exact versions the workspace already installed, so the npm cache serves every install.
  const nm = path.join(ROOT, 'node_modules');
  const pins = {
    express5: await versionOf(path.join(nm, 'express')),
    express4: await versionOf(path.join(nm, 'express4')),
    typescript: await versionOf(path.join(nm, 'typescript')),
    '@types/express': await versionOf(path.join(nm, '@types/express')),
    '@types/node': await versionOf(path.join(nm, '@types/node')),
    '@types/pg': await versionOf(path.join(nm, '@types/pg')),
    ioredis6: await versionOf(path.join(nm, 'ioredis')),
    ioredis5: await versionOf(path.join(nm, 'ioredis5')),
    ms: await versionOf(path.join(nm, 'ms')),
  };
  const made = await Promise.all(VARIANTS.map((v) => createApp(v, tmp, packed, pins)));
  for (const a of made) apps.set(a.variant.name, a);
}, 240_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

it('packs every package with its built entry points and nothing else', async () => {
  const pkgs = await packages();
  expect(packed.map((p) => p.name).sort()).toEqual(pkgs.map((p) => p.name).sort());
  for (const p of pkgs) {
    const files = packed.find((t) => t.name === p.name)!.files.map((f) => f.path);
    for (const o of p.outputs) expect(files).toContain(path.relative(path.join(ROOT, 'packages', p.dir), o));
    expect(files).toContain('package.json');
    expect(files).toContain('dist/LICENSE');
    // (store-postgres also ships its SQL migrations as files, for apps that apply them with their own tool.)
    const extra = (f: string) =>
      !f.startsWith('dist/') && f !== 'package.json' && f !== 'README.md' && !/^migrations\/\d+_\w+\.sql$/.test(f);
    expect(files.filter(extra)).toEqual([]);
  }
  expect(path.relative(ROOT, tmp).startsWith('..')).toBe(true); // the apps live outside the workspace
});

describe.each(VARIANTS)('a fresh app, $name', (v) => {
  it('installs the tarballs, loads every package through its own entry points and shares one core', async () => {
    const app = apps.get(v.name)!;
    expect((await versionOf(path.join(app.dir, 'node_modules', 'express'))).split('.')[0]).toBe(String(v.express));
    // express is a peer dependency: authmount uses the app's own copy, never one of its own.
    for (const d of await readdir(path.join(app.dir, 'node_modules', '@authmount'))) {
      await expect(stat(path.join(app.dir, 'node_modules', '@authmount', d, 'node_modules', 'express'))).rejects.toThrow();
    }
    const redisUrl = sharedRedisUrl(); // null: no Redis outside CI (printed loudly); the Redis part is then skipped
    const smoke = [v.module === 'esm' ? 'smoke.mjs' : 'smoke.cjs'];
    const report = JSON.parse(await run(process.execPath, smoke, app.dir, redisUrl ? { AUTHMOUNT_SMOKE_REDIS_URL: redisUrl } : {})) as {
      resolved: Record<string, string>;
      missing: Record<string, string[]>;
      sharedCore: boolean;
      redis?: { ready: boolean; roundTrip: boolean; ioredis: string };
    };
    expect((await versionOf(path.join(app.dir, 'node_modules', 'ioredis'))).split('.')[0]).toBe(String(v.ioredis));
    if (v.reinstall) {
      // The second install went through (it adds a dependency to package.json only when it succeeds).
      const pkg = JSON.parse(await readFile(path.join(app.dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      expect(pkg.dependencies.ms).toBeDefined();
    }
    if (redisUrl)
      expect(report.redis).toEqual({ ready: true, roundTrip: true, ioredis: expect.stringMatching(new RegExp(`^${v.ioredis}\\.`)) });
    expect(Object.keys(report.resolved).sort()).toEqual([...packed.map((p) => p.name), '@authmount/core/conformance'].sort());
    for (const [spec, file] of Object.entries(report.resolved)) {
      expect([spec, file]).toEqual([
        spec,
        expect.stringMatching(v.module === 'esm' ? /\/dist\/(conformance\/)?index\.mjs$/ : /\/dist\/(conformance\/)?index\.js$/),
      ]);
    }
    for (const [spec, missing] of Object.entries(report.missing)) expect([spec, missing]).toEqual([spec, []]);
    expect(report.sharedCore).toBe(true);
  });

  it('mounts authmount under /api/auth beside its own routes: login, a protected call, logout', async () => {
    const server = await start(apps.get(v.name)!);
    try {
      const { base } = server;
      expect(await call(base, 'GET', '/health')).toMatchObject({ status: 200, body: { ok: true } });
      expect(await call(base, 'GET', '/api/products')).toMatchObject({ status: 200, body: { products: [{ id: 1, name: 'Teapot' }] } });

      const anonymous = await call(base, 'GET', '/api/orders');
      expect(anonymous).toMatchObject({ status: 401, body: { error: { code: 'token_missing' } } });
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="authmount"');

      const wrong = await call(base, 'POST', '/api/auth/login', { body: { login: 'alice', password: 'not the password' } });
      expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'invalid_credentials' } } });

      const login = await call(base, 'POST', '/api/auth/login', {
        body: { login: 'alice', password: PASSWORD, device: 'existing-app test' },
      });
      expect(login.status).toBe(201);
      expect(login.headers.get('cache-control')).toBe('no-store');
      const token = login.body!.token as string;
      expect(token).toMatch(/^\d+\.[A-Za-z0-9_-]+$/);

      const orders = await call(base, 'GET', '/api/orders', { token });
      expect(orders).toMatchObject({ status: 200, body: { owner: login.body!.user.id, orders: [] } });
      const tokens = await call(base, 'GET', '/api/auth/tokens', { token });
      expect(tokens).toMatchObject({
        status: 200,
        body: { tokens: [{ id: login.body!.tokenId, device: 'existing-app test', current: true }] },
      });

      expect((await call(base, 'POST', '/api/auth/logout', { token })).status).toBe(204);
      expect(await call(base, 'GET', '/api/orders', { token })).toMatchObject({ status: 401, body: { error: { code: 'token_invalid' } } });
      expect((await call(base, 'GET', '/not-a-route')).status).toBe(404); // the app's own 404 still answers
    } finally {
      await server.stop();
    }
  });

  if (v.typecheck) {
    it('type-checks against the installed declarations (tsc, module nodenext, as .mts and .cts)', async () => {
      const app = apps.get(v.name)!;
      const tsc = path.join(app.dir, 'node_modules', 'typescript', 'bin', 'tsc');
      const args = [
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--types',
        'node',
      ];
      await run(process.execPath, [tsc, ...args, 'types-check.mts', 'types-check.cts'], app.dir);
    }, 120_000); // tsc on a loaded, shared machine can take longer than the default 30 s

    it.each([
      ['TypeScript 5', 'node_modules/typescript/bin/tsc'],
      ['TypeScript 7', 'strict/node_modules/typescript/bin/tsc'],
    ])(
      "compiles a strict ESM consumer with %s under TypeScript 7's tsc --init settings",
      async (_ts, bin) => {
        const app = apps.get(v.name)!;
        const strict = path.join(app.dir, 'strict');
        const config = await readFile(path.join(strict, 'tsconfig.json'), 'utf8');
        for (const option of [
          '"exactOptionalPropertyTypes": true',
          '"noUncheckedIndexedAccess": true',
          '"verbatimModuleSyntax": true',
          '"strict": true',
        ])
          expect(config).toContain(option);
        const version = await run(process.execPath, [path.join(app.dir, bin), '--version'], strict);
        expect(version).toMatch(bin.startsWith('strict') ? /^Version 7\./ : /^Version 5\./);
        // --types node: the one change a Node app makes to the generated file (it ships with "types": []).
        await run(process.execPath, [path.join(app.dir, bin), '-p', 'tsconfig.json', '--noEmit', '--types', 'node'], strict);
      },
      120_000,
    );
  }
});

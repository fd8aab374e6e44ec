/**
 * README samples are tests. Every TypeScript/JavaScript block of every README (and CONTRIBUTING.md) is
 * compiled with TypeScript 5 against the packages' sources, under the strictest settings an app may use
 * (`strict`, `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`, `verbatimModuleSyntax`: what
 * TypeScript 7's `tsc --init` turns on), each block as its own module, as if pasted into an empty file.
 * The self-contained ones that end by themselves are also run. A block meant as a continuation says so on
 * its first line, visibly: `// fragment (in scope: app, auth)`; it is compiled with those names declared.
 *
 * Also checked here:
 * - every `npm install` line that installs packed tarballs names a set npm can resolve: each package's
 *   @authmount dependencies are in the same line, at the packages' version;
 * - each sample imports only packages an install line of its README (above it) names;
 * - test/strict-consumer.ts, the strict consumer (every public option type accepts `undefined`), compiles
 *   under the same settings (examples/existing-app compiles it again with TypeScript 5 and 7 against the
 *   installed declarations).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { createScratchDatabase, postgresUnavailable, sharedPostgresSkipReason, sharedPostgresUrl } from '../test-support/postgres';
import { sharedRedisSkipReason, sharedRedisUrl } from '../test-support/redis';

const ROOT = path.resolve(__dirname, '..');
const STRICT_CONSUMER = path.join(__dirname, 'strict-consumer.ts');

const docs = [
  'README.md',
  'CONTRIBUTING.md',
  ...['packages', 'examples'].flatMap((dir) =>
    readdirSync(path.join(ROOT, dir))
      .map((d) => `${dir}/${d}/README.md`)
      .filter((f) => existsSync(path.join(ROOT, f))),
  ),
];

interface Block {
  doc: string;
  /** 1-based line of the block's first code line. */
  line: number;
  lang: string;
  code: string;
  /** Names a fragment declares it needs (`// fragment (in scope: a, b)`); undefined for a whole sample. */
  inScope?: string[];
  /** Packages named by the README's install lines above this block (undefined: the README has none above). */
  installed?: Set<string>;
}

const CODE_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'cjs']);
const FRAGMENT = /^\s*\/\/ fragment\b(?: \(in scope: ([^)]*)\))?/;

/** Packages an install line names: registry names, tarballs (`authmount-{a,b}-1.0.0.tgz`), plain names. */
function installedBy(line: string): { packages: string[]; tarballs: Array<{ names: string[]; version: string }> } {
  const packages: string[] = [];
  const tarballs: Array<{ names: string[]; version: string }> = [];
  const args = line.replace(/#.*$/, '').trim().split(/\s+/).slice(2);
  for (const a of args) {
    if (a.startsWith('-')) continue;
    const tgz = /authmount-(?:\{([^}]+)\}|([a-z-]+?))-(\d+\.\d+\.\d+)\.tgz$/.exec(a);
    if (tgz) {
      const names = (tgz[1] ?? tgz[2]).split(',').map((n) => `@authmount/${n.trim()}`);
      tarballs.push({ names, version: tgz[3] });
      packages.push(...names);
    } else {
      packages.push(a.replace(/(.)@[^/]*$/, '$1')); // drop a version range: express@5 → express
    }
  }
  return { packages, tarballs };
}

function parse(doc: string): { blocks: Block[]; installLines: Array<{ line: number; text: string }> } {
  const lines = readFileSync(path.join(ROOT, doc), 'utf8').split('\n');
  const blocks: Block[] = [];
  const installLines: Array<{ line: number; text: string }> = [];
  let installed: Set<string> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const lang = open[2];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++) body.push(lines[j].slice(indent));
    if (lang === 'sh' || lang === 'bash') {
      for (const [k, text] of body.entries()) {
        if (/^npm install \S/.test(text)) {
          installLines.push({ line: i + 2 + k, text });
          installed = new Set([...(installed ?? []), ...installedBy(text).packages]);
        }
      }
    } else if (CODE_LANGS.has(lang)) {
      const code = body.join('\n');
      const m = FRAGMENT.exec(body[0] ?? '');
      blocks.push({
        doc,
        line: i + 2,
        lang,
        code,
        inScope: m
          ? (m[1] ?? '')
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined,
        installed: installed && new Set(installed),
      });
    }
    i = j;
  }
  return { blocks, installLines };
}

const parsed = docs.map((d) => ({ doc: d, ...parse(d) }));
const blocks = parsed.flatMap((p) => p.blocks);

/** The types a fragment may ask for: what the example it continues defined, or what the app brings. */
const IN_SCOPE: Readonly<Record<string, string>> = {
  app: "import('express').Express",
  auth: "import('@authmount/express').Auth",
  api: "import('@authmount/pcloud').PcloudRouter",
  apps: "import('@authmount/cb-token').CbApp[]",
  myStore: "(opts?: Record<string, unknown>) => import('@authmount/core').AuthStore",
  verifyWithFacebook: '(token: string | undefined) => Promise<{ id: string; name: string } | null>',
  ConnectyCube: '{ init(credentials: object, config?: object): void }',
  authKey: 'string',
  authSecret: 'string',
};

const isCommonJs = (b: Block) => /\brequire\(/.test(b.code);
const extensionOf = (b: Block) => (b.lang.startsWith('t') ? '.ts' : isCommonJs(b) ? '.cjs' : '.mjs');
const virtualPath = (b: Block) => path.join(ROOT, path.dirname(b.doc), `${path.basename(b.doc)}.L${b.line}${extensionOf(b)}`);

/** One line declaring a fragment's names (TypeScript, or JSDoc in a JavaScript block). */
function prelude(b: Block): string {
  if (!b.inScope) return '';
  const type = (n: string) => IN_SCOPE[n] ?? 'unknown';
  const decl = b.lang.startsWith('t')
    ? (n: string) => `declare const ${n}: ${type(n)};`
    : (n: string) => `const ${n} = /** @type {${type(n)}} */ (/** @type {unknown} */ (undefined));`;
  return b.inScope.map(decl).join(' ') + '\n';
}

/** Bare imports of a block: `import ... from 'x'`, `require('x')`, reduced to package names. */
function importsOf(code: string): string[] {
  const specs = [...code.matchAll(/(?:from\s+|require\(\s*|import\s+)'([^'./][^']*)'/g)].map((m) => m[1]);
  return [
    ...new Set(
      specs
        .filter((s) => !s.startsWith('node:'))
        .map((s) =>
          s
            .split('/')
            .slice(0, s.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// One TypeScript program: every block (virtual files) + the strict consumer, checked once.

let diagnostics: Map<string, string[]>;

const format = (d: ts.Diagnostic, offset: number, label: string) => {
  const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line - offset : 0;
  return `${label}:${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
};

/** Compile `files` (virtual paths → text) plus `extra` real files; returns the program. */
function compile(options: ts.CompilerOptions, files: Map<string, string>, extra: string[] = []): ts.Program {
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
  host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = files.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang, true) : getSourceFile.call(host, f, lang, ...rest);
  };
  return ts.createProgram({ rootNames: [...files.keys(), ...extra], options, host });
}

beforeAll(() => {
  const base = ts.parseJsonConfigFileContent(ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, ROOT);
  const strictest: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    esModuleInterop: true,
    skipLibCheck: true,
    resolveJsonModule: true,
    allowJs: true,
    checkJs: true,
    noEmit: true,
    types: ['node'],
    baseUrl: ROOT,
    paths: base.options.paths,
  };
  // ES modules (TypeScript blocks, `import` JavaScript): top-level await allowed, as in an ESM app.
  const esm = {
    ...strictest,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
  };
  // CommonJS blocks (`require`): Node's own CommonJS rules.
  const cjs = { ...strictest, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };
  diagnostics = new Map();
  for (const [options, group] of [
    [esm, blocks.filter((b) => !isCommonJs(b))],
    [cjs, blocks.filter(isCommonJs)],
  ] as const) {
    const files = new Map(group.map((b) => [virtualPath(b), prelude(b) + b.code]));
    const withConsumer = options === esm ? [STRICT_CONSUMER] : [];
    const program = compile(options, files, withConsumer);
    for (const b of group) {
      const sf = program.getSourceFile(virtualPath(b))!;
      const found = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
      diagnostics.set(
        virtualPath(b),
        found.map((d) => format(d, (b.inScope ? 1 : 0) - b.line, b.doc)),
      );
    }
    if (withConsumer.length > 0) {
      const consumer = program.getSourceFile(STRICT_CONSUMER)!;
      const found = [
        ...program.getOptionsDiagnostics(),
        ...program.getSyntacticDiagnostics(consumer),
        ...program.getSemanticDiagnostics(consumer),
      ];
      diagnostics.set(
        STRICT_CONSUMER,
        found.map((d) => format(d, -1, 'test/strict-consumer.ts')),
      );
    }
  }
}, 120_000);

const title = (b: Block) => `${b.doc}:${b.line} (${b.lang}${b.inScope ? ', fragment' : ''})`;

it('finds the samples of every README', () => {
  expect(docs).toEqual(
    expect.arrayContaining(['README.md', 'packages/express/README.md', 'packages/store-redis/README.md', 'packages/pcloud/README.md']),
  );
  expect(blocks.length).toBeGreaterThanOrEqual(20);
  // Fragments are the exception: most samples must stand on their own.
  expect(blocks.filter((b) => b.inScope).length).toBeLessThan(blocks.filter((b) => !b.inScope).length / 2);
});

describe.each(blocks.map((b) => [title(b), b] as const))('%s', (_t, b) => {
  it('compiles under the strictest settings, as if pasted into an empty file', () => {
    expect(diagnostics.get(virtualPath(b))).toEqual([]);
  });

  it('declares only names the fragment table knows, and imports only what its README installs', () => {
    for (const n of b.inScope ?? []) expect([n, IN_SCOPE[n] !== undefined]).toEqual([n, true]);
    if (b.installed) for (const pkg of importsOf(b.code)) expect([pkg, b.installed.has(pkg)]).toEqual([pkg, true]);
  });
});

it('the strict consumer compiles: every public option type accepts undefined', () => {
  expect(diagnostics.get(STRICT_CONSUMER)).toEqual([]);
});

describe('install lines', () => {
  const pkgs = readdirSync(path.join(ROOT, 'packages')).map(
    (d) =>
      JSON.parse(readFileSync(path.join(ROOT, 'packages', d, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
        dependencies?: Record<string, string>;
      },
  );
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  const lines = parsed.flatMap((p) => p.installLines.map((l) => ({ ...l, doc: p.doc })));

  it('every package README has a tarball line (usable before publishing)', () => {
    for (const d of readdirSync(path.join(ROOT, 'packages'))) {
      const doc = `packages/${d}/README.md`;
      expect([doc, lines.some((l) => l.doc === doc && /\.tgz/.test(l.text))]).toEqual([doc, true]);
    }
  });

  it.each(lines.filter((l) => /\.tgz/.test(l.text)).map((l) => [`${l.doc}:${l.line}`, l] as const))(
    '%s names a set npm can resolve from the tarballs alone',
    (_where, l) => {
      for (const t of installedBy(l.text).tarballs) {
        for (const name of t.names) {
          const pkg = byName.get(name);
          expect([name, pkg?.version]).toEqual([name, t.version]);
          // Each @authmount dependency must come from the same command, or npm asks the registry (404 before publishing).
          for (const dep of Object.keys(pkg?.dependencies ?? {}).filter((d) => d.startsWith('@authmount/'))) {
            expect([name, dep, t.names.includes(dep)]).toEqual([name, dep, true]);
          }
        }
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Whole programs are run: the ones that end by themselves must exit 0; the servers must start (on a free
// port instead of 3000) and answer the README's own first request. A jest suite and a sample importing a
// file next to its README are only compiled. Samples on PostgreSQL get, in DATABASE_URL, a database made for
// this run on the shared server (dropped after), so what they create and register meets no other run's.

/** The environment a reader would have set for the samples (the values the READMEs read). */
const SAMPLE_ENV = {
  PHOTO_APP_SECRET: 'a-random-client-secret-for-the-sample',
  CB_AUTH_KEY: 'sample-auth-key',
  CB_AUTH_SECRET: 'a-random-cb-secret-for-the-sample',
};

/** A request each server sample's README makes right after it, and what proves the sample works as written. */
const FIRST_REQUEST: Readonly<Record<string, (base: string) => Promise<void>>> = {
  // The README's curl logs in as alice: the sample must have registered her (it once did not: 401).
  'packages/x-auth-bearer/README.md': async (base) => {
    const res = await fetch(`${base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'login=alice&pass=correct horse battery staple&longtoken=false',
    });
    expect([res.status, ((await res.json()) as { token?: string }).token]).toEqual([200, expect.any(String)]);
  },
  'packages/express/README.md': async (base) => {
    const res = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'alice', password: 'correct horse battery staple' }),
    });
    expect(res.status).toBe(201);
  },
  'packages/pcloud/README.md': async (base) => {
    const reg = await fetch(`${base}/pcloud/register?mail=a@b.cd&password=secret1&termsaccepted=yes`);
    expect(((await reg.json()) as { result: number }).result).toBe(0);
    const me = await fetch(`${base}/pcloud/userinfo?username=a@b.cd&password=secret1&getauth=1&logout=1`);
    expect(((await me.json()) as { result: number; auth?: string }).auth).toEqual(expect.any(String));
  },
};

// Not run: a jest suite, a sample importing a file beside its README, connections to hosts named for illustration.
const runnable = blocks.filter(
  (b) => !b.inScope && b.lang.startsWith('t') && !/describeStoreConformance|from '\.\/|new (Redis|Cluster)\(|redis: \{/.test(b.code),
);
const servers = runnable.filter((b) => /\.listen\(/.test(b.code));
const programs = runnable.filter((b) => !servers.includes(b));
const needsRedis = (b: Block) => /redisStore/.test(b.code);
const needsPostgres = (b: Block) => /postgresStore|DATABASE_URL/.test(b.code);

describe('runs the samples', () => {
  // Every sample runs in one process (test-support/run-samples.ts): the sources are compiled once.
  const dir = path.join(__dirname, `.samples-${process.pid}`);
  let runner: ChildProcess | undefined;
  const results = new Map<Block, { ok: boolean; error?: string; stderr: string; ports: number[] }>();
  // null: the server is missing (an error under CI; outside CI printed, and its samples skipped with the reason).
  const redisUrl = runnable.some(needsRedis) ? sharedRedisUrl() : null;
  const pgUrl = runnable.some(needsPostgres) ? sharedPostgresUrl() : null;
  if (runnable.some(needsPostgres) && pgUrl === null) postgresUnavailable(sharedPostgresSkipReason());
  const unavailable = (b: Block): string | undefined =>
    needsRedis(b) && redisUrl === null
      ? sharedRedisSkipReason()
      : needsPostgres(b) && pgUrl === null
        ? sharedPostgresSkipReason()
        : undefined;
  const toRun = runnable.filter((b) => unavailable(b) === undefined);
  /** it.each rows; a row with `unavailable` is registered as skipped, its reason in the title (jest-setup.ts). */
  const rows = (list: Block[]) =>
    list.map((b) => {
      const why = unavailable(b);
      return why === undefined ? { name: title(b), b } : { name: title(b), b, unavailable: why };
    });
  let database: { url: string; drop(): Promise<void> } | undefined;

  /** The sample as a CommonJS module (tsx maps @authmount/* to the sources, which are CommonJS): imports on top, the rest (which may use top-level await) in an async function whose promise is exported. */
  function write(b: Block): string {
    const imports = b.code.match(/^import [\s\S]*?from '[^']+';?$/gm) ?? [];
    let rest = b.code;
    for (const i of imports) rest = rest.replace(i, '');
    const file = path.join(dir, `${path.basename(path.dirname(b.doc))}-L${b.line}.ts`);
    writeFileSync(file, `${imports.join('\n')}\nexport const done = (async () => {\n${rest}\n})();\n`);
    return file;
  }

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    const files = new Map(toRun.map((b) => [write(b), b]));
    if (pgUrl !== null) database = await createScratchDatabase(pgUrl, 'samples');
    runner = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test-support/run-samples.ts'), ...files.keys()], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...SAMPLE_ENV,
        ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
        ...(database ? { DATABASE_URL: database.url } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    runner.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      runner!.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        let nl: number;
        while ((nl = out.indexOf('\n')) >= 0) {
          const line = out.slice(0, nl);
          out = out.slice(nl + 1);
          if (!line.startsWith('{"file"') && !line.startsWith('{"done"')) continue; // the samples' own output
          const r = JSON.parse(line) as { done?: true; file: string; ok: boolean; error?: string; stderr: string; ports: number[] };
          if (r.done) return resolve();
          const { file, ...result } = r;
          results.set(files.get(file)!, result);
        }
      });
      runner!.once('exit', (code) => reject(new Error(`the sample runner exited with ${code}:\n${stderr}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (runner && runner.exitCode === null && runner.signalCode === null) {
      const exited = new Promise((r) => runner!.once('exit', r));
      runner.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    await database?.drop(); // WITH (FORCE): also ends what the killed samples left connected
  });

  it('has some of each', () => {
    expect(programs.length).toBeGreaterThanOrEqual(3);
    expect(servers.length).toBeGreaterThanOrEqual(5);
  });

  /** Nothing on stderr, except pcloud's one start-up notice when PCLOUD_DIGEST_KEY is unset (said once). */
  const expectedStderr = (b: Block) =>
    /PCLOUD_DIGEST_KEY/.test(b.code) ? '@authmount/pcloud: digest login is off: digest.key is not set (getdigest answers 2237)\n' : '';

  it.each(rows(programs))('$name completes', ({ b }) => {
    expect(results.get(b)).toEqual({ ok: true, stderr: expectedStderr(b), ports: [] });
  });

  it.each(rows(servers))('$name starts and answers', async ({ b }) => {
    const r = results.get(b)!;
    expect({ ...r, ports: r.ports.length }).toEqual({ ok: true, stderr: expectedStderr(b), ports: 1 });
    const base = `http://127.0.0.1:${r.ports[0]}`;
    const first = FIRST_REQUEST[b.doc];
    if (first && !/oauth|storeClients/.test(b.code)) await first(base);
    else expect((await fetch(`${base}/no-such-route`)).status).toBe(404); // up, and the app's own 404 answers
  });
});

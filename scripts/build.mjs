#!/usr/bin/env node
// Builds every workspace package into its own dist/:
//   dist/<entry>.js    CommonJS bundle    (exports "require")
//   dist/<entry>.mjs   ES module bundle   (exports "import")
//   dist/**/*.d.ts     declarations, one per source file (exports "types")
// One bundle per entry of the package's `exports` map ("." → index, "./conformance" → conformance/index).
// Every bare import stays an import (express, ioredis, argon2, and each @authmount/* package, so an app
// holds one shared @authmount/core); the build fails if a package imports something it does not declare.
//
//   npm run build                           every package
//   AUTHMOUNT_BUILD=core,express npm run build   only those (declarations are still checked for all)
//
// esbuild bundles (it is already here for tsx) and tsc emits the declarations; nothing else is needed.
// Inside the monorepo nothing reads dist/: jest, tsc and tsx all use packages/*/src through `paths`.
import { execFileSync } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const only = process.env.AUTHMOUNT_BUILD?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** `exports` subpaths → entry names: "." → "index", "./conformance" → "conformance/index". */
function entriesOf(pkg) {
  return Object.keys(pkg.exports ?? { '.': null })
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? 'index' : `${k.slice(2)}/index`));
}

/** "@scope/name/sub" → "@scope/name"; "name/sub" → "name". */
const packageName = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

// Every bare specifier is external. A plugin (not esbuild's `external`) so the check runs before
// tsconfig `paths` could resolve @authmount/* to a sibling's sources and inline it.
const externals = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
  },
};

const dirs = readdirSync(path.join(root, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(root, 'packages', d.name, 'package.json')))
  .map((d) => d.name)
  .filter((d) => !only || only.includes(d));

const jobs = [];
for (const dir of dirs) {
  const pkgDir = path.join(root, 'packages', dir);
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const entries = entriesOf(pkg);
  const missing = entries.map((e) => path.join(pkgDir, 'src', `${e}.ts`)).filter((f) => !existsSync(f));
  if (missing.length > 0) {
    console.warn(`[build] skipped ${pkg.name}: missing ${missing.map((f) => path.relative(root, f)).join(', ')}`);
    continue;
  }
  jobs.push({ dir, pkgDir, pkg, entries });
}

// 1. Declarations for all packages in one tsc run (type errors fail the build: they would ship wrong types).
const typesOut = mkdtempSync(path.join(os.tmpdir(), 'authmount-types-'));
try {
  const tsc = require.resolve('typescript/bin/tsc');
  try {
    execFileSync(
      process.execPath,
      [
        tsc,
        '-p',
        path.join(root, 'tsconfig.build.json'),
        '--declaration',
        '--emitDeclarationOnly',
        '--rootDir',
        path.join(root, 'packages'),
        '--outDir',
        typesOut,
      ],
      { stdio: 'inherit', cwd: root },
    );
  } catch {
    console.error('[build] tsc reported errors in packages/*/src (above)');
    process.exitCode = 1;
  }

  // 2. Bundles, then the declarations and the license into each dist/.
  const undeclared = [];
  await Promise.all(
    jobs.map(async ({ dir, pkgDir, pkg, entries }) => {
      const dist = path.join(pkgDir, 'dist');
      rmSync(dist, { recursive: true, force: true });
      const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
      for (const format of ['cjs', 'esm']) {
        const result = await build({
          entryPoints: Object.fromEntries(entries.map((e) => [e, path.join(pkgDir, 'src', `${e}.ts`)])),
          outdir: dist,
          outExtension: { '.js': format === 'esm' ? '.mjs' : '.js' },
          bundle: true,
          format,
          platform: 'node',
          target: 'node20',
          plugins: [externals],
          metafile: true,
          logLevel: 'warning',
          tsconfig: path.join(root, 'tsconfig.build.json'),
        });
        for (const out of Object.values(result.metafile.outputs)) {
          for (const imp of out.imports) {
            if (!imp.external || builtins.has(imp.path)) continue;
            const name = packageName(imp.path);
            if (name !== pkg.name && !declared.has(name)) undeclared.push(`${pkg.name} imports "${imp.path}" but does not declare ${name}`);
          }
        }
      }
      const types = path.join(typesOut, dir, 'src');
      if (existsSync(types)) cpSync(types, dist, { recursive: true });
      copyFileSync(path.join(root, 'LICENSE'), path.join(dist, 'LICENSE'));
      console.log(`[build] ${pkg.name} → ${path.relative(root, dist)}`);
    }),
  );
  for (const u of [...new Set(undeclared)]) console.error(`[build] ${u} in package.json (dependencies or peerDependencies)`);
  if (undeclared.length > 0) process.exitCode = 1;
} finally {
  rmSync(typesOut, { recursive: true, force: true });
}

#!/usr/bin/env node
// `npm run pack`: builds every package and writes its tarball into ONE folder (default `packed/`), so an app
// can install authmount before it is published, with the one line each README shows:
//
//   npm install express ../authmount/packed/authmount-{core,store-memory,express}-0.1.0.tgz
//
// The packages depend on each other at exactly their shared version; installing the tarballs a README names
// together (never one alone) lets npm find each @authmount dependency among them instead of the registry.
//
//   node scripts/pack.mjs [--dest <folder>] [--no-build] [--json]
//     --no-build  pack what packages/*/dist holds (the existing-app test builds what is stale first)
//     --json      print npm pack's JSON report only (for tests)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const destArg = args.indexOf('--dest');
const dest = path.resolve(destArg >= 0 ? args[destArg + 1] : path.join(root, 'packed'));
const json = flag('--json');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

if (!flag('--no-build'))
  execFileSync(npm, ['run', 'build', '--silent'], { cwd: root, stdio: json ? ['ignore', 'ignore', 'inherit'] : 'inherit' });

mkdirSync(dest, { recursive: true });
// Old tarballs of another version would sit beside the new ones and invite a mixed install.
for (const f of readdirSync(dest)) if (/^authmount-.*\.tgz$/.test(f)) rmSync(path.join(dest, f));

const out = execFileSync(npm, ['pack', '--workspaces', '--ignore-scripts', '--json', '--loglevel=error', '--pack-destination', dest], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
if (json) {
  process.stdout.write(out);
} else {
  const packed = JSON.parse(out);
  console.log(`[pack] ${packed.length} tarballs in ${path.relative(process.cwd(), dest) || '.'}/:`);
  for (const p of packed) console.log(`  ${p.filename}`);
  const v = packed[0]?.version;
  console.log(
    `\nIn your app (see each package's README for the set it needs):\n  npm install express ${dest}/authmount-{core,store-memory,express}-${v}.tgz`,
  );
}

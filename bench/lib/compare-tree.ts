import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from './registry';

/** A source tree whose servers the bench runs: this one, or another commit's library code. */
export interface Tree {
  /** Suffix of its run names: '' for this tree, '@<short sha>' for a compared commit. */
  suffix: string;
  root: string;
  /** The ref as given and the commit it named (compared trees only). */
  ref?: string;
  sha?: string;
}

export const THIS_TREE: Tree = { suffix: '', root: ROOT };

/**
 * The library code of `ref` (its `packages/`, from `git archive`, so no worktree or branch is touched)
 * beside THIS tree's bench (harness, server definitions, tsconfig), in a folder under the system's temp
 * directory; `node_modules` is a link to this tree's. So a compared run differs from the current one only
 * in the code under packages/. Its @authmount/* imports resolve to its own packages/*\/src through
 * tsconfig `paths` (tsx); the harness checks which tree it loaded (`libRoot`).
 */
export function prepareTree(ref: string): Tree {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const root = path.join(tmpdir(), `authmount-bench-${sha.slice(0, 12)}`);
  if (!existsSync(path.join(root, 'packages'))) {
    mkdirSync(root, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', sha, 'packages'], { cwd: ROOT, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', root], { input: tar });
  }
  rmSync(path.join(root, 'bench'), { recursive: true, force: true });
  cpSync(path.join(ROOT, 'bench'), path.join(root, 'bench'), {
    recursive: true,
    filter: (src) => !src.startsWith(path.join(ROOT, 'bench', 'results')),
  });
  cpSync(path.join(ROOT, 'tsconfig.json'), path.join(root, 'tsconfig.json'));
  if (!existsSync(path.join(root, 'node_modules'))) symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  return { suffix: `@${sha.slice(0, 7)}`, root, ref, sha };
}

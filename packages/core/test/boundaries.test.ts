// The layering rule of `npm run lint` (eslint.config.mjs, eslint-plugin-boundaries): it must fail on
// a wrong import and pass on the tree. ESLint loads its flat config with a dynamic import(), which
// jest's module sandbox does not allow, so ESLint's API runs in a child Node process.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

interface Finding {
  file: string;
  line: number;
  ruleId: string | null;
  message: string;
}

// Reports the layering rule's findings and any fatal (parse) error, so a broken fixture cannot
// pass as "no finding".
const RUNNER = `
import { ESLint } from 'eslint';
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { texts, files } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const eslint = new ESLint({ cwd: process.cwd() });
const pick = (r) =>
  r.messages
    .filter((m) => m.ruleId === 'boundaries/dependencies' || m.fatal)
    .map((m) => ({ file: r.filePath, line: m.line, ruleId: m.ruleId, message: m.message }));
const out = { texts: [], files: [], filesLinted: 0 };
for (const t of texts) out.texts.push(pick((await eslint.lintText(t.code, { filePath: t.filePath }))[0]));
if (files.length > 0) {
  const results = await eslint.lintFiles(files);
  out.filesLinted = results.length;
  out.files = results.flatMap(pick);
}
process.stdout.write(JSON.stringify(out));
`;

function lint(texts: Array<{ filePath: string; code: string }>, files: string[] = []) {
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', RUNNER], {
    cwd: ROOT,
    input: JSON.stringify({ texts: texts.map((t) => ({ ...t, filePath: path.join(ROOT, t.filePath) })), files }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as { texts: Finding[][]; files: Finding[]; filesLinted: number };
}

/** [file the import is written in, the import, what the report must say] */
const WRONG: Array<[string, string, RegExp]> = [
  // core imports no other package: by name, as a type, dynamically, re-exported, TS-style, or by path.
  [
    'packages/core/src/bad.ts',
    "import { createAuth } from '@authmount/express';",
    /@authmount\/core may import no other @authmount package/,
  ],
  [
    'packages/core/src/bad.ts',
    "import type { AuthStore } from '@authmount/store-memory';",
    /@authmount\/core may import no other @authmount package/,
  ],
  [
    'packages/core/src/bad.ts',
    "export async function f() { return import('@authmount/express'); }",
    /@authmount\/core may import no other @authmount package/,
  ],
  ['packages/core/src/bad.ts', "export * from '@authmount/pcloud';", /@authmount\/core may import no other @authmount package/],
  [
    'packages/core/src/bad.ts',
    "import express = require('@authmount/express');",
    /@authmount\/core may import no other @authmount package/,
  ],
  [
    'packages/core/src/bad.ts',
    "export type Auth = typeof import('@authmount/express');",
    /@authmount\/core may import no other @authmount package/,
  ],
  [
    'packages/core/src/nested/bad.ts',
    "const e = require('../../../express/src/index');",
    /by its name, not by a path into packages\/express/,
  ],
  ['packages/core/src/bad.ts', "import { FAST_HASHING } from '../../../test-support/fast';", /must not import tests, test-support/],
  // Stores import only core.
  [
    'packages/store-redis/src/bad.ts',
    "import { memoryStore } from '@authmount/store-memory';",
    /@authmount\/store-redis may import only @authmount\/core /,
  ],
  ['packages/store-memory/src/bad.ts', "import { createAuth } from '@authmount/express';", /@authmount\/store-memory may import only/],
  // Express imports core and the memory store, no protocol and no other store.
  ['packages/express/src/bad.ts', "import { pcloud } from '@authmount/pcloud';", /@authmount\/express may import only/],
  ['packages/express/src/bad.ts', "import { redisStore } from '@authmount/store-redis';", /@authmount\/express may import only/],
  // Protocols import core and express, never each other or a store.
  ['packages/pcloud/src/bad.ts', "import { cbToken } from '@authmount/cb-token';", /@authmount\/pcloud may import only/],
  ['packages/pcloud/src/bad.ts', "import { redisStore } from '@authmount/store-redis';", /@authmount\/pcloud may import only/],
  [
    'packages/x-auth-bearer/src/bad.ts',
    "import { memoryStore } from '@authmount/store-memory';",
    /@authmount\/x-auth-bearer may import only/,
  ],
  ['packages/cb-token/src/bad.ts', "import { xAuthBearer } from '@authmount/x-auth-bearer';", /@authmount\/cb-token may import only/],
  // Nobody reaches into another package's files by path: tests, bench, examples, test-support.
  [
    'packages/pcloud/test/bad.test.ts',
    "import { createAuth } from '../../express/src/index';",
    /by its name, not by a path into packages\/express/,
  ],
  ['packages/pcloud/test/bad.test.ts', "import { cbToken } from '@authmount/cb-token';", /packages\/pcloud\/test may import only/],
  [
    'bench/servers/bad.ts',
    "import { CB_MARK } from '../../packages/cb-token/src/guard';",
    /by its name, not by a path into packages\/cb-token/,
  ],
  ['examples/quickstart/bad.ts', "import { AuthError } from '../../packages/core/src';", /by its name, not by a path into packages\/core/],
  ['jest.bad.ts', "import { AuthError } from './packages/core/src/errors';", /by its name, not by a path into packages\/core/],
  [
    'test-support/bad.ts',
    "import { memoryStore } from '../packages/store-memory/src/index';",
    /by its name, not by a path into packages\/store-memory/,
  ],
];

/** The same files importing what they may: no finding (shows the rule does not flag everything). */
const ALLOWED: Array<[string, string]> = [
  ['packages/core/src/bad.ts', "import { TokenService } from './tokens';\nimport { nistPolicy } from './password-policy';"],
  [
    'packages/core/test/bad.test.ts',
    "import { nistPolicy } from '../src/password-policy';\nimport { memoryStore } from '@authmount/store-memory';",
  ],
  ['packages/store-redis/src/bad.ts', "import { AuthError } from '@authmount/core';\nimport { Redis } from 'ioredis';"],
  ['packages/express/src/bad.ts', "import { AuthError } from '@authmount/core';\nimport { memoryStore } from '@authmount/store-memory';"],
  ['packages/pcloud/src/bad.ts', "import { AuthError } from '@authmount/core';\nimport { createAuth } from '@authmount/express';"],
  [
    'packages/x-auth-bearer/test/bad.test.ts',
    "import { redisStore } from '@authmount/store-redis';\nimport { xAuthBearer } from '../src/index';\nimport { FAST_HASHING } from '../../../test-support/fast';",
  ],
  ['bench/servers/bad.ts', "import { cbToken } from '@authmount/cb-token';\nimport { pcloud } from '@authmount/pcloud';"],
];

describe('layering rule (eslint-plugin-boundaries in npm run lint)', () => {
  // One child process for every case: loading ESLint and the TypeScript resolver is the slow part.
  let result: ReturnType<typeof lint>;
  beforeAll(() => {
    result = lint(
      [...WRONG, ...ALLOWED].map(([filePath, code]) => ({ filePath, code: `${code}\n` })),
      ['packages/*/src/**/*.ts'],
    );
  }, 120_000);

  const title = (code: string) => code.replace(/\n/g, ' ');

  it.each(WRONG.map(([file, code, expected], i) => [i, file, title(code), expected] as const))(
    '#%i %s: %s is refused',
    (i, _f, _c, expected) => {
      const findings = result.texts[i];
      expect(findings).toHaveLength(1);
      expect(findings[0].ruleId).toBe('boundaries/dependencies');
      expect(findings[0].message).toMatch(expected);
    },
  );

  it.each(ALLOWED.map(([file, code], i) => [WRONG.length + i, file, title(code)] as const))('#%i %s: %s is allowed', (i) => {
    expect(result.texts[i]).toEqual([]);
  });

  it('passes on every package source file of the tree', () => {
    expect(result.filesLinted).toBeGreaterThan(50);
    expect(result.files).toEqual([]);
  });
});

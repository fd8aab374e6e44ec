import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describeStoreConformance, type TestRunner } from '@authmount/core/conformance';
import { memoryStore } from '../src';

const ROOT = path.resolve(__dirname, '../../..');
const FILE = path.join(__dirname, 'conformance.node-test.ts');

/** The names of the tests the suite defines, collected by a runner that only records them. */
function definedTests(): string[] {
  const names: string[] = [];
  const recorder: TestRunner = {
    describe: (_name, fn) => fn(),
    it: (name) => names.push(name),
    beforeEach: () => undefined,
    afterEach: () => undefined,
  };
  describeStoreConformance({ name: 'count', create: () => memoryStore({ sweepIntervalMs: 0 }), clients: true, runner: recorder });
  return names;
}

describe('the conformance suite under node:test', () => {
  it('runs the memory store suite in `node --test` (tsx as loader): every test defined, every one passed', async () => {
    const expected = definedTests();
    expect(expected.length).toBeGreaterThan(40); // the suite itself, not an empty shell
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', FILE], {
      cwd: ROOT,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`node --test failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
    });
    const summary = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(stdout)?.[1]);
    expect({ tests: summary('tests'), pass: summary('pass'), fail: summary('fail'), skipped: summary('skipped') }).toEqual({
      tests: expected.length,
      pass: expected.length,
      fail: 0,
      skipped: 0,
    });
    // The same tests by name: each reported `ok` at the test level (not a suite).
    const passed = [...stdout.matchAll(/^\s*ok \d+ - (.+)$/gm)].map((m) => m[1]);
    for (const name of expected) expect(passed).toContain(name);
  });
});

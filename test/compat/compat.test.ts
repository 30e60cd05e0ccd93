// The compatibility suite: every `case_*` function of
// test/compat/cases/*.py runs natively (python3 -X utf8, the oracle) and in
// the sandbox, and each case's result, output or exception must be the same,
// or be one of the documented differences (differences.ts, listed in
// runtime/README.md's compatibility table), exactly as documented.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SandboxPool } from '../../runtime/src/sandbox/index';
import { DIFFERENCES, type CaseResult } from './differences';
import { tempDir } from '../temp-dir';

const CASES = join(__dirname, 'cases');
const SDK = join(__dirname, '..', '..', 'python-sdk');
const ENV = { CAPSULE_COMPAT: 'yes' };
const files = readdirSync(CASES).filter((f) => /^[a-z]\w*\.py$/.test(f)).sort();
const pool = new SandboxPool({ spares: 2 });
after(() => pool.dispose());

type Results = Record<string, CaseResult>;

/** A private copy of the cases (data/ read-only, out/ writable on both sides). */
function project(): string {
  const dir = tempDir('capsule-compat-');
  cpSync(CASES, dir, { recursive: true });
  mkdirSync(join(dir, 'out'));
  return dir;
}

const RUNNER = `
import json, sys
sys.path[:0] = [sys.argv[1], '.']
from capsule import _registry
__import__(sys.argv[2])
print(json.dumps(_registry.TASKS["run"].func()))
`;

async function native(file: string): Promise<Results> {
  const dir = project();
  const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-X', 'utf8', '-c', RUNNER, SDK, file.replace(/\.py$/, '')], { cwd: dir, env: ENV, maxBuffer: 64 * 2 ** 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Results;
}

async function sandbox(file: string): Promise<Results> {
  const dir = project();
  const outcome = await pool.run({
    projectRoot: dir, file, taskName: 'run', args: [], kwargs: {}, fuel: 5e10, memoryLimitBytes: 512 * 2 ** 20, env: ENV,
    mounts: [{ hostPath: join(dir, 'data'), guestPath: '/project/data', readOnly: true }, { hostPath: join(dir, 'out'), guestPath: '/project/out', readOnly: false }],
  }, {}).outcome;
  if (!outcome.ok) throw new Error(`${file} failed in the sandbox: ${JSON.stringify(outcome.error)}`);
  return outcome.result as Results;
}

function caseNames(file: string): string[] {
  return [...readFileSync(join(CASES, file), 'utf8').matchAll(/^def case_(\w+)\(/gm)].map((m) => m[1]);
}

for (const file of files) {
  describe(`compat: ${file}`, () => {
    let nat: Results;
    let box: Results;
    before(async () => {
      [nat, box] = await Promise.all([native(file), sandbox(file)]);
    });
    for (const name of caseNames(file)) {
      const key = `${file.replace(/\.py$/, '')}.${name}`;
      const documented = DIFFERENCES[key];
      it(documented ? `${name} (documented difference)` : name, () => {
        assert.ok(nat[name] && box[name], `${key} did not run: native ${JSON.stringify(nat[name])}, sandbox ${JSON.stringify(box[name])}`);
        if (documented) {
          assert.deepEqual(box[name], documented.sandbox, `${key}: the sandbox no longer gives the documented result`);
          assert.notDeepEqual(nat[name], documented.sandbox, `${key}: native python3 now gives the same; drop the difference`);
        } else {
          assert.deepEqual(box[name], nat[name]);
        }
      });
    }
  });
}

describe('compat: documented differences', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'runtime', 'README.md'), 'utf8');
  const known = new Set(files.flatMap((f) => caseNames(f).map((n) => `${f.replace(/\.py$/, '')}.${n}`)));
  for (const [key, d] of Object.entries(DIFFERENCES)) {
    it(`${key} is a case and is in runtime/README.md's table with its exact error`, () => {
      assert.ok(known.has(key), `${key}: no such case`);
      assert.ok(readme.includes(`\`${key}\``), `${key} is missing from runtime/README.md`);
      if (d.sandbox.error) assert.ok(readme.includes(d.sandbox.error), `${key}: the README does not quote \`${d.sandbox.error}\``);
    });
  }
});

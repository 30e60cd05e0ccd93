// A task file CPython will not compile: `capsule run` and `capsule build` say what python3
// says (the oracle: native python3 compiling the same bytes), never "no @task function".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../temp-dir';

const BIN = resolve('bin/capsule.js');

function capsule(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, err: r.stderr };
}

/** What python3 itself says about the file: type, message, line, offset. */
function nativeVerdict(file: string): string {
  const r = spawnSync('python3', ['-I', '-c', 'import sys\ntry:\n compile(open(sys.argv[1],"rb").read(), sys.argv[1], "exec")\nexcept SyntaxError as e:\n print(f"{e.lineno}:{e.offset}: {type(e).__name__}: {e.msg}")', file], { encoding: 'utf8' });
  return r.stdout.trim();
}

const BROKEN: Record<string, string> = {
  'a missing colon': 'from capsule import task\n\n@task(name="main")\ndef main()\n    return 1\n',
  'an unclosed bracket': 'from capsule import task\n\n@task(name="main")\ndef main():\n    return [1, 2\n',
  'a bad indent': 'from capsule import task\n\n@task(name="main")\ndef main():\n    x = 1\n      return x\n',
  'a stray token before the task': 'from capsule import task\nx = = 1\n\n@task(name="main")\ndef main():\n    return 1\n',
};

for (const [what, source] of Object.entries(BROKEN)) {
  test(`a file with ${what}: run and build give python3's SyntaxError at its line:col`, () => {
    const dir = tempDir('capsule-syntax-');
    try {
      const file = join(dir, 'broken.py');
      writeFileSync(file, source);
      const native = nativeVerdict(file);
      assert.match(native, /^\d+:\d+: \w*Error: /, 'python3 refuses the file');
      for (const cmd of ['run', 'build']) {
        const r = capsule([cmd, 'broken.py'], dir);
        assert.equal(r.code, 2, r.err);
        assert.ok(r.err.includes(`broken.py:${native}`), `${cmd}: expected "${native}" in:\n${r.err}`);
        assert.doesNotMatch(r.err, /no @task function/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('without python3 to ask, the error is where tree-sitter found it, still not "no @task"', () => {
  const dir = tempDir('capsule-syntax-');
  try {
    writeFileSync(join(dir, 'broken.py'), BROKEN['a missing colon']!);
    const r = capsule(['run', 'broken.py'], dir, { CAPSULE_PYTHON: join(dir, 'no-such-python') });
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /broken\.py:\d+:\d+: SyntaxError: invalid syntax/);
    assert.doesNotMatch(r.err, /no @task function/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

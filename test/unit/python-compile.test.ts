// The python3 compile check the server and the CLI share (runtime/src/discovery/python-compile.ts):
// one long-lived python3 answers many questions in order; native python3 run once per source
// is the oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PythonCompile } from '../../runtime/src/discovery/python-compile';
import { PycacheCompiler } from '../../runtime/src/sandbox/pycache';
import { tempDir } from '../temp-dir';

const SOURCES = [
  'x = 1\n',
  'def f()\n    return 1\n',
  'for i in range(3):\nprint(i)\n',
  'return 1\n',
  'print("é")\n',
  'x = (1,\n',
  'def f(a, a):\n    pass\n',
  'async def f():\n    await g()\n',
];

/** What python3 says when asked alone. */
function oracle(source: string, path: string): unknown {
  const out = execFileSync('python3', ['-I', '-c', `import sys, json
try:
    compile(sys.stdin.buffer.read(), sys.argv[1], "exec", dont_inherit=True)
    print("null")
except SyntaxError as e:
    print(json.dumps({"type": type(e).__name__, "message": e.msg, "line": e.lineno or 1, "column": e.offset or 1}))`, path], { input: source });
  return JSON.parse(String(out));
}

test('many questions at once get the answers python3 gives each alone, in order', async () => {
  const check = new PythonCompile();
  try {
    const asked = Array.from({ length: 40 }, (_, i) => SOURCES[i % SOURCES.length]!);
    const answers = await Promise.all(asked.map((s, i) => check.check(i % 2 ? Buffer.from(s) : s, `/p/f${i}.py`)));
    asked.forEach((s, i) => assert.deepEqual(answers[i], oracle(s, `/p/f${i}.py`), `question ${i}: ${JSON.stringify(s)}`));
    assert.ok(answers.some((a) => a === null) && answers.some((a) => a?.type === 'IndentationError'));
  } finally {
    check.dispose();
  }
});

test("a NUL byte gets python3's answer, and the next question its own", async () => {
  const check = new PythonCompile();
  try {
    assert.deepEqual(await check.check('x = 1\0\n', '/p/nul.py'), oracle('x = 1\0\n', '/p/nul.py'));
    assert.deepEqual(await check.check('def f(\n', '/p/next.py'), oracle('def f(\n', '/p/next.py'));
  } finally {
    check.dispose();
  }
});

test('without python3 the answer is undefined and why is said', async () => {
  const check = new PythonCompile(join('/nonexistent', 'python3'));
  assert.equal(await check.check('x = 1\n', '/p/a.py'), undefined);
  assert.match(check.unavailable ?? '', /not found/);
  assert.equal(await check.check('x = (\n', '/p/a.py'), undefined);
});

test('an idle python3 does not keep a process alive (a CLI run exits)', () => {
  const script = `const { PythonCompile } = require(${JSON.stringify(join(__dirname, '../../runtime/src/discovery/python-compile.ts'))});
new PythonCompile().check('x = (\\n', '/p/a.py').then((a) => console.log(JSON.stringify(a)));`;
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, 'the process did not exit within 60 s');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), oracle('x = (\n', '/p/a.py'));
});

/**
 * A python3 whose bytecode is not the sandbox's: the real one, with another MAGIC_NUMBER
 * and sys.executable set before it runs the script it is given (`-I -c SCRIPT`), as a 3.12 would have.
 */
function otherPython(): string {
  const dir = tempDir('capsule-otherpy-');
  const exe = join(dir, 'python3');
  writeFileSync(exe, `#!/bin/sh
exec python3 -I -c 'import sys, importlib.util; importlib.util.MAGIC_NUMBER = b"\\xcb\\r\\r\\n"; sys.executable = sys.argv[2]; exec(sys.argv[1])' "$3" "$0"
`);
  chmodSync(exe, 0o755);
  return exe;
}

test("a python3 that is not the sandbox's CPython is not asked, and both users of it say why", async () => {
  const exe = otherPython();
  const check = new PythonCompile(exe);
  assert.equal(await check.check('x = (\n', '/p/a.py'), undefined);
  assert.equal(check.unavailable, `${exe} is not CPython 3.11`);

  const src = join(tempDir('capsule-otherpy-src-'), 'm.py');
  writeFileSync(src, 'x = 1\n');
  const out = tempDir('capsule-otherpy-out-');
  const compiler = new PycacheCompiler(exe);
  compiler.add(join(out, 'cache'), [{ source: src, guest: '/project/m.py' }]);
  await compiler.idle();
  assert.equal(compiler.unavailable, `${exe} is not CPython 3.11`);
  assert.equal(existsSync(join(out, 'cache')), false, 'nothing was compiled');

  // The same sources with the real python3: the check answers and the cache is written.
  const real = new PycacheCompiler();
  real.add(join(out, 'cache'), [{ source: src, guest: '/project/m.py' }]);
  await real.idle();
  assert.equal(real.unavailable, null);
  assert.equal(existsSync(join(out, 'cache')), true);
});

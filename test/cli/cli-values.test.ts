// Values cross the sandbox boundary exactly: task results, `-- ARGS`, --args-file,
// sub-task arguments and results. The oracle is native python3 running the same
// task function on the same JSON: the two results must be equal, with the same
// types (3.0 stays a float, 2**64 an exact int).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('bin/capsule.js');
const SDK = resolve('python-sdk');

function capsule(args: string[], cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function project(): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-values-'));
  cpSync('test/cli/fixtures/values', dir, { recursive: true });
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** json.dumps of the task run natively on the same argument texts. */
function native(dir: string, task: string, argTexts: string[], kwargsText = '{}'): string {
  const script = `
import asyncio, importlib.util, inspect, json, sys
spec = importlib.util.spec_from_file_location("values", sys.argv[1])
mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
fn = getattr(mod, sys.argv[2])
value = fn(*[json.loads(a) for a in sys.argv[4:]], **json.loads(sys.argv[3]))
if inspect.isawaitable(value): value = asyncio.run(value)
print(json.dumps(value))
`;
  const r = spawnSync('python3', ['-c', script, join(dir, 'values.py'), task, kwargsText, ...argTexts], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: SDK } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Python decides: same value, same types all the way down (json.dumps tells 3 from 3.0). */
function assertSameInPython(sandboxEnvelope: string, nativeJson: string): void {
  const script = `
import json, sys
got = json.loads(sys.argv[1])["result"]
want = json.loads(sys.argv[2])
if json.dumps(got, sort_keys=True) != json.dumps(want, sort_keys=True):
    print("sandbox:", json.dumps(got, sort_keys=True)); print("native: ", json.dumps(want, sort_keys=True)); sys.exit(1)
`;
  const r = spawnSync('python3', ['-c', script, sandboxEnvelope, nativeJson], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
}

const ARGS = ['12345678901234567890', '1.0', '3', '-0.0', '2e5', '18446744073709551616', '[1, 2.50, {"a": 1e-7}]', '"Grüße ✓ 日本語 🎉"', 'true', 'null'];

test('a task result keeps big ints exact and floats floats; --json prints it exactly', () => {
  const p = project();
  try {
    const r = capsule(['run', 'values.py', '--task', 'consts', '--json'], p.dir);
    assert.equal(r.code, 0, r.err);
    assertSameInPython(r.out, native(p.dir, 'consts', []));
    // The envelope's text itself carries the digits (no float rounding, no 3 for 3.0).
    assert.match(r.out, /"2\*\*64": 18446744073709551616,/);
    assert.match(r.out, /"3\.0": 3\.0,/);
    const plain = capsule(['run', 'values.py', '--task', 'consts'], p.dir);
    assert.match(plain.out, /"2\*\*100": 1267650600228229401496703205376,/);
  } finally {
    p.done();
  }
});

test('-- ARGS reach the task exactly (and plain words as strings)', () => {
  const p = project();
  try {
    const r = capsule(['run', 'values.py', '--task', 'echo', '--json', '--', ...ARGS, 'Alice'], p.dir);
    assert.equal(r.code, 0, r.err);
    assertSameInPython(r.out, native(p.dir, 'echo', [...ARGS, '"Alice"']));
  } finally {
    p.done();
  }
});

test('--args-file reaches the task exactly', () => {
  const p = project();
  try {
    const kwargs = '{"n": 12345678901234567890, "x": 1.0, "deep": [[[2.0]]]}';
    writeFileSync(join(p.dir, 'args.json'), `{"args": [${ARGS.join(', ')}], "kwargs": ${kwargs}}`);
    const r = capsule(['run', 'values.py', '--task', 'echo', '--json', '--args-file', 'args.json'], p.dir);
    assert.equal(r.code, 0, r.err);
    assertSameInPython(r.out, native(p.dir, 'echo', ARGS, kwargs));
  } finally {
    p.done();
  }
});

test('sub-task arguments and results keep their values, sync and async', () => {
  const p = project();
  try {
    for (const task of ['via_subtask', 'via_async_subtask']) {
      const r = capsule(['run', 'values.py', '--task', task, '--json', '--', ...ARGS], p.dir);
      assert.equal(r.code, 0, `${task}: ${r.err}`);
      assertSameInPython(r.out, native(p.dir, task === 'via_subtask' ? 'echo' : 'async_echo', ARGS));
    }
  } finally {
    p.done();
  }
});

test('arguments JSON cannot carry, or malformed, are usage errors (exit 2) naming the argument', () => {
  const p = project();
  try {
    const cases: Array<[string[], RegExp]> = [
      [['[1,'], /task argument 1 \("\[1,"\): not valid JSON: the text ends where a value was expected at position 4/],
      [['1', '1e400'], /task argument 2 \("1e400"\): 1e400 is too large for a float/],
      [['{"a": 1,}'], /task argument 1 .*: not valid JSON/],
    ];
    for (const [args, message] of cases) {
      const r = capsule(['run', 'values.py', '--task', 'echo', '--', ...args], p.dir);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
      assert.equal(r.out, '');
    }
    writeFileSync(join(p.dir, 'bad.json'), '{"args": [1e400]}');
    const f = capsule(['run', 'values.py', '--task', 'echo', '--args-file', 'bad.json'], p.dir);
    assert.equal(f.code, 2);
    assert.match(f.err, /--args-file bad\.json: 1e400 is too large for a float/);
  } finally {
    p.done();
  }
});

test('non-ASCII text reaches the task intact: a granted environment variable, an argument, the output and the result', () => {
  const p = project();
  try {
    const text = 'Grüße ✓ 日本語 🎉';
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', GREETING: text };
    delete env.FORCE_COLOR;
    const r = spawnSync(process.execPath, [BIN, 'run', 'values.py', '--task', 'greeting', '--', JSON.stringify(text)], { cwd: p.dir, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const [printed, ...rest] = r.stdout.split('\n');
    assert.equal(printed, `${text} ${text}`);
    const native = spawnSync('python3', ['-c', 'import sys; print(len(sys.argv[1]))', text], { encoding: 'utf8' }).stdout.trim();
    assert.deepEqual(JSON.parse(rest.join('\n')), { env: text, arg: text, lengths: [Number(native), Number(native)] });
  } finally {
    p.done();
  }
});

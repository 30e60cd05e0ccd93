// How a task ends, through `capsule run --json` on the real sandbox, with native
// python3 as the oracle: sys.exit, tracebacks (the task's frames only, also as
// structured frames), values JSON cannot carry, the C-extension import guard, and
// syntax errors (a configuration error before the run, never retried).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Engine } from '../../runtime/src/engine/engine';
import { ConfigError } from '../../runtime/src/engine/errors';
import type { Envelope, LifecycleEvent, TraceFrame } from '../../runtime/src/engine/types';
import { tempDir } from '../temp-dir';

const BIN = resolve('bin/capsule.js');
const SDK = resolve('python-sdk');
const root = tempDir('capsule-outcomes-');
cpSync('test/fixtures/outcomes', root, { recursive: true });

function run(task: string, file = 'outcomes.py'): { code: number | null; env: Envelope | null; out: string; err: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [BIN, 'run', file, '--task', task, '--json'], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  let parsed: Envelope | null = null;
  try {
    parsed = JSON.parse(r.stdout) as Envelope;
  } catch {
    parsed = null;
  }
  return { code: r.status, env: parsed, out: r.stdout, err: r.stderr };
}

function python(script: string, ...args: string[]): string {
  const r = spawnSync('python3', ['-c', script, root, ...args], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: SDK, PYTHONDONTWRITEBYTECODE: '1' } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('sys.exit(0), sys.exit() and sys.exit(None) complete with a null result; other statuses fail with their status', () => {
  for (const task of ['exit_zero', 'exit_bare', 'exit_none']) {
    const r = run(task);
    assert.equal(r.code, 0, `${task}: ${r.err}`);
    assert.equal(r.env?.success, true);
    assert.equal(r.env?.result, null);
  }
  const three = run('exit_three');
  assert.equal(three.code, 1);
  assert.deepEqual([three.env?.error?.error_type, three.env?.error?.message], ['task_error', 'exited with status 3']);
  assert.equal(run('exit_text').env?.error?.message, 'fatal: no input');
});

/** A frame as both sides can name it: project files by path, the stdlib by file name (its directory differs). */
const comparable = (f: { file: string; line: number; name: string }): string =>
  `${f.file.includes('/python3.11/') ? `stdlib:${f.file.split('/').slice(-2).join('/')}` : f.file}:${f.line} in ${f.name}`;

test('a traceback shows the task\'s frames and the library frames below them, as python3 does, never the driver\'s', () => {
  const r = run('raises');
  assert.equal(r.code, 1);
  const error = r.env!.error!;
  assert.equal(error.message, 'JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)');
  assert.doesNotMatch(error.traceback!, /_guest\.py/);
  assert.match(error.traceback!, /^Traceback \(most recent call last\):\n  File "\/project\/outcomes\.py", line \d+, in raises\n/);
  // Native python3 running the same function: the same frames, in the same order.
  const native = JSON.parse(python(`
import json, os, sys, traceback
sys.path.insert(0, sys.argv[1])
import outcomes
try:
    outcomes.raises.__wrapped__()
except Exception as e:
    frames = traceback.extract_tb(e.__traceback__)[1:]
    print(json.dumps([{"file": os.path.relpath(f.filename, sys.argv[1]) if f.filename.startswith(sys.argv[1]) else f.filename, "line": f.lineno, "name": f.name, "source": f.line} for f in frames]))
`)) as TraceFrame[];
  const frames = error.frames!;
  assert.deepEqual(frames.map(comparable), native.map(comparable));
  // Project files are project-relative, with their source lines.
  assert.deepEqual(frames.filter((f) => !f.file.startsWith('/')), native.filter((f) => !f.file.startsWith('/')));
  assert.ok(frames.some((f) => f.file === 'pkg/util.py' && f.source === 'return json.loads(text)'));
  // The CLI prints it on failure.
  const plain = spawnSync(process.execPath, [BIN, 'run', 'outcomes.py', '--task', 'raises'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.match(plain.stderr, /File "\/project\/pkg\/util\.py", line 5, in parse\n    return json\.loads\(text\)\n/);
});

test('a sub-task\'s failure carries its frames to the caller', () => {
  const r = run('calls_raises');
  assert.equal(r.code, 0, r.err);
  const got = r.env!.result as { error_type: string; message: string; frames: TraceFrame[]; has_traceback: boolean };
  assert.equal(got.error_type, 'task_error');
  assert.equal(got.has_traceback, true);
  assert.deepEqual(got.frames.slice(0, 3).map((f) => [f.file, f.name]), [['outcomes.py', 'raises'], ['outcomes.py', 'step'], ['pkg/util.py', 'parse']]);
});

test('a result JSON cannot carry names its type and where it was, without driver frames', () => {
  const set = run('unsendable').env!.error!;
  assert.equal(set.message, "the task's return value cannot be sent as JSON: result['bad']['inner'] is a set, which JSON cannot carry (make it a list)");
  assert.equal(set.traceback, undefined);
  assert.match(run('nan').env!.error!.message, /result\[1\] is a float nan, which JSON cannot carry/);
});

test('the C-extension guard is a ModuleNotFoundError, and find_spec answers None, as for any missing package natively', () => {
  const native = JSON.parse(python(`
import importlib.util, json
out = {"find_spec": importlib.util.find_spec("capsule_no_such_package") is None}
try:
    import capsule_no_such_package
except ModuleNotFoundError:
    out["import"] = "ModuleNotFoundError"
print(json.dumps(out))
`)) as Record<string, unknown>;
  const r = run('guard');
  assert.equal(r.code, 0, r.err);
  const got = r.env!.result as Record<string, unknown>;
  assert.deepEqual({ find_spec: got.find_spec, import: got.import }, native);
  assert.match(String(got.message), /cannot import 'orjson': it is a C-extension package/);
});

test('a syntax error is a configuration error before the run, at the position python3\'s compile() gives, never retried', async () => {
  const cases: Record<string, string> = {
    'bad_colon.py': 'from capsule import task\n\n@task(name="main", max_retries=2)\ndef main(:\n    return 1\n',
    'bad_indent.py': 'from capsule import task\n\n@task(name="main", max_retries=2)\ndef main():\nreturn 1\n',
    'bad_cjk.py': 'from capsule import task\n\n@task(name="main", max_retries=2)\ndef main():\n    return "日本語" )\n',
  };
  for (const [file, source] of Object.entries(cases)) {
    writeFileSync(join(root, file), source);
    const want = JSON.parse(python(`
import json, sys
try:
    compile(open(sys.argv[2], "rb").read(), sys.argv[2], "exec", dont_inherit=True)
except SyntaxError as e:
    print(json.dumps([e.lineno, e.offset, "%s: %s" % (type(e).__name__, e.msg)]))
`, join(root, file))) as [number, number, string];
    const r = run('main', file);
    assert.equal(r.code, 2, `${file}: ${r.err}`);
    assert.equal(r.out, '');
    assert.match(r.err, new RegExp(`^${join(root, file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${want[0]}:${want[1]}: ${want[2].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`, 'm'));
    assert.doesNotMatch(r.err, /_guest\.py|Traceback/);
  }
  const engine = await Engine.create({ projectRoot: root, tracePath: null });
  try {
    const events: LifecycleEvent[] = [];
    const h = engine.start({ file: 'bad_colon.py', taskName: 'main' });
    h.onEvent((e) => events.push(e));
    await assert.rejects(h.result, (e: unknown) => e instanceof ConfigError && e.problems[0]!.line === 4 && e.problems[0]!.column === 10);
    assert.equal(events.filter((e) => e.type === 'running').length, 1, 'one attempt, not retried');
  } finally {
    await engine.dispose();
  }
});

test('recursion that runs out of ram is out_of_memory, not a crash or "exited the interpreter"', () => {
  const r = run('deep_recursion');
  assert.equal(r.code, 1);
  assert.equal(r.env?.error?.error_type, 'out_of_memory', JSON.stringify(r.env?.error));
  assert.match(r.env!.error!.message, /ram limit of 32 MB/);
});

test('memory that runs out first is reported as out_of_memory, even when freeing it then runs out of fuel', () => {
  // What filling memory costs, and what it costs with freeing the filled memory on top.
  const kept = run('bomb_kept').env!;
  const freed = run('bomb').env!;
  assert.equal(kept.error?.error_type, 'out_of_memory');
  assert.equal(freed.error?.error_type, 'out_of_memory');
  const fill = kept.execution.fuel_consumed;
  const total = freed.execution.fuel_consumed;
  assert.ok(total - fill > 100_000_000, `freeing cost ${total - fill}`);
  // A budget that covers the fill but runs out while the memory is freed.
  const budget = Math.round((fill + total) / 2);
  writeFileSync(join(root, 'bomb_budget.py'), `from capsule import task\n\n@task(name="main", compute="${budget}", ram="64MB")\ndef main():\n    xs = []\n    while True:\n        xs.append([len(xs)])\n`);
  const r = run('main', 'bomb_budget.py');
  assert.equal(r.env?.error?.error_type, 'out_of_memory', JSON.stringify(r.env?.error));
});

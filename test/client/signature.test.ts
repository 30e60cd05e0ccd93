// Arguments against a task's signature. Binding (count, names, duplicates, missing) is checked
// against python3's own inspect.signature(...).bind on the same def; annotations by their rules.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { parseSignature } from '../../server/src/signatures';
import { parseTaskArgs } from '../../runtime/src/values/task-args';
import { argsTemplate, checkArgs, fitsAnnotation, formatCall } from '../../client/src/runs/signature';
import { lastResultTitle, planLenses } from '../../client/src/lens-plan';
import { errorDetail, outcomeOf, outcomeText, usageText } from '../../client/src/runs/outcome';
import { parseTraceback, raisingFrame } from '../../client/src/runs/traceback';
import type { RunInfo } from '../../client/src/runs/model';

const DEFS = [
  'def add(a: int, b: int): pass',
  'def square(x=3): pass',
  'def f(a, /, b, *, c=1): pass',
  'def g(*args, **kw): pass',
  'def h(a, *rest, key): pass',
];
const CALLS = ['[]', '[1]', '[1, 2]', '[1, 2, 3]', '{"a": 1}', '{"a": 1, "b": 2}', '{"b": 2}', '{"args": [1], "kwargs": {"b": 2}}', '{"args": [1], "kwargs": {"a": 2}}', '{"x": 5}', '{"c": 1, "b": 2, "args": [0]}', '{"args": [1, 2], "kwargs": {"key": 3}}', '{"zz": 1}'];

test('binding matches python3 inspect.signature().bind for every def and call', () => {
  const script = `
import inspect, json, sys
defs, calls = json.loads(sys.argv[1]), json.loads(sys.argv[2])
out = []
for d in defs:
    ns = {}
    exec(d, ns)
    fn = [v for k, v in ns.items() if callable(v)][0]
    row = []
    for c in calls:
        v = json.loads(c)
        if isinstance(v, list): a, k = v, {}
        elif set(v) and set(v) <= {"args", "kwargs"}: a, k = v.get("args", []), v.get("kwargs", {})
        else: a, k = [], v
        try:
            inspect.signature(fn).bind(*a, **k); row.append(True)
        except TypeError:
            row.append(False)
    out.append(row)
print(json.dumps(out))`;
  const expected = JSON.parse(execFileSync('python3', ['-c', script, JSON.stringify(DEFS), JSON.stringify(CALLS)], { encoding: 'utf8' })) as boolean[][];
  DEFS.forEach((def, i) => {
    const name = /def (\w+)/.exec(def)![1]!;
    const params = parseSignature(def, name, 0)!;
    CALLS.forEach((call, j) => {
      const parsed = parseTaskArgs(call, 'Arguments');
      assert.ok(parsed.ok);
      // Annotations are checked separately: only the binding is compared here.
      const problem = checkArgs(name, params.map((p) => ({ ...p, annotation: undefined })), { args: parsed.args, kwargs: parsed.kwargs });
      assert.equal(problem === undefined, expected[i]![j], `${def} with ${call}: ${problem ?? 'accepted'}`);
    });
  });
});

test('annotations: int, float, str, bool, list, dict, Optional; unknown ones accept anything', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['int', 3, true], ['int', 3.5, false], ['int', true, false], ['int', '3', false],
    ['float', 3, true], ['float', 2.5, true], ['str', 'x', true], ['str', 1, false],
    ['bool', false, true], ['bool', 0, false], ['list[int]', [1], true], ['List[str]', {}, false],
    ['dict', {}, true], ['Dict[str, int]', [], false], ['Optional[int]', null, true], ['Optional[int]', 2, true],
    ['int | None', null, true], ['Optional[int]', 'x', false], ['MyModel', { any: 1 }, true], ['"int"', 1, true],
  ];
  for (const [a, v, ok] of cases) assert.equal(fitsAnnotation(v, a), ok, `${JSON.stringify(v)} for ${a}`);
  const params = parseSignature('def add(a: int, b: int): pass', 'add', 0)!;
  assert.equal(checkArgs('add', params, { args: [1, 'x'], kwargs: {} }), '"b" is annotated int, but "x" is a str');
  assert.equal(checkArgs('add', params, { args: [1], kwargs: {} }), 'add() is missing "b" (int)');
  assert.equal(checkArgs('add', params, { args: [1], kwargs: { c: 2 } }), 'add() has no parameter "c"; its parameters are "a", "b"');
});

test('the box starts from the last arguments, else from the signature', () => {
  const params = parseSignature('def t(a: int, b: str = "hi", c: Optional[list] = None, *, d: bool = True, e=object()): pass', 't', 0)!;
  assert.equal(argsTemplate(params), '{"a":0,"b":"hi","c":null,"d":true,"e":null}');
  assert.equal(argsTemplate(params, '{"a": 7}'), '{"a": 7}');
  assert.equal(argsTemplate(parseSignature('def p(x: float, /, y=2): pass', 'p', 0)!), '{"args":[0],"kwargs":{"y":2}}');
  assert.equal(argsTemplate([]), '');
});

test('calls read as Python: add(2, 3), square(x=3)', () => {
  assert.equal(formatCall('add', { args: [2, 3], kwargs: {} }), 'add(2, 3)');
  assert.equal(formatCall('square', { args: [], kwargs: { x: 3 } }), 'square(x=3)');
  assert.equal(formatCall('f', { args: [null, true, 'a'], kwargs: { o: { k: [1] } } }), 'f(None, True, "a", o={"k": [1]})');
  assert.equal(formatCall('long', { args: ['x'.repeat(100)], kwargs: {} }, 20).length, 20);
});

test('each failure kind has its own wording, said once; cancel is not an error', () => {
  const kind = (state: string, errorType: string, message: string) => outcomeOf({ state, error: { errorType, message } });
  assert.equal(kind('interrupted', 'task_error', 'interrupted: the task was cancelled before it finished'), 'cancelled');
  assert.equal(kind('interrupted', 'interrupted', 'interrupted: the process running it (pid 4) ended before the task did'), 'interrupted');
  assert.equal(kind('failed', 'out_of_fuel', 'x'), 'out_of_fuel');
  assert.equal(kind('timed_out', 'timeout', 'x'), 'timeout');
  assert.equal(outcomeText({ state: 'failed', error: { errorType: 'out_of_fuel', message: 'out_of_fuel: out of fuel: budget 100M used' } }), 'out of fuel: budget 100M used');
  assert.equal(outcomeText({ state: 'interrupted', error: { errorType: 'task_error', message: 'interrupted: the task was cancelled before it finished' } }), 'cancelled: the task was cancelled before it finished');
  assert.equal(errorDetail('task_error', "KeyError: 'missing'\nmore"), "KeyError: 'missing'");
  assert.equal(usageText({ durationMs: 12, fuelConsumed: 1_300_000, peakMemoryBytes: 8 << 20 }, { fuel: 100_000_000, memoryLimitBytes: 64 << 20, timeoutMs: null }), '12 ms · fuel 1.3M / 100M · ram 8 MB / 64 MB');
});

test('tracebacks: frames from the text, project files relative, the raising line is the innermost project frame', () => {
  const tb = `Traceback (most recent call last):
  File "/capsule/sdk/capsule/_guest.py", line 292, in main
    outcome = _encode_result(_call_task(spec))
  File "/project/tasks.py", line 12, in add
    return helper(a)
  File "/project/lib/util.py", line 21, in helper
    return d['missing']
           ~^^^^^^^^^^^
  File "/usr/local/lib/python311.zip/json/__init__.py", line 3, in loads
KeyError: 'missing'`;
  const frames = parseTraceback(tb);
  assert.deepEqual(frames.map((f) => [f.file, f.line, f.name]), [['/capsule/sdk/capsule/_guest.py', 292, 'main'], ['tasks.py', 12, 'add'], ['lib/util.py', 21, 'helper'], ['/usr/local/lib/python311.zip/json/__init__.py', 3, 'loads']]);
  assert.equal(frames[2]!.source, "return d['missing']");
  assert.deepEqual(raisingFrame(frames), frames[2]);
});

test('lenses: "⚠ can\'t run" for a config error, "Running… | ■ Cancel" while running, a clickable last result', () => {
  const server = [
    { title: '▶ Run task', command: 'capsule.runTask', args: [{}] },
    { title: 'Run with arguments…', command: 'capsule.runTaskWithArgs', args: [{}] },
    { title: 'LOW fuel 100M · 64 MB · 30 s', command: '' },
    { title: '✓ 3 ms · fuel 1M · 8 MB', command: '' },
  ];
  assert.deepEqual(planLenses({ server: [...server.slice(0, 2), { title: '⚠ config errors', command: '' }], configError: true }).map((l) => l.title), ["⚠ can't run"]);
  const run = { id: 'r', runId: 'r', taskName: 'add', file: 'tasks.py', state: 'running', createdAt: 0, attempts: [], children: [] } as RunInfo;
  const running = planLenses({ server, configError: false, running: run });
  assert.deepEqual(running.map((l) => l.title), ['$(sync~spin) Running…', '■ Cancel']);
  assert.equal(running[1]!.command, 'capsule.cancelRun');
  const done = { ...run, state: 'completed', durationMs: 3, fuelConsumed: 1_300_000, resultJson: '5' } as RunInfo;
  const idle = planLenses({ server, configError: false, last: done, limits: { fuel: 100_000_000, memoryLimitBytes: 1, timeoutMs: null } });
  assert.deepEqual(idle.map((l) => l.title), ['▶ Run task', 'Run with arguments…', 'LOW fuel 100M · 64 MB · 30 s', '✓ → 5 · 3 ms · fuel 1.3M / 100M']);
  assert.deepEqual([idle[3]!.command, idle[3]!.args], ['capsule.showRunDetails', ['r']]);
  assert.equal(lastResultTitle({ ...run, state: 'interrupted', error: { errorType: 'task_error', message: 'interrupted: the task was cancelled before it finished' } }), '⊘ cancelled: the task was cancelled before it finished');
});

test('lenses: with a queue set, "Run on queue" follows "Run task" with the same runnable; without one, it is not there', () => {
  const runnable = { uri: 'file:///w/tasks.py', taskName: 'add' };
  const server = [
    { title: '▶ Run task', command: 'capsule.runTask', args: [runnable] },
    { title: 'Run with arguments…', command: 'capsule.runTaskWithArgs', args: [runnable] },
  ];
  const queued = planLenses({ server, configError: false, queue: 'redis://10.0.0.5:6379/0' });
  assert.deepEqual(queued.map((l) => l.command), ['capsule.runTask', 'capsule.runTaskOnQueue', 'capsule.runTaskWithArgs']);
  assert.equal(queued[1]!.title, '$(cloud-upload) Run on queue');
  assert.deepEqual(queued[1]!.args, [runnable]);
  assert.match(queued[1]!.tooltip ?? '', /redis:\/\/10\.0\.0\.5:6379\/0 \(capsule\.queue\.url\)/);
  assert.deepEqual(planLenses({ server, configError: false }).map((l) => l.command), ['capsule.runTask', 'capsule.runTaskWithArgs']);
  // A task that cannot run gets no queue lens either.
  assert.deepEqual(planLenses({ server: [...server, { title: '⚠ config errors', command: '' }], configError: true, queue: 'redis://h:1/0' }).map((l) => l.title), ["⚠ can't run"]);
});

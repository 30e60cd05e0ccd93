// Static discovery with the real tree-sitter parser: every decorator spelling, tasks
// that are not capsule's, literal values with spans, and duplicates across files.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverTasks, initParser, TaskNames, type DiscoveredTask } from '../../runtime/src/discovery/index';
import type { Parser } from '../../runtime/src/discovery/parser';

let parser: Parser;
before(async () => {
  parser = await initParser();
});

const names = (src: string) => discoverTasks(src, { parser }).map((t) => t.functionName);

test('every spelling of capsule\'s decorator is found', () => {
  assert.deepEqual(names('from capsule import task\n@task(compute="LOW")\ndef a(): pass\n@task\ndef b(): pass\n@task()\nasync def c(): pass\n'), ['a', 'b', 'c']);
  assert.deepEqual(names('import capsule\n@capsule.task(ram="1GB")\ndef a(): pass\n@capsule.task\ndef b(): pass\n'), ['a', 'b']);
  assert.deepEqual(names('from capsule import task as t\n@t(timeout="5s")\ndef a(): pass\n@t\ndef b(): pass\n'), ['a', 'b']);
  assert.deepEqual(names('import capsule as c\n@c.task\ndef a(): pass\n'), ['a']);
  assert.deepEqual(names('from capsule import *\n@task\ndef a(): pass\n'), ['a']);
  // Stacked decorators: capsule's is found among others.
  assert.deepEqual(names('import functools\nfrom capsule import task\n@functools.cache\n@task\ndef a(): pass\n'), ['a']);
});

test('a task that is not capsule\'s is left alone', () => {
  assert.deepEqual(names('from celery import task\n@task(ram="lots")\ndef a(): pass\n'), []);
  assert.deepEqual(names('def task(f): return f\n@task\ndef a(): pass\n'), []);
  assert.deepEqual(names('task = lambda f: f\n@task\ndef a(): pass\n'), []);
  assert.deepEqual(names('import invoke\n@invoke.task\ndef a(): pass\n'), []);
  assert.deepEqual(names('from capsule import task as t\nfrom other import task\n@task\ndef a(): pass\n@t\ndef b(): pass\n'), ['b']);
  // A star import from another module may bring its own `task`: not ours, and no "not imported" error.
  assert.deepEqual(discoverTasks('from fabric.api import *\n@task\ndef deploy(): pass\n', { parser }), []);
  assert.deepEqual(discoverTasks('task, other = (lambda f: f), 1\n@task\ndef a(): pass\n', { parser }), []);
  assert.deepEqual(discoverTasks('for task in range(3):\n    pass\n@task\ndef a(): pass\n', { parser }), []);
  assert.deepEqual(discoverTasks('from contextlib import nullcontext as cm\nwith cm() as task:\n    @task\n    def a(): pass\n', { parser }), []);
});

test('the second audit\'s spellings and bindings: what Python binds at the decorator decides', () => {
  const imp = 'from capsule import task\n';
  assert.deepEqual(names(`${imp}@(task)(compute="LOW")\ndef a(): pass\n`), ['a'], 'a parenthesised decorator (PEP 614)');
  assert.deepEqual(names('import capsule.http\n@capsule.task\ndef a(): pass\n'), ['a'], 'import capsule.http binds capsule');
  assert.deepEqual(names('import capsule.http as h\n@h.task\ndef a(): pass\n'), [], 'h is the submodule');
  assert.deepEqual(names('try:\n    from capsule import task\nexcept ImportError:\n    def task(f): return f\n@task\ndef a(): pass\n'), ['a'], 'the ImportError fallback');
  assert.deepEqual(names(`${imp}from os.path import *\n@task\ndef a(): pass\n`), [], 'a later star import may rebind task');
  assert.deepEqual(names(`${imp}del task\n@task\ndef a(): pass\n`), []);
  assert.deepEqual(names(`${imp}try:\n    pass\nexcept OSError as task:\n    pass\n@task\ndef a(): pass\n`), []);
  assert.deepEqual(names(`${imp}if (task := print):\n    pass\n@task\ndef a(): pass\n`), []);
  assert.deepEqual(names(`${imp}match 1:\n    case task:\n        pass\n@task\ndef a(): pass\n`), []);
  assert.deepEqual(names(`${imp}task.x = 1\ntask.cache_clear()\n@task\ndef a(): pass\n`), ['a'], 'a change in place is no new binding');
  // In a function or class, the scope's own `task` (a parameter, a local) is not capsule's.
  assert.deepEqual(discoverTasks(`${imp}def outer(task):\n    @task(ram="1XB")\n    def a(): pass\n`, { parser }), []);
  assert.deepEqual(discoverTasks(`${imp}def outer(*task):\n    @task.x(ram="1XB")\n    def a(): pass\n`, { parser }), []);
  assert.deepEqual(discoverTasks(`${imp}def outer():\n    task = print\n    @task(ram="1XB")\n    def a(): pass\n`, { parser }), []);
  assert.deepEqual(discoverTasks(`${imp}class C:\n    def task(f): return f\n    @task\n    def a(self): pass\n`, { parser }), []);
  assert.deepEqual(names(`${imp}def outer(x=task, y: task = None):\n    @task\n    def a(): pass\n`), ['a'], 'a default or annotation is no parameter named task');
  assert.deepEqual(names(`${imp}def outer():\n    from capsule import task\n    @task\n    def a(): pass\n`), ['a'], 'capsule\'s task imported in the body');
  const [inMatch] = discoverTasks(`${imp}match 1:\n    case 1:\n        @task\n        def a(): pass\n`, { parser });
  assert.equal(inMatch?.unreachable, 'a `match` case');
});

test('the binding in force at the decorator decides, as Python evaluates it', () => {
  // Rebound after the import: the later binding wins.
  assert.deepEqual(names('from capsule import task\ntask = print\n@task\ndef a(): pass\n'), []);
  // Bound to something else first, then imported from capsule.
  assert.deepEqual(names('task = print\nfrom capsule import task\n@task\ndef a(): pass\n'), ['a']);
  // No binding at all: ours, with the import to add.
  const [t] = discoverTasks('@task\ndef a(): pass\n', { parser }) as [DiscoveredTask];
  assert.equal(t.problems[0]!.message, '"task" is not imported; add "from capsule import task"');
  assert.equal(t.problems[0]!.fixes![0]!.newText, 'from capsule import task\n');
});

test('values are read as literals with spans; other expressions are errors', () => {
  const src = 'from capsule import task\n\n@task(name="n1", compute="HIGH", ram=f"{X}MB", timeout="1m" "30s", max_retries=3, allowed_hosts=["a.com", HOST], env_variables=("A",))\nasync def real_name(): pass\n';
  const [t] = discoverTasks(src, { parser }) as [DiscoveredTask];
  assert.equal(t.name, 'n1');
  assert.equal(t.functionName, 'real_name');
  assert.equal(t.isAsync, true);
  assert.deepEqual(t.nameSpan, { startIndex: src.indexOf('real_name'), endIndex: src.indexOf('real_name') + 9, start: { line: 3, column: 10 }, end: { line: 3, column: 19 } });
  assert.deepEqual(t.problems.map((p) => [p.severity, p.message, src.slice(p.span!.startIndex, p.span!.endIndex)]), [
    ['error', 'ram=f"{X}MB" is not a literal: the runtime reads @task\'s values before it runs the file, so write the value itself, e.g. ram="512MB" (a module-level constant assigned once to a literal, and never changed, also works)', 'f"{X}MB"'],
    ['error', 'allowed_hosts entry HOST is not a literal: the runtime reads @task\'s values before it runs the file, so write the value itself, e.g. allowed_hosts=["api.example.com"] (a module-level constant assigned once to a literal, and never changed, also works)', 'HOST'],
  ]);
  assert.equal(t.config, null);
  const compute = t.args.find((a) => a.name === 'compute')!;
  assert.equal(src.slice(compute.value.span!.startIndex, compute.value.span!.endIndex), '"HIGH"');
});

test('**kwargs: a constant dict passes its keys; anything else is an error, never the defaults', () => {
  const [t] = discoverTasks('from capsule import task\nopts = {"timeout": "2s", "compute": "LOW"}\n@task(**opts, ram="1GB")\ndef f(): pass\n', { parser }) as [DiscoveredTask];
  assert.deepEqual(t.problems, []);
  assert.deepEqual([t.config?.memoryLimitBytes, t.config?.timeoutMs, t.config?.compute], [1024 ** 3, 2000, 'LOW']);
  const [u] = discoverTasks('from capsule import task\nopts = make()\n@task(**opts)\ndef f(): pass\n', { parser }) as [DiscoveredTask];
  assert.deepEqual(u.problems.map((p) => p.severity), ['error']);
  assert.equal(u.config, null);
});

test('module-level constants assigned once to a literal are read; anything rebindable is not', () => {
  const cfg = (src: string) => discoverTasks(`from capsule import task\n${src}\ndef f(): pass\n`, { parser })[0]!;
  const ok = cfg('C = "LOW"\nT = "2s"\nR = "64" + "MB"\nH = ["api.example.com"]\n@task(compute=C, timeout=T, ram=R, allowed_hosts=H)');
  assert.deepEqual(ok.problems, []);
  assert.deepEqual([ok.config?.compute, ok.config?.timeoutMs, ok.config?.memoryLimitBytes, ok.config?.allowedHosts], ['LOW', 2000, 64 * 1024 ** 2, ['api.example.com']]);
  assert.deepEqual(ok.args.find((a) => a.name === 'compute')!.value.via, { name: 'C', line: 1 });
  // A bad constant is reported (at its value in the constant) and the task does not run.
  const bad = cfg('C = "ULTRA"\n@task(compute=C)');
  assert.equal(bad.config, null);
  // Assigned twice, declared global in a function, or assigned after the decorator: not a constant.
  for (const src of ['T = "1s"\nT = "2s"\n@task(timeout=T)', 'T = "1s"\ndef g():\n    global T\n    T = "9h"\n@task(timeout=T)', '@task(timeout=T)\ndef h(): pass\nT = "1s"\n@task(timeout="1s")', 'import os\n@task(timeout=os.environ["T"])']) {
    assert.equal(cfg(src).config, null, src);
    assert.equal(cfg(src).problems[0]!.severity, 'error', src);
  }
});

test('tasks the runtime cannot reach by name are errors: inside a class, a function, an if or a loop', () => {
  const one = (src: string) => discoverTasks(`from capsule import task\n${src}`, { parser });
  for (const [src, where] of [
    ['class C:\n    @task(ram="1XB")\n    def m(self): pass\n', 'a class body'],
    ['def outer():\n    @task\n    def inner(): pass\n    return inner\n', 'a function body'],
    ['if __name__ == "__main__":\n    @task\n    def main(): pass\n', 'an `if` block'],
    ['if False:\n    pass\nelse:\n    @task\n    def main(): pass\n', 'an `else` block'],
    ['for i in range(2):\n    @task\n    def main(): pass\n', 'a `for` loop'],
  ] as const) {
    const [t] = one(src) as [DiscoveredTask];
    assert.equal(t.unreachable, where, src);
    assert.match(t.problems[0]!.message, new RegExp(`^@task is inside ${where.replace(/[`]/g, '.')}`), src);
    assert.equal(t.config, null);
  }
  // try and with bodies always run: those tasks are fine.
  assert.deepEqual(one('try:\n    @task\n    def a(): pass\nexcept ImportError:\n    pass\n').map((t) => t.problems), [[]]);
});

test('@task applied twice is an error with a fix that removes the extra line', () => {
  const src = 'from capsule import task\n@task(name="outer")\n@task(name="inner")\ndef f(): pass\n';
  const [t] = discoverTasks(src, { parser }) as [DiscoveredTask];
  assert.equal(t.name, 'outer');
  assert.equal(t.problems[0]!.message, '@task is applied twice to this function; keep one decorator');
  const fix = t.problems[0]!.fixes![0]!;
  assert.equal(src.slice(0, fix.span!.startIndex) + fix.newText + src.slice(fix.span!.endIndex), 'from capsule import task\n@task(name="outer")\ndef f(): pass\n');
});

/** The decorator after applying the first fix titled `title`, by index and by line and column (they must agree). */
function fixed(src: string, title: RegExp): string {
  const [t] = discoverTasks(src, { parser }) as [DiscoveredTask];
  const fix = t.problems.flatMap((p) => p.fixes ?? []).find((f) => title.test(f.title));
  assert.ok(fix?.span, `no fix ${title} on ${JSON.stringify(src)}`);
  const byIndex = src.slice(0, fix.span.startIndex) + fix.newText + src.slice(fix.span.endIndex);
  const lines = src.split(/(?<=\n)/);
  const offset = (p: { line: number; column: number }) => lines.slice(0, p.line).join('').length + p.column;
  assert.equal(src.slice(0, offset(fix.span.start)) + fix.newText + src.slice(offset(fix.span.end)), byIndex, 'line and column agree with the index');
  return byIndex.slice(byIndex.indexOf('@task'), byIndex.indexOf('def f'));
}

test('removing an argument leaves valid Python: the only one empties the parentheses, one on its own lines goes with them', () => {
  const deco = (args: string) => `from capsule import task\n@task(${args})\ndef f(): pass\n`;
  const remove = /^Remove/;
  const table: Array<[string, string]> = [
    ['colour="red"', '@task()\n'],
    ['colour="red",', '@task()\n'],
    ['colour="red", ', '@task()\n'],
    ['\n    colour="red",\n', '@task()\n'],
    ['colour="red",  # why\n', '@task()\n'],
    ['compte="LOW",', '@task()\n'],
    ['"LOW",', '@task()\n'],
    ['"LOW"', '@task()\n'],
    ['\n    # keep this\n    colour="red",\n', '@task(\n    # keep this\n)\n'],
    ['\n    # keep this\n    colour="red",', '@task(\n    # keep this\n    )\n'],
    ['compute="LOW", colour="red"', '@task(compute="LOW")\n'],
    ['colour="red", compute="LOW"', '@task(compute="LOW")\n'],
    ['compute="LOW", colour="red",', '@task(compute="LOW",)\n'],
    ['\n    compute="LOW",\n    colour="red",  # why\n', '@task(\n    compute="LOW",\n)\n'],
    ['\n    compute="LOW",\n    colour="red"\n', '@task(\n    compute="LOW",\n)\n'],
    ['\n    colour="red",  # why\n    compute="LOW",\n', '@task(\n    compute="LOW",\n)\n'],
    ['\n    colour="red"\n    , compute="LOW"\n', '@task(\n    compute="LOW"\n)\n'],
    ['compute="LOW",\n      colour="red"', '@task(compute="LOW")\n'],
  ];
  for (const [args, want] of table) assert.equal(fixed(deco(args), remove), want, args);
  // CRLF: a whole line goes with its "\r\n".
  assert.equal(fixed('from capsule import task\r\n@task(\r\n    compute="LOW",\r\n    colour="red",\r\n)\r\ndef f(): pass\r\n', remove), '@task(\r\n    compute="LOW",\r\n)\r\n');
});

/** Every fix of every problem, in order: `title -> the decorator after it`. */
function fixesOf(args: string): string[] {
  const src = `from capsule import task\n@task(${args})\ndef f(): pass\n`;
  const [t] = discoverTasks(src, { parser }) as [DiscoveredTask];
  return t.problems.flatMap((p) => (p.fixes ?? []).map((f) => {
    const span = f.span ?? p.span!;
    const out = src.slice(0, span.startIndex) + f.newText + src.slice(span.endIndex);
    return `${f.title} -> ${out.slice(out.indexOf('@task'), out.indexOf('\ndef f'))}`;
  }));
}

test('a rename also fixes the value, in the unit the old name carries; no rename leaves a value the runtime refuses', () => {
  const renames = (args: string) => fixesOf(args).filter((f) => f.startsWith('Rename'));
  const table: Array<[string, string[]]> = [
    ['timeout_s=30', ['Rename to timeout="30s" -> @task(timeout="30s")']],
    ['timeout_ms=500', ['Rename to timeout="500ms" -> @task(timeout="500ms")']],
    ['timeoutMs=500', ['Rename to timeout="500ms" -> @task(timeout="500ms")']],
    ['timout=30', ['Rename to timeout="30s" -> @task(timeout="30s")']],
    ['timout="30s"', ['Rename to "timeout" -> @task(timeout="30s")']],
    ['ram_mb=64', ['Rename to ram="64MB" -> @task(ram="64MB")']],
    ['ram_mb="64"', ['Rename to ram="64MB" -> @task(ram="64MB")']],
    ["ram_mb='64'", ["Rename to ram='64MB' -> @task(ram='64MB')"]],
    ['memory_mb=64', ['Rename to ram="64MB" -> @task(ram="64MB")']],
    ['memory=64', ['Rename to ram="64MB" -> @task(ram="64MB")']],
    ['max_retry="3"', ['Rename to max_retries=3 -> @task(max_retries=3)']],
    ['hosts="example.com"', ['Rename to allowed_hosts=["example.com"] -> @task(allowed_hosts=["example.com"])']],
    ['fuel=1000', ['Rename to compute="1000" -> @task(compute="1000")']],
    // Several fixes of the value: several renames, best first.
    ['retries=-3', ['Rename to max_retries=3 -> @task(max_retries=3)', 'Rename to max_retries=0 -> @task(max_retries=0)']],
    // The name's unit wins over the value's bare-number meaning: never 500 ms as 500 s, nor MB as bytes.
    ['timeout_ms="500"', ['Rename to timeout="500ms" -> @task(timeout="500ms")']],
    ['ram_mb="67108864"', []],
    ['timeout_ms="30s"', ['Rename to "timeout" -> @task(timeout="30s")']],
    // No certain fix of the value: no rename (the message still says "did you mean").
    ['compte="ULTRA"', []],
    ['timeout_s=0.0001', []],
    ['timout=T', []],
    ['cpu=2', []],
    // 3. Spellings from other conventions.
    ['envs=["HOME"]', ['Rename to "env_variables" -> @task(env_variables=["HOME"])']],
    ['env_vars=["HOME"]', ['Rename to "env_variables" -> @task(env_variables=["HOME"])']],
    ['cpu="LOW"', ['Rename to "compute" -> @task(compute="LOW")']],
    ['mem="64MB"', ['Rename to "ram" -> @task(ram="64MB")']],
    ['retries=3', ['Rename to "max_retries" -> @task(max_retries=3)']],
    ['files=["data"]', ['Rename to "allowed_files" -> @task(allowed_files=["data"])']],
    ['time_limit=30', ['Rename to timeout="30s" -> @task(timeout="30s")']],
    ['time_limit_s=30', ['Rename to timeout="30s" -> @task(timeout="30s")']],
  ];
  for (const [args, want] of table) assert.deepEqual(renames(args), want, args);
  const [t] = discoverTasks('from capsule import task\n@task(ram_mb=64)\ndef f(): pass\n', { parser }) as [DiscoveredTask];
  assert.match(t.problems[0]!.message, /^unknown parameter "ram_mb" \(did you mean "ram"\?\)/);
});

test('a lone "\\r" ends a line, as Python reads it', () => {
  const [t] = discoverTasks('from capsule import task\r@task(ram="1XB")\rdef f(): pass\r', { parser }) as [DiscoveredTask];
  assert.equal(t.functionName, 'f');
  assert.deepEqual(t.problems[0]!.span!.start, { line: 1, column: 10 });
  const [u] = discoverTasks('from capsule import task\n# a \r in a comment\n@task(ram="1XB")\ndef f(): pass\n', { parser }) as [DiscoveredTask];
  assert.deepEqual(u.problems[0]!.span!.start, { line: 3, column: 10 });
});

test('while `@task(compute=)` is being typed: one "no value yet" error, no positional-argument errors', () => {
  for (const args of ['compute=', 'compute=, ram="64MB"', 'ram="64MB", compute=']) {
    const [t] = discoverTasks(`from capsule import task\n@task(${args})\ndef f(): pass\n`, { parser }) as [DiscoveredTask];
    assert.deepEqual(t.problems.map((p) => p.message), ['compute= has no value yet, e.g. compute="LOW"'], args);
  }
});

test('spans count UTF-16 units, as LSP does', () => {
  const src = 'from capsule import task\n# é😀\n@task(ram="1ZB")  # 😀\ndef f(): pass\n';
  const [t] = discoverTasks(src, { parser }) as [DiscoveredTask];
  const p = t.problems[0]!;
  assert.equal(src.slice(p.span!.startIndex, p.span!.endIndex), '"1ZB"');
  assert.deepEqual(p.span!.start, { line: 2, column: 10 });
});

test('duplicate names: one map by name, each definition flagged, a few sites listed and the rest counted', () => {
  const tasksOf = (src: string) => discoverTasks(`from capsule import task\n${src}`, { parser });
  const a = tasksOf('@task(name="dup")\ndef a(): pass\n');
  const b = tasksOf('@task\ndef dup(): pass\n@task\ndef other(): pass\n');
  const sites = [...a.map((task, index) => ({ file: 'a.py', index, task })), ...b.map((task, index) => ({ file: 'b.py', index, task }))];
  const names = new TaskNames(sites);
  const where = (s: { file: string; task: DiscoveredTask }) => `${s.file}:${s.task.nameSpan.start.line + 1}`;
  assert.deepEqual(names.problemsFor('a.py', a, where).map((d) => [d.problem.message, d.problem.span!.start]), [['duplicate task name "dup": also defined at b.py:3; task names must be unique in a file', { line: 1, column: 11 }]]);
  assert.deepEqual(names.problemsFor('b.py', b, where).map((d) => d.problem.message), ['duplicate task name "dup": also defined at a.py:3; task names must be unique in a file']);
  const many = tasksOf(Array.from({ length: 2000 }, (_, i) => `@task(name="same")\ndef f${i}(): pass\n`).join(''));
  const big = new TaskNames(many.map((task, index) => ({ file: 'm.py', index, task })));
  const problems = big.problemsFor('m.py', many, where);
  assert.equal(problems.length, 2000);
  assert.equal(problems[0]!.problem.message, 'duplicate task name "same": also defined at m.py:5, m.py:7, m.py:9 and 1,996 more; task names must be unique in a file');
});

test('@task on a class is an error; the decorator is still recognised', () => {
  const [t] = discoverTasks('from capsule import task\n@task\nclass C: pass\n', { parser }) as [DiscoveredTask];
  assert.equal(t.problems[0]!.message, '@task decorates functions only');
  assert.equal(t.config, null);
});

test('a constant that names itself, read through another, ends in "not a literal" (it once recursed forever)', () => {
  const [t] = discoverTasks('from capsule import task\nRAM = RAM\nLIMIT = RAM\n@task(ram=LIMIT)\ndef f(): pass\n', { parser }) as [DiscoveredTask];
  assert.equal(t.config, null);
  assert.match(t.problems.map((p) => p.message).join('\n'), /ram=LIMIT is not a literal/);
});

test('a file that starts with blank lines: nested tasks and fix positions are where they are', () => {
  const src = '\n\nfrom capsule import task\n\nclass A:\n    @task(compute="LOW")\n    def m(self): pass\n';
  const [t] = discoverTasks(src, { parser }) as [DiscoveredTask];
  assert.equal(t.functionName, 'm');
  assert.equal(t.unreachable, 'a class body');
  assert.equal(src.slice(t.decoratorSpan.startIndex, t.decoratorSpan.endIndex), '@task(compute="LOW")');
});

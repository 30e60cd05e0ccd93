// The real bundled server over JSON-RPC: diagnostics with exact messages and ranges,
// no stale ones after an edit, capsule.toml validation, duplicates across files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURE, startServer, uriOf, type TestServer } from './client';
import { positionAt, rangeOf } from './text';

let s: TestServer;
before(async () => {
  s = await startServer();
});
after(async () => {
  await s.stop();
});

const BAD = `from capsule import task

@task(compute="ultra", ram="512mo", timeout=30, comput="LOW", max_retries=-1)
def bad(): pass

@task(allowed_hosts=["https://api.x.com", "*.ok.example.com", "a.*.com"], env_variables=["GOOD", "NOT-OK"])
def hosts(): pass

@task(allowed_files=["/etc", "../outside", "missing", "data/sample.csv", {"path": "data", "mode": "readonly"}], ram=SIZE)
def files(): pass

@task("positional", compute="0")
def pos(): pass
`;

test('each bad value is flagged once, at its exact range, with an actionable message', async () => {
  const uri = uriOf(join(FIXTURE, 'bad_tasks.py'));
  await s.open(uri, BAD, 1);
  const diags = await s.diagnosticsFor(uri, 1);
  const got = diags.map((d) => ({ message: d.message, range: d.range, severity: d.severity }));
  const E = 1, W = 2;
  const expected = [
    { message: 'compute "ultra" is not a level; use "LOW", "MEDIUM", "HIGH" or a digit string of fuel units, e.g. "5000000"', range: rangeOf(BAD, '"ultra"'), severity: E },
    { message: 'ram "512mo": unknown unit "mo"; use B, KB, MB or GB, e.g. "512MB"', range: rangeOf(BAD, '"512mo"'), severity: E },
    { message: 'timeout must be a string with a unit; write "30s" for 30 seconds', range: rangeOf(BAD, '30,'), severity: E },
    { message: 'unknown parameter "comput" (did you mean "compute"?); @task takes name, compute, ram, timeout, max_retries, allowed_files, allowed_hosts, env_variables, durable', range: rangeOf(BAD, 'comput='), severity: E },
    { message: 'max_retries -1 is negative; use 0 (no retry) or more', range: rangeOf(BAD, '-1'), severity: E },
    { message: 'allowed_hosts entry "https://api.x.com" has a scheme ("https://"), so it never matches; hosts are matched by name alone, write "api.x.com"', range: rangeOf(BAD, '"https://api.x.com"'), severity: E },
    { message: 'allowed_hosts entry "a.*.com" has a bad wildcard; a wildcard is "*" alone or a whole first label, as in "*.example.com"', range: rangeOf(BAD, '"a.*.com"'), severity: E },
    { message: 'env_variables entry "NOT-OK" is not a valid variable name: letters, digits and "_", not starting with a digit', range: rangeOf(BAD, '"NOT-OK"'), severity: E },
    { message: 'allowed_files entry "/etc" is absolute; write a directory relative to the project root', range: rangeOf(BAD, '"/etc"'), severity: E },
    { message: `allowed_files entry "../outside" is outside the project (${FIXTURE})`, range: rangeOf(BAD, '"../outside"'), severity: E },
    { message: `allowed_files entry "missing" does not exist in the project (${FIXTURE})`, range: rangeOf(BAD, '"missing"'), severity: E },
    { message: 'allowed_files entry "data/sample.csv" is a file; grants are directories, e.g. the folder that holds it', range: rangeOf(BAD, '"data/sample.csv"'), severity: E },
    { message: 'allowed_files mode "readonly" is not one of "read-only", "read-write", "ro" or "rw"', range: rangeOf(BAD, '"readonly"'), severity: E },
    { message: 'ram=SIZE is not a literal: the runtime reads @task\'s values before it runs the file, so write the value itself, e.g. ram="512MB" (a module-level constant assigned once to a literal, and never changed, also works)', range: rangeOf(BAD, 'SIZE'), severity: E },
    { message: 'positional argument: @task takes keyword arguments only, e.g. @task(compute="LOW")', range: rangeOf(BAD, '"positional"'), severity: E },
    { message: 'compute "0" is zero fuel: the task could not run a single instruction; use "LOW", "MEDIUM", "HIGH" or a digit string of fuel units, e.g. "5000000"', range: rangeOf(BAD, '"0"'), severity: E },
  ];
  // "comput=" starts the name; the diagnostic covers the name alone.
  expected[3]!.range.end.character -= 1;
  // "30," likewise: the value is "30".
  expected[2]!.range.end.character -= 1;
  assert.deepEqual(sortByRange(got), sortByRange(expected));
  void W;
});

test('an edit that fixes a value leaves no stale diagnostic, and a new mistake appears at once', async () => {
  const uri = uriOf(join(FIXTURE, 'edit_me.py'));
  const text = 'from capsule import task\n\n@task(ram="512mo")\ndef f(): pass\n';
  await s.open(uri, text, 1);
  const first = await s.diagnosticsFor(uri, 1);
  assert.equal(first.length, 1);
  // Replace "mo" with "MB": incremental change.
  const at = text.indexOf('mo"');
  await s.change(uri, 2, [{ range: { start: positionAt(text, at), end: positionAt(text, at + 2) }, text: 'MB' }]);
  assert.deepEqual(await s.diagnosticsFor(uri, 2), []);
  // Type a bad timeout after the ram argument.
  const text2 = text.replace('mo"', 'MB"');
  const insertAt = text2.indexOf(')');
  await s.change(uri, 3, [{ range: { start: positionAt(text2, insertAt), end: positionAt(text2, insertAt) }, text: ', timeout="5 parsecs"' }]);
  const third = await s.diagnosticsFor(uri, 3);
  const text3 = text2.slice(0, insertAt) + ', timeout="5 parsecs"' + text2.slice(insertAt);
  assert.deepEqual(third.map((d) => [d.message, d.range]), [['timeout "5 parsecs": unknown unit "parsecs"; use ms, s, m or h, e.g. "30s", "500ms" or "1m30s"', rangeOf(text3, '"5 parsecs"')]]);
  // A full-text replacement also works.
  await s.change(uri, 4, [{ text: 'def plain(): pass\n' }]);
  assert.deepEqual(await s.diagnosticsFor(uri, 4), []);
});

test('a task that is not capsule\'s is left alone; a missing import is flagged with a fix', async () => {
  const other = uriOf(join(FIXTURE, 'celery_tasks.py'));
  await s.open(other, 'from celery import task\n\n@task(ram="lots")\ndef f(): pass\n', 1);
  assert.deepEqual(await s.diagnosticsFor(other, 1), []);
  const missing = uriOf(join(FIXTURE, 'no_import.py'));
  const text = '"""Doc."""\n@task(compute="LOW")\ndef g(): pass\n';
  await s.open(missing, text, 1);
  const d = await s.diagnosticsFor(missing, 1);
  assert.equal(d.length, 1);
  assert.equal(d[0]!.message, '"task" is not imported; add "from capsule import task"');
  assert.deepEqual(d[0]!.range, rangeOf(text, 'task'));
});

test('an untitled buffer is checked without a project; a task under `if` is flagged, one in a `try` counts', async () => {
  const uri = 'untitled:Untitled-1';
  const text = 'from capsule import task\n\nif True:\n    @task(ram="0")\n    def a(): pass\n\ntry:\n    @task(allowed_files=["data"])\n    def b(): pass\nexcept ImportError:\n    pass\n';
  await s.open(uri, text, 1);
  assert.deepEqual((await s.diagnosticsFor(uri, 1)).map((d) => [d.message, d.range]), [
    ['@task is inside an `if` block: the runtime finds tasks by name before it runs the file, so it cannot run this one (under `if __name__ == "__main__":` it never exists); define the task at the top level of the module', rangeOf(text, '@task(ram="0")')],
    ['ram "0" is zero: the task could not start; use B, KB, MB or GB, e.g. "512MB"', rangeOf(text, '"0"')],
  ]);
});

test('capsule.toml is validated with ranges, and its defaults feed the tasks', async () => {
  const uri = uriOf(join(FIXTURE, 'capsule.toml'));
  const text = '[workflow]\nname = 3\nentrypoint = "main.py"\n\n[tasks]\ndefault_ram = "256mo"\ndefault_timeout = "30s"\ncolour = "blue"\n';
  await s.open(uri, text, 1);
  const d = await s.diagnosticsFor(uri, 1);
  assert.deepEqual(sortByRange(d.map((x) => ({ message: x.message, range: x.range }))), sortByRange([
    { message: 'workflow.name must be a string', range: rangeOf(text, '3') },
    { message: 'tasks.default_ram: ram "256mo": unknown unit "mo"; use B, KB, MB or GB, e.g. "512MB"', range: rangeOf(text, '"256mo"') },
    { message: 'unknown key "colour" in [tasks]; use default_compute, default_ram, default_timeout, default_max_retries, default_allowed_files, default_allowed_hosts, default_env_variables, default_disk, python_path, max_subtasks', range: rangeOf(text, 'colour') },
  ]));
  const fixed = text.replace('"256mo"', '"64MB"').replace('name = 3', 'name = "x"').replace('colour = "blue"\n', '');
  await s.change(uri, 2, [{ text: fixed }]);
  assert.deepEqual(await s.diagnosticsFor(uri, 2), []);
  // The effective config now uses 64 MB: the lens summary says so.
  const py = uriOf(join(FIXTURE, 'uses_defaults.py'));
  await s.open(py, 'from capsule import task\n\n@task\ndef d(): pass\n', 1);
  await s.diagnosticsFor(py, 1);
  const lenses = (await s.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri: py } })) as Array<{ command: { title: string } }>;
  assert.ok(lenses.some((l) => l.command.title === 'MEDIUM fuel 2B · 64 MB · 30 s'), JSON.stringify(lenses.map((l) => l.command.title)));
  // Files that are not open are rediscovered with the new defaults too.
  const listed = (await s.rpc.sendRequest('capsule/listTasks', {})) as Array<{ file: string; config: { memoryLimitBytes: number } | null }>;
  assert.equal(listed.find((t) => t.file === join(FIXTURE, 'main.py'))?.config?.memoryLimitBytes, 64 * 1024 * 1024);
  // Put the fixture's own text back for the other tests.
  await s.rpc.sendNotification('textDocument/didClose', { textDocument: { uri } });
});

test('duplicate task names in a file are flagged at each definition and listed; across files they are not (each file has its own main)', async () => {
  const uri = uriOf(join(FIXTURE, 'pkg', 'one.py'));
  const text = 'from capsule import task\n\n@task(name="shared")\ndef one(): pass\n\n@task\ndef shared(): pass\n';
  await s.open(uri, text, 1);
  const d = await s.diagnosticsFor(uri, 1);
  assert.deepEqual(d.map((x) => [x.message, x.range]), [
    ['duplicate task name "shared": also defined at pkg/one.py:7; task names must be unique in a file', rangeOf(text, '"shared"')],
    ['duplicate task name "shared": also defined at pkg/one.py:4; task names must be unique in a file', rangeOf(text, 'shared', 1)],
  ]);
  const tasks = (await s.rpc.sendRequest('capsule/listTasks', {})) as Array<{ taskName: string; file: string; problems: number; config: unknown }>;
  const shared = tasks.filter((t) => t.taskName === 'shared');
  // pkg/two.py also has a "shared": another file, so no problem there.
  assert.deepEqual(shared.map((t) => [t.file, t.problems]).sort(), [[join(FIXTURE, 'pkg', 'one.py'), 1], [join(FIXTURE, 'pkg', 'one.py'), 1], [join(FIXTURE, 'pkg', 'two.py'), 0]]);
  const main = tasks.find((t) => t.taskName === 'main' && t.file === join(FIXTURE, 'main.py'));
  assert.ok(main, 'main.py is indexed from disk');
  assert.deepEqual((main!.config as { compute: string; memoryLimitBytes: number }).compute, 'LOW');
  assert.equal((main!.config as { memoryLimitBytes: number }).memoryLimitBytes, 256 * 1024 * 1024, 'capsule.toml default_ram applies');
  await s.rpc.sendNotification('textDocument/didClose', { textDocument: { uri } });
});

function sortByRange<T extends { range: { start: { line: number; character: number } } }>(xs: T[]): T[] {
  return [...xs].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

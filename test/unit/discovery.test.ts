// Static discovery with the real tree-sitter parser: every decorator spelling, tasks
// that are not capsule's, literal values with spans, and duplicates across files.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverFile, discoverTasks, findDuplicateTasks, formatProblem, initParser, type DiscoveredTask } from '../../runtime/src/discovery/index';
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
});

test('values are read as literals with spans; non-literals are hints', () => {
  const src = 'from capsule import task\n\n@task(name="n1", compute="HIGH", ram=f"{X}MB", timeout="1m" "30s", max_retries=3, allowed_hosts=["a.com", HOST], env_variables=("A",))\nasync def real_name(): pass\n';
  const [t] = discoverTasks(src, { parser }) as [DiscoveredTask];
  assert.equal(t.name, 'n1');
  assert.equal(t.functionName, 'real_name');
  assert.equal(t.isAsync, true);
  assert.deepEqual(t.nameSpan, { startIndex: src.indexOf('real_name'), endIndex: src.indexOf('real_name') + 9, start: { line: 3, column: 10 }, end: { line: 3, column: 19 } });
  assert.deepEqual(t.problems.map((p) => [p.severity, p.message, src.slice(p.span!.startIndex, p.span!.endIndex)]), [
    ['hint', 'ram is not a literal (f"{X}MB"), so it cannot be checked before the task runs', 'f"{X}MB"'],
    ['hint', 'allowed_hosts entry HOST is not a literal, so it cannot be checked before the task runs', 'HOST'],
  ]);
  assert.deepEqual(t.config, { name: 'n1', compute: 'HIGH', fuel: 50_000_000_000, ramBytes: 4 * 1024 ** 3, timeoutMs: 90_000, maxRetries: 3, allowedFiles: [], allowedHosts: ['a.com'], envVariables: ['A'] });
  const compute = t.args.find((a) => a.name === 'compute')!;
  assert.equal(src.slice(compute.value.span!.startIndex, compute.value.span!.endIndex), '"HIGH"');
});

test('**kwargs in the decorator is a hint, not an unknown parameter', () => {
  const [t] = discoverTasks('from capsule import task\nopts = {}\n@task(**opts, ram="1GB")\ndef f(): pass\n', { parser }) as [DiscoveredTask];
  assert.deepEqual(t.problems.map((p) => [p.severity, p.message]), [['hint', '**opts is not a literal, so the parameters it passes cannot be checked before the task runs']]);
  assert.equal(t.config?.ramBytes, 1024 ** 3);
});

test('spans count UTF-16 units, as LSP does', () => {
  const src = 'from capsule import task\n# é😀\n@task(ram="1ZB")  # 😀\ndef f(): pass\n';
  const [t] = discoverTasks(src, { parser }) as [DiscoveredTask];
  const p = t.problems[0]!;
  assert.equal(src.slice(p.span!.startIndex, p.span!.endIndex), '"1ZB"');
  assert.deepEqual(p.span!.start, { line: 2, column: 10 });
});

test('discoverFile applies capsule.toml defaults; duplicates are reported at each definition', async () => {
  const root = mkdtempSync(join(tmpdir(), 'capsule-disc-'));
  writeFileSync(join(root, 'capsule.toml'), '[tasks]\ndefault_timeout = "45s"\n');
  writeFileSync(join(root, 'a.py'), 'from capsule import task\n\n@task(name="dup")\ndef a(): pass\n');
  writeFileSync(join(root, 'b.py'), 'from capsule import task\n\n@task\ndef dup(): pass\n');
  const a = await discoverFile(join(root, 'a.py'), { projectRoot: root });
  const b = await discoverFile(join(root, 'b.py'), { projectRoot: root });
  assert.equal(a.tasks[0]!.config!.timeoutMs, 45_000);
  const bad = discoverTasks('from capsule import task\n@task(ram="1XB")\ndef f(): pass\n', { parser })[0]!;
  assert.equal(formatProblem('a.py', bad.problems[0]!), 'a.py:2:11: error: ram "1XB": unknown unit "XB"; use B, KB, MB or GB, e.g. "512MB"');
  const dups = findDuplicateTasks([{ file: 'a.py', tasks: a.tasks }, { file: 'b.py', tasks: b.tasks }]);
  assert.deepEqual(dups.map((d) => [d.file, d.problem.message, d.problem.span!.start]), [
    ['a.py', 'duplicate task name "dup": also defined at b.py:4', { line: 2, column: 11 }],
    ['b.py', 'duplicate task name "dup": also defined at a.py:4', { line: 3, column: 4 }],
  ]);
});

test('@task on a class is an error; the decorator is still recognised', () => {
  const [t] = discoverTasks('from capsule import task\n@task\nclass C: pass\n', { parser }) as [DiscoveredTask];
  assert.equal(t.problems[0]!.message, '@task decorates functions only');
  assert.equal(t.config, null);
});

// The host sets a task's limits and rights from its decorator as read in the source,
// before the file runs. Where the file changes what the decorator gets in ways no
// reader of the source can follow (globals(), exec, setattr, a function changing a
// list), the sandbox's SDK compares and refuses: the task is not called, the CLI exits
// 2 with the decorator's file:line:col, and no limit or right other than those written
// is ever used. (What the source shows, the editor and the CLI refuse alike:
// test/lsp/agreement-variants.ts, rows2.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliRun, variantProject } from '../lsp/agreement-helpers';

const head = 'from capsule import task\nimport sys\n';
const body = '\n@task(compute=C, allowed_files=F, timeout=T)\ndef main():\n    open("data/ran.txt", "w").write("the body ran")\n    return 1\n';
const base = 'C = "HIGH"\nF = ["data"]\nT = "30s"\n';

const CASES: Array<{ id: string; change: string; says: RegExp }> = [
  { id: 'globals', change: 'globals()["C"] = "MEDIUM"\n', says: /compute: 50000000000 fuel as read from the source, 2000000000 fuel when the file ran/ },
  { id: 'exec', change: 'exec("T = \'100ms\'")\n', says: /timeout: 30000 ms as read from the source, 100 ms when the file ran/ },
  { id: 'setattr', change: 'setattr(sys.modules[__name__], "T", "1s")\n', says: /timeout: 30000 ms as read from the source, 1000 ms when the file ran/ },
  { id: 'function-clears', change: 'def drop():\n    F.clear()\ndrop()\n', says: /allowed_files: \[\{"path": "data", "mode": "read-write"\}\] as read from the source, \[\] when the file ran/ },
  { id: 'function-adds', change: 'def more():\n    F.append("other")\nmore()\n', says: /allowed_files: .* when the file ran/ },
];

test('a decorator whose arguments change where the source cannot show it is refused before its task runs', { timeout: 180_000 }, async () => {
  const project = variantProject('capsule-decorator-changed-');
  for (const c of CASES) writeFileSync(join(project, `${c.id}.py`), `${head}${base}${c.change}${body}`);
  writeFileSync(join(project, 'same.py'), `${head}${base}${body}`);
  for (const c of CASES) {
    const r = await cliRun(project, `${c.id}.py`, 'main');
    assert.equal(r.code, 2, `${c.id}: exit ${r.code}, ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${c.id}\\.py:\\d+:1: TaskConfigError: @task on main got other arguments when the file ran than its source says`), c.id);
    assert.match(r.stderr, c.says, c.id);
    assert.equal(existsSync(join(project, 'data', 'ran.txt')), false, `${c.id}: the task's body ran`);
  }
  // The same decorator, unchanged, runs.
  const same = await cliRun(project, 'same.py', 'main');
  assert.equal(same.code, 0, same.stderr);
  assert.equal(existsSync(join(project, 'data', 'ran.txt')), true);
});

// capsule/listTaskChanges against the real server: the first answer is the whole list; after
// an edit, the splices applied to what the client holds give what capsule/listTasks says, and
// a value typed in one task of many sends that task only. A version the server did not give
// last (another client's, a restarted server's) gets the whole list again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TaskInfo } from '../../server/src/protocol';
import { applySplices, type TaskListChanges, type TasksByUri } from '../../server/src/task-list-changes';
import { FIXTURE, startServer, uriOf, type TestServer } from './client';

let s: TestServer;
const uri = uriOf(join(FIXTURE, 'task-list-changes.py'));
const lines = ['from capsule import task', ''];
for (let i = 0; i < 200; i++) lines.push(`@task(compute="LOW", ram="256MB")`, `def t${i}(x):`, '    return x + 1', '');
const TEXT = lines.join('\n');

before(async () => {
  s = await startServer();
  await s.open(uri, TEXT, 1);
  await s.diagnosticsFor(uri, 1);
});
after(async () => { await s?.stop(); });

const changes = (since?: string) => s.rpc.sendRequest('capsule/listTaskChanges', since === undefined ? {} : { since }) as Promise<TaskListChanges>;
const sortedAll = (lists: TasksByUri) => [...lists.values()].flat().sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);

test('splices keep the client list equal to capsule/listTasks; a value edit sends one task', async () => {
  const first = await changes();
  assert.equal(first.full, true);
  const held: TasksByUri = new Map();
  applySplices(held, first.splices);
  assert.deepEqual(sortedAll(held), await s.rpc.sendRequest('capsule/listTasks', {}) as TaskInfo[]);
  let version = first.version;
  const line = 2 + 4 * 100; // t100's decorator
  const edits: Array<[string, string]> = [['"LOW"', '"LOX"'], ['"LOX"', '"LOW"'], ['@task', '\n@task']];
  for (const [k, [from, to]] of edits.entries()) {
    const text = lines[line]!;
    const at = text.indexOf(from);
    await s.change(uri, k + 2, [{ range: { start: { line, character: at }, end: { line, character: at + from.length } }, text: to }]);
    lines[line] = text.slice(0, at) + to + text.slice(at + from.length);
    await s.diagnosticsFor(uri, k + 2);
    const next = await changes(version);
    assert.equal(next.full, false, `edit ${k}: the server kept the list it sent`);
    applySplices(held, next.splices);
    version = next.version;
    assert.deepEqual(sortedAll(held), await s.rpc.sendRequest('capsule/listTasks', {}) as TaskInfo[], `edit ${k}`);
    if (k < 2) {
      assert.deepEqual(next.splices.map((x) => [x.start, x.deleteCount, x.tasks.map((t) => t.taskName)]), [[100, 1, ['t100']]], `edit ${k}: one task`);
      assert.equal(next.splices[0]!.tasks[0]!.problems, k === 0 ? 1 : 0);
    }
  }
  // Nothing changed since: no splice.
  assert.deepEqual((await changes(version)).splices, []);
});

test('a line break above tasks announces the change; it comes as one splice that moves them, with no task in it', async () => {
  let version = (await changes()).version;
  const listed = async () => (await s.rpc.sendRequest('capsule/listTasks', {}) as TaskInfo[]).filter((t) => t.uri === uri);
  const at = (await listed())[150]!.line - 1; // t150's decorator (the test before moved it)
  const v0 = 10;
  for (const [k, text] of ['\n', ''].entries()) {
    const announced = s.notifications.filter((n) => n.method === 'capsule/tasksChanged').length;
    const range = text ? { start: { line: at, character: 0 }, end: { line: at, character: 0 } } : { start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } };
    await s.change(uri, v0 + k, [{ range, text }]);
    await s.diagnosticsFor(uri, v0 + k);
    const deadline = Date.now() + 5000;
    while (s.notifications.filter((n) => n.method === 'capsule/tasksChanged').length === announced) {
      assert.ok(Date.now() < deadline, `edit ${k}: no capsule/tasksChanged after a line break that moved 50 tasks`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const next = await changes(version);
    version = next.version;
    assert.equal((await listed())[150]!.line, at + 1 + (text ? 1 : 0), `edit ${k}: t150's name line`);
    assert.deepEqual(next.splices.map((x) => [x.start, x.deleteCount, x.tasks.length, x.shift]), [[150, 0, 0, text ? 1 : -1]], `edit ${k}`);
  }
});

test('a version the server did not answer last gets the whole list', async () => {
  const a = await changes();
  await changes(a.version); // the server's last answer is now this one
  const stale = await changes(a.version);
  assert.equal(stale.full, true);
  const held: TasksByUri = new Map();
  applySplices(held, stale.splices);
  assert.deepEqual(sortedAll(held), await s.rpc.sendRequest('capsule/listTasks', {}) as TaskInfo[]);
  assert.equal((await changes('some-other-server-1')).full, true);
});

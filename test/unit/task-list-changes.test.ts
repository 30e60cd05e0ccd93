// The task list as splices (server/src/task-list-changes.ts): applying the splices computed
// between two lists to the first gives the second, whatever the lists; an unchanged file
// sends nothing, and a change to one task sends that task only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TaskInfo } from '../../server/src/protocol';
import { applySplices, byUri, diffTasks, type TasksByUri } from '../../server/src/task-list-changes';

const task = (uri: string, taskName: string, line: number, problems = 0): TaskInfo =>
  ({ uri, file: uri.slice('file://'.length), taskName, functionName: taskName, line, problems, config: null, params: [{ name: 'x', kind: 'positional' }] });

const copy = (lists: TasksByUri): TasksByUri => new Map([...lists].map(([uri, l]) => [uri, [...l]]));

const arbTask = fc.record({
  file: fc.constantFrom('file:///a.py', 'file:///b.py', 'file:///c.py'),
  name: fc.constantFrom('t0', 't1', 't2', 't3'),
  line: fc.nat(4),
  problems: fc.nat(1),
}).map((x) => task(x.file, x.name, x.line, x.problems));
const sorted = (ts: TaskInfo[]) => byUri([...ts].sort((a, b) => a.uri.localeCompare(b.uri) || a.line - b.line));

// After = before with some tasks dropped and some added (as edits do), or the tasks from a
// line on moved by some lines (a line break typed above them), or an unrelated list.
const arbPair = fc.array(arbTask, { maxLength: 25 }).chain((before) => fc.tuple(
  fc.constant(before),
  fc.oneof(
    fc.tuple(fc.array(fc.boolean(), { minLength: before.length, maxLength: before.length }), fc.array(arbTask, { maxLength: 4 }))
      .map(([keep, added]) => before.filter((_, i) => keep[i]).concat(added)),
    fc.tuple(fc.nat(4), fc.integer({ min: -2, max: 3 }), fc.array(arbTask, { maxLength: 2 }))
      .map(([from, by, added]) => before.map((t) => (t.line >= from ? { ...t, line: t.line + by } : t)).concat(added)),
    fc.array(arbTask, { maxLength: 25 }),
  ),
)).map(([before, after]) => [sorted(before), sorted(after)] as const);

test('applying diffTasks(before, after) to before gives after (fast-check, 3,000 pairs)', () => {
  fc.assert(fc.property(arbPair, ([before, after]) => {
    const lists = copy(before);
    applySplices(lists, diffTasks(before, after));
    assert.deepEqual(lists, after);
  }), { numRuns: 3000 });
});

test('a line break above 1,000 tasks is one splice that moves them, with no task in it', () => {
  const before = byUri(Array.from({ length: 1000 }, (_, i) => task('file:///big.py', `t${i}`, 4 * i)));
  const after = byUri([...before.get('file:///big.py')!].map((t, i) => (i >= 10 ? { ...t, line: t.line + 1 } : t)));
  assert.deepEqual(diffTasks(before, after), [{ uri: 'file:///big.py', start: 10, deleteCount: 0, tasks: [], shift: 1 }]);
  // A task changed among the moved ones: it is sent, those after it move.
  const changed = copy(after);
  changed.get('file:///big.py')![500] = { ...changed.get('file:///big.py')![500]!, problems: 2 };
  const splices = diffTasks(before, changed);
  assert.deepEqual(splices.map((x) => [x.start, x.deleteCount, x.tasks.length, x.shift]), [[10, 491, 491, 1]]);
  const lists = copy(before);
  applySplices(lists, splices);
  assert.deepEqual(lists, changed);
});

test('one changed task is one splice of one task; an unchanged list is no splice; a gone file is deleted', () => {
  const before = byUri(Array.from({ length: 1000 }, (_, i) => task('file:///big.py', `t${i}`, 4 * i)).concat(task('file:///other.py', 'main', 3)));
  const after = copy(before);
  after.get('file:///big.py')![500] = task('file:///big.py', 't500', 2000, 1);
  assert.deepEqual(diffTasks(before, after), [{ uri: 'file:///big.py', start: 500, deleteCount: 1, tasks: [after.get('file:///big.py')![500]] }]);
  // Equal by value, not the same objects: still nothing to send.
  assert.deepEqual(diffTasks(before, byUri([...before.values()].flat().map((t) => ({ ...t, params: t.params?.map((p) => ({ ...p })) })))), []);
  const gone = copy(before);
  gone.delete('file:///other.py');
  assert.deepEqual(diffTasks(before, gone), [{ uri: 'file:///other.py', start: 0, deleteCount: 1, tasks: [] }]);
  const lists = copy(before);
  applySplices(lists, diffTasks(before, gone));
  assert.deepEqual([...lists.keys()], ['file:///big.py']);
});

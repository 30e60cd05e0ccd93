import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunStore, type RunEvent } from '../../client/src/runs/model';
import { runsFromHistory } from '../../client/src/runs/history';
import { runChildren, runLook, errorLook, attemptLook, groupLook, groupRuns } from '../../client/src/views/run-presentation';
import type { RunRecord } from '../../runtime/src/trace/records';

let clock = 1_000;
function ev(type: RunEvent['type'], over: Partial<RunEvent> = {}): RunEvent {
  return { type, instanceId: 'r1', runId: 'r1', taskName: 'main', file: '/w/hello.py', attempt: 0, at: (clock += 10), ...over };
}

test('a run moves created -> running -> completed, with metrics and a stable id', () => {
  const store = new RunStore();
  const seen: string[][] = [];
  store.onChange((c) => seen.push([...c]));
  store.apply(ev('created'));
  store.apply(ev('running'));
  assert.equal(store.active().length, 1);
  let look = runLook(store.get('r1')!);
  assert.equal(look.contextValue, 'run.running');
  assert.deepEqual(look.icon, { id: 'sync', spin: true });
  store.apply(ev('stdout', { text: 'hi' }));
  store.apply(ev('completed', { durationMs: 12, fuelConsumed: 1_200_000, peakMemoryBytes: 8 << 20 }));
  const run = store.get('r1')!;
  assert.equal(run.state, 'completed');
  look = runLook(run);
  assert.equal(look.id, 'run:r1');
  assert.equal(look.contextValue, 'run.completed');
  assert.equal(look.description, 'completed · 12 ms · hello.py');
  assert.match(look.tooltip, /fuel 1\.2M · ram 8 MB/);
  assert.equal(look.collapsible, false);
  assert.equal(store.active().length, 0);
  assert.equal(seen.length, 3, 'stdout does not change the tree');
});

test('retries become attempt children, and the error shows first', () => {
  const store = new RunStore();
  store.apply(ev('created', { instanceId: 'r2', runId: 'r2' }));
  store.apply(ev('running', { instanceId: 'r2', runId: 'r2' }));
  store.apply(ev('retrying', { instanceId: 'r2', runId: 'r2', error: { error_type: 'task_error', message: 'ValueError: boom' } }));
  store.apply(ev('running', { instanceId: 'r2', runId: 'r2', attempt: 1 }));
  store.apply(ev('failed', { instanceId: 'r2', runId: 'r2', attempt: 1, error: { error_type: 'task_error', message: 'ValueError: boom\nline 2' } }));
  const run = store.get('r2')!;
  const kids = runChildren(run, store.childRuns('r2'));
  assert.deepEqual(kids.map((k) => k.kind), ['error', 'attempt', 'attempt']);
  assert.equal(errorLook(run)!.description, 'ValueError: boom');
  assert.equal(runLook(run).contextValue, 'run.failed');
  assert.match(runLook(run).description, /^failed · .* · 1 retry · hello\.py$/);
  assert.equal(attemptLook(run, run.attempts[0]).label, 'attempt 1');
  assert.match(attemptLook(run, run.attempts[0]).description, /^failed: ValueError: boom/);
});

test('sub-tasks hang under their parent; a late event never reopens a finished run', () => {
  const store = new RunStore();
  store.apply(ev('created', { instanceId: 'p', runId: 'p' }));
  store.apply(ev('created', { instanceId: 'c', runId: 'p', parentId: 'p', taskName: 'child' }));
  assert.deepEqual(store.rootRuns().map((r) => r.id), ['p']);
  assert.deepEqual(store.childRuns('p').map((r) => r.id), ['c']);
  assert.equal(runLook(store.get('c')!).contextValue, 'run.created.subtask');
  store.apply(ev('interrupted', { instanceId: 'p', runId: 'p' }));
  store.apply(ev('running', { instanceId: 'p', runId: 'p' }));
  assert.equal(store.get('p')!.state, 'interrupted');
  assert.equal(store.get('p')!.error?.errorType, 'interrupted');
});

test('retention drops the oldest finished runs, never running ones', () => {
  const store = new RunStore(2);
  store.apply(ev('running', { instanceId: 'old', runId: 'old' }));
  for (const id of ['a', 'b', 'c']) { store.apply(ev('created', { instanceId: id, runId: id })); store.apply(ev('completed', { instanceId: id, runId: id })); }
  assert.deepEqual(store.rootRuns().map((r) => r.id), ['c', 'old']);
  store.clearFinished();
  assert.deepEqual(store.rootRuns().map((r) => r.id), ['old']);
});

test('history from the trace loads under live runs, with sub-instances and attempts', () => {
  const rec = (id: string, parentId: string | null, createdAt: number): RunRecord => ({
    id, runId: 'h1', parentId, taskName: id, file: 'hello.py', attempt: 1, state: 'failed', createdAt, startedAt: createdAt + 1, endedAt: createdAt + 41,
    fuelConsumed: 10, peakMemoryBytes: 20, errorType: 'timeout', message: 'took too long',
    attempts: [
      { attempt: 0, state: 'failed', startedAt: createdAt + 1, endedAt: createdAt + 20, fuelConsumed: 5, peakMemoryBytes: 1, errorType: 'timeout', message: 't' },
      { attempt: 1, state: 'failed', startedAt: createdAt + 21, endedAt: createdAt + 41, fuelConsumed: 5, peakMemoryBytes: 1, errorType: 'timeout', message: 't' },
    ],
    children: [],
  });
  const root = { ...rec('h1', null, 100), children: [rec('h1c', 'h1', 110)] };
  const store = new RunStore();
  store.apply(ev('running', { instanceId: 'live', runId: 'live' }));
  store.loadHistory(runsFromHistory([root]));
  assert.deepEqual(store.rootRuns().map((r) => r.id), ['live', 'h1']);
  assert.deepEqual(store.childRuns('h1').map((r) => r.id), ['h1c']);
  const h = store.get('h1')!;
  assert.equal(h.durationMs, 40);
  assert.equal(h.error?.errorType, 'timeout');
  assert.deepEqual(runChildren(h, store.childRuns('h1')).map((k) => k.kind), ['error', 'attempt', 'attempt', 'run']);
  assert.equal(store.active().length, 1);
});

test('grouped by task: one group per task and file, newest first, counting failures', () => {
  const store = new RunStore();
  const done = (id: string, taskName: string, type: RunEvent['type'], file = '/w/hello.py') => {
    store.apply(ev('created', { instanceId: id, runId: id, taskName, file }));
    store.apply(ev(type, { instanceId: id, runId: id, taskName, file, ...(type === 'failed' ? { error: { error_type: 'task_error', message: 'boom' } } : {}) }));
  };
  done('a1', 'add', 'completed');
  done('s1', 'square', 'failed');
  done('a2', 'add', 'failed');
  done('a3', 'add', 'completed', '/w/other.py');
  const groups = groupRuns(store.rootRuns());
  assert.deepEqual(groups.map((g) => [g.taskName, g.file, g.runs.map((r) => r.id)]), [['add', '/w/other.py', ['a3']], ['add', '/w/hello.py', ['a2', 'a1']], ['square', '/w/hello.py', ['s1']]]);
  assert.equal(groupLook(groups[1]!).description, '2 runs · 1 failed · hello.py');
});

test('reloading the same history changes nothing and tells no one; new rows do', () => {
  const rec = (id: string, createdAt: number): RunRecord => ({ id, runId: id, parentId: null, taskName: 'main', file: 'a.py', attempt: 0, state: 'completed', createdAt, startedAt: createdAt, endedAt: createdAt + 1, fuelConsumed: 1, peakMemoryBytes: 1, errorType: null, message: null, attempts: [], children: [] });
  const store = new RunStore();
  let changes = 0;
  store.onChange(() => changes++);
  store.loadHistory(runsFromHistory([rec('h1', 10)]));
  store.loadHistory(runsFromHistory([rec('h1', 10)]));
  assert.equal(changes, 1);
  store.loadHistory(runsFromHistory([rec('h2', 20), rec('h1', 10)]));
  assert.equal(changes, 2);
  assert.deepEqual(store.rootRuns().map((r) => r.id), ['h2', 'h1']);
  // A new workspace's empty trace, on first load: nothing changed.
  const empty = new RunStore();
  let emptyChanges = 0;
  empty.onChange(() => emptyChanges++);
  empty.loadHistory([]);
  empty.loadHistory([]);
  assert.equal(emptyChanges, 0);
  // Cleared, then an empty trace: nothing to tell either; a trace with rows again: those.
  store.clearFinished();
  const afterClear = changes;
  store.loadHistory([]);
  assert.equal(changes, afterClear);
  store.loadHistory(runsFromHistory([rec('h3', 30)]));
  assert.equal(changes, afterClear + 1);
  assert.deepEqual(store.rootRuns().map((r) => r.id), ['h3']);
});

test('queue workers: each attempt keeps the worker that ran it, live and from the trace; the tree names them, cleaned', () => {
  const store = new RunStore();
  store.apply(ev('created', { instanceId: 'q1', runId: 'q1' }));
  store.apply(ev('running', { instanceId: 'q1', runId: 'q1' }));
  store.apply(ev('retrying', { instanceId: 'q1', runId: 'q1', worker: 'box-a:101', error: { error_type: 'task_error', message: 'lost' } }));
  store.apply(ev('running', { instanceId: 'q1', runId: 'q1', attempt: 1 }));
  store.apply(ev('completed', { instanceId: 'q1', runId: 'q1', attempt: 1, worker: 'box-b:202' }));
  const run = store.get('q1')!;
  assert.deepEqual(run.attempts.map((a) => a.worker), ['box-a:101', 'box-b:202']);
  assert.match(runLook(run).description, / · on box-a:101, box-b:202$/);
  assert.match(runLook(run).tooltip, /\nran on queue workers box-a:101, box-b:202\n/);
  assert.match(attemptLook(run, run.attempts[1]!).description, / · on box-b:202$/);
  assert.match(attemptLook(run, run.attempts[1]!).tooltip, /ran on queue worker box-b:202$/);
  // A local run says nothing about workers.
  store.apply(ev('created', { instanceId: 'l1', runId: 'l1' }));
  store.apply(ev('running', { instanceId: 'l1', runId: 'l1' }));
  store.apply(ev('completed', { instanceId: 'l1', runId: 'l1' }));
  assert.doesNotMatch(runLook(store.get('l1')!).description + runLook(store.get('l1')!).tooltip, /worker| on /);
  // From the trace: a worker id is any text a trace file holds; no line breaks or control characters reach the tree.
  const hostile = `w\n\u0007\u2028${'x'.repeat(100)}`;
  const rec: RunRecord = {
    id: 'h', runId: 'h', parentId: null, taskName: 'main', file: 'hello.py', attempt: 0, state: 'completed', createdAt: 1, startedAt: 2, endedAt: 9,
    fuelConsumed: 1, peakMemoryBytes: 1, errorType: null, message: null,
    attempts: [{ attempt: 0, state: 'completed', startedAt: 2, endedAt: 9, fuelConsumed: 1, peakMemoryBytes: 1, errorType: null, message: null, worker: hostile }],
    children: [],
  };
  const [h] = runsFromHistory([rec]);
  assert.equal(h!.attempts[0]!.worker, hostile);
  const look = runLook(h!);
  assert.equal(look.description.split('\n').length, 1);
  assert.doesNotMatch(look.description, /[\u0000-\u001f\u2028]/);
  assert.match(look.description, / · on w\?\?\?x+…$/);
  assert.ok(look.description.length < 120);
});

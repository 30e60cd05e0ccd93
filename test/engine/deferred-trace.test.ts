import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DeferredTrace } from '../../runtime/src/trace/deferred-trace';
import { TraceStore } from '../../runtime/src/trace/trace-store';

function tempDb(): { path: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-deferred-'));
  return { path: join(dir, '.capsule', 'trace.db'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

const created = (id: string, at: number) => (t: TraceStore) => t.createInstance({ id, runId: id, parentId: null, taskName: 'main', file: 'x.py', createdAt: at });

test('writes queue until the next turn opens the trace, then apply in order', async () => {
  const db = tempDb();
  let opens = 0;
  const trace = new DeferredTrace(() => (opens++, TraceStore.open(db.path)), (e) => assert.fail(String(e)));
  try {
    trace.write(created('a', 1000));
    trace.write((t) => t.startAttempt('a', 0, 1010));
    assert.equal(opens, 0, 'nothing opened in the turn that wrote');
    assert.equal(existsSync(db.path), false);
    await nextTurn();
    assert.equal(opens, 1);
    trace.write((t) => t.endAttempt('a', 0, 'completed', 'completed', 1020, { fuelConsumed: 3, peakMemoryBytes: 10 }));
    const [run] = trace.get()!.history();
    assert.equal(run?.state, 'completed');
    assert.deepEqual(trace.get()!.transitions('a').map((x) => x.state), ['created', 'running', 'completed']);
    assert.equal(opens, 1, 'opened once');
  } finally {
    trace.close();
    db.done();
  }
});

/** A deferred trace on a fresh file that fails the test on any write error; closed and removed after `fn`. */
function withTrace(fn: (trace: DeferredTrace, path: string) => void): void {
  const db = tempDb();
  const trace = new DeferredTrace(() => TraceStore.open(db.path), (e) => assert.fail(String(e)));
  try {
    fn(trace, db.path);
  } finally {
    trace.close();
    db.done();
  }
}

test('a read opens the trace at once with the queued writes applied', () => {
  withTrace((trace) => {
    trace.write(created('b', 2000));
    assert.deepEqual(trace.get()!.history().map((r) => r.id), ['b']);
  });
});

test('close applies what is queued; later writes are dropped', () => {
  withTrace((trace, path) => {
    trace.write(created('c', 3000));
    trace.close();
    trace.write(created('d', 3001));
    const reopened = TraceStore.open(path);
    assert.deepEqual(reopened.history().map((r) => r.id), ['c']);
    reopened.close();
  });
});

test('an engine with no writes never creates the file', () => {
  withTrace((trace, path) => {
    trace.close();
    assert.equal(existsSync(path), false);
  });
});

test('a failing write is reported and the next ones still apply; an unusable trace drops writes', async () => {
  const db = tempDb();
  const errors: unknown[] = [];
  const trace = new DeferredTrace(() => TraceStore.open(db.path), (e) => errors.push(e));
  try {
    trace.write(() => {
      throw new Error('disk full');
    });
    trace.write(created('e', 4000));
    await nextTurn();
    assert.deepEqual(errors.map((e) => (e as Error).message), ['disk full']);
    assert.deepEqual(trace.get()!.history().map((r) => r.id), ['e']);
  } finally {
    trace.close();
    db.done();
  }
  let writes = 0;
  const none = new DeferredTrace(() => null, () => assert.fail('no write may run'));
  none.write(() => void writes++);
  assert.equal(none.get(), null);
  none.write(() => void writes++);
  await nextTurn();
  assert.equal(writes, 0);
});

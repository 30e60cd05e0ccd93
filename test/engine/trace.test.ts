import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceStore } from '../../runtime/src/trace/trace-store';

function tempDb(): { path: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-trace-'));
  return { path: join(dir, '.capsule', 'trace.db'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('instances, attempts and transitions round-trip, and sqlite3 reads the file', () => {
  const db = tempDb();
  try {
    const t = TraceStore.open(db.path);
    t.createInstance({ id: 'a', runId: 'a', parentId: null, taskName: 'main', file: 'x.py', createdAt: 1000 });
    t.startAttempt('a', 0, 1010);
    t.endAttempt('a', 0, 'failed', 'retrying', 1020, { fuelConsumed: 5, peakMemoryBytes: 100, errorType: 'task_error', message: 'boom' });
    t.startAttempt('a', 1, 1030);
    t.createInstance({ id: 'b', runId: 'a', parentId: 'a', taskName: 'child', file: 'x.py', createdAt: 1035 });
    t.startAttempt('b', 0, 1036);
    t.endAttempt('b', 0, 'completed', 'completed', 1037, { fuelConsumed: 1, peakMemoryBytes: 10 });
    t.endAttempt('a', 1, 'completed', 'completed', 1040, { fuelConsumed: 7, peakMemoryBytes: 200 });
    const [run] = t.history();
    assert.ok(run);
    assert.equal(run.state, 'completed');
    assert.equal(run.attempt, 1);
    assert.deepEqual(run.attempts.map((a) => [a.attempt, a.state, a.errorType]), [[0, 'failed', 'task_error'], [1, 'completed', null]]);
    assert.deepEqual(run.children.map((c) => [c.id, c.parentId, c.state]), [['b', 'a', 'completed']]);
    assert.deepEqual(t.transitions('a').map((x) => x.state), ['created', 'running', 'retrying', 'running', 'completed']);
    t.close();
    const out = execFileSync('sqlite3', [db.path, "SELECT task, state, attempt, fuel FROM instances WHERE id = 'a'"], { encoding: 'utf8' });
    assert.equal(out.trim(), 'main|completed|1|7');
  } finally {
    db.done();
  }
});

test('prune keeps the newest runs with their sub-instances; clear keeps running ones', () => {
  const db = tempDb();
  try {
    const t = TraceStore.open(db.path);
    for (let i = 0; i < 5; i++) {
      const id = `r${i}`;
      t.createInstance({ id, runId: id, parentId: null, taskName: 'main', file: 'x.py', createdAt: 1000 + i });
      t.createInstance({ id: `${id}c`, runId: id, parentId: id, taskName: 'c', file: 'x.py', createdAt: 1000 + i });
      t.startAttempt(id, 0, 1000 + i);
      t.endAttempt(id, 0, 'completed', 'completed', 1000 + i, {});
    }
    assert.equal(t.prune(2), 3);
    assert.deepEqual(t.history().map((r) => r.id), ['r4', 'r3']);
    t.createInstance({ id: 'live', runId: 'live', parentId: null, taskName: 'main', file: 'x.py', createdAt: 2000 });
    t.clear();
    assert.deepEqual(t.history().map((r) => r.id), ['live']);
    t.close();
  } finally {
    db.done();
  }
});

test('rows left running by a SIGKILLed process become interrupted on the next open', async () => {
  const db = tempDb();
  try {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'test/engine/fixtures/hold-running.ts', db.path, 'dead1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`helper exited early (${code})`)));
    });
    const t = TraceStore.open(db.path);
    // A live process's rows are left alone.
    assert.equal(t.recoverInterrupted(), 0);
    assert.equal(t.history()[0]?.state, 'running');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.equal(t.recoverInterrupted(), 1);
    const [run] = t.history();
    assert.equal(run?.state, 'interrupted');
    assert.equal(run?.attempts[0]?.state, 'interrupted');
    assert.match(run?.message ?? '', /interrupted/);
    t.close();
  } finally {
    db.done();
  }
});

test('a lock directory left by a process killed mid-statement is cleared once stale', () => {
  const db = tempDb();
  try {
    const t = TraceStore.open(db.path);
    t.close();
    // What node-sqlite3-wasm leaves when its process dies holding the lock.
    mkdirSync(`${db.path}.lock`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${db.path}.lock`, old, old);
    const again = TraceStore.open(db.path);
    again.createInstance({ id: 'x', runId: 'x', parentId: null, taskName: 'main', file: 'x.py', createdAt: 1 });
    assert.equal(again.history()[0]?.id, 'x');
    again.close();
  } finally {
    db.done();
  }
});

test('rows are parsed when read back: many runs in order, a limit written before the rename, a state this version does not know', () => {
  const db = tempDb();
  try {
    const t = TraceStore.open(db.path);
    // Three runs created at the same millisecond, each with two sub-tasks: newest (last written) first.
    for (const run of ['r1', 'r2', 'r3']) {
      t.createInstance({ id: run, runId: run, parentId: null, taskName: 'main', file: 'x.py', createdAt: 5000, limits: { fuel: 1, memoryLimitBytes: 64, timeoutMs: null, maxRetries: 0 } });
      for (const child of ['c1', 'c2']) t.createInstance({ id: `${run}-${child}`, runId: run, parentId: run, taskName: child, file: 'x.py', createdAt: 5001 });
      t.startAttempt(`${run}-c1`, 0, 5002);
    }
    t.close();
    const history = () => { const s = TraceStore.open(db.path); try { return s.history(2); } finally { s.close(); } };
    const runs = history();
    assert.deepEqual(runs.map((r) => [r.id, r.children.map((c) => c.id)]), [['r3', ['r3-c1', 'r3-c2']], ['r2', ['r2-c1', 'r2-c2']]]);
    assert.deepEqual(runs[0]!.children[0]!.attempts.map((a) => a.attempt), [0]);
    assert.deepEqual(runs[0]!.limits, { fuel: 1, memoryLimitBytes: 64, timeoutMs: null, maxRetries: 0 });
    // A trace written before memoryLimitBytes kept the limit as ramBytes.
    execFileSync('sqlite3', [db.path, `UPDATE instances SET limits = '{"fuel":1,"ramBytes":32,"timeoutMs":null,"maxRetries":0}' WHERE id = 'r3'`]);
    assert.equal(history()[0]!.limits?.memoryLimitBytes, 32);
    // A state no version of Capsule writes is a clear error naming the row, not a cast.
    execFileSync('sqlite3', [db.path, "UPDATE instances SET state = 'paused' WHERE id = 'r3-c2'"]);
    assert.throws(history, /^TraceRowError: trace: a row of instances \("r3-c2"\) cannot be read: state is "paused"/);
  } finally {
    db.done();
  }
});

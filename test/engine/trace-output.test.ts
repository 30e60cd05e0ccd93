// What a run leaves in the trace for the editor's details view: its arguments, limits,
// result and its own stdout/stderr (capped), surviving a new engine on the same project;
// and a trace.db written before those columns existed still opens and keeps its rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUTPUT_CAP_BYTES } from '../../runtime/src/trace/schema';
import { TraceStore } from '../../runtime/src/trace/trace-store';
import { engineFor } from './helpers';

// The version 1 tables, as trace.db files made before this change hold them.
const V1_SQL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE instances (id TEXT PRIMARY KEY, run_id TEXT NOT NULL, parent_id TEXT, task TEXT NOT NULL, file TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL, created_at INTEGER NOT NULL, started_at INTEGER, ended_at INTEGER,
  fuel INTEGER, ram INTEGER, error_type TEXT, message TEXT, pid INTEGER);
CREATE TABLE attempts (instance_id TEXT NOT NULL, attempt INTEGER NOT NULL, state TEXT NOT NULL, started_at INTEGER NOT NULL,
  ended_at INTEGER, fuel INTEGER, ram INTEGER, error_type TEXT, message TEXT, PRIMARY KEY (instance_id, attempt));
CREATE TABLE transitions (id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, state TEXT NOT NULL, attempt INTEGER NOT NULL, at INTEGER NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO instances(id, run_id, task, file, state, created_at, ended_at, fuel, ram) VALUES ('old', 'old', 'main', 'a.py', 'completed', 1000, 1010, 5, 6);
`;

test('a version 1 trace.db is migrated in place: old rows stay, new columns work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-migrate-'));
  try {
    const path = join(dir, 'trace.db');
    execFileSync('sqlite3', [path], { input: V1_SQL });
    const t = TraceStore.open(path);
    const [old] = t.history();
    assert.equal(old?.id, 'old');
    assert.equal(old?.args, null);
    assert.deepEqual(t.output('old'), { chunks: [], droppedBytes: 0, capBytes: OUTPUT_CAP_BYTES });
    t.createInstance({ id: 'new', runId: 'new', parentId: null, taskName: 'add', file: 'a.py', createdAt: 2000, args: { args: [2, 3], kwargs: {} } });
    t.startAttempt('new', 0, 2001);
    t.appendOutput('new', 0, 'stdout', 'hi\n');
    t.endAttempt('new', 0, 'completed', 'completed', 2002, { fuelConsumed: 1, peakMemoryBytes: 1, result: { sum: 5 } });
    const [latest] = t.history();
    assert.deepEqual(latest?.args, { args: [2, 3], kwargs: {} });
    assert.equal(latest?.resultJson, '{"sum":5}');
    t.close();
    assert.equal(execFileSync('sqlite3', [path, "SELECT value FROM meta WHERE key = 'schema_version'"], { encoding: 'utf8' }).trim(), '2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a run's arguments, limits, result and capped output survive a new engine", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-output-'));
  const lines = 2 * OUTPUT_CAP_BYTES / 64;
  writeFileSync(join(dir, 'tasks.py'), `import sys
from capsule import task

@task(name="main", compute="MEDIUM", ram="128MB", timeout="30s")
def main(n, label="x"):
    for i in range(n):
        print(f"{i:08d}" + "." * 55)
    print("to stderr", file=sys.stderr)
    return {"n": n, "label": label}
`);
  mkdirSync(join(dir, '.capsule'), { recursive: true });
  let id: string;
  {
    const { engine } = await engineFor(dir);
    const h = engine.start({ file: 'tasks.py', args: [lines], kwargs: { label: '<b>' } });
    id = h.instanceId;
    const env = await h.result;
    assert.equal(env.success, true, JSON.stringify(env.error));
    await engine.dispose();
  }
  const { engine } = await engineFor(dir);
  try {
    const [run] = await engine.history({ limit: 1 });
    assert.equal(run?.id, id);
    assert.deepEqual(run?.args, { args: [lines], kwargs: { label: '<b>' } });
    assert.deepEqual(run?.limits, { fuel: 2_000_000_000, memoryLimitBytes: 128 * 1024 * 1024, timeoutMs: 30_000, maxRetries: 0 });
    assert.deepEqual(JSON.parse(run?.resultJson ?? 'null'), { n: lines, label: '<b>' });
    const out = await engine.output(id);
    const kept = out.chunks.reduce((n, c) => n + Buffer.byteLength(c.text), 0);
    assert.equal(kept, OUTPUT_CAP_BYTES);
    // Every line is 64 bytes; the stderr line comes after the cap, so it is dropped and counted.
    assert.equal(kept + out.droppedBytes, lines * 64 + 'to stderr\n'.length);
    assert.ok(out.chunks.map((c) => c.text).join('').startsWith('00000000' + '.'.repeat(55) + '\n00000001'));
    assert.match(readFileSync(join(dir, '.capsule', '.gitignore'), 'utf8'), /^\*$/m);
  } finally {
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a retried run keeps its total fuel and peak memory in the trace, as the envelope reports them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-retry-fuel-'));
  writeFileSync(join(dir, 'tasks.py'), `from capsule import task

@task(name="main", compute="MEDIUM", max_retries=2)
def main():
    total = sum(i * i for i in range(20000))
    raise ValueError(f"always fails after {total}")
`);
  const { engine } = await engineFor(dir);
  try {
    const env = await engine.start({ file: 'tasks.py' }).result;
    assert.equal(env.success, false);
    assert.equal(env.execution.retries, 2);
    const [run] = await engine.history({ limit: 1 });
    assert.equal(run?.attempts.length, 3);
    const sum = run!.attempts.reduce((n, a) => n + (a.fuelConsumed ?? 0), 0);
    assert.equal(run?.fuelConsumed, sum, 'the instance row sums its attempts');
    assert.equal(run?.fuelConsumed, env.execution.fuel_consumed, 'the trace says what the envelope said');
    assert.equal(run?.peakMemoryBytes, Math.max(...run!.attempts.map((a) => a.peakMemoryBytes ?? 0)));
    assert.equal(run?.peakMemoryBytes, env.execution.ram_used);
  } finally {
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

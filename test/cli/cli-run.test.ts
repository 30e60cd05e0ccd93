// `capsule run` end to end through the bundle and the real sandbox: output, --json,
// exit codes, NO_COLOR, and a CLI killed with SIGKILL mid-task.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TraceStore } from '../../runtime/src/trace/trace-store';
import { poll } from '../poll';

const BIN = resolve('bin/capsule.js');

function capsule(args: string[], cwd: string, env: Record<string, string> = {}) {
  const full: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('FORCE_COLOR' in env)) delete full.FORCE_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: full, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Waits until the trace, read with the sqlite3 tool as another process would, shows the task "sleepy" running. */
function runningInTrace(db: string, ms: number): Promise<true> {
  return poll('the task to show as running in the trace', () => {
    const out = spawnSync('sqlite3', ['-readonly', db, "SELECT count(*) FROM instances WHERE task = 'sleepy' AND state = 'running'"], { encoding: 'utf8' });
    return out.status === 0 && out.stdout.trim() === '1' ? true : undefined;
  }, ms, 50);
}

function examplesCopy(): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-cli-run-'));
  cpSync('examples', dir, { recursive: true, filter: (s) => !s.includes('.capsule') });
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('capsule run examples/hello.py prints the greeting and a final line; exit 0', () => {
  const r = capsule(['run', 'examples/hello.py'], process.cwd(), { NO_COLOR: '1' });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'Hello from Capsule!\n');
  assert.match(r.err, /^✔ main completed · in \d+(\.\d+)? m?s · fuel [\d.]+[KMB]? · ram [\d.]+ [KMG]?B$/m);
  assert.doesNotMatch(r.err, /\u001b\[/);
});

test('--json prints the envelope: success, the result, fuel_consumed > 0', () => {
  const p = examplesCopy();
  try {
    const r = capsule(['run', 'hello.py', '--json'], p.dir);
    assert.equal(r.code, 0, r.err);
    const env = JSON.parse(r.out);
    assert.equal(env.success, true);
    assert.equal(env.result, 'Hello from Capsule!');
    assert.equal(env.error, null);
    assert.equal(env.execution.task_name, 'main');
    assert.equal(env.execution.retries, 0);
    assert.ok(env.execution.fuel_consumed > 0);
    assert.ok(env.execution.ram_used > 0);
    assert.deepEqual(env.execution.host_requests, []);
  } finally {
    p.done();
  }
});

test('a failing task exits 1 with its error; no file runs the entrypoint; -- args reach the task', () => {
  const p = examplesCopy();
  try {
    const fail = capsule(['run', 'limits.py', '--task', 'spin', '--json'], p.dir);
    assert.equal(fail.code, 1);
    const env = JSON.parse(fail.out);
    assert.equal(env.success, false);
    assert.equal(env.result, null);
    assert.equal(env.error.error_type, 'out_of_fuel');
    const entry = capsule(['run'], p.dir, { NO_COLOR: '1' });
    assert.equal(entry.code, 0, entry.err);
    assert.equal(entry.out, 'Hello from Capsule!\n');
    const args = capsule(['run', 'analyze_data.py', '--task', 'analyze_data', '--json', '--', '[3, 1, 4, 1, 5]'], p.dir);
    assert.equal(args.code, 0, args.err);
    assert.deepEqual(JSON.parse(args.out).result, { processed: 5, status: 'complete', mean: 2.8, max: 5 });
  } finally {
    p.done();
  }
});

test('a CLI killed with SIGKILL mid-task leaves a trace that the next run marks interrupted', async () => {
  const p = examplesCopy();
  try {
    // A task that runs until it is killed: the window for seeing it running does not
    // depend on how fast a loaded machine starts it.
    writeFileSync(join(p.dir, 'endless.py'), 'import time\nfrom capsule import task\n\n@task(name="sleepy")\ndef main():\n    time.sleep(600)\n');
    const child = spawn(process.execPath, [BIN, 'run', 'endless.py', '--task', 'sleepy'], { cwd: p.dir, stdio: 'ignore' });
    const db = join(p.dir, '.capsule', 'trace.db');
    await runningInTrace(db, 60_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const next = capsule(['run', 'hello.py'], p.dir);
    assert.equal(next.code, 0, next.err);
    const t = TraceStore.open(db);
    const sleepy = t.history(10).find((r) => r.taskName === 'sleepy');
    t.close();
    assert.equal(sleepy?.state, 'interrupted');
    const hist = capsule(['history', '--limit', '5'], p.dir, { NO_COLOR: '1' });
    assert.equal(hist.code, 0);
    assert.match(hist.out, /sleepy endless\.py interrupted/);
    assert.match(hist.out, /main hello\.py completed/);
  } finally {
    p.done();
  }
});

test('Ctrl-C (SIGINT) cancels the task: interrupted, exit 1', async () => {
  const p = examplesCopy();
  try {
    const child = spawn(process.execPath, [BIN, 'run', 'limits.py', '--task', 'sleepy'], { cwd: p.dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const db = join(p.dir, '.capsule', 'trace.db');
    await runningInTrace(db, 20_000);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 1, err);
    assert.match(err, /^■ sleepy interrupted/m);
    const state = spawnSync('sqlite3', ['-readonly', db, "SELECT state FROM instances WHERE task = 'sleepy'"], { encoding: 'utf8' }).stdout.trim();
    assert.equal(state, 'interrupted');
  } finally {
    p.done();
  }
});

test('two CLIs running at once share one trace', async () => {
  const p = examplesCopy();
  try {
    const run = () =>
      new Promise<string>((resolve) => {
        const c = spawn(process.execPath, [BIN, 'run', 'hello.py'], { cwd: p.dir, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.once('exit', (code) => resolve(code === 0 ? 'ok' : `exit ${code}: ${err}`));
      });
    assert.deepEqual(await Promise.all([run(), run(), run()]), ['ok', 'ok', 'ok']);
    const t = TraceStore.open(join(p.dir, '.capsule', 'trace.db'));
    const runs = t.history(10);
    t.close();
    assert.equal(runs.length, 3);
    assert.ok(runs.every((r) => r.state === 'completed'));
  } finally {
    p.done();
  }
});

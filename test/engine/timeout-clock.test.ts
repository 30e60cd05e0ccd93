// The wall-clock timeout counts from the moment the task's own code starts (the
// sandbox's onStart), not from the request for a sandbox: a sub-task that waited
// for a sandbox under load is not charged for the wait. The wait has its own cap.
// The sandbox here is scripted, since only a scripted one can be made to start
// late on purpose; the real sandbox's onStart is checked at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAttempt } from '../../runtime/src/engine/attempt';
import type { SandboxHooks, SandboxOutcome, SandboxPoolLike, SandboxRun, SandboxSpec } from '../../runtime/src/engine/sandbox-port';
import type { TaskConfig } from '../../runtime/src/config/schema';
import { SandboxPool } from '../../runtime/src/sandbox/index';

const config = (timeoutMs: number | null): TaskConfig => ({
  name: 'main', compute: 'MEDIUM', fuel: 2e9, memoryLimitBytes: 64 * 2 ** 20, timeoutMs, maxRetries: 0, allowedFiles: [], allowedHosts: [], envVariables: [],
});

const spec: SandboxSpec = { projectRoot: '/nowhere', file: 'main.py', taskName: 'main', args: [], kwargs: {}, fuel: 2e9, memoryLimitBytes: 64 * 2 ** 20, env: {}, mounts: [] };

/** A sandbox that starts the code after `startAfterMs` (never if null) and then runs for `runMs` (forever if null). */
function scriptedPool(startAfterMs: number | null, runMs: number | null): SandboxPoolLike & { killedWith: string[] } {
  const killedWith: string[] = [];
  return {
    killedWith,
    run(_spec: SandboxSpec, hooks: SandboxHooks = {}): SandboxRun {
      let settle!: (o: SandboxOutcome) => void;
      const outcome = new Promise<SandboxOutcome>((r) => (settle = r));
      const timers: NodeJS.Timeout[] = [];
      if (startAfterMs !== null) {
        timers.push(setTimeout(() => {
          hooks.onStart?.();
          if (runMs !== null) timers.push(setTimeout(() => settle({ ok: true, result: 'done', fuelConsumed: 1, peakMemoryBytes: 1, startMs: startAfterMs }), runMs));
        }, startAfterMs));
      }
      return {
        outcome,
        kill(reason) {
          killedWith.push(reason);
          timers.forEach(clearTimeout);
          settle({ ok: false, error: { type: 'wasm_error', message: `killed: ${reason}` }, fuelConsumed: 0, peakMemoryBytes: 0, startMs: 0 });
        },
      };
    },
    dispose: async () => {},
  };
}

test('a task whose sandbox took longer than its timeout to start still gets its whole timeout', async () => {
  const pool = scriptedPool(600, 100);
  const end = await runAttempt({ pool, spec, config: config(400), hooks: {}, signal: new AbortController().signal });
  assert.equal(end.kind, 'completed', JSON.stringify(end));
  assert.deepEqual(pool.killedWith, []);
});

test('the timeout still fires once the code has started, and names the time the code ran', async () => {
  const pool = scriptedPool(300, null);
  const t0 = Date.now();
  const end = await runAttempt({ pool, spec, config: config(300), hooks: {}, signal: new AbortController().signal });
  assert.equal(end.kind, 'timed_out');
  assert.ok(Date.now() - t0 >= 590, 'the clock started at onStart, not at the request');
  assert.equal(end.kind === 'timed_out' && end.error.error_type, 'timeout');
  assert.match(end.kind === 'timed_out' ? end.error.message : '', /past its timeout of 300 ms/);
  assert.deepEqual(pool.killedWith, ['timeout']);
});

test('a sandbox that never starts the code is stopped at the start-up cap with a clear error', async () => {
  const pool = scriptedPool(null, null);
  const end = await runAttempt({ pool, spec, config: config(null), hooks: {}, signal: new AbortController().signal, startupCapMs: 200 });
  assert.equal(end.kind, 'failed');
  assert.equal(end.kind === 'failed' && end.error.error_type, 'wasm_error');
  assert.match(end.kind === 'failed' ? end.error.message : '', /did not start the task's code within 0.2 s/);
  assert.deepEqual(pool.killedWith, ['timeout']);
});

test('the caller\'s onStart hook is still called', async () => {
  let started = 0;
  const end = await runAttempt({ pool: scriptedPool(10, 10), spec, config: config(1000), hooks: { onStart: () => started++ }, signal: new AbortController().signal });
  assert.equal(end.kind, 'completed');
  assert.equal(started, 1);
});

test('the real sandbox fires onStart once, before the task\'s output', async () => {
  const pool = new SandboxPool({ spares: 0 });
  try {
    const seen: string[] = [];
    const run = pool.run(
      { ...spec, projectRoot: new URL('../../examples', import.meta.url).pathname, file: 'hello.py' },
      { onStart: () => seen.push('start'), onStdout: () => seen.push('out') },
    );
    const outcome = await run.outcome;
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.equal(seen.filter((s) => s === 'start').length, 1);
    assert.equal(seen[0], 'start');
  } finally {
    await pool.dispose();
  }
});

// The engine on the real sandbox: lifecycle, output, results, errors, retries,
// cancellation, sub-tasks and the trace.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../runtime/src/engine/errors';
import { Engine as EngineClass } from '../../runtime/src/engine/engine';
import type { Engine } from '../../runtime/src/engine/engine';
import type { LifecycleEvent } from '../../runtime/src/engine/types';
import { engineFor, states, tempProject } from './helpers';
import { poll } from '../poll';

let project: ReturnType<typeof tempProject>;
let engine: Engine;
let events: LifecycleEvent[];

before(async () => {
  project = tempProject('test/engine/fixtures/proj');
  ({ engine, events } = await engineFor(project.dir));
});
after(async () => {
  await engine?.dispose();
  project?.done();
});

test('a task completes: events in order, output streamed, envelope filled, trace written', async () => {
  const h = engine.start({ file: 'tasks.py', args: ['Capsule'] });
  const seen: LifecycleEvent[] = [];
  h.onEvent((e) => seen.push(e));
  const env = await h.result;
  assert.equal(env.success, true, JSON.stringify(env.error));
  assert.equal(env.state, 'completed');
  assert.equal(env.result, 'Hello, Capsule!');
  assert.equal(env.error, null);
  assert.equal(env.execution.task_name, 'main');
  assert.equal(env.execution.retries, 0);
  assert.ok(env.execution.fuel_consumed > 0, 'fuel_consumed > 0');
  assert.ok(env.execution.ram_used > 0, 'ram_used > 0');
  assert.deepEqual(states(seen, h.instanceId), ['created', 'running', 'completed']);
  assert.equal(seen.filter((e) => e.type === 'stdout').map((e) => e.text).join(''), 'hello, Capsule\n');
  const [run] = await engine.history({ limit: 1 });
  assert.equal(run?.id, h.instanceId);
  assert.equal(run?.state, 'completed');
  assert.equal(run?.fuelConsumed, env.execution.fuel_consumed);
});

test('stdout and stderr arrive as separate streams', async () => {
  const h = engine.start({ file: 'tasks.py', taskName: 'chatty' });
  const env = await h.result;
  assert.equal(env.result, 3);
  const mine = events.filter((e) => e.instanceId === h.instanceId);
  assert.equal(mine.filter((e) => e.type === 'stdout').map((e) => e.text).join(''), 'line 0\nline 1\nline 2\n');
  assert.equal(mine.filter((e) => e.type === 'stderr').map((e) => e.text).join(''), 'oops\n');
});

test('output streams while the task runs, not when it ends', async () => {
  const h = engine.start({ file: 'tasks.py', taskName: 'tick_then_nap' });
  let ticked = false;
  h.onEvent((e) => {
    if (e.type === 'stdout' && e.text?.includes('tick')) ticked = true;
  });
  // The task sleeps 30 s after printing: the line must arrive long before that.
  await poll('the first line of output', () => ticked, 15_000);
  h.cancel();
  assert.equal((await h.result).success, false);
});

test('kwargs and args cross as JSON', async () => {
  const env = await engine.start({ file: 'tasks.py', taskName: 'echo', args: [1, 'two', [3]], kwargs: { k: { n: null } } }).result;
  assert.deepEqual(env.result, { args: [1, 'two', [3]], kwargs: { k: { n: null } } });
});

test('an async def task runs to completion on the sandbox event loop', async () => {
  const env = await engine.start({ file: 'tasks.py', taskName: 'async_main', args: [4] }).result;
  assert.equal(env.success, true, JSON.stringify(env.error));
  assert.deepEqual(env.result, [0, 1, 4, 9]);
});

test('a Python exception is a task_error with its traceback, retried max_retries times', async () => {
  const h = engine.start({ file: 'tasks.py', taskName: 'boom' });
  const env = await h.result;
  assert.equal(env.success, false);
  assert.equal(env.error?.error_type, 'task_error');
  assert.match(env.error?.message ?? '', /ValueError: bad input: 42/);
  assert.match(env.error?.traceback ?? '', /Traceback[\s\S]*tasks\.py[\s\S]*ValueError/);
  assert.equal(env.execution.retries, 1);
  assert.deepEqual(states(events, h.instanceId), ['created', 'running', 'retrying', 'running', 'failed']);
  assert.equal(env.state, 'failed');
  const [run] = await engine.history({ limit: 1 });
  assert.deepEqual(run?.attempts.map((a) => [a.attempt, a.state, a.errorType]), [[0, 'failed', 'task_error'], [1, 'failed', 'task_error']]);
});

test('an unserialisable return value and sys.exit are clear task errors, and the host lives on', async () => {
  const bad = await engine.start({ file: 'tasks.py', taskName: 'unserialisable' }).result;
  assert.equal(bad.error?.error_type, 'task_error');
  assert.match(bad.error?.message ?? '', /JSON/);
  const exits = await engine.start({ file: 'tasks.py', taskName: 'exits' }).result;
  assert.equal(exits.success, false);
  assert.equal(exits.error?.message, 'exited with status 3');
  assert.equal((await engine.start({ file: 'tasks.py' }).result).success, true);
});

test('cancel() stops a sleeping task at once: interrupted', async () => {
  const h = engine.start({ file: 'tasks.py', taskName: 'nap', args: [30] });
  await poll('the nap task to run', () => states(events, h.instanceId).includes('running'), 20_000);
  h.cancel();
  const env = await h.result;
  // The nap is 30 s: a cancel that did not stop it would end completed, not interrupted.
  assert.equal(env.success, false);
  assert.equal(env.state, 'interrupted');
  assert.deepEqual(states(events, h.instanceId).slice(-1), ['interrupted']);
  const [run] = await engine.history({ limit: 1 });
  assert.equal(run?.state, 'interrupted');
});

test('config problems reject before anything runs', async () => {
  await assert.rejects(engine.start({ file: 'tasks.py', taskName: 'nope' }).result, (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /no task named "nope" in tasks\.py; its tasks are "main", "chatty"/);
    return true;
  });
  await assert.rejects(engine.start({ file: 'missing.py' }).result, /missing\.py: no such file/);
  await assert.rejects(engine.start({ file: '../outside.py' }).result, /outside the project root/);
  assert.throws(() => engine.start({ file: 'tasks.py', args: 'x' as unknown as unknown[] }), /"args" must be an array/);
  assert.throws(() => engine.start({ file: 'tasks.py', mounts: [{ hostPath: '/tmp' }] as never }), /^UsageError: start: "mounts" must be an array of \{hostPath, guestPath, readOnly\}$/);
  assert.throws(() => engine.start({ file: 'tasks.py', kwargs: [] as never }), /"kwargs" must be an object of JSON values/);
});

test('a sub-task runs in its own sandbox under its parent', async () => {
  const h = engine.start({ file: 'tasks.py', taskName: 'parent' });
  const seen: LifecycleEvent[] = [];
  h.onEvent((e) => seen.push(e));
  const env = await h.result;
  assert.equal(env.success, true, JSON.stringify(env.error));
  assert.deepEqual(env.result, [2, 4]);
  const children = seen.filter((e) => e.parentId === h.instanceId && e.type === 'completed');
  assert.equal(children.length, 2);
  assert.ok(children.every((c) => c.runId === h.instanceId && c.taskName === 'doubler'));
  const [run] = await engine.history({ limit: 1 });
  assert.equal(run?.children.length, 2);
});

test('a failing sub-task raises TaskFailed in its caller', async () => {
  const env = await engine.start({ file: 'tasks.py', taskName: 'failing_parent' }).result;
  assert.equal(env.success, true, JSON.stringify(env.error));
  assert.match(String(env.result), /^caught task_error: ValueError: bad input: 42/);
});

test('async sub-tasks awaited with asyncio.gather run in parallel sandboxes and come back in order', async () => {
  const h = engine.start({ file: 'tasks.py', taskName: 'fan_out', args: [6] });
  const seen: LifecycleEvent[] = [];
  h.onEvent((e) => seen.push(e));
  const env = await h.result;
  assert.equal(env.success, true, JSON.stringify(env.error));
  assert.deepEqual(env.result, [0, 1, 4, 9, 16, 25]);
  const children = seen.filter((e) => e.parentId === h.instanceId);
  assert.equal(new Set(children.map((e) => e.instanceId)).size, 6);
  // Parallel: a second sub-task was running before the first one ended.
  const firstEnd = children.findIndex((e) => e.type === 'completed');
  assert.ok(children.slice(0, firstEnd).filter((e) => e.type === 'running').length >= 2, 'sub-tasks overlapped');
});

test('an unusable trace path costs the history, not the run', async () => {
  const warnings: string[] = [];
  const e = await EngineClass.create({ projectRoot: project.dir, tracePath: '/dev/null/trace.db', onWarning: (m) => warnings.push(m) });
  try {
    const env = await e.start({ file: 'tasks.py' }).result;
    assert.equal(env.success, true, JSON.stringify(env.error));
    // The trace opens once the first task is under way (off its critical path).
    assert.match(warnings.join('\n'), /trace: cannot use \/dev\/null\/trace\.db .*tasks run without a trace/);
    assert.deepEqual(await e.history(), []);
  } finally {
    await e.dispose();
  }
});

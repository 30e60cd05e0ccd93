// A timed-out or cancelled task reports the fuel and memory it used up to the
// kill, not 0/0. The worker keeps both current at each host interaction: memory
// is exact whenever it is read, and fuel is exact at the host calls (a wait for
// a sub-task, an HTTP request); at a sleep it is the value of the last one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Engine } from '../../runtime/src/engine/engine';
import type { Envelope } from '../../runtime/src/engine/types';
import { engineFor, tempProject } from './helpers';
import { poll } from '../poll';

let project: ReturnType<typeof tempProject>;
let engine: Engine;
let completed: Envelope;

before(async () => {
  project = tempProject('test/engine/fixtures/usage');
  ({ engine } = await engineFor(project.dir));
  completed = await engine.start({ file: 'usage.py', taskName: 'work_then_quick' }).result;
  assert.equal(completed.success, true, JSON.stringify(completed.error));
});
after(async () => {
  await engine?.dispose();
  project?.done();
});

test('a task cancelled while it waits for a sub-task reports the fuel and memory it used', async () => {
  const h = engine.start({ file: 'usage.py', taskName: 'work_then_slow' });
  let printed = '';
  h.onEvent((e) => {
    if (e.type === 'stdout' && e.instanceId === h.instanceId) printed += e.text ?? '';
  });
  await poll('the work to finish', () => printed.includes('waiting'), 60_000);
  await new Promise((r) => setTimeout(r, 300)); // into task.spawn
  h.cancel();
  const env = await h.result;
  assert.match(env.error?.message ?? '', /cancelled/);
  const done = completed.execution;
  const x = env.execution;
  // Everything but returning the result (a few thousand units) was spent before the wait.
  assert.ok(x.fuel_consumed > 0.97 * done.fuel_consumed && x.fuel_consumed <= done.fuel_consumed, `fuel ${x.fuel_consumed} vs ${done.fuel_consumed} when completed`);
  assert.equal(x.ram_used, done.ram_used);
});

test('a task timed out while it sleeps reports its memory, and the fuel of its last host call', async () => {
  const env = await engine.start({ file: 'usage.py', taskName: 'work_then_sleep' }).result;
  assert.equal(env.error?.error_type, 'timeout');
  assert.equal(env.execution.ram_used, completed.execution.ram_used);
  assert.ok(env.execution.fuel_consumed > 0, `fuel ${env.execution.fuel_consumed}`);
});

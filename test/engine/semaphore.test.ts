import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Semaphore } from '../../runtime/src/engine/semaphore';
import { RETRYABLE, shouldRetry } from '../../runtime/src/engine/retry-policy';

test('the semaphore queues past capacity, in order, and lets an aborted waiter go', async () => {
  const s = new Semaphore(1);
  const order: string[] = [];
  const r1 = await s.acquire();
  const ac = new AbortController();
  const p2 = s.acquire(ac.signal).then(() => order.push('aborted one ran'), () => order.push('aborted'));
  const p3 = s.acquire().then((r) => (order.push('third'), r));
  ac.abort(new Error('x'));
  await p2;
  r1();
  (await p3)();
  assert.deepEqual(order, ['aborted', 'third']);
  assert.equal(s.running, 0);
  await assert.rejects(s.acquire(AbortSignal.abort(new Error('gone'))), /gone/);
  assert.equal(s.running, 0);
});

test('the retry rule: exceptions, traps and timeouts retry; fuel, memory and permission do not', () => {
  assert.deepEqual([...RETRYABLE].sort(), ['task_error', 'timeout', 'wasm_error']);
  assert.equal(shouldRetry('task_error', 0, 1), true);
  assert.equal(shouldRetry('task_error', 1, 1), false);
  for (const t of ['out_of_fuel', 'out_of_memory', 'permission_denied'] as const) assert.equal(shouldRetry(t, 0, 5), false);
});

// A worker thread serves several tasks in a row (each on a new instance) when its
// tasks end cleanly. Nothing one task does may be visible to the next: not its
// environment, modules, builtins or globals (new linear memory), not its output
// (per-instance buffers), not how long the worker has lived (the clock restarts).
// After a trap or a kill the worker is not reused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { SandboxPool } from '../../runtime/src/sandbox/index';
import { runTask, spec } from './sandbox-helpers';

const PROJECT = join(__dirname, '..', 'fixtures', 'sandbox-reuse');
let pool: SandboxPool;

/** The pool's queue of ready workers (private: only this test looks at it). */
const spareWorkers = (): Promise<Worker[]> =>
  Promise.all((pool as unknown as { spares: Array<{ ready: Promise<Worker> }> }).spares.map((s) => s.ready));

before(() => {
  pool = new SandboxPool({ spares: 0, maxIdle: 1 });
});
after(async () => {
  await pool.dispose();
});

test('the next task on a reused worker sees nothing the last one left', async () => {
  const secret = 'left-behind-7f3a';
  const first = await runTask(pool, spec(PROJECT, 'reuse.py', 'litter', { args: [secret], env: { ONLY: 'first' } }));
  assert.equal(first.outcome.ok, true, JSON.stringify(first.outcome.error));
  assert.equal(first.stdout, 'a partial line from litter');
  const [reused] = await spareWorkers();
  assert.ok(reused, 'the worker came back as a spare');

  const second = await runTask(pool, spec(PROJECT, 'reuse.py', 'snoop', { env: { ONLY: 'second' } }));
  assert.equal(second.outcome.ok, true, JSON.stringify(second.outcome.error));
  const seen = second.outcome.result as { env: Record<string, string>; builtin: boolean; module: boolean; leftover: unknown; monotonic: number };
  assert.deepEqual(seen.env, { ONLY: 'second' });
  assert.equal(seen.builtin, false);
  assert.equal(seen.module, false);
  assert.equal(seen.leftover, null);
  assert.equal(second.stdout, '');
  // litter slept 0.3 s; a clock that kept running would show it.
  assert.ok(seen.monotonic < (first.outcome.result as { monotonic: number }).monotonic, `monotonic ${seen.monotonic}`);
  assert.ok(!JSON.stringify(second).includes(secret));
});

test('a worker whose task trapped is not reused', async () => {
  await runTask(pool, spec(PROJECT, 'reuse.py', 'snoop'));
  const [before] = await spareWorkers();
  assert.ok(before);
  const aborted = await runTask(pool, spec(PROJECT, 'reuse.py', 'litter', { args: ['x'], fuel: 1e6 }));
  assert.equal(aborted.outcome.ok, false);
  assert.equal(aborted.outcome.error?.type, 'out_of_fuel');
  const after = await spareWorkers();
  assert.ok(!after.includes(before), 'the worker that ran out of fuel is gone');
  const next = await runTask(pool, spec(PROJECT, 'reuse.py', 'snoop'));
  assert.equal(next.outcome.ok, true, JSON.stringify(next.outcome.error));
});

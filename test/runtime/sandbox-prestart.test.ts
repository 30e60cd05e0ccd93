// The CLI starts its sandbox worker before the rest of it loads (cli/prestart.ts):
// the first pool that would boot the same worker (same files, same variant) takes
// it as its spare instead of booting another, and a task runs on it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { SandboxPool } from '../../runtime/src/sandbox/index';
import { prestartSandbox } from '../../runtime/src/sandbox/worker-boot';
import { runTask, spec } from './sandbox-helpers';

const PROJECT = join(__dirname, '..', 'fixtures', 'sandbox-reuse');
/** The pool's queue of spares (private: only tests look at it). */
const spareThreads = (pool: SandboxPool): Array<Worker | undefined> => (pool as unknown as { spares: Array<{ thread?: Worker }> }).spares.map((s) => s.thread);

test('a pool of another variant boots its own; the next metered pool takes the started worker, and runs a task on it', async () => {
  const early = prestartSandbox();
  assert.ok(early, 'no worker was started');
  assert.equal(prestartSandbox(), early, 'a second call starts another worker');

  const unmetered = new SandboxPool({ spares: 1, variant: 'unmetered', importSnapshots: false });
  const metered = new SandboxPool({ spares: 1, importSnapshots: false });
  try {
    assert.notEqual(spareThreads(unmetered)[0], early);
    assert.deepEqual(spareThreads(metered), [early]);
    const r = await runTask(metered, spec(PROJECT, 'reuse.py', 'snoop'));
    assert.equal(r.outcome.ok, true, JSON.stringify(r.outcome.error));
    assert.ok(r.outcome.fuelConsumed > 0);
  } finally {
    await Promise.all([metered.dispose(), unmetered.dispose()]);
  }
  // Taken: the next call starts a new one.
  const next = prestartSandbox();
  assert.notEqual(next, early);
  await next?.terminate();
});

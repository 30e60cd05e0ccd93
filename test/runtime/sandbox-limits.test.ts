// Fuel, memory and misbehaving tasks: each ends as a clean outcome and the
// host (this process) keeps serving tasks.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SandboxPool } from '../../runtime/src/sandbox/index';
import { FIXTURES, FUEL, MB, assertHostAlive, runTask, spec } from './sandbox-helpers';

const pool = new SandboxPool({ spares: 1 });
after(() => pool.dispose());
const limits = (taskName: string, over = {}) => spec(FIXTURES, 'limits_tasks.py', taskName, over);

describe('sandbox: fuel', () => {
  for (const [name, what] of [
    ['python_loop', 'a Python while loop'],
    ['c_loop', 'sum(range(10**12)), a loop inside C'],
    ['c_repeat', '"a" * 10**9, a memset-sized copy in C'],
    ['c_sort', 'sorting a 3M-item list repeatedly'],
    ['regex_backtracking', 'catastrophic regex backtracking'],
  ] as const) {
    it(`stops ${what} at LOW with out_of_fuel`, async () => {
      const { outcome } = await runTask(pool, limits(name, { fuel: FUEL.LOW, memoryLimitBytes: 2048 * MB }));
      assert.equal(outcome.ok, false);
      assert.equal(outcome.error?.type, 'out_of_fuel', JSON.stringify(outcome.error));
      assert.match(outcome.error!.message, /out of fuel \(budget 100000000\)/);
      assert.ok(outcome.fuelConsumed >= FUEL.LOW, `consumed ${outcome.fuelConsumed}`);
      assert.ok(outcome.fuelConsumed < FUEL.LOW * 1.01, `overshoot: consumed ${outcome.fuelConsumed}`);
    });
  }

  it('reports the fuel of a finished task, growing with its work', async () => {
    const small = await runTask(pool, limits('count_loop', { args: [1000] }));
    const big = await runTask(pool, limits('count_loop', { args: [101000] }));
    assert.equal(small.outcome.result, 1000);
    assert.equal(big.outcome.result, 101000);
    const perIteration = (big.outcome.fuelConsumed - small.outcome.fuelConsumed) / 100000;
    // A `for _ in range(n): pass` iteration is tens of wasm instructions (see runtime/README.md).
    assert.ok(perIteration > 5 && perIteration < 500, `fuel per iteration ${perIteration}`);
  });

  it('Infinity fuel runs unmetered-budget tasks to completion', async () => {
    const { outcome } = await runTask(pool, limits('count_loop', { args: [10], fuel: Infinity }));
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
  });
});

describe('sandbox: memory cap', () => {
  for (const cap of [16, 64]) {
    it(`a task allocating past ${cap} MB gets MemoryError, reported as out_of_memory`, async () => {
      const { outcome } = await runTask(pool, limits('hog_memory', { memoryLimitBytes: cap * MB }));
      assert.equal(outcome.ok, false);
      assert.equal(outcome.error?.type, 'out_of_memory', JSON.stringify(outcome.error));
      assert.match(outcome.error!.message, new RegExp(`limit ${cap} MB`));
      assert.ok(outcome.peakMemoryBytes <= cap * MB, `memory ${outcome.peakMemoryBytes} over the cap`);
      assert.ok(outcome.peakMemoryBytes > (cap - 8) * MB, `memory ${outcome.peakMemoryBytes} far below the cap`);
      await assertHostAlive(pool, FIXTURES);
    });
  }
});

describe('sandbox: the host survives', () => {
  it('sys.exit(3)', async () => {
    const { outcome } = await runTask(pool, limits('exit_3'));
    assert.deepEqual(outcome.error, { type: 'task_error', message: 'exited with status 3' });
    await assertHostAlive(pool, FIXTURES);
  });

  it('os._exit(1)', async () => {
    const { outcome } = await runTask(pool, limits('os_exit_1'));
    assert.equal(outcome.error?.type, 'task_error');
    assert.match(outcome.error!.message, /exited the interpreter/);
    await assertHostAlive(pool, FIXTURES);
  });

  it('os.abort()', async () => {
    const { outcome } = await runTask(pool, limits('os_abort'));
    assert.equal(outcome.error?.type, 'wasm_error');
    assert.match(outcome.error!.message, /aborted/);
    await assertHostAlive(pool, FIXTURES);
  });

  it('infinite recursion', async () => {
    const { outcome } = await runTask(pool, limits('infinite_recursion'));
    assert.equal(outcome.error?.type, 'task_error');
    assert.match(outcome.error!.message, /RecursionError/);
    assert.match(outcome.error!.traceback ?? '', /in down/);
    await assertHostAlive(pool, FIXTURES);
  });

  it('a 10 MB print arrives whole', async () => {
    const { outcome, stdout } = await runTask(pool, limits('print_10mb'));
    assert.equal(outcome.result, 'printed', JSON.stringify(outcome.error));
    assert.equal(stdout.length, 10 * MB + 1);
    assert.match(stdout, /^x+\n$/);
    await assertHostAlive(pool, FIXTURES);
  });

  it('kill() also stops a task blocked on a host call that never answers', async () => {
    const run = pool.run(spec(FIXTURES, 'io_tasks.py', 'host_echo', { args: [1] }), { onHostCall: () => new Promise(() => {}) });
    setTimeout(() => run.kill('cancelled'), 300);
    assert.deepEqual((await run.outcome).error, { type: 'wasm_error', message: 'killed: cancelled' });
    await assertHostAlive(pool, FIXTURES);
  });

  it('kill() stops a task spinning without a fuel limit', async () => {
    // spin_forever never returns: only the kill can settle the outcome (how soon is the bench's business).
    const run = pool.run(limits('spin_forever', { fuel: Infinity }));
    setTimeout(() => run.kill('timeout'), 300);
    const outcome = await run.outcome;
    assert.deepEqual(outcome.error, { type: 'wasm_error', message: 'killed: timeout' });
    await assertHostAlive(pool, FIXTURES);
  });
});

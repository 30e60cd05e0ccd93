// The build-time instrumentation pass (runtime/build/instrument.mjs) on real
// modules in real V8: exact fuel counts on hand-written code, bounded loops and
// recursion, the memory cap, and a fuel-off variant that behaves like the input.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildFixture } from '../fixtures/wasm/build';
import { BIG, Wasm, closeBinaryen, exportNames, importList, instantiate, instrumentBytes, run, wat } from './instrument-helpers';

after(closeBinaryen);

// Costs are counted in binaryen IR nodes: every node is 1, block and loop are 0.
const EXACT = `(module
  (memory (export "memory") 1)
  (func $straight (export "straight") (param $x i32) (result i32)
    (i32.add (i32.mul (local.get $x) (i32.const 3)) (i32.sub (local.get $x) (i32.const 1))))
  (func $call_straight (export "call_straight") (param $x i32) (result i32)
    (call $straight (local.get $x)))
  (func $count (export "count") (param $n i32)
    (loop $l
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))
  (func $pick (export "pick") (param $x i32) (result i32)
    (if (local.get $x) (then (return (i32.const 10))))
    (i32.add (local.get $x) (i32.const 20)))
  (func $pick_loop (export "pick_loop") (param $n i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $pick (i32.and (local.get $n) (i32.const 1)))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (local.get $s))
  (func $find (export "find") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (if (i32.eq (local.get $i) (local.get $n)) (then (return (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
  (func (export "twice") (param $n i32) (result i32)
    (i32.add (call $find (local.get $n)) (call $find (local.get $n))))
  (func $down (export "down") (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (i32.add (call $down (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
      (else (i32.const 0))))
  (func $forever (export "forever") (param $n i32) (result i32)
    (call $forever (i32.add (local.get $n) (i32.const 1))))
  (func (export "skip") (param $x i32) (result i32) (local $r i32)
    (block $b
      (local.set $r (i32.const 1))
      (br_if $b (local.get $x))
      (local.set $r (i32.add (local.get $r) (i32.const 10))))
    (local.get $r))
  (func (export "grow") (param $d i32) (result i32) (memory.grow (local.get $d)))
)`;

describe('instrument: exact counts on hand-written code', () => {
  const exact = (async () => instantiate((await instrumentBytes(await wat(EXACT), { foldLimit: 0 })).bytes))();

  it('charges a straight-line function its instruction count', async () => {
    const r = run(await exact, BIG, 'straight', 5);
    assert.equal(r.value, 19);
    assert.equal(r.consumed, 7n);
  });

  it('charges every loop iteration', async () => {
    const inst = await exact;
    for (const n of [1, 2, 10, 1000]) assert.equal(run(inst, BIG, 'count', n).consumed, BigInt(6 * n));
  });

  it('counts the path taken through early returns', async () => {
    const inst = await exact;
    assert.deepEqual([run(inst, BIG, 'pick', 1).value, run(inst, BIG, 'pick', 1).consumed], [10, 4n]);
    assert.deepEqual([run(inst, BIG, 'pick', 0).value, run(inst, BIG, 'pick', 0).consumed], [20, 5n]);
  });

  it('refunds what a taken br_if skips', async () => {
    const inst = await exact;
    assert.deepEqual([run(inst, BIG, 'skip', 1).value, run(inst, BIG, 'skip', 1).consumed], [1, 5n]);
    assert.deepEqual([run(inst, BIG, 'skip', 0).value, run(inst, BIG, 'skip', 0).consumed], [11, 9n]);
  });

  it('keeps the charges of a return from inside a loop, across calls', async () => {
    const inst = await exact;
    for (const n of [0, 3, 100]) {
      assert.equal(run(inst, BIG, 'find', n).consumed, BigInt(9 * n + 6));
      const r = run(inst, BIG, 'twice', n);
      assert.equal(r.value, 2 * n);
      assert.equal(r.consumed, BigInt(2 * (9 * n + 6) + 5));
    }
  });

  it('charges recursion per call, and stops runaway recursion before the stack does', async () => {
    const inst = await exact;
    for (const n of [0, 1, 50, 500]) assert.equal(run(inst, BIG, 'down', n).consumed, BigInt(8 * n + 3));
    const r = run(inst, 10_000n, 'forever', 0);
    assert.ok(r.error instanceof Wasm.RuntimeError, String(r.error));
    assert.equal(r.exhausted, true);
    assert.ok(r.consumed >= 10_000n && r.consumed < 10_100n, `consumed ${r.consumed}`);
  });

  it('stops a loop once the budget runs out, overshooting by under one block', async () => {
    const inst = await exact;
    const r = run(inst, 1000n, 'count', 1_000_000_000);
    assert.ok(r.error instanceof Wasm.RuntimeError);
    assert.equal(r.exhausted, true);
    assert.ok(r.consumed >= 1000n && r.consumed <= 1006n, `consumed ${r.consumed}`);
    // The instance stays usable: the next run starts clean.
    assert.equal(run(inst, BIG, 'count', 3).consumed, 18n);
  });
});

describe('instrument: bounded functions charged at their call sites', () => {
  // straight (worst case 7) and pick (7) fold; call_straight (9) stays metered.
  const folded = (async () => instrumentBytes(await wat(EXACT), { foldLimit: 8 }))();

  it('folds loop-free leaves and charges their worst case without a sync', async () => {
    const { bytes, stats } = await folded;
    assert.ok(stats.folded >= 2 && stats.foldedCalls >= 2, JSON.stringify(stats));
    const inst = instantiate(bytes);
    // straight is loop-free and straight-line: its folded charge is exact.
    assert.equal(run(inst, BIG, 'call_straight', 5).consumed, 9n);
    // pick's worst case is 7; the exact path is 4 or 5.
    const exact = instantiate((await instrumentBytes(await wat(EXACT), { foldLimit: 0 })).bytes);
    for (const n of [1, 2, 101]) {
      const a = run(exact, BIG, 'pick_loop', n), f = run(inst, BIG, 'pick_loop', n);
      assert.equal(f.value, a.value);
      assert.ok(f.consumed >= a.consumed && f.consumed <= a.consumed + BigInt(3 * n), `${f.consumed} vs ${a.consumed}`);
    }
  });
});

describe('instrument: C programs (clang-19, wasm32-wasi)', () => {
  const source = buildFixture('programs.c');
  const variants = (async () => ({
    plain: instantiate(source),
    off: instantiate((await instrumentBytes(source, { metering: false })).bytes),
    on: instantiate((await instrumentBytes(source)).bytes),
    exact: instantiate((await instrumentBytes(source, { foldLimit: 0 })).bytes),
  }))();
  const calls: Array<[string, number]> = [['interp', 1000], ['fib', 15], ['copy', 100_000], ['alloc_mb', 3], ['early', 5], ['early', 7], ['early', 5000], ['sort', 2000]];

  it('fuel off: the module behaves like the input and never touches the budget', async () => {
    const { plain, off } = await variants;
    for (const [name, arg] of calls) {
      const r = run(off, BIG, name, arg);
      assert.equal(r.value, plain.exports[name](arg), name);
      assert.equal(r.consumed, 0n, name);
    }
    const offExports = exportNames((await instrumentBytes(source, { metering: false })).bytes);
    assert.deepEqual(offExports.filter((n) => !n.includes('capsule_')), exportNames(source));
    assert.deepEqual(offExports.filter((n) => n.includes('capsule_')), ['global:capsule_fuel', 'global:capsule_fuel_exhausted', 'global:capsule_mem_limit_pages']);
    assert.equal(importList((await instrumentBytes(source)).bytes), importList(source));
  });

  it('fuel on: same results, deterministic counts, linear in the work', async () => {
    const { plain, on, exact } = await variants;
    const again = instantiate((await instrumentBytes(source)).bytes);
    for (const [name, arg] of calls) {
      const a = run(on, BIG, name, arg), b = run(again, BIG, name, arg), c = run(exact, BIG, name, arg);
      assert.equal(a.value, plain.exports[name](arg), name);
      assert.equal(a.consumed, b.consumed, `${name} is not deterministic`);
      assert.ok(a.consumed > 0n && c.consumed > 0n && a.consumed >= c.consumed, `${name}: ${a.consumed} vs exact ${c.consumed}`);
      assert.ok(Number(a.consumed) <= Number(c.consumed) * 1.2, `${name}: folding over-counts ${a.consumed} vs ${c.consumed}`);
    }
    const f = (n: number) => run(exact, BIG, 'interp', n).consumed;
    assert.equal(f(3000) - f(2000), f(2000) - f(1000));
    assert.ok(f(2000) - f(1000) >= 4000n, 'an interpreter step costs several instructions');
  });

  it('charges every call of a recursion: fuel(fib k) grows like fib(k)', async () => {
    const { on } = await variants;
    const fuel = (k: number) => Number(run(on, BIG, 'fib', k).consumed);
    const fib = (k: number): number => (k < 2 ? k : fib(k - 1) + fib(k - 2));
    const ratio = (fuel(22) / fuel(16)) / (fib(22) / fib(16));
    assert.ok(ratio > 0.97 && ratio < 1.03, `ratio ${ratio}`);
  });

  for (const [what, name, arg] of [
    ['a while(1) loop', 'spin', 0],
    ['an interpreter loop', 'interp', 2_000_000_000],
    ['C-level memset/memcpy loops', 'copy', 50_000_000],
    ['qsort', 'sort', 3_000_000],
  ] as const) {
    it(`traps ${what} with the exhaustion flag set`, async () => {
      const { on } = await variants;
      const started = Date.now();
      const r = run(on, 1_000_000n, name, arg);
      assert.ok(r.error instanceof Wasm.RuntimeError, `${name} returned ${r.value}`);
      assert.equal(r.exhausted, true);
      assert.ok(r.consumed >= 1_000_000n && r.consumed < 1_001_000n, `consumed ${r.consumed}`);
      assert.ok(Date.now() - started < 10_000, 'ended within 10 s');
    });
  }

  for (const mb of [16, 64]) {
    it(`caps memory at ${mb} MiB: malloc fails cleanly past it and works under it`, async () => {
      const inst = instantiate((await instrumentBytes(source)).bytes);
      inst.memLimit.value = mb * 16;
      assert.equal(run(inst, BIG, 'alloc_mb', mb + 1).value, 0);
      assert.equal(run(inst, BIG, 'alloc_mb', mb - 4).value, 1);
      assert.equal(run(inst, BIG, 'alloc_mb', 2 * mb).value, 0);
      assert.ok(inst.exports.memory.buffer.byteLength <= mb * 1024 * 1024);
      assert.equal(run(inst, BIG, 'alloc_mb', 1).value, 1, 'still works after a refusal');
    });
  }

  it('caps memory.grow exactly at the limit, including huge deltas', async () => {
    const inst = instantiate((await instrumentBytes(await wat(EXACT))).bytes);
    inst.memLimit.value = 10;
    const grow = (d: number) => inst.exports.grow(d);
    assert.equal(grow(5), 1);
    assert.equal(grow(5), -1);
    assert.equal(grow(-1), -1);
    assert.equal(grow(4), 6);
    assert.equal(grow(1), -1);
    assert.equal(grow(0), 10);
  });

  it('charges memory.fill and memory.copy by length (built with -mbulk-memory)', async () => {
    const bulk = buildFixture('programs.c', ['-mbulk-memory']);
    const { stats, bytes } = await instrumentBytes(bulk);
    const inst = instantiate(bytes);
    const fill = (n: number) => run(inst, BIG, 'fill', n).consumed;
    assert.equal(fill(80_000) - fill(0), 10_000n, JSON.stringify(stats));
    const r = run(inst, 1_000_000n, 'copy', 50_000_000);
    assert.equal(r.exhausted, true);
    // An op that costs more than is left spends the rest and stops before it runs.
    assert.equal(r.consumed, 1_000_001n);
  });
});

describe('instrument: bad input', () => {
  it('names the option and what it accepts', async () => {
    const input = await wat(EXACT);
    await assert.rejects(instrumentBytes(input, { foldLimit: -1 }), /opts\.foldLimit must be an integer from 0 to/);
    await assert.rejects(instrumentBytes(input, { metering: 'yes' as never }), /opts\.metering must be a boolean/);
  });

  it('refuses a module that is already instrumented', async () => {
    const once = (await instrumentBytes(await wat(EXACT))).bytes;
    await assert.rejects(instrumentBytes(once), /already exports capsule_fuel/);
  });
});

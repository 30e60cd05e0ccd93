// V8 flags for wasm compiles, set only while a module compiles. V8 reads them
// when it creates a module; but any V8 flag left set keys Node's built-in code
// cache differently, and every thread that boots meanwhile (a sandbox worker)
// then compiles Node's internals from source: ~45 ms of a worker's boot here.
// Setting V8's default values back restores the cache.
// - --wasm-tiering-budget: the CLI's (cli/tiering.ts), for a one-off process.
// - --wasm-lazy-validation: a function is validated when it is first compiled,
//   as it is compiled lazily anyway: compiling the 17 MB sandbox module took
//   53 ms, 24 ms with it. Used for modules this project ships.
import { setFlagsFromString } from 'node:v8';

/** V8 11's defaults (Node 20). Another Node keeps working; only the cache misses then. */
const DEFAULTS = '--wasm-tiering-budget=1800000 --no-wasm-lazy-validation';
const MAX_BUDGET = 2 ** 31 - 1;

let budget: number | undefined;

/** Sets the tiering budget for the wasm this process compiles from now on (undefined: V8's default). */
export function setWasmTieringBudget(value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > MAX_BUDGET)) {
    throw new RangeError(`setWasmTieringBudget: the budget must be an integer from 1 to ${MAX_BUDGET} (got ${value})`);
  }
  budget = value;
}

export function wasmTieringBudget(): number | undefined {
  return budget;
}

/**
 * Flags are process-wide, and threads compile at the same time: [0] is a lock,
 * [1] counts the threads inside a compile window; the last one out restores
 * the defaults. Workers share it through useCompileWindows().
 */
let windows = new Int32Array(new SharedArrayBuffer(8));

export function compileWindows(): SharedArrayBuffer {
  return windows.buffer as SharedArrayBuffer;
}

export function useCompileWindows(shared: SharedArrayBuffer): void {
  windows = new Int32Array(shared);
}

function locked(fn: () => void): void {
  while (Atomics.compareExchange(windows, 0, 0, 1) !== 0); // held for a flag write, microseconds
  try {
    fn();
  } finally {
    Atomics.store(windows, 0, 0);
  }
}

function flags(tieringBudget: number | undefined): string {
  return `--wasm-lazy-validation${tieringBudget === undefined ? '' : ` --wasm-tiering-budget=${tieringBudget}`}`;
}

/**
 * Runs `compile` (synchronous: V8 reads the flags while it runs) with lazy
 * validation and the tiering budget. Every window of a process sets the same
 * flags: the budget is the process's.
 */
export function compileWithFlags<T>(compile: () => T, tieringBudget = budget): T {
  locked(() => {
    if (windows[1]++ === 0) setFlagsFromString(flags(tieringBudget));
  });
  try {
    return compile();
  } finally {
    locked(() => {
      if (--windows[1]! === 0) setFlagsFromString(DEFAULTS);
    });
  }
}

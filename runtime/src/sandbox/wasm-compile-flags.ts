// V8 flags for wasm compiles, set only while a module compiles. V8 reads them
// when it creates a module; but any V8 flag left set keys Node's built-in code
// cache differently, and every thread that boots meanwhile (a sandbox worker)
// then compiles Node's internals from source: ~45 ms of a worker's boot here.
// Setting the values back restores the cache.
// - --wasm-tiering-budget: the CLI's (cli/tiering.ts), for a one-off process.
// - --wasm-lazy-validation: a function is validated when it is first compiled,
//   as it is compiled lazily anyway: compiling the 17 MB sandbox module took
//   53 ms, 24 ms with it. Used for modules this project ships.
// - --wasm-inlining, when no tiering budget is set (the pool: the extension,
//   the bench): TurboFan inlines small hot callees into their callers (V8 11.3
//   keeps it off by default; a module compiled in the window keeps it for its
//   later tier-ups). The sandbox's CPU bench took ~0.9x the CPU with it
//   (runtime/build/README.md); fuel is unchanged (it counts wasm instructions).
//   Not with a budget (the CLI's one-off process): there the one TurboFan
//   compile of the eval loop grew, and `capsule run hello.py` took ~0.1 s more CPU.
// - `host: 'eager'` (SQLite on a large trace, in the CLI): every function is
//   compiled at once by Liftoff, and none ever tiers up. Even the largest budget
//   did not stop SQLite's tier-up: V8 charges a loop's whole body per iteration,
//   and PRAGMA quick_check on a trace of ~170 runs ran the 60 KB VDBE loop past
//   it; its TurboFan compile then took 200-600 ms of a core, which the one-off
//   process's exit waited for. The flags are restored after (only what was
//   compiled inside keeps them), and a usual window (the sandbox module's,
//   which must tier up) never shares an eager one: it waits for it to close.
import { setFlagsFromString } from 'node:v8';

const MAX_BUDGET = 2 ** 31 - 1;
/** V8 11's default (Node 20); on another Node only the code cache misses. */
const V8_DEFAULT_BUDGET = 1_800_000;

let budget: number | undefined;

/** Sets the tiering budget for the wasm this process compiles from now on (undefined: the process's own). */
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
 * What a window restores: the values the process started with (node's command
 * line may set them: a bench does), else V8's defaults. Workers get the main
 * thread's (their own execArgv is not the process's).
 */
function restoreFlags(argv: readonly string[]): string {
  let value = String(V8_DEFAULT_BUDGET);
  let lazy = false;
  let inlining = false;
  const bools: Record<string, boolean> = { 'wasm-lazy-compilation': true, 'wasm-dynamic-tiering': true, 'wasm-tier-up': true };
  for (const arg of argv) {
    const m = /^--wasm[-_]tiering[-_]budget=(\d+)$/.exec(arg);
    if (m) value = m[1]!;
    if (/^--wasm[-_]lazy[-_]validation$/.test(arg)) lazy = true;
    if (/^--no[-_]wasm[-_]lazy[-_]validation$/.test(arg)) lazy = false;
    if (/^--wasm[-_]inlining$/.test(arg)) inlining = true;
    if (/^--no[-_]wasm[-_]inlining$/.test(arg)) inlining = false;
    const b = /^--(no[-_])?(wasm[-_](?:lazy[-_]compilation|dynamic[-_]tiering|tier[-_]up))$/.exec(arg);
    if (b) bools[b[2]!.replace(/_/g, '-')] = !b[1];
  }
  const rest = Object.entries(bools).map(([name, on]) => `${on ? '--' : '--no-'}${name}`).join(' ');
  return `--wasm-tiering-budget=${value} ${lazy ? '--' : '--no-'}wasm-lazy-validation ${inlining ? '--' : '--no-'}wasm-inlining ${rest}`;
}

/**
 * Flags are process-wide, and threads compile at the same time: [0] is a lock,
 * [1] counts the threads inside a window, [2] is 1 when they share an eager
 * host window's flags; the last one out restores the flags.
 */
export interface CompileWindows { shared: SharedArrayBuffer; restore: string }

/** This thread's windows open now (a window opened inside one joins it). */
let depth = 0;

let windows: CompileWindows = { shared: new SharedArrayBuffer(12), restore: restoreFlags(process.execArgv) };
let counters = new Int32Array(windows.shared);

/** This thread's windows, for a worker's useCompileWindows(). */
export function compileWindows(): CompileWindows {
  return windows;
}

export function useCompileWindows(w: CompileWindows): void {
  windows = w;
  counters = new Int32Array(w.shared);
}

function locked(fn: () => void): void {
  while (Atomics.compareExchange(counters, 0, 0, 1) !== 0); // held for a flag write, microseconds
  try {
    fn();
  } finally {
    Atomics.store(counters, 0, 0);
  }
}

/**
 * Runs `compile` (synchronous: V8 reads the flags while it runs) with lazy
 * validation and either the tiering budget or inlining. Every window of a process sets the same
 * flags: the budget is the process's. `host: 'eager'`: see the header; only with a budget, and
 * only when no other window is open (it then joins that one, as a usual window).
 */
export function compileWithFlags<T>(compile: () => T, tieringBudget = budget, opts: { host?: 'eager' } = {}): T {
  const eager = opts.host === 'eager' && tieringBudget !== undefined;
  const usual = `--wasm-lazy-validation${tieringBudget === undefined ? ' --wasm-inlining' : ` --wasm-tiering-budget=${tieringBudget}`}`;
  for (;;) {
    let entered = false;
    locked(() => {
      if (counters[1] === 0) {
        setFlagsFromString(eager ? `${usual} --no-wasm-lazy-compilation --no-wasm-dynamic-tiering --no-wasm-tier-up` : usual);
        counters[2] = eager ? 1 : 0;
      } else if (counters[2] === 1 && !eager && depth === 0) {
        return; // an eager window is open: wait for it
      }
      counters[1]!++;
      entered = true;
    });
    if (entered) break;
    Atomics.wait(counters, 1, Atomics.load(counters, 1), 5);
  }
  depth++;
  try {
    return compile();
  } finally {
    depth--;
    locked(() => {
      if (--counters[1]! === 0) {
        setFlagsFromString(windows.restore);
        counters[2] = 0;
        Atomics.notify(counters, 1);
      }
    });
  }
}

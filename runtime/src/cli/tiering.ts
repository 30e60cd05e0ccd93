// One CLI process runs one task and exits. V8 first runs wasm with its baseline
// compiler (Liftoff) and recompiles hot functions with TurboFan in the
// background; CPython's eval loop is one 65 KB function that takes ~70 ms of a
// core to optimise, and the process cannot exit before that job ends. For a
// short task that is pure loss: on these 2 cores, `capsule run hello.py` took
// 0.55 s with the default budget and 0.35 s with the largest one. With the
// largest budget a long task still optimises its hottest functions, later: the
// bench's 0.5 s CPU script ran its first time in 0.55 s against 0.53 s, a 2 s
// one about 20% slower (bench/sandbox.mjs measures the first). The budget
// also keeps the CLI's own wasm (tree-sitter, SQLite) from being optimised.
// V8 reads the flag when a module compiles, and it is set only then
// (sandbox/wasm-compile-flags.ts): set here for the whole process it made every
// thread compile Node's internals from source (Node's built-in code cache is
// keyed by V8's flags), ~45 ms of each worker's boot. The extension host keeps
// V8's defaults: its workers are reused and its tasks are not one-offs. Must
// run before any wasm compiles, so main.ts imports this module first.
import { setWasmTieringBudget } from '../sandbox/index';

const CLI_TIERING_BUDGET = 2 ** 31 - 1;

setWasmTieringBudget(CLI_TIERING_BUDGET);

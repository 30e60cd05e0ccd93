// One CLI process runs one task and exits. V8 first runs wasm with its baseline
// compiler (Liftoff) and recompiles hot functions with TurboFan in the
// background; CPython's eval loop is one 65 KB function that takes ~70 ms of a
// core to optimise, and the process cannot exit before that job ends. For a
// short task that is pure loss: on these 2 cores, `capsule run hello.py` took
// 0.55 s with the default budget and 0.35 s with the largest one. With the
// largest budget a long task still optimises its hottest functions, later: the
// bench's 0.5 s CPU script ran its first time in 0.55 s against 0.53 s, a 2 s
// one about 20% slower (bench/sandbox.mjs measures the first). Any V8 flag also
// costs each worker ~30 ms of boot (Node's built-in code cache is keyed by the
// flags), which the budget more than pays for. The extension host keeps V8's
// defaults: its workers are reused and its tasks are not one-offs.
// Must run before any wasm is compiled, so main.ts imports this module first.
import { setFlagsFromString } from 'node:v8';

const CLI_TIERING_BUDGET = 2 ** 31 - 1;

setFlagsFromString(`--wasm-tiering-budget=${CLI_TIERING_BUDGET}`);

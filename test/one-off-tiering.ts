// Loaded into every test process by scripts/run-tests.mjs (`--require`). A test process
// runs short tasks and exits, like the CLI, so it compiles the sandbox under the CLI's
// tiering budget: with V8's default, each process spent seconds of a core optimising
// CPython's eval loop and tree-sitter for tasks that ended before the code was used
// (the suite's CPU: 676 s with it, 493 s without). Tiering changes no result and no
// fuel count (fuel counts wasm instructions). The pool's own default, V8's with
// inlining, is what the e2e suite's extension runs, and test/runtime/wasm-compile-flags
// checks it in child processes that do not load this file.
import '../runtime/src/cli/tiering';

// Every numeric bound on a task's limits, defined once: the schema (editor and CLI),
// the engine and the sandbox import these, and the Python SDK's copies are checked
// against them by test/sdk/config-crosscheck.test.ts.

/** Fuel per compute level. */
export const FUEL = { LOW: 100_000_000, MEDIUM: 2_000_000_000, HIGH: 50_000_000_000 } as const;

/** The largest exact fuel count a JavaScript number holds. */
export const MAX_FUEL = Number.MAX_SAFE_INTEGER;

/** The largest max_retries a JavaScript number holds exactly (JSON carries it to the sandbox). */
export const MAX_RETRIES = Number.MAX_SAFE_INTEGER;

/**
 * Fuel below which a task can do almost nothing: starting one (the driver, the SDK's
 * checks, loading its file's bytecode) took 1.1M fuel for examples/hello.py, and its
 * first run, which compiles the file, 1-4M. A warning, not an error: a test of fuel
 * exhaustion may want it.
 */
export const FEW_FUEL = 2_000_000;

/** The warm interpreter alone takes about 13 MB of linear memory: less can never start. */
export const MIN_RAM_BYTES = 16 * 1024 ** 2;
/** The floor as a decorator value (for messages and quick fixes). */
export const MIN_RAM = `${MIN_RAM_BYTES / 1024 ** 2}MB`;

/** wasm32 addresses at most 4 GiB, so more ram can never be used. */
export const MAX_RAM_BYTES = 4 * 1024 ** 3;

/** Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer delay fires at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

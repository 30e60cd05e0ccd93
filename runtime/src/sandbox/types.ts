// The sandbox's public types (re-exported by index.ts) and the messages
// between the pool (parent thread) and a sandbox worker.

import type { MessagePort } from 'node:worker_threads';
import type { TaskConfig } from '../config/schema';
import type { DiskBudget } from './wasi/disk-quota';
import type { WasmModule } from './wasm';
import type { CompileWindows } from './wasm-compile-flags';

export type { DiskBudget } from './wasi/disk-quota';

export type SandboxErrorType = 'task_error' | 'out_of_fuel' | 'out_of_memory' | 'wasm_error' | 'permission_denied';

export interface Mount { hostPath: string; guestPath: string; readOnly: boolean }

export interface SandboxSpec {
  /** Absolute host path, visible to the task as `/project` (its cwd; only directories and .py files). */
  projectRoot: string;
  /** Python file relative to projectRoot. */
  file: string;
  /** Task to call (registry key). */
  taskName: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** Budget in fuel units (about one wasm instruction each); Infinity = unmetered. */
  fuel: number;
  /** Cap on the wasm linear memory, in bytes. */
  memoryLimitBytes: number;
  /**
   * The task's decorator as the host read it before the file ran (no capsule.toml
   * defaults): the guest's SDK refuses to call the task if the arguments its decorator
   * really got resolve to anything else (a name bound again, a list changed in place).
   */
  declared?: TaskConfig;
  /** The task's exact environment. */
  env: Record<string, string>;
  /** Extra directory grants (guest paths are absolute, e.g. /project/data). */
  mounts: Mount[];
  /** The run's cap on bytes written through grants, shared by its sandboxes; default: 1 GB for this task alone. */
  disk?: DiskBudget;
  /** Guest paths appended to sys.path after the project and the stdlib, as site does (python-path.ts). */
  pythonPath?: string[];
  /** Host paths of files in the project readable although not .py (zip archives on python_path). */
  projectFiles?: string[];
  /**
   * 64 hex digits: the task's randomness (os.urandom, random, secrets, uuid4) is this
   * seed's ChaCha20 stream, so a resumed or replayed run draws the same numbers.
   * Without it, the host's CSPRNG.
   */
  entropySeed?: string;
  /** The task's nesting level (0: a root): where attempts run on a queue (queue/), ignored by the local pool. */
  depth?: number;
  /**
   * Clock readings a recorded run of this task made: given back first, in order (a
   * resumed or replayed run sees the same times), then the live clocks.
   */
  clock?: ClockReadings;
}

/** Clock readings in the order a task made them: wall clock in ms since the epoch, monotonic clock in ns since the task's start. */
export interface ClockReadings { wall: number[]; monotonic: number[] }
/** Readings kept per clock and attempt; past it a task's readings are live on a resume. */
export const CLOCK_READINGS_CAP = 10_000;

/** One frame of a Python traceback: the task's own and library frames, never the driver's. */
export interface TraceFrame {
  /** Relative to the project root for files under /project (e.g. pkg/util.py), else the guest path. */
  file: string;
  line: number;
  /** The function ("<module>" for a file's top level). */
  name: string;
  /** The source line, stripped, where the source is in the sandbox. */
  source?: string;
}

export interface SandboxError {
  type: SandboxErrorType;
  message: string;
  /**
   * For out_of_memory and out_of_fuel: what the sandbox knows beyond the limit
   * (the MemoryError, the trap); `message` is the limit and this. The engine,
   * which knows how the limit was written, words its own message from it.
   */
  detail?: string;
  /** The user-facing Python traceback (the driver's frames left out). */
  traceback?: string;
  frames?: TraceFrame[];
}

/** The task's file does not compile (CPython's verdict): a configuration error, not a task failure. */
export interface SourceProblem { file: string; line: number; column: number; message: string }

export interface SandboxOutcome {
  ok: boolean;
  /** The return value exactly as the task's JSON text (json.dumps in the guest); never round-tripped through JS numbers. */
  resultJson?: string;
  /** resultJson parsed, on first read (numbers a JS number cannot hold exactly, 2**64 or 3.0, are ExactNumber). */
  readonly result?: unknown;
  error?: SandboxError;
  /** Set when the task's file failed to compile: the run never reached the task's code. */
  sourceProblem?: SourceProblem;
  fuelConsumed: number;
  /** Linear memory size at the end (its peak: wasm memory never shrinks). */
  peakMemoryBytes: number;
  /** From run() to the task's code starting. */
  startMs: number;
  /**
   * The machine running the attempt was lost (a queue worker killed, stopped or cut off):
   * why. Not the task's failure: the engine runs such an attempt again whatever max_retries says.
   */
  lost?: string;
}

export interface SandboxHooks {
  onStdout?(text: string): void;
  onStderr?(text: string): void;
  /** The task's own code is about to run (the start-up is over): the engine starts its timeout here. */
  onStart?(): void;
  /** http.request, task.spawn, ...: a rejection becomes a Python exception. */
  onHostCall?(op: string, payload: unknown): Promise<unknown>;
  /** Which machine took the attempt (a queue worker's id); the local pool does not call it. */
  onPlaced?(worker: string): void;
  /** The clock readings the task made since the last report: before each host call, and at the end (`last`). */
  onClock?(taken: ClockReadings, last: boolean): void;
  /** Asked at each host call of a task given recorded readings: true once they no longer apply (the run went live). */
  clockLive?(): boolean;
}

export interface SandboxRun {
  readonly outcome: Promise<SandboxOutcome>;
  /** Stops the task at once; the outcome resolves with wasm_error 'killed: <reason>'. */
  kill(reason: 'timeout' | 'cancelled'): void;
}

/** Where the runtime files are (runtime/artifacts after prepare.mjs). */
export interface ArtifactPaths {
  /** Transpiled component: python.cjs (the glue, as CommonJS) + core wasm files. */
  genDir: string;
  /** Holds python311.zip; mounted read-only at /usr/local/lib. */
  stdlibDir: string;
  /** python-sdk/, mounted read-only at /capsule/sdk. */
  sdkDir: string;
}

export type Variant = 'metered' | 'unmetered';

export interface WorkerData {
  paths: ArtifactPaths;
  variant: Variant;
  /** The process-wide filesystem lock (wasi/fs-lock.ts). */
  fsLock: SharedArrayBuffer;
  /** The first worker of a process compiles the core modules itself (name -> file) and posts them back. */
  compile?: Record<string, string>;
  /** The memory images of the core modules that have one (name -> file, base-image.ts): each worker reads its own copy. */
  images: Record<string, string>;
  /** The process's compile windows (wasm-compile-flags.ts). */
  compileWindows: CompileWindows;
  /** The process's --wasm-tiering-budget for the compiling worker (wasm-compile-flags.ts); V8's default if absent. */
  tieringBudget?: number;
}

/** sdkStale: the SDK on disk differs from the snapshot's (see sdk-fingerprint.ts). */
/** args/kwargs travel as JSON text (argsJson = '{"args":[...],"kwargs":{...}}'): no structured-clone depth limits. */
/** The compiled modules arrive after the worker starts: it loads the generated JS meanwhile. */
export type InitWorker = { type: 'init'; modules: Record<string, WasmModule> };

export type ToWorker = {
  type: 'run'; spec: Omit<SandboxSpec, 'args' | 'kwargs'>; argsJson: string; sdkStale: boolean;
  signal: SharedArrayBuffer; replies: MessagePort;
  /** The worker keeps [fuel consumed, memory bytes] here at every host interaction (read after a kill). */
  usage: SharedArrayBuffer;
  /** Post the task's clock readings (someone keeps them: SandboxHooks.onClock). */
  noteClock: boolean;
  /**
   * make: a snapshot run (snapshot/make.ts): the driver runs driverFile, and the
   * worker posts the memory image and the paths resolved. use: the project's
   * import snapshot, copied into the instance before it starts.
   */
  snapshot?: { mode: 'make'; driverFile: string } | { mode: 'use'; byteLength: number; pages: SharedArrayBuffer; data: SharedArrayBuffer };
};

/** What the worker posts as its outcome: the result stays text (see SandboxOutcome). */
export type WorkerOutcome = Omit<SandboxOutcome, 'startMs' | 'result'>;

export type FromWorker =
  | { type: 'ready' }
  | { type: 'compiled'; modules: Record<string, WasmModule> }
  | { type: 'started'; at: number }
  | { type: 'stdout' | 'stderr'; text: string }
  /** Bytecode-cache misses of the task (pycache.ts): the pool compiles them after it. */
  | { type: 'pycache'; dir: string; misses: Array<{ source: string; guest: string }> }
  /** The task's first bytecode-cache miss: the pool starts its compiler while the task runs. */
  | { type: 'pycache-soon' }
  /** A snapshot run's memory image (snapshot/memory-image.ts) and every guest path it resolved, with its host path (null: outside the mounts). */
  | { type: 'snapshot'; byteLength: number; pages: Uint32Array; data: Uint8Array; reads: Array<[string, string | null]> }
  /** payloadJson: the guest's JSON text, checked by the worker (one value, nested at most MAX_VALUE_DEPTH). */
  | { type: 'hostcall'; op: string; payloadJson: string }
  /** Clock readings the task made since the last such message (task-clock.ts); posted before a hostcall and before done. */
  | { type: 'clock'; taken: ClockReadings; last: boolean }
  /** reusable: the instance returned cleanly and the worker is making a new one (it posts 'ready' again). */
  | { type: 'done'; outcome: WorkerOutcome; reusable: boolean };

/** liveClock: the run went live, recorded clock readings no longer apply (SandboxHooks.clockLive). */
export type HostReply = ({ ok: true; value: string } | { ok: false; error: string }) & { liveClock?: true };

/** Host calls whose payload carries task values (sub-task arguments): parsed exactly, so 2**64 and 3.0 stay as written. */
export const VALUE_OPS: ReadonlySet<string> = new Set(['task.spawn', 'task.submit']);

/** Guest paths of the fixed mounts. */
export const GUEST_PROJECT = '/project';
export const GUEST_STDLIB = '/usr/local/lib';
export const GUEST_SDK = '/capsule/sdk';
/** The sandbox's CPython version (a virtualenv for another one is refused). */
export const SANDBOX_PYTHON = '3.11';

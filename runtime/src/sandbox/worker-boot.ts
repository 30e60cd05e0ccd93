// Starting and booting a sandbox worker thread: the first one compiles the core
// modules for the whole process; a booted one has its component instantiated and
// waits for a task. Split from pool.ts, which decides when workers are started.
import { Worker } from 'node:worker_threads';
import { coreModuleFiles, defaultArtifacts, workerScript } from './paths';
import type { WasmModule } from './wasm';
import { createFsLock, releaseFsLockHeldBy } from './wasi/fs-lock';
import { compileWindows, wasmTieringBudget } from './wasm-compile-flags';
import type { ArtifactPaths, FromWorker, InitWorker, Variant, WorkerData } from './types';

/**
 * `thread`: the worker, known before it is ready. `booting`: it is a new one,
 * which can be given its task at once and runs it once ready.
 */
export interface Spare { ready: Promise<Worker>; thread?: Worker; booting?: boolean }

/** One filesystem lock for every sandbox of the process (see wasi/fs-lock.ts). */
const fsLock = createFsLock();

/**
 * Each core module is compiled once per process and shared with every worker.
 * The first worker compiles them and posts them back: its event loop is idle
 * while it boots, and this thread's may not be (the engine opens its trace and
 * parses the file meanwhile), which held a compile here back by 100-200 ms.
 */
const compiled = new Map<string, Promise<Record<string, WasmModule>>>();

/**
 * V8's native stack for each sandbox thread. CPython's C recursion (a call
 * through lru_cache, a __repr__, a sort key) costs 2.3-3.4 KB of it per level
 * in baseline-compiled wasm; Node's default 4 MB overflowed (a wasm_error) at
 * ~1,200 levels. The 2 MB wasm stack (build/link-python.sh) holds ~3,000 such
 * levels before the patched CPython raises RecursionError, so this must hold
 * more than that: 32 MB gives ~3x (virtual memory; pages are used only as deep
 * as a task recurses).
 */
const WORKER_STACK_MB = 32;

/** Starts a worker, the compiling one if the modules are not compiled (or being compiled) yet. */
function startWorker(script: string, data: Omit<WorkerData, 'images'>): { worker: Worker; modules: Promise<Record<string, WasmModule>> } {
  const key = `${data.paths.genDir}\0${data.variant}`;
  const cached = compiled.get(key);
  const files = coreModuleFiles(data.paths.genDir, data.variant);
  const compile = cached ? undefined : files.modules;
  const budget = wasmTieringBudget();
  const tiering = compile && budget !== undefined ? { tieringBudget: budget } : {};
  // execArgv: [] keeps loaders of the parent (tsx in tests) out of the sandbox thread.
  const worker = new Worker(script, { workerData: { ...data, images: files.images, ...(compile ? { compile } : {}), ...tiering } satisfies WorkerData, execArgv: [], resourceLimits: { stackSizeMb: WORKER_STACK_MB } });
  if (cached) {
    cached.then(
      (modules) => worker.postMessage({ type: 'init', modules } satisfies InitWorker),
      () => void worker.terminate(),
    );
    return { worker, modules: cached };
  }
  const modules = new Promise<Record<string, WasmModule>>((resolve, reject) => {
    const onMessage = (msg: FromWorker) => {
      if (msg.type !== 'compiled') return;
      cleanup();
      resolve(msg.modules);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new Error(`compiling the sandbox modules failed: ${err.message}`));
    };
    const onExit = (code: number) => onError(new Error(`the worker exited (code ${code})`));
    const cleanup = () => worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
  compiled.set(key, modules);
  modules.catch(() => compiled.delete(key));
  return { worker, modules };
}

/**
 * A worker started before any pool exists (the CLI's, cli/prestart.ts: it boots
 * while the rest of the CLI loads), taken by the first pool that would boot the same one.
 * If none does, it is an idle spare: it does not keep the process alive.
 */
let prestarted: { key: string; spare: Spare } | null = null;

/** Returns the worker (undefined if it could not start: the pool that takes it reports why). */
export function prestartSandbox(paths: ArtifactPaths = defaultArtifacts(), variant: Variant = 'metered'): Worker | undefined {
  prestarted ??= { key: spareKey(paths, variant), spare: bootSpare(paths, variant) };
  return prestarted.spare.thread;
}

/** The prestarted worker, if it is the one a pool with these artifacts would boot (it is then the pool's). */
export function takePrestarted(paths: ArtifactPaths, variant: Variant): Spare | null {
  if (prestarted?.key !== spareKey(paths, variant)) return null;
  const { spare } = prestarted;
  prestarted = null;
  return spare;
}

function spareKey(paths: ArtifactPaths, variant: Variant): string {
  return JSON.stringify([paths.genDir, paths.stdlibDir, paths.sdkDir, variant]);
}

export function bootSpare(paths: ArtifactPaths, variant: Variant): Spare {
  // The worker starts now, not in a microtask: the caller may block this
  // thread next (the engine opens its trace), and the worker boots meanwhile.
  // Missing artifacts or bundle become a failed outcome at run(), never a throw here.
  let spare: Spare;
  try {
    const { worker, modules } = startWorker(workerScript(), { paths, variant, fsLock, compileWindows: compileWindows() });
    spare = { ready: booted(worker, fsLock, modules), thread: worker, booting: true };
  } catch (err) {
    spare = { ready: Promise.reject(err) };
  }
  spare.ready.catch(() => {}); // reported to the task that takes this spare
  return spare;
}

/** Resolves once the worker's component is instantiated. */
function booted(worker: Worker, lock: SharedArrayBuffer, modules: Promise<Record<string, WasmModule>>): Promise<Worker> {
  const id = worker.threadId;
  worker.once('exit', () => releaseFsLockHeldBy(lock, id));
  worker.unref(); // an idle spare must not keep the process alive
  return Promise.all([modules, awaitReady(worker)]).then(([, w]) => w);
}

/** Resolves once the worker posts 'ready' (a new instance is made), rejects if it fails or exits first. */
export function awaitReady(worker: Worker): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: FromWorker) => {
      if (msg.type !== 'ready') return;
      cleanup();
      resolve(worker);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => onError(new Error(`the worker exited while booting (code ${code})`));
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

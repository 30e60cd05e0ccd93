// SandboxPool: compiles the core modules once per process, keeps spare
// workers booted (component already instantiated), and gives each task a
// fresh one. A task can never take the host down: every ending (result,
// trap, exit, kill, worker crash) resolves the outcome.
import { readFile } from 'node:fs/promises';
import { MessageChannel, Worker } from 'node:worker_threads';
import { coreModuleFiles, defaultArtifacts, genManifest, workerScript } from './paths';
import { sdkFingerprint } from './sdk-fingerprint';
import { validateSpec } from './validate';
import { createFsLock, releaseFsLockHeldBy } from './wasi/fs-lock';
import { Wasm, type WasmModule } from './wasm';
import type {
  ArtifactPaths, FromWorker, HostReply, InitWorker, SandboxHooks, SandboxOutcome, SandboxRun, SandboxSpec, ToWorker, Variant, WorkerData,
} from './types';

export interface SandboxPoolOptions {
  /** Workers kept booted ahead of tasks (default 1). */
  spares?: number;
  /**
   * Most idle workers kept after their task ended cleanly, each with a new
   * instance ready (default max(spares, 4)). Reuse skips a thread's start-up
   * (~30 ms of CPU), which is most of a sub-task's cost in a fan-out. 0: a worker serves one task.
   */
  maxIdle?: number;
  /** 'unmetered' runs the module without fuel counting (benchmarks); default 'metered'. */
  variant?: Variant;
  /** Override where the runtime files are (tests of a fresh build). */
  artifacts?: ArtifactPaths;
}

interface Spare { ready: Promise<Worker> }

/** One filesystem lock for every sandbox of the process (see wasi/fs-lock.ts). */
const fsLock = createFsLock();

const compiled = new Map<string, Promise<Record<string, WasmModule>>>();

/** Each core module is compiled once per process and shared with every worker. */
function compileModules(genDir: string, variant: Variant): Promise<Record<string, WasmModule>> {
  const key = `${genDir}\0${variant}`;
  let modules = compiled.get(key);
  if (!modules) {
    const files = coreModuleFiles(genDir, variant);
    modules = Promise.all(Object.entries(files).map(async ([name, file]) => [name, await Wasm.compile(await readFile(file))] as const))
      .then(Object.fromEntries);
    compiled.set(key, modules);
    modules.catch(() => compiled.delete(key));
  }
  return modules;
}

export class SandboxPool {
  private readonly spareCount: number;
  private readonly maxIdle: number;
  private readonly variant: Variant;
  private readonly paths: ArtifactPaths;
  private readonly spares: Spare[] = [];
  private readonly active = new Set<Worker>();
  /** Tasks given a worker and not yet ended: each worker is expected back as a spare. */
  private running = 0;
  private disposed = false;

  constructor(opts: SandboxPoolOptions = {}) {
    const spares = opts.spares ?? 1;
    if (!Number.isInteger(spares) || spares < 0 || spares > 64) {
      throw new TypeError(`SandboxPool: spares must be an integer from 0 to 64 (got ${spares})`);
    }
    if (opts.variant !== undefined && opts.variant !== 'metered' && opts.variant !== 'unmetered') {
      throw new TypeError(`SandboxPool: variant must be 'metered' or 'unmetered' (got ${String(opts.variant)})`);
    }
    const maxIdle = opts.maxIdle ?? Math.max(spares, 4);
    if (!Number.isInteger(maxIdle) || maxIdle < 0 || maxIdle > 64) {
      throw new TypeError(`SandboxPool: maxIdle must be an integer from 0 (never reuse a worker) to 64 (got ${opts.maxIdle})`);
    }
    this.spareCount = spares;
    this.maxIdle = maxIdle;
    this.variant = opts.variant ?? 'metered';
    this.paths = opts.artifacts ?? defaultArtifacts();
    this.refill();
  }

  /** Resolves once the spares are booted (optional: run() waits as needed). */
  async warm(): Promise<void> {
    await Promise.all(this.spares.map((s) => s.ready));
  }

  run(spec: SandboxSpec, hooks: SandboxHooks = {}): SandboxRun {
    if (this.disposed) throw new Error('SandboxPool: run() after dispose()');
    validateSpec(spec);
    let argsJson: string;
    try {
      argsJson = JSON.stringify({ args: spec.args, kwargs: spec.kwargs });
    } catch (err) {
      const message = `the task's arguments cannot be sent as JSON: ${(err as Error).message}`;
      return { outcome: Promise.resolve({ ok: false, error: { type: 'task_error', message }, fuelConsumed: 0, memoryBytes: 0, startMs: 0 }), kill: () => {} };
    }
    const requestedAt = performance.timeOrigin + performance.now();
    const spare = this.spares.shift() ?? this.boot();
    this.running++;
    this.refill();
    let worker: Worker | null = null;
    let settle!: (o: SandboxOutcome) => void;
    const outcome = new Promise<SandboxOutcome>((resolve) => (settle = resolve));
    let startMs = 0;
    let done = false;
    const signal = new SharedArrayBuffer(4);
    const { port1: replies, port2: workerReplies } = new MessageChannel();
    const detach: Array<() => void> = [];
    const finish = (o: Omit<SandboxOutcome, 'startMs'>, reusable = false) => {
      if (done) return;
      done = true;
      this.running--;
      settle({ ...o, startMs });
      replies.close();
      if (worker && reusable) {
        this.active.delete(worker);
        for (const off of detach) off();
        this.recycle(worker);
        return;
      }
      if (worker) {
        this.active.delete(worker);
        void worker.terminate();
      }
      this.refill(); // this worker will not come back
    };
    const failWith = (message: string) => finish({ ok: false, error: { type: 'wasm_error', message }, fuelConsumed: 0, memoryBytes: 0 });

    const answer = (reply: HostReply) => {
      if (done) return;
      replies.postMessage(reply);
      const flag = new Int32Array(signal);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    };
    spare.ready.then(
      (w) => {
        if (done) {
          void w.terminate();
          return;
        }
        worker = w;
        this.active.add(w);
        w.ref();
        const onMessage = (msg: FromWorker) => {
          switch (msg.type) {
            case 'started':
              startMs = msg.at - requestedAt;
              guarded(() => hooks.onStart?.());
              break;
            case 'stdout': guarded(() => hooks.onStdout?.(msg.text)); break;
            case 'stderr': guarded(() => hooks.onStderr?.(msg.text)); break;
            case 'done': finish(msg.outcome, msg.reusable); break;
            case 'hostcall': void this.hostCall(hooks, msg.op, msg.payload).then(answer); break;
            default: break;
          }
        };
        const onError = (err: Error) => failWith(`the sandbox worker failed: ${err.message}`);
        const onExit = (code: number) => failWith(`the sandbox worker exited unexpectedly (code ${code})`);
        w.on('message', onMessage).on('error', onError).on('exit', onExit);
        detach.push(() => w.off('message', onMessage).off('error', onError).off('exit', onExit));
        const { args: _args, kwargs: _kwargs, ...rest } = spec;
        const msg: ToWorker = { type: 'run', spec: rest, argsJson, sdkStale: this.sdkStale(), signal, replies: workerReplies };
        w.postMessage(msg, [workerReplies]);
      },
      (err: Error) => failWith(`the sandbox could not start: ${err.message}`),
    );
    return { outcome, kill: (reason) => failWith(`killed: ${reason}`) };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const spares = this.spares.splice(0);
    const active = [...this.active];
    this.active.clear();
    await Promise.all([
      ...spares.map((s) => s.ready.then((w) => w.terminate(), () => 0)),
      ...active.map((w) => w.terminate()),
    ]);
  }

  private async hostCall(hooks: SandboxHooks, op: string, payload: unknown): Promise<HostReply> {
    if (!hooks.onHostCall) return { ok: false, error: `the host does not handle ${op} here` };
    try {
      const value = await hooks.onHostCall(op, payload);
      return { ok: true, value: JSON.stringify(value ?? null) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private builtSdk: string | null | undefined;

  private sdkStale(): boolean {
    try {
      this.builtSdk ??= genManifest(this.paths.genDir).sdkFingerprint;
      return this.builtSdk !== sdkFingerprint(this.paths.sdkDir);
    } catch {
      return true; // unknown: let the guest import the SDK from disk
    }
  }

  /** A worker whose task ended cleanly makes a new instance; it becomes a spare, or goes if enough are idle. */
  private recycle(worker: Worker): void {
    worker.unref();
    if (this.disposed || this.spares.length >= this.maxIdle) {
      void worker.terminate();
      this.refill();
      return;
    }
    // Queued at once (run() may need it before it is ready); if it fails to get
    // ready, whoever took it gets a freshly booted worker instead.
    const ready = awaitReady(worker).catch(() => {
      void worker.terminate();
      return this.disposed ? Promise.reject(new Error('the pool was disposed')) : this.boot().ready;
    });
    ready.catch(() => {});
    this.spares.push({ ready });
  }

  /** Boots spares up to `spares`, counting the running tasks' workers, which come back when their tasks end cleanly. */
  private refill(): void {
    while (!this.disposed && this.spares.length + this.running < this.spareCount) this.spares.push(this.boot());
  }

  private boot(): Spare {
    // The worker starts (and loads the generated JS) while the modules compile.
    // Missing artifacts or bundle become a failed outcome at run(), never a throw here.
    const modules = Promise.resolve().then(() => compileModules(this.paths.genDir, this.variant));
    const ready = Promise.resolve()
      .then(() => spawn(workerScript(), { paths: this.paths, variant: this.variant, fsLock }, modules));
    ready.catch(() => {}); // reported to the task that takes this spare
    return { ready };
  }
}

/** A throwing output hook is the host's bug: it must not take the process down with it. */
function guarded(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error(`capsule sandbox: an output hook threw: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Starts a worker and resolves once its component is instantiated. */
function spawn(script: string, data: WorkerData, modules: Promise<Record<string, WasmModule>>): Promise<Worker> {
  // execArgv: [] keeps loaders of the parent (tsx in tests) out of the sandbox thread.
  const worker = new Worker(script, { workerData: data, execArgv: [] });
  modules.then(
    (mods) => worker.postMessage({ type: 'init', modules: mods } satisfies InitWorker),
    () => void worker.terminate(),
  );
  const id = worker.threadId;
  worker.once('exit', () => releaseFsLockHeldBy(data.fsLock, id));
  worker.unref(); // an idle spare must not keep the process alive
  return Promise.all([modules, awaitReady(worker)]).then(([, w]) => w);
}

/** Resolves once the worker posts 'ready' (a new instance is made), rejects if it fails or exits first. */
function awaitReady(worker: Worker): Promise<Worker> {
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

// SandboxPool: compiles the core modules once per process, keeps spare
// workers booted (component already instantiated), and gives each task a
// fresh one. A task can never take the host down: every ending (result,
// trap, exit, kill, worker crash) resolves the outcome.
import { MessageChannel, Worker } from 'node:worker_threads';
import { defaultArtifacts, genManifest } from './paths';
import { sdkFingerprint } from './sdk-fingerprint';
import { validateSpec } from './validate';
import { PycacheCompiler } from './pycache';
import { SnapshotManager, type SnapshotMessage } from './snapshot/manager';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awaitReady, bootSpare, takePrestarted, type Spare } from './worker-boot';
import { JsonValueError, parseExact, toExactJson } from '../values/exact-json';
import { withLazyResult } from './lazy-result';
import type {
  ArtifactPaths, FromWorker, HostReply, SandboxHooks, SandboxOutcome, SandboxRun, SandboxSpec, ToWorker, Variant, WorkerOutcome,
} from './types';
import { VALUE_OPS } from './types';


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
  /**
   * Import snapshots (snapshot/manager.ts): after a task, make one for its
   * file; later tasks of that file start with its leading imports done.
   * Default true, unless CAPSULE_IMPORT_SNAPSHOTS=0.
   */
  importSnapshots?: boolean;
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
  /** dispose() was called: no new task; snapshot runs still finish. */
  private closing = false;
  /** Compiles the bytecode-cache misses tasks noted (pycache.ts). */
  readonly pycache = new PycacheCompiler();
  /** Makes and finds import snapshots; null when they are off. */
  readonly snapshots: SnapshotManager | null;

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
    const snapshots = opts.importSnapshots ?? process.env.CAPSULE_IMPORT_SNAPSHOTS !== '0';
    this.snapshots = snapshots ? new SnapshotManager(this, () => this.buildId(), () => this.pycache.idle()) : null;
    this.refill();
  }

  /** Resolves once the spares are booted (optional: run() waits as needed). */
  async warm(): Promise<void> {
    // An idle spare does not keep the process alive, but one being waited for must.
    const threads = this.spares.flatMap((s) => (s.thread ? [s.thread] : []));
    for (const t of threads) t.ref();
    try {
      await Promise.all(this.spares.map((s) => s.ready));
    } finally {
      for (const t of threads) if (!this.active.has(t)) t.unref();
    }
  }

  run(spec: SandboxSpec, hooks: SandboxHooks = {}): SandboxRun {
    if (this.disposed || this.closing) throw new Error('SandboxPool: run() after dispose()');
    validateSpec(spec);
    const found = this.snapshots?.lookup(spec);
    const run = this.start(spec, hooks, { snapshot: found?.use });
    if (found) void run.outcome.then(() => found.after());
    return run;
  }

  /** A snapshot run (snapshot/manager.ts), or a task with a snapshot mode. */
  runInternal(spec: SandboxSpec, extra: { snapshot: ToWorker['snapshot']; onSnapshot?(msg: SnapshotMessage): void }): SandboxRun {
    if (this.disposed) throw new Error('SandboxPool: run() after dispose()');
    validateSpec(spec);
    return this.start(spec, {}, extra);
  }

  private start(spec: SandboxSpec, hooks: SandboxHooks, extra: { snapshot?: ToWorker['snapshot']; onSnapshot?(msg: SnapshotMessage): void }): SandboxRun {
    let argsJson: string;
    try {
      argsJson = `{"args":${toExactJson(spec.args, "the task's arguments")},"kwargs":${toExactJson(spec.kwargs, "the task's keyword arguments")}}`;
    } catch (err) {
      if (!(err instanceof JsonValueError)) throw err;
      const message = `the task's arguments cannot be sent: ${err.message}`;
      return { outcome: Promise.resolve({ ok: false, error: { type: 'task_error', message }, fuelConsumed: 0, peakMemoryBytes: 0, startMs: 0 }), kill: () => {} };
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
    // [fuel consumed, memory bytes] as of the guest's last host interaction (worker.ts): what a kill reports.
    const usage = new Float64Array(new SharedArrayBuffer(16));
    const { port1: replies, port2: workerReplies } = new MessageChannel();
    const detach: Array<() => void> = [];
    const finish = (o: WorkerOutcome, reusable = false) => {
      if (done) return;
      done = true;
      this.running--;
      settle(withLazyResult({ ...o, startMs }));
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
    const failWith = (message: string) => finish({ ok: false, error: { type: 'wasm_error', message }, fuelConsumed: usage[0]!, peakMemoryBytes: usage[1]! });

    const answer = (reply: HostReply) => {
      if (done) return;
      if (spec.clock && hooks.clockLive?.()) reply.liveClock = true;
      replies.postMessage(reply);
      const flag = new Int32Array(signal);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    };
    const attach = (w: Worker) => {
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
          case 'pycache-soon': this.pycache.warm(); break;
          case 'pycache': this.pycache.add(msg.dir, msg.misses); break;
          case 'snapshot': extra.onSnapshot?.(msg); break;
          case 'clock': guarded(() => hooks.onClock?.(msg.taken, msg.last)); break;
          case 'hostcall': void this.hostCall(hooks, msg.op, msg.payloadJson).then(answer); break;
          default: break;
        }
      };
      const onError = (err: Error) => failWith(`the sandbox worker failed: ${err.message}`);
      const onExit = (code: number) => failWith(`the sandbox worker exited unexpectedly (code ${code})`);
      // A message this thread cannot read must end the task, not leave it waiting for ever.
      const onMessageError = (err: Error) => failWith(`a message from the sandbox could not be read: ${err.message}`);
      w.on('message', onMessage).on('error', onError).on('exit', onExit).on('messageerror', onMessageError);
      detach.push(() => w.off('message', onMessage).off('error', onError).off('exit', onExit).off('messageerror', onMessageError));
      const { args: _args, kwargs: _kwargs, ...rest } = spec;
      const msg: ToWorker = { type: 'run', spec: rest, argsJson, sdkStale: this.sdkStale(), signal, replies: workerReplies, usage: usage.buffer as SharedArrayBuffer, noteClock: !!hooks.onClock, ...(extra.snapshot ? { snapshot: extra.snapshot } : {}) };
      w.postMessage(msg, [workerReplies]);
    };
    // A booting worker gets its task at once: telling it when it is ready would
    // cost a round trip through this thread, which may be busy then.
    if (spare.booting && spare.thread) attach(spare.thread);
    else spare.thread?.ref(); // the task waits for it: keep the process alive meanwhile
    spare.ready.then(
      (w) => {
        if (done) void w.terminate();
        else if (!worker) attach(w);
      },
      (err: Error) => failWith(`the sandbox could not start: ${err.message}`),
    );
    return { outcome, kill: (reason) => failWith(`killed: ${reason}`) };
  }

  /** Waits until the bytecode its tasks noted is compiled and the import snapshots they lacked are made. */
  async settled(): Promise<void> {
    await this.pycache.idle();
    await this.snapshots?.idle();
    await this.pycache.idle();
  }

  async dispose(): Promise<void> {
    this.closing = true;
    // Bytecode noted by this process's tasks is compiled before it goes (the next run starts warm),
    // and so are the import snapshots its tasks' files lacked.
    await this.settled();
    this.disposed = true;
    const spares = this.spares.splice(0);
    const active = [...this.active];
    this.active.clear();
    await Promise.all([
      // Not waiting for a spare to be ready: the process may be about to exit.
      ...spares.flatMap((s) => [s.thread?.terminate(), s.ready.then((w) => (w === s.thread ? 0 : w.terminate()), () => 0)]),
      ...active.map((w) => w.terminate()),
    ]);
  }

  /** payloadJson was checked by the worker (valid, not nested too deeply). */
  private async hostCall(hooks: SandboxHooks, op: string, payloadJson: string): Promise<HostReply> {
    if (!hooks.onHostCall) return { ok: false, error: `the host does not handle ${op} here` };
    try {
      const payload = VALUE_OPS.has(op) ? parseExact(payloadJson, `the payload of ${op}`) : JSON.parse(payloadJson);
      const value = await hooks.onHostCall(op, payload);
      return { ok: true, value: toExactJson(value ?? null, `the reply to ${op}`) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private builtSdk: string | null | undefined;

  /** What a snapshot's memory depends on: the sandbox build (its manifest's hash), the variant, the SDK it holds. */
  private buildId(): string {
    let manifest = '';
    try {
      manifest = readFileSync(join(this.paths.genDir, '.manifest-sha256'), 'utf8').trim();
    } catch {
      manifest = this.paths.genDir;
    }
    return `${manifest}:${this.variant}:${this.sdkStale() ? `stale ${sdkFingerprint(this.paths.sdkDir)}` : 'built'}`;
  }

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
    this.spares.push({ ready, thread: worker });
  }

  /** Boots spares up to `spares`, counting the running tasks' workers, which come back when their tasks end cleanly. */
  private refill(): void {
    while (!this.disposed && this.spares.length + this.running < this.spareCount) this.spares.push(this.boot());
  }

  private boot(): Spare {
    return takePrestarted(this.paths, this.variant) ?? bootSpare(this.paths, this.variant);
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

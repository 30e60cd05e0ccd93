// One sandbox = one fresh component instance, in a worker thread. The worker
// instantiates ahead of its task (WASI reads env and preopens lazily), so a
// spare is ready to run. After a task that ended cleanly the worker makes a
// new instance and offers itself again (see `serve` for why that is safe).
import { readFile } from 'node:fs/promises';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { loadGlue, type Generated } from './glue';
import { classify } from './outcome';
import { parseGuestReport, type GuestReport } from './guest-report';
import { JsonValueError, scanJson } from '../values/exact-json';
import { GuestExit, createImports } from './wasi/imports';
import { onBeforeBlocking, resetMonotonicClock } from './wasi/streams';
import { TaskClock } from './wasi/task-clock';
import type { Grant } from './wasi/filesystem';
import { useFsLock } from './wasi/fs-lock';
import { newDiskBudget } from './wasi/disk-quota';
import type { TmpAccount } from './wasi/tmpfs';
import type { PycacheView } from './wasi/namespace';
import { pycacheDir } from './pycache';
import { compileWithFlags, useCompileWindows } from './wasm-compile-flags';
import { isPackageMount } from './python-path';
import { Wasm, isGlobal, isMemory, type WasmGlobal, type WasmInstance, type WasmMemory, type WasmModule } from './wasm';
import { applyImage, diffImage } from './snapshot/memory-image';
import { applyBaseImage, readBaseImage, type BaseImage } from './base-image';
import { collect, garbage } from './worker-gc';
import { GUEST_PROJECT, GUEST_SDK, GUEST_STDLIB, VALUE_OPS, type FromWorker, type HostReply, type InitWorker, type SandboxSpec, type ToWorker, type WorkerData } from './types';

const data = workerData as WorkerData;
const port = parentPort!;
useFsLock(data.fsLock);
useCompileWindows(data.compileWindows);
const post = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

/** Output past this many bytes per stream is dropped (a runaway print loop must not sink the host). */
const OUTPUT_CAP = 64 * 1024 * 1024;

interface Task {
  spec: Omit<SandboxSpec, 'args' | 'kwargs'>; argsJson: string; sdkStale: boolean; signal: Int32Array; replies: MessagePort; report: GuestReport | null;
  /** [fuel consumed, memory bytes], kept current at each host interaction: a kill can end the thread at any instruction. */
  usage: Float64Array; budget: bigint;
  snapshot: ToWorker['snapshot'];
}
const UNLIMITED = (1n << 63n) - 1n;

function grants(spec: Task['spec']): Grant[] {
  return [
    { guestPath: GUEST_STDLIB, hostPath: data.paths.stdlibDir, readOnly: true },
    { guestPath: GUEST_SDK, hostPath: data.paths.sdkDir, readOnly: true, pycache: true }, // an SDK edited since the build is re-imported
    { guestPath: GUEST_PROJECT, hostPath: spec.projectRoot, readOnly: true, pythonOnly: true, alsoVisible: spec.projectFiles ?? [], pycache: true },
    ...spec.mounts.map((m) => ({ guestPath: m.guestPath, hostPath: m.hostPath, readOnly: m.readOnly, pycache: isPackageMount(m.guestPath) })),
  ];
}


/**
 * Guest output, coalesced per line: the guest's stdio is unbuffered (so
 * nothing is lost on a trap), but one message per write would split every
 * print in pieces. Flushed at each newline, past 64 KB, before host calls,
 * before the guest sleeps, and at the end.
 */
class OutputChannel {
  private readonly decoder = new TextDecoder();
  private pending = '';
  private total = 0;
  constructor(private readonly kind: 'stdout' | 'stderr', private readonly onWrite: () => void) {}
  write = (bytes: Uint8Array): void => {
    this.onWrite();
    if (this.total >= OUTPUT_CAP) return;
    this.total += bytes.length;
    this.pending += this.decoder.decode(bytes, { stream: true });
    if (this.total >= OUTPUT_CAP) this.pending += `\n[capsule: ${this.kind} truncated after ${OUTPUT_CAP} bytes]\n`;
    const cut = this.pending.length >= 65536 ? this.pending.length : this.pending.lastIndexOf('\n') + 1;
    if (cut > 0) this.send(cut);
  };
  flush(): void {
    this.pending += this.decoder.decode();
    this.send(this.pending.length);
  }
  private send(cut: number): void {
    if (cut === 0) return;
    post({ type: this.kind, text: this.pending.slice(0, cut) });
    this.pending = this.pending.slice(cut);
  }
}
/** capsule:host#call. Returns the answer; throws a string for result::err. */
function hostCall(ctx: InstanceContext, op: string, payload: string): string {
  const t = ctx.current();
  ctx.sampleUsage();
  if (op === 'task.start') {
    const { taskName, env } = t.spec;
    const making = t.snapshot?.mode === 'make' ? t.snapshot : undefined;
    const file = making ? making.driverFile : t.spec.file;
    const declared = making ? undefined : t.spec.declared; // a snapshot run's driver is no task
    // argsJson is '{"args":...,"kwargs":...}': splice the other fields in as text.
    return `${t.argsJson.slice(0, -1)},${JSON.stringify({ file, taskName, env, sdkStale: t.sdkStale, pythonPath: t.spec.pythonPath ?? [], ...(declared ? { declared } : {}) }).slice(1)}`;
  }
  if (op === 'task.run') {
    // The driver is about to run the user's file: the start-up ends here.
    // (Fuel is metered from _start: calls to imports are not synced by the
    // instrumentation, so the host cannot restart the meter from in here.)
    post({ type: 'started', at: performance.timeOrigin + performance.now() });
    return '';
  }
  if (op === 'task.result') {
    t.report = parseGuestReport(payload);
    return '';
  }
  if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(op)) throw `invalid host op ${JSON.stringify(op.slice(0, 80))}`;
  // Checked here, without recursing, so a value nested too deeply never reaches
  // code that would overflow its stack; parsed by the pool (exactly, where it must be).
  const payloadJson = payload === '' ? 'null' : payload;
  try {
    scanJson(payloadJson, VALUE_OPS.has(op) ? "the sub-task's arguments" : `the payload of ${op}`);
  } catch (e) {
    if (e instanceof JsonValueError) throw `[ValueError] ${e.message}`;
    throw e;
  }
  return forward(ctx, t, op, payloadJson);
}

/** Blocks this thread until the parent answers (any size: the answer comes on a port). */
function forward(ctx: InstanceContext, t: Task, op: string, payloadJson: string): string {
  Atomics.store(t.signal, 0, 0);
  ctx.flush();
  ctx.postClock(false); // the readings before a call reach the journal before the call does
  post({ type: 'hostcall', op, payloadJson });
  for (;;) {
    Atomics.wait(t.signal, 0, 0);
    const reply = receiveMessageOnPort(t.replies)?.message as HostReply | undefined;
    if (reply) {
      Atomics.store(t.signal, 0, 0);
      if (reply.liveClock) ctx.clock.goLive();
      if (reply.ok) return reply.value;
      throw reply.error;
    }
  }
}

interface Root { run: { run(): unknown } }

/**
 * The host side of one instance: its task, its output buffers, its import
 * object. Made new for every instance, and every import closes over its own
 * context, so nothing an instance left behind can reach the next one.
 */
class InstanceContext {
  task: Task | null = null;
  clock: TaskClock = TaskClock.unassigned();
  readonly postClock = (last: boolean): void => {
    const taken = this.clock.drain();
    if (taken) post({ type: 'clock', taken, last });
  };
  python: WasmInstance | null = null;
  readonly sampleUsage = (): void => {
    const t = this.task;
    if (!t) return;
    const fuel = this.global('capsule_fuel');
    if (fuel) t.usage[0] = Number(t.budget - (fuel.value as bigint));
    const memory = this.python?.exports.memory;
    if (isMemory(memory)) t.usage[1] = memory.buffer.byteLength;
  };
  readonly stdout = new OutputChannel('stdout', this.sampleUsage);
  readonly stderr = new OutputChannel('stderr', this.sampleUsage);
  readonly flush = (): void => {
    this.stdout.flush();
    this.stderr.flush();
  };
  current(): Task {
    if (!this.task) throw new Error('the guest ran before its task was assigned');
    return this.task;
  }
  global(name: string): WasmGlobal | undefined {
    const g = this.python?.exports[name];
    return isGlobal(g) ? g : undefined;
  }
  /** The snapshot run's record of every guest path it resolved (and to which host path, or null: outside the mounts). */
  reads: Map<string, string | null> | null = null;
  /** The bytecode cache as this task used it: its misses go to the pool at the end. */
  pycache: PycacheView | null = null;
  /** Bytes in the task's /tmp now, and at most. */
  tmpBytes = 0;
  tmpPeak = 0;
  linearBytes(): number {
    const memory = this.python?.exports.memory;
    return isMemory(memory) ? memory.buffer.byteLength : 0;
  }
  /**
   * /tmp shares the task's ram with its linear memory: a /tmp write that does
   * not fit is ENOSPC (with a line on stderr), and what /tmp holds lowers the
   * cap on memory growth, so the two together never pass the limit.
   */
  tmpAccount(): TmpAccount {
    let told = false;
    const setCap = (): void => {
      const limit = this.global('capsule_mem_limit_pages');
      if (limit) limit.value = Math.min(65536, Math.max(1, Math.floor((this.current().spec.memoryLimitBytes - this.tmpBytes) / 65536)));
    };
    return {
      grow: (bytes) => {
        const ram = this.current().spec.memoryLimitBytes;
        if (this.linearBytes() + this.tmpBytes + bytes > ram) {
          if (!told) {
            told = true;
            const mb = (n: number) => `${Math.round(n / 1024 / 102.4) / 10} MB`;
            this.stderr.write(new TextEncoder().encode(`capsule: /tmp is full (ENOSPC): /tmp (${mb(this.tmpBytes)}) and the task's memory (${mb(this.linearBytes())}) share its ram limit of ${mb(ram)}; raise ram= on the task\n`));
          }
          throw 'insufficient-space';
        }
        this.tmpBytes += bytes;
        this.tmpPeak = Math.max(this.tmpPeak, this.tmpBytes);
        setCap();
      },
      shrink: (bytes) => {
        this.tmpBytes -= bytes;
        setCap();
      },
    };
  }
}

interface Sandbox { root: Root; ctx: InstanceContext }

/** The compiled core modules, and this worker's copy of the memory image of each that has one (base-image.ts), by module name. */
interface CoreModules { modules: Record<string, WasmModule>; images: Record<string, BaseImage> }

/** A fresh instance: new memory (from the module's snapshot data), new glue state, new imports. */
async function instantiate(gen: Generated, { modules, images }: CoreModules): Promise<Sandbox> {
  const ctx = new InstanceContext();
  const imports = createImports({
    env: () => ctx.current().spec.env,
    grants: () => grants(ctx.current().spec),
    disk: () => ctx.current().spec.disk ?? newDiskBudget(),
    tmp: () => ctx.tmpAccount(),
    pycache: () => (ctx.pycache = { dir: pycacheDir(ctx.current().spec.projectRoot), misses: [], firstMiss: () => post({ type: 'pycache-soon' }) }),
    record: () => ctx.reads,
    stdout: ctx.stdout.write,
    stderr: ctx.stderr.write,
    hostCall: (op, payload) => hostCall(ctx, op, payload),
    seed: () => ctx.task?.spec.entropySeed ?? null,
    clock: () => ctx.clock,
  });
  const main = modules['python.core.wasm'];
  const root = (await gen.instantiate(
    (name) => {
      const m = modules[name];
      if (!m) throw new Error(`sandbox: no compiled module ${name}`);
      return m;
    },
    imports,
    (module, imps) => {
      const instance = new Wasm.Instance(module, imps);
      // The module's data, which prepare.mjs moved to an image: written before any of its code runs.
      const image = Object.entries(modules).find(([, m]) => m === module)?.[0];
      const memory = instance.exports.memory;
      if (image && images[image]) {
        if (!isMemory(memory)) throw new Error(`sandbox: ${image} has a memory image but exports no memory`);
        applyBaseImage(memory, images[image]);
      }
      if (module === main) ctx.python = instance;
      return instance;
    },
  )) as Root;
  return { root, ctx };
}

/** Runs the task; `reusable` when the instance returned normally (the worker may then serve another task, on a new instance). */
async function runTask({ root, ctx }: Sandbox, msg: ToWorker): Promise<{ reusable: boolean; peakMemoryBytes: number }> {
  const budget = Number.isFinite(msg.spec.fuel) ? BigInt(Math.floor(msg.spec.fuel)) : UNLIMITED;
  const task: Task = {
    spec: msg.spec, argsJson: msg.argsJson, sdkStale: msg.sdkStale, signal: new Int32Array(msg.signal), replies: msg.replies, report: null,
    usage: new Float64Array(msg.usage), budget, snapshot: msg.snapshot,
  };
  ctx.task = task;
  ctx.clock = new TaskClock(msg.spec.clock ?? null, msg.noteClock);
  const memory = ctx.python?.exports.memory as (WasmMemory & { grow(pages: number): number }) | undefined;
  let pristine: Uint8Array | null = null;
  if (memory && msg.snapshot?.mode === 'use') applyImage(memory, { byteLength: msg.snapshot.byteLength, pages: new Uint32Array(msg.snapshot.pages), data: new Uint8Array(msg.snapshot.data) });
  if (memory && msg.snapshot?.mode === 'make') {
    pristine = new Uint8Array(memory.buffer.slice(0));
    ctx.reads = new Map();
  }
  onBeforeBlocking(() => {
    ctx.sampleUsage(); // a task killed while it sleeps reports what it used
    ctx.flush(); // a partial line ("progress...") shows before a sleep
  });
  resetMonotonicClock();
  const fuel = ctx.global('capsule_fuel');
  if (fuel) fuel.value = budget;
  const limit = ctx.global('capsule_mem_limit_pages');
  const limitPages = Math.max(1, Math.floor(msg.spec.memoryLimitBytes / 65536));
  if (limit) limit.value = Math.min(limitPages, 65536);
  ctx.sampleUsage();
  let failure: unknown = null;
  try {
    await root.run.run();
  } catch (err) {
    failure = err;
  }
  // ram_used counts /tmp too: it is held in this thread's memory for the task.
  const peakMemoryBytes = ctx.linearBytes() + ctx.tmpPeak;
  const fuelExhausted = ctx.global('capsule_fuel_exhausted')?.value === 1;
  ctx.flush();
  ctx.postClock(true);
  if (ctx.pycache?.misses.length) post({ type: 'pycache', dir: ctx.pycache.dir, misses: ctx.pycache.misses });
  const reusable = failure === null && task.report !== null && !fuelExhausted;
  if (pristine && memory && reusable && task.report?.ok) {
    const image = diffImage(pristine, new Uint8Array(memory.buffer));
    post({ type: 'snapshot', byteLength: image.byteLength, pages: image.pages, data: image.data, reads: [...(ctx.reads ?? [])] }, [image.pages.buffer as ArrayBuffer, image.data.buffer as ArrayBuffer]);
  }
  post({
    type: 'done',
    reusable,
    outcome: classify({
      report: task.report,
      failure,
      exited: failure instanceof GuestExit || (failure as { cause?: unknown })?.cause instanceof GuestExit,
      fuelBudget: msg.spec.fuel,
      fuelConsumed: fuel ? Number(budget - (fuel.value as bigint)) : 0,
      fuelExhausted,
      peakMemoryBytes,
      memoryLimitBytes: msg.spec.memoryLimitBytes,
    }),
  });
  msg.replies.close();
  return { reusable, peakMemoryBytes };
}

/** The first worker's job: compile the core modules (meanwhile it loads the generated JS) and share them with the pool. */
async function compileModules(files: Record<string, string>): Promise<Record<string, WasmModule>> {
  const bytes = await Promise.all(Object.entries(files).map(async ([name, file]) => [name, await readFile(file)] as const));
  // Synchronous: the flags (wasm-compile-flags.ts) are set only while it runs.
  const entries = compileWithFlags(() => bytes.map(([name, b]) => [name, new Wasm.Module(b)] as const), data.tieringBudget);
  const modules = Object.fromEntries(entries);
  post({ type: 'compiled', modules });
  return modules;
}

/**
 * This worker's own copy of each memory image: copying from a SharedArrayBuffer
 * into each new instance took 9-15 ms against 2.5 from a private buffer (11.5 MB).
 */
async function readImages(files: Record<string, string>): Promise<Record<string, BaseImage>> {
  return Object.fromEntries(await Promise.all(Object.entries(files).map(async ([name, file]) => [name, await readBaseImage(file)] as const)));
}

/**
 * The pool's messages, by kind: the compiled modules may arrive after the first
 * task does (a booting worker is given its task at once).
 */
function inbox(): { modules: Promise<Record<string, WasmModule>>; nextTask(): Promise<ToWorker> } {
  let gotModules!: (m: Record<string, WasmModule>) => void;
  const modules = new Promise<Record<string, WasmModule>>((resolve) => (gotModules = resolve));
  const tasks: Array<ToWorker> = [];
  let waiting: ((t: ToWorker) => void) | null = null;
  port.on('message', (msg: InitWorker | ToWorker) => {
    if (msg.type === 'init') gotModules(msg.modules);
    else if (waiting) {
      const w = waiting;
      waiting = null;
      w(msg);
    } else tasks.push(msg);
  });
  return {
    modules,
    nextTask: () => new Promise((resolve) => {
      const t = tasks.shift();
      if (t) resolve(t);
      else waiting = resolve;
    }),
  };
}

/**
 * Serves tasks one at a time, each on a new instance. Reuse only follows a
 * clean return (no trap, exit, kill or fuel exhaustion: after those the pool
 * terminates the thread), and what a task could leave behind stays with it:
 * - guest state (linear memory, tables, globals) dies with its instance;
 * - jco's glue state (handle tables, task records) is created inside each
 *   instantiate() call; the only thing it puts on shared objects is a fresh
 *   `_createdReps` set on each imported resource class, replaced at every
 *   instantiation (so no handle of the last instance is valid in the next);
 * - the imports, output buffers and task record live in its InstanceContext,
 *   and every import closes over its own context, never a worker global;
 * - the monotonic clock restarts, so a task cannot tell the thread is reused;
 * - the host-call channel (signal buffer, reply port) is per task.
 * What the thread keeps is read-only to guests: the compiled modules and the
 * generated JS module (pure functions), and the filesystem lock.
 * test/runtime/sandbox-reuse.test.ts checks what a task can observe.
 */
async function serve(): Promise<void> {
  const messages = inbox();
  const images = readImages(data.images);
  const compiling = data.compile ? compileModules(data.compile) : messages.modules;
  const gen = loadGlue(data.paths.genDir);
  const core: CoreModules = { modules: await compiling, images: await images };
  for (let first = true; ; first = false) {
    if (!first && garbage.due()) collect(); // here the last instance is no longer referenced
    const sandbox = await instantiate(gen, core);
    post({ type: 'ready' });
    const msg = await garbage.whileIdle(messages.nextTask());
    const { reusable, peakMemoryBytes } = await runTask(sandbox, msg);
    if (!reusable) return; // the pool terminates this worker
    garbage.add(peakMemoryBytes);
  }
}

serve().catch((err: unknown) => {
  throw err instanceof Error ? err : new Error(String(err));
});

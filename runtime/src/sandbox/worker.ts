// One sandbox = one worker thread = one component instance, used for one task.
// The worker instantiates the component as soon as it boots (before its task
// is known: WASI reads env and preopens lazily), so a spare is ready to run.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { classify, type GuestReport } from './outcome';
import { GuestExit, createImports } from './wasi/imports';
import { onBeforeBlocking } from './wasi/streams';
import type { Grant } from './wasi/filesystem';
import { useFsLock } from './wasi/fs-lock';
import { Wasm, isGlobal, isMemory, type WasmGlobal, type WasmImports, type WasmInstance, type WasmModule } from './wasm';
import { GUEST_PROJECT, GUEST_SDK, GUEST_STDLIB, type FromWorker, type HostReply, type InitWorker, type SandboxSpec, type ToWorker, type WorkerData } from './types';

const data = workerData as WorkerData;
const port = parentPort!;
useFsLock(data.fsLock);
const post = (msg: FromWorker) => port.postMessage(msg);

/** Output past this many bytes per stream is dropped (a runaway print loop must not sink the host). */
const OUTPUT_CAP = 64 * 1024 * 1024;

interface Task { spec: Omit<SandboxSpec, 'args' | 'kwargs'>; argsJson: string; sdkStale: boolean; signal: Int32Array; replies: MessagePort; report: GuestReport | null }
const UNLIMITED = (1n << 63n) - 1n;
let task: Task | null = null;
let python: WasmInstance | null = null;

function current(): Task {
  if (!task) throw new Error('the guest ran before its task was assigned');
  return task;
}

function grants(spec: Task['spec']): Grant[] {
  return [
    { guestPath: GUEST_STDLIB, hostPath: data.paths.stdlibDir, readOnly: true },
    { guestPath: GUEST_SDK, hostPath: data.paths.sdkDir, readOnly: true },
    { guestPath: GUEST_PROJECT, hostPath: spec.projectRoot, readOnly: true, pythonOnly: true },
    ...spec.mounts.map((m) => ({ guestPath: m.guestPath, hostPath: m.hostPath, readOnly: m.readOnly })),
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
  constructor(private readonly kind: 'stdout' | 'stderr') {}
  write = (bytes: Uint8Array): void => {
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
const stdout = new OutputChannel('stdout');
const stderr = new OutputChannel('stderr');
const flushOutput = () => {
  stdout.flush();
  stderr.flush();
};
onBeforeBlocking(flushOutput); // a partial line ("progress...") shows before a sleep

/** capsule:host#call. Returns the answer; throws a string for result::err. */
function hostCall(op: string, payload: string): string {
  const t = current();
  if (op === 'task.start') {
    const { file, taskName, env } = t.spec;
    // argsJson is '{"args":...,"kwargs":...}': splice the other fields in as text.
    return `${t.argsJson.slice(0, -1)},${JSON.stringify({ file, taskName, env, sdkStale: t.sdkStale }).slice(1)}`;
  }
  if (op === 'task.run') {
    // The driver is about to run the user's file: the start-up ends here.
    // (Fuel is metered from _start: calls to imports are not synced by the
    // instrumentation, so the host cannot restart the meter from in here.)
    post({ type: 'started', at: performance.timeOrigin + performance.now() });
    return '';
  }
  if (op === 'task.result') {
    try {
      t.report = JSON.parse(payload) as GuestReport;
    } catch (err) {
      t.report = { ok: false, error_type: 'task_error', message: `the task's result is not valid JSON: ${(err as Error).message}` };
    }
    return '';
  }
  if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(op)) throw `invalid host op ${JSON.stringify(op.slice(0, 80))}`;
  let parsed: unknown;
  try {
    parsed = payload === '' ? null : JSON.parse(payload);
  } catch {
    throw `the payload of ${op} is not valid JSON`;
  }
  return forward(t, op, parsed);
}

/** Blocks this thread until the parent answers (any size: the answer comes on a port). */
function forward(t: Task, op: string, payload: unknown): string {
  Atomics.store(t.signal, 0, 0);
  flushOutput();
  post({ type: 'hostcall', op, payload });
  for (;;) {
    Atomics.wait(t.signal, 0, 0);
    const reply = receiveMessageOnPort(t.replies)?.message as HostReply | undefined;
    if (reply) {
      Atomics.store(t.signal, 0, 0);
      if (reply.ok) return reply.value;
      throw reply.error;
    }
  }
}

interface Root { run: { run(): unknown } }

async function boot(): Promise<Root> {
  // The generated module is ESM: esbuild leaves an import() of a computed URL alone.
  const url = pathToFileURL(join(data.paths.genDir, 'python.mjs')).href;
  const gen = (await import(url)) as {
    instantiate(get: (name: string) => WasmModule, imports: object,
      inst: (m: WasmModule, i: WasmImports) => WasmInstance): Promise<Root>;
  };
  const imports = createImports({
    env: () => current().spec.env,
    grants: () => grants(current().spec),
    stdout: stdout.write,
    stderr: stderr.write,
    hostCall,
  });
  const { modules } = await new Promise<InitWorker>((resolve) => port.once('message', resolve));
  const main = modules['python.core.wasm'];
  return gen.instantiate(
    (name) => {
      const m = modules[name];
      if (!m) throw new Error(`sandbox: no compiled module ${name}`);
      return m;
    },
    imports,
    (module, imps) => {
      const instance = new Wasm.Instance(module, imps);
      if (module === main) python = instance;
      return instance;
    },
  );
}

function globalOf(name: string): WasmGlobal | undefined {
  const g = python?.exports[name];
  return isGlobal(g) ? g : undefined;
}

async function runTask(root: Root, msg: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const budget = Number.isFinite(msg.spec.fuel) ? BigInt(Math.floor(msg.spec.fuel)) : UNLIMITED;
  task = { spec: msg.spec, argsJson: msg.argsJson, sdkStale: msg.sdkStale, signal: new Int32Array(msg.signal), replies: msg.replies, report: null };
  const fuel = globalOf('capsule_fuel');
  if (fuel) fuel.value = budget;
  const limit = globalOf('capsule_mem_limit_pages');
  const limitPages = Math.max(1, Math.floor(msg.spec.memoryBytes / 65536));
  if (limit) limit.value = Math.min(limitPages, 65536);
  let failure: unknown = null;
  try {
    await root.run.run();
  } catch (err) {
    failure = err;
  }
  const memory = python?.exports.memory;
  flushOutput();
  post({
    type: 'done',
    outcome: classify({
      report: task.report,
      failure,
      exited: failure instanceof GuestExit || (failure as { cause?: unknown })?.cause instanceof GuestExit,
      fuelBudget: msg.spec.fuel,
      fuelConsumed: fuel ? Number(budget - (fuel.value as bigint)) : 0,
      fuelExhausted: globalOf('capsule_fuel_exhausted')?.value === 1,
      memoryBytes: isMemory(memory) ? memory.buffer.byteLength : 0,
      memoryLimit: msg.spec.memoryBytes,
    }),
  });
}

boot().then(
  (root) => {
    port.once('message', (msg: ToWorker) => void runTask(root, msg));
    post({ type: 'ready' });
  },
  (err) => {
    throw err instanceof Error ? err : new Error(String(err));
  },
);

// Starts tasks through the engine, streams their lifecycle to the output and the model,
// and reports each result. No vscode here: the extension wires it to the UI, and
// test/client drives it with the real engine.
import { isFinalState, type EngineApi, type Envelope, type FromRun, type LifecycleEvent, type TaskHandle } from '../../../runtime/src/engine/types';
import { isAbsolute, join } from 'node:path';
import { formatEventLines, formatFrameLines, formatResultJsonLine, formatResultLine } from './format';
import { errorFrom, type RunStore } from './model';

export interface RunRequest {
  /** Absolute path of the task's file. */
  file: string;
  taskName: string;
  /** The document uri, for the server's lens summary (defaults to file://file). */
  uri?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** Where it was started from: the user's own runs may raise a notification. */
  origin?: 'lens' | 'palette' | 'tree' | 'testing' | 'rerun';
  /** Resume or replay a recorded run from its journal. */
  from?: FromRun;
  /** Run every attempt on the queue of capsule.queue.url (its workers), not in this window. */
  onQueue?: boolean;
}

export interface FinishedRun {
  instanceId: string;
  request: RunRequest;
  envelope: Envelope;
  /** The project the run belongs to (traceback frames are relative to it). */
  projectRoot?: string;
}

export interface RunnerDeps {
  /** The engine for a file's project (created lazily by the caller); with onQueue, the one whose sandbox is the queue. */
  engineFor(file: string, onQueue?: boolean): Promise<EngineApi>;
  store: RunStore;
  output: { appendLine(line: string): void };
  onFinished?(run: FinishedRun): void;
  /** The engine accepted a run (every run: the Testing view and the lenses follow them). */
  onStarted?(request: RunRequest, instanceId: string, finished: Promise<FinishedRun>): void;
  /** The engine refused the run before it started (its `finished` promise rejects too). */
  onNotRun?(request: RunRequest, message: string): void;
}

/** A completed run's result as JSON text. */
export function resultText(env: Envelope): string | undefined {
  if (typeof env.resultJson === 'string') return env.resultJson;
  try { return JSON.stringify(env.result) ?? 'null'; } catch { return undefined; }
}

export class Runner {
  private readonly handles = new Map<string, TaskHandle>();
  /** The request behind each top-level instance, for "re-run" on any node. */
  private readonly requests = new Map<string, RunRequest>();
  private readonly finished = new Map<string, Promise<FinishedRun>>();
  private readonly subscribed = new WeakSet<EngineApi>();
  /** Each run's project root (its request's absolute file minus the engine's relative one). */
  private readonly roots = new Map<string, string>();
  private readonly requestFiles = new Map<string, string>();
  private last: RunRequest | undefined;
  private readonly eventListeners = new Set<(e: LifecycleEvent) => void>();

  constructor(private readonly deps: RunnerDeps) {}

  get lastRequest(): RunRequest | undefined { return this.last; }

  /** Every engine event of this window's runs (the Testing view copies their output). */
  onEvent(listener: (e: LifecycleEvent) => void): { dispose(): void } {
    this.eventListeners.add(listener);
    return { dispose: () => this.eventListeners.delete(listener) };
  }
  requestOf(instanceId: string): RunRequest | undefined { return this.requests.get(instanceId); }
  /** How a run this window started ends (undefined for runs it did not start). */
  finishedOf(instanceId: string): Promise<FinishedRun> | undefined { return this.finished.get(instanceId); }
  isRunning(instanceId: string): boolean { return this.handles.has(instanceId); }
  get runningCount(): number { return this.handles.size; }

  /**
   * Starts a run; resolves once the engine has accepted it (not when it ends). Rejects
   * when the engine refuses it outright; `finished` rejects when it is refused later.
   */
  async start(request: RunRequest): Promise<{ instanceId: string; finished: Promise<FinishedRun> }> {
    const engine = await this.deps.engineFor(request.file, request.onQueue === true);
    this.listen(engine);
    this.last = request;
    const handle = engine.start({ file: request.file, taskName: request.taskName, args: request.args, kwargs: request.kwargs, ...(request.from ? { from: request.from } : {}) });
    this.handles.set(handle.instanceId, handle);
    this.requests.set(handle.instanceId, request);
    this.requestFiles.set(handle.instanceId, request.file);
    const finished = handle.result.then((envelope) => {
      this.handles.delete(handle.instanceId);
      if (envelope.success) {
        // The task's own JSON text when the engine gives it (exact: 2**64, 3.0), else the value.
        const text = resultText(envelope);
        this.deps.output.appendLine(text === undefined ? formatResultLine(request.taskName, handle.instanceId, envelope.result) : formatResultJsonLine(request.taskName, handle.instanceId, text));
        if (text !== undefined) this.deps.store.setResult(handle.instanceId, text);
      }
      const root = this.roots.get(handle.instanceId);
      const run: FinishedRun = { instanceId: handle.instanceId, request, envelope, ...(root ? { projectRoot: root } : {}) };
      this.deps.onFinished?.(run);
      return run;
    }, (err: unknown) => {
      // Config and usage errors (no such task, a bad decorator) reject before any sandbox runs.
      this.handles.delete(handle.instanceId);
      const message = err instanceof Error ? err.message : String(err);
      this.deps.output.appendLine(`[capsule] ${request.taskName} did not run: ${message}`);
      this.deps.onNotRun?.(request, message);
      throw err;
    });
    finished.catch(() => undefined); // reported through onNotRun; callers may still await it
    this.finished.set(handle.instanceId, finished);
    // The last few runs' outcomes stay reachable (a replay's report asks after it started).
    if (this.finished.size > 100) this.finished.delete(this.finished.keys().next().value!);
    this.deps.onStarted?.(request, handle.instanceId, finished);
    return { instanceId: handle.instanceId, finished };
  }

  /** Cancels a running top-level instance; false when it is not running (any more). */
  cancel(instanceId: string): boolean {
    const handle = this.handles.get(instanceId);
    if (!handle) return false;
    handle.cancel();
    return true;
  }

  cancelAll(): number {
    const n = this.handles.size;
    for (const h of this.handles.values()) h.cancel();
    return n;
  }

  private listen(engine: EngineApi): void {
    if (this.subscribed.has(engine)) return;
    this.subscribed.add(engine);
    engine.onEvent((e: LifecycleEvent) => {
      this.deps.store.apply(e);
      for (const line of formatEventLines(e)) this.deps.output.appendLine(line);
      for (const l of this.eventListeners) l(e);
      if (e.type === 'created' && !e.parentId) {
        const abs = this.requestFiles.get(e.instanceId);
        if (abs && abs.endsWith(e.file)) this.roots.set(e.runId, abs.slice(0, abs.length - e.file.length));
      }
      if (e.error && (e.type === 'failed' || e.type === 'retrying')) {
        const frames = errorFrom(e.error).frames ?? [];
        const root = this.roots.get(e.runId);
        const absolute = (f: string) => (isAbsolute(f) || !root ? f : join(root, f));
        for (const line of formatFrameLines(e.taskName, e.instanceId, frames, absolute)) this.deps.output.appendLine(line);
      }
      if (!e.parentId && isFinalState(e.type)) {
        // Kept until the run is over: its sub-tasks' errors still map their frames.
        setTimeout(() => { this.roots.delete(e.runId); this.requestFiles.delete(e.instanceId); }, 1000);
      }
    });
  }
}

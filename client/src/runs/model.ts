// The Task Runs model: task instances built from lifecycle events (live) and from the
// trace history (at start). No vscode here; views/runs-view.ts renders it.
import { FINAL_STATES, type LifecycleEvent, type TaskError as EngineError, type TaskState } from '../../../runtime/src/engine/types';
import { framesOf, type Frame } from './traceback';

export type { Frame } from './traceback';


/** Events come from the engine, as its type says. */
export type RunEvent = LifecycleEvent;

export interface TaskError { errorType: string; message: string; traceback?: string; frames?: Frame[] }

/** The model's error from the engine's (frames from the engine, else read from the traceback text). */
export function errorFrom(e: EngineError): TaskError {
  const traceback = e.traceback ?? undefined;
  const frames = framesOf(e);
  return { errorType: e.error_type, message: e.message, ...(traceback ? { traceback } : {}), ...(frames.length ? { frames } : {}) };
}

export interface Attempt {
  /** 0 for the first try, as the engine counts. */
  number: number;
  state: TaskState;
  startedAt: number;
  endedAt?: number;
  error?: TaskError;
  /** The queue worker that ran it, as the trace or the engine says (absent: this machine). Untrusted text. */
  worker?: string;
}

export interface RunInfo {
  /** The task instance id: stable, used as the tree item id. */
  id: string;
  runId: string;
  parentId?: string;
  taskName: string;
  file: string;
  state: TaskState;
  createdAt: number;
  endedAt?: number;
  durationMs?: number;
  fuelConsumed?: number;
  peakMemoryBytes?: number;
  error?: TaskError;
  attempts: Attempt[];
  /** Sub-task instance ids, in start order. */
  children: string[];
  /** Loaded from the trace rather than seen live. */
  fromHistory?: boolean;
  /** The call's arguments, when known. */
  args?: { args: unknown[]; kwargs: Record<string, unknown> };
  /** The limits it ran under, when the trace kept them. */
  limits?: { fuel: number; memoryLimitBytes: number; timeoutMs: number | null; maxRetries: number };
  /** The result as JSON text (completed runs whose result the trace or the runner kept). */
  resultJson?: string;
  /** Answered from the journal by a resume or replay: it did not run. */
  replayed?: boolean;
}

const STATES = new Set<string>(['created', 'running', 'retrying', 'completed', 'failed', 'timed_out', 'interrupted']);

export class RunStore {
  private readonly runs = new Map<string, RunInfo>();
  /** Top-level run ids, newest first. */
  private roots: string[] = [];
  private readonly listeners = new Set<(changed: ReadonlySet<string>) => void>();

  constructor(private retention = 200) {}

  setRetention(n: number): void {
    this.retention = n;
    this.prune();
  }

  onChange(listener: (changed: ReadonlySet<string>) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  get(id: string): RunInfo | undefined { return this.runs.get(id); }
  rootRuns(): RunInfo[] { return this.roots.map((id) => this.runs.get(id)!).filter(Boolean); }
  childRuns(id: string): RunInfo[] {
    return (this.runs.get(id)?.children ?? []).map((c) => this.runs.get(c)!).filter(Boolean);
  }
  /** Live runs that have not ended (history rows cut off by a dead host do not count). */
  active(): RunInfo[] { return [...this.runs.values()].filter((r) => !r.fromHistory && !FINAL_STATES.has(r.state)); }
  get size(): number { return this.roots.length; }

  /** Applies one lifecycle event; output events do not change the tree. */
  apply(e: RunEvent): void {
    if (!STATES.has(e.type)) return;
    const state = e.type as TaskState;
    let run = this.runs.get(e.instanceId);
    const changed = new Set<string>([e.instanceId]);
    if (!run) {
      run = { id: e.instanceId, runId: e.runId, parentId: e.parentId, taskName: e.taskName, file: e.file, state: 'created', createdAt: e.at, attempts: [], children: [], ...(e.args ? { args: e.args } : {}) };
      this.runs.set(run.id, run);
      const parent = e.parentId ? this.runs.get(e.parentId) : undefined;
      if (parent) {
        parent.children.push(run.id);
        changed.add(parent.id);
      } else {
        this.roots.unshift(run.id);
        changed.add('');
      }
    }
    // A late event for a finished instance (a stray from a worker) never reopens it.
    if (FINAL_STATES.has(run.state) && !FINAL_STATES.has(state)) return;
    run.state = state;
    const attemptNo = e.attempt ?? 0;
    let attempt = run.attempts.find((a) => a.number === attemptNo);
    if (state === 'running' && !attempt) {
      attempt = { number: attemptNo, state: 'running', startedAt: e.at };
      run.attempts.push(attempt);
    }
    const error = e.error ? errorFrom(e.error) : undefined;
    if (attempt && state !== 'running' && state !== 'created') {
      attempt.state = state === 'retrying' ? 'failed' : state;
      attempt.endedAt = e.at;
      if (error) attempt.error = error;
      if (e.worker) attempt.worker = e.worker;
    }
    if (e.replayed) run.replayed = true;
    if (e.fuelConsumed !== undefined) run.fuelConsumed = e.fuelConsumed;
    if (e.peakMemoryBytes !== undefined) run.peakMemoryBytes = e.peakMemoryBytes;
    if (FINAL_STATES.has(state)) {
      run.endedAt = e.at;
      run.durationMs = e.durationMs ?? e.at - run.createdAt;
      if (error) run.error = error;
      if (state === 'interrupted' && !run.error) run.error = { errorType: 'interrupted', message: 'cancelled' };
    }
    this.prune(changed);
    this.emit(changed);
  }

  /** Replaces what was loaded from history (newest first); live runs stay on top. */
  loadHistory(records: RunInfo[]): void {
    // The trace changes with every run of this window too: when what it adds is what was
    // loaded last time, change nothing (a refresh re-creates every row of the view).
    const sig = records.filter((r) => { const cur = this.runs.get(r.id); return !cur || cur.fromHistory; }).map((r) => `${r.id}:${r.state}:${r.endedAt ?? ''}:${r.children.length}`).join('|');
    // An empty trace on first load (a new workspace) changes nothing either: a change would
    // refresh the lenses, and a refresh drops the commands of the lenses shown (a click landing
    // then fails, "Actual command not found").
    if (sig === (this.historySig ?? '')) return;
    this.historySig = sig;
    for (const id of [...this.runs.keys()]) if (this.runs.get(id)!.fromHistory) this.runs.delete(id);
    const live = this.roots.filter((id) => this.runs.has(id));
    const loaded: string[] = [];
    for (const r of records) {
      if (this.runs.has(r.id)) continue;
      this.runs.set(r.id, { ...r, fromHistory: true });
    }
    for (const r of records) {
      const parent = r.parentId ? this.runs.get(r.parentId) : undefined;
      if (parent) { if (!parent.children.includes(r.id)) parent.children.push(r.id); }
      else if (!live.includes(r.id)) loaded.push(r.id);
    }
    this.roots = [...live, ...loaded];
    this.prune();
    this.emit(new Set(['']));
  }

  /** Sets what the runner learnt at the end (a top-level run's result). */
  setResult(id: string, resultJson: string): void {
    const run = this.runs.get(id);
    if (!run) return;
    run.resultJson = resultJson;
    this.emit(new Set([id]));
  }

  /** What the last loadHistory added (see there). */
  private historySig: string | undefined;

  /** Drops every finished run (running ones stay). */
  clearFinished(): void {
    this.historySig = undefined;
    const keep = new Set<string>();
    const mark = (id: string) => { keep.add(id); for (const c of this.runs.get(id)?.children ?? []) mark(c); };
    for (const r of this.runs.values()) if (!FINAL_STATES.has(r.state)) { let top: RunInfo | undefined = r; while (top?.parentId && this.runs.get(top.parentId)) top = this.runs.get(top.parentId); if (top) mark(top.id); }
    for (const id of [...this.runs.keys()]) if (!keep.has(id)) this.runs.delete(id);
    this.roots = this.roots.filter((id) => keep.has(id));
    this.emit(new Set(['']));
  }

  private prune(changed?: Set<string>): void {
    if (this.roots.length <= this.retention) return;
    // Oldest finished runs go first; running ones are never dropped.
    for (let i = this.roots.length - 1; i >= 0 && this.roots.length > this.retention; i--) {
      const run = this.runs.get(this.roots[i]);
      if (run && !FINAL_STATES.has(run.state)) continue;
      this.dropTree(this.roots[i]);
      this.roots.splice(i, 1);
      changed?.add('');
    }
  }

  private dropTree(id: string): void {
    for (const c of this.runs.get(id)?.children ?? []) this.dropTree(c);
    this.runs.delete(id);
  }

  private emit(changed: ReadonlySet<string>): void {
    for (const l of this.listeners) l(changed);
  }
}

// The engine's public shapes: what the CLI and the extension code against.
import type { OutputRecord, RunRecord } from '../trace/records';
import type { Mount, TraceFrame } from './sandbox-port';

export type { OutputRecord, RunRecord } from '../trace/records';
export type { Mount, TraceFrame } from './sandbox-port';

export const TASK_STATES = ['created', 'running', 'retrying', 'completed', 'failed', 'timed_out', 'interrupted'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const ERROR_TYPES = ['task_error', 'timeout', 'out_of_fuel', 'out_of_memory', 'permission_denied', 'wasm_error'] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/** How an instance ended: the last state it reaches. */
export type FinalState = 'completed' | 'failed' | 'timed_out' | 'interrupted';
export const FINAL_STATES: ReadonlySet<TaskState> = new Set<FinalState>(['completed', 'failed', 'timed_out', 'interrupted']);
export function isFinalState(s: string): s is FinalState {
  return FINAL_STATES.has(s as TaskState);
}

/**
 * Attempts are counted from 0 in the engine, the trace and the editor's model (`attempt`,
 * `number`; the envelope's `retries` is the last one), and shown from 1 everywhere a person
 * reads them ("attempt 1" is the first try): this is the one place that turns one into the other.
 */
export function shownAttempt(attempt: number): number {
  return attempt + 1;
}

export interface TaskError {
  error_type: ErrorType;
  message: string;
  /** The Python traceback, for task_error: the task's own and library frames, never the driver's. */
  traceback?: string;
  /** The same frames, structured (most recent call last), for the editor. */
  frames?: TraceFrame[];
}

export interface LifecycleEvent {
  type: TaskState | 'stdout' | 'stderr';
  instanceId: string;
  /** The root instance's id: every sub-task of a run shares it. */
  runId: string;
  parentId?: string;
  taskName: string;
  file: string;
  /** 0 for the first try, then 1, 2, ... for each retry. */
  attempt: number;
  at: number;
  /** The call's arguments, on `created`. */
  args?: { args: unknown[]; kwargs: Record<string, unknown> };
  /** The chunk, for stdout/stderr. */
  text?: string;
  error?: TaskError;
  fuelConsumed?: number;
  peakMemoryBytes?: number;
  durationMs?: number;
  /** The outcome came from the run's journal (a resume or replay): the task did not run. */
  replayed?: boolean;
  /** The queue worker that ran the attempt (on its final or retrying event; absent for a local run). */
  worker?: string;
}

/** One HTTP request a task made through the host gate. */
export type { HostRequestRecord } from '../capabilities/http-gate';
import type { HostRequestRecord } from '../capabilities/http-gate';

export interface Envelope {
  success: boolean;
  /** How the run ended, decided by the engine (the last lifecycle event has the same state). */
  state: FinalState;
  /**
   * The task's return value. Numbers a JS number cannot hold exactly (2**64,
   * or 3.0, a float) are ExactNumber (runtime/src/values): String() gives their text.
   */
  result: unknown;
  /** The return value exactly as the task's JSON text; null when the task failed. */
  resultJson?: string | null;
  error: TaskError | null;
  execution: {
    task_name: string;
    duration_ms: number;
    retries: number;
    fuel_consumed: number;
    ram_used: number;
    host_requests: HostRequestRecord[];
    /** On a resumed or replayed run's root: what came from the journal and what ran. */
    journal?: JournalSummary;
  };
}

/** How a resumed or replayed run used the journal of the run it came from. */
export interface JournalSummary {
  mode: 'live' | 'resume' | 'replay';
  source_run: string | null;
  /** Calls answered from the journal. */
  replayed: number;
  /** Calls made for real. */
  ran: number;
  /** The first call that differed from the recorded run, if any. */
  divergence: { kind: string; path: string; expected: string; got: string } | null;
  /** The run stopped at the divergence (a replay, or resume --strict) instead of going on live. */
  stopped: boolean;
}

/**
 * What a session's guest loop asks for: the next cell's code, or the end of the
 * session (defined here, not in host-calls.ts, so the public API's declarations
 * stay free of the engine's internals and their dependencies).
 */
export interface SessionChannel {
  next(reply: unknown): Promise<{ code: string } | { end: true }>;
}

/** Start a run from a recorded one: resume it (completed calls are not made again), or replay it offline. */
export interface FromRun {
  runId: string;
  mode: 'resume' | 'replay';
  /** Resume only: stop at the first divergence instead of going live. */
  strict?: boolean;
}

export interface StartRequest {
  /** Absolute, or relative to the project root. */
  file: string;
  /** Defaults to 'main'. */
  taskName?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** Extra directories (the CLI's --mount), on top of the task's allowed_files. */
  mounts?: Mount[];
  /** Resume or replay a recorded run of the same task (journal/). */
  from?: FromRun;
  /** The root task is a session's guest loop (api/session.ts): its session.next calls come here. */
  session?: SessionChannel;
}

export interface Disposable {
  dispose(): void;
}

export interface TaskHandle {
  readonly instanceId: string;
  /**
   * Resolves with the envelope of every run that started, however it ended (its
   * `state`). Rejects with a ConfigError when the task could not start: its file or
   * config is invalid (file:line:col problems), or the file does not compile.
   */
  readonly result: Promise<Envelope>;
  cancel(): void;
  onEvent(listener: (e: LifecycleEvent) => void): Disposable;
}

export type HistoryOptions = { limit?: number };

export interface EngineApi {
  start(req: StartRequest): TaskHandle;
  onEvent(listener: (e: LifecycleEvent) => void): Disposable;
  history(opts?: HistoryOptions): Promise<RunRecord[]>;
  clearHistory(): Promise<void>;
  /** What the trace kept of one instance's stdout and stderr. */
  output(instanceId: string): Promise<OutputRecord>;
  dispose(): Promise<void>;
}
